#!/usr/bin/env python3
"""Seeds for a per-codec frame fuzz target (`frame_<codec>`): the first frame of every file of
the shared data in one of the codec's transfer syntaxes (at most 512 x 512 and 64 KiB), and
small crops of the shared CT and of a corpus RGB image encoded by the reference encoders
(imagecodecs), each behind the 7-byte header the target reads (see
viewer-core/fuzz/fuzz_targets/common/frame.rs): syntax index, format, bits stored, rows and
columns (big-endian).

Usage: fuzz_frame_seeds.py CODEC SHARED_DIR OUT_DIR
"""

import hashlib
import struct
import sys
import warnings
from pathlib import Path

import imagecodecs
import numpy as np
import pydicom
from pydicom.encaps import generate_frames

CODECS = {
    "rle": ["1.2.840.10008.1.2.5"],
    "jpeg": ["1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57",
             "1.2.840.10008.1.2.4.70"],
    "jpegls": ["1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"],
    "j2k": ["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"],
    "htj2k": ["1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"],
    "jxl": ["1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.4.111", "1.2.840.10008.1.2.4.112"],
}
BITS = {8: 0, 16: 1, 1: 2, 32: 3}
GREY = {"MONOCHROME2": 0, "MONOCHROME1": 1, "PALETTE COLOR": 3}
COLOUR = {"RGB": 0, "YBR_FULL": 1, "YBR_FULL_422": 2, "YBR_RCT": 3}
MAX_FRAME = 65536 - 7


def header(syntax, bits_allocated, bits_stored, samples, signed, photometric, planar, rows,
           columns):
    colour = samples == 3
    form = (BITS[bits_allocated] | (4 if colour else 0) | (8 if signed else 0)
            | (COLOUR if colour else GREY).get(photometric, 0) << 4 | (planar & 1) << 6)
    return bytes([syntax, form, bits_stored]) + struct.pack(">HH", rows, columns)


def corpus_frames(syntaxes, shared):
    for path in sorted(shared.rglob("*")):
        if not path.is_file() or path.stat().st_size > 4 << 20:
            continue
        try:
            ds = pydicom.dcmread(path)
            uid = str(ds.file_meta.TransferSyntaxUID)
            if uid not in syntaxes or "PixelData" not in ds or ds.Rows > 512 or ds.Columns > 512:
                continue
            frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
            frame = next(generate_frames(ds.PixelData, number_of_frames=frames))
            if BITS.get(ds.BitsAllocated) is None or len(frame) > MAX_FRAME:
                continue
            yield header(syntaxes.index(uid), ds.BitsAllocated, ds.BitsStored,
                         ds.SamplesPerPixel, ds.PixelRepresentation == 1,
                         ds.PhotometricInterpretation,
                         int(getattr(ds, "PlanarConfiguration", 0) or 0),
                         ds.Rows, ds.Columns) + frame
        except Exception:  # a file the reference reader cannot read is no seed
            continue


def crops(shared):
    ct = pydicom.dcmread(shared / "ct-series/explicit-vr-le/CT0030.dcm").pixel_array
    rgb = pydicom.dcmread(
        shared / "dicom-corpus/pydicom/test_files/examples_rgb_color.dcm").pixel_array
    signed = ct[200:264, 200:264].astype(np.int16)
    twelve = (ct[200:264, 200:264].astype(np.int64) & 0xFFF).astype(np.uint16)
    eight = (ct[240:272, 240:272] >> 4).astype(np.uint8)
    colour = np.ascontiguousarray(rgb[100:132, 100:132])
    return signed, twelve, eight, colour


def encoded_crops(codec, shared):
    """(syntax index, image, bits stored, photometric, codestream) of the crops."""
    signed, twelve, eight, colour = crops(shared)
    out = []
    if codec == "jpeg":
        out += [(0, eight, 8, "MONOCHROME2", imagecodecs.jpeg8_encode(eight, level=90)),
                (0, colour, 8, "YBR_FULL_422", imagecodecs.jpeg8_encode(colour, level=90)),
                (3, eight, 8, "MONOCHROME2", imagecodecs.ljpeg_encode(eight)),
                (3, twelve, 12, "MONOCHROME2", imagecodecs.ljpeg_encode(twelve, bitspersample=12))]
    elif codec == "jpegls":
        out += [(0, image, bits, photometric, imagecodecs.jpegls_encode(image))
                for image, bits, photometric in
                [(twelve, 12, "MONOCHROME2"), (eight, 8, "MONOCHROME2"), (colour, 8, "RGB")]]
        out.append((1, twelve, 12, "MONOCHROME2", imagecodecs.jpegls_encode(twelve, level=2)))
    elif codec == "j2k":
        out += [(0, image, bits, photometric, imagecodecs.jpeg2k_encode(image, level=0))
                for image, bits, photometric in
                [(signed, 16, "MONOCHROME2"), (twelve, 12, "MONOCHROME2"), (colour, 8, "RGB")]]
    elif codec == "htj2k":
        out += [(0, signed, 16, "MONOCHROME2",
                 imagecodecs.htj2k_encode(signed, reversible=True, rgb=False)),
                (2, signed, 16, "MONOCHROME2",
                 imagecodecs.htj2k_encode(signed, level=30, reversible=False, rgb=False)),
                (0, colour, 8, "RGB", imagecodecs.htj2k_encode(colour, reversible=True))]
    elif codec == "jxl":
        out += [(0, twelve, 12, "MONOCHROME2",
                 imagecodecs.jpegxl_encode(twelve, lossless=True, bitspersample=12)),
                (0, eight, 8, "MONOCHROME2", imagecodecs.jpegxl_encode(eight, lossless=True)),
                (2, colour, 8, "RGB", imagecodecs.jpegxl_encode(colour, distance=1.0))]
    return out


def main():
    warnings.simplefilter("ignore")  # the reference reader's remarks on odd files
    codec, shared, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    syntaxes = CODECS[codec]
    out.mkdir(parents=True, exist_ok=True)
    seeds = list(corpus_frames(syntaxes, shared))
    for syntax, image, bits_stored, photometric, stream in encoded_crops(codec, shared):
        samples = 3 if image.ndim == 3 else 1
        seeds.append(header(syntax, image.dtype.itemsize * 8, bits_stored, samples,
                            image.dtype.kind == "i", photometric, 0, image.shape[0],
                            image.shape[1]) + bytes(stream))
    for seed in seeds:
        (out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    print(f"{codec}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
