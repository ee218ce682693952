#!/usr/bin/env python3
"""Writes HTJ2K and JPEG XL test files from real images, for the decoder check.

The shared corpus has no JPEG XL file and HTJ2K only as 16-bit signed CT. This script
re-encodes real pixel data of the shared CT and corpus with the reference encoders of the
`imagecodecs` wheel (OpenJPH for HTJ2K, libjxl for JPEG XL) into DICOM files of the
matching transfer syntax, covering what those syntaxes carry in practice: 8-bit and 12-bit
unsigned grey, 16-bit signed CT, RGB (with the reversible colour transform for HTJ2K),
multi-frame, lossy, and JPEG XL recompression of real JPEG baseline frames. It also writes
real CT slices padded with zeros after their data set, as some writers leave files.

The files are derived test data, written under OUT_DIR (not committed); each keeps its
source's attributes with the pixel data, transfer syntax and photometric interpretation
replaced. Usage: make_codec_fixtures.py SHARED_DIR OUT_DIR
"""

import copy
import sys
from pathlib import Path

import imagecodecs
import numpy as np
import pydicom
from pydicom.encaps import encapsulate, generate_frames
from pydicom._uid_dict import UID_dictionary
from pydicom.uid import generate_uid

PREFIX = "1.2.826.0.1.3680043.8.498."
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
HTJ2K_RPCL = "1.2.840.10008.1.2.4.202"
HTJ2K = "1.2.840.10008.1.2.4.203"
JXL_LOSSLESS = "1.2.840.10008.1.2.4.110"
JXL_RECOMPRESSION = "1.2.840.10008.1.2.4.111"
JXL = "1.2.840.10008.1.2.4.112"


def stored(ds):
    """The source's frames as unsigned integers of Bits Stored bits (two's complement kept)."""
    arr = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    arr = arr if frames > 1 else arr[np.newaxis]
    bits = int(ds.BitsStored)
    kind = np.uint8 if int(ds.BitsAllocated) == 8 else np.uint16
    return [(f.astype(np.int64) & ((1 << bits) - 1)).astype(kind) for f in arr]


def save(ds, out, name, syntax, frames, photometric=None, lossy=False):
    ds = copy.deepcopy(ds)
    ds.file_meta.TransferSyntaxUID = syntax
    ds.PixelData = encapsulate(frames)
    ds["PixelData"].VR = "OB"
    ds.NumberOfFrames = len(frames) if len(frames) > 1 else None
    if ds.NumberOfFrames is None:
        del ds.NumberOfFrames
    if photometric:
        ds.PhotometricInterpretation = photometric
    if "PlanarConfiguration" in ds:
        ds.PlanarConfiguration = 0
    if lossy:
        ds.LossyImageCompression = "01"
    ds.SOPInstanceUID = generate_uid(PREFIX, entropy_srcs=["codec-fixture", name])
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(out / name, enforce_file_format=True)


def main():
    # pydicom 3.0 predates the JPEG XL syntaxes (PS3.6 2024): add them to its dictionary.
    for syntax, name in ((JXL_LOSSLESS, "JPEG XL Lossless"),
                         (JXL_RECOMPRESSION, "JPEG XL JPEG Recompression"), (JXL, "JPEG XL")):
        UID_dictionary.setdefault(syntax, (name, "Transfer Syntax", "", "", name.replace(" ", "")))
    shared, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    corpus = shared / "dicom-corpus"
    ct = pydicom.dcmread(shared / "ct-series/explicit-vr-le/CT0030.dcm")
    grey8 = pydicom.dcmread(corpus / "pydicom-data/JPGLosslessP14SV1_1s_1f_8b.dcm")
    grey12 = pydicom.dcmread(corpus / "pydicom/test_files/examples_overlay.dcm")
    rgb = pydicom.dcmread(corpus / "pydicom/test_files/examples_rgb_color.dcm")
    rgb_frames = pydicom.dcmread(corpus / "pydicom-data/SC_rgb_2frame.dcm")
    jpeg_ybr = pydicom.dcmread(corpus / "pydicom-data/color3d_jpeg_baseline.dcm")

    for name, ds in [("ct16s", ct), ("grey8", grey8), ("grey12", grey12)]:
        frames = stored(ds)
        save(ds, out, f"htj2k_{name}.dcm", HTJ2K_LOSSLESS,
             [imagecodecs.htj2k_encode(f, reversible=True) for f in frames])
        save(ds, out, f"jxl_{name}.dcm", JXL_LOSSLESS,
             [imagecodecs.jpegxl_encode(f, lossless=True, bitspersample=int(ds.BitsStored))
              for f in frames])
    save(ct, out, "htj2k_ct16s_lossy.dcm", HTJ2K,
         [imagecodecs.htj2k_encode(f, level=40, reversible=False) for f in stored(ct)], lossy=True)
    save(grey8, out, "jxl_grey8_lossy.dcm", JXL,
         [imagecodecs.jpegxl_encode(f, distance=1.0) for f in stored(grey8)], lossy=True)

    for name, ds in [("rgb", rgb), ("rgb_2frame", rgb_frames)]:
        frames = stored(ds)
        save(ds, out, f"htj2k_{name}.dcm", HTJ2K_RPCL,
             [imagecodecs.htj2k_encode(f, rgb=True, reversible=True) for f in frames],
             photometric="YBR_RCT")
        save(ds, out, f"htj2k_{name}_no_mct.dcm", HTJ2K_LOSSLESS,
             [imagecodecs.htj2k_encode(f, rgb=False, reversible=True) for f in frames],
             photometric="RGB")
        save(ds, out, f"jxl_{name}.dcm", JXL_LOSSLESS,
             [imagecodecs.jpegxl_encode(f, lossless=True) for f in frames], photometric="RGB")
    save(rgb, out, "jxl_rgb_lossy.dcm", JXL,
         [imagecodecs.jpegxl_encode(f, distance=1.0) for f in stored(rgb)],
         photometric="RGB", lossy=True)

    # JPEG XL recompression keeps the JPEG's photometric interpretation (YBR_FULL_422 here).
    jpegs = list(generate_frames(jpeg_ybr.PixelData, number_of_frames=2))[:2]
    save(jpeg_ybr, out, "jxl_recompressed_jpeg.dcm", JXL_RECOMPRESSION,
         [imagecodecs.jpegxl_encode_jpeg(j) for j in jpegs], lossy=True)
    padded(shared, out)


def padded(shared, out):
    """Real CT slices padded with zero bytes to an 8 KiB block after their data set, as some
    MR writers leave their files (pydicom and DCMTK read them): explicit VR as shared, and
    implicit VR little endian re-encoded by pydicom."""
    source = shared / "ct-series/explicit-vr-le/CT0030.dcm"
    implicit = pydicom.dcmread(source)
    implicit.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
    implicit_path = out / "padded_implicit_vr_le.dcm"
    implicit.save_as(implicit_path, implicit_vr=True, little_endian=True, enforce_file_format=True)
    for path, name in ((source, "padded_explicit_vr_le.dcm"), (implicit_path, implicit_path.name)):
        data = path.read_bytes()
        (out / name).write_bytes(data + bytes(8192 - len(data) % 8192))


if __name__ == "__main__":
    main()
