#!/usr/bin/env python3
"""Builds the sample studies that ./run.sh loads into the embedded PACS.

Everything comes from public packages listed in samples/SOURCES.tsv, each checked by sha256:
- a real chest CT (pyradiomics test case "lung2", 61 axial slices of 512 x 512, BSD-3-Clause),
  written as a CT Image Storage series in Explicit VR Little Endian, HU stored as signed
  16-bit samples;
- a few small images shipped in the pydicom wheel (MIT): an MR, a CT and compressed files.

Usage: make_samples.py OUT_DIR   (idempotent: files already built are kept)
"""

import gzip
import hashlib
import io
import sys
import tarfile
import urllib.request
import uuid
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parent / "samples" / "SOURCES.tsv"
# pydicom test files copied as they are (PS3.10 files, various syntaxes).
PYDICOM_FILES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "MR_small_RLE.dcm",
    "MR_small_jp2klossless.dcm",
    "JPEG2000.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
]
UID_NAMESPACE = uuid.UUID("6f1e4c2a-9b1d-4f7e-8c55-1d0d2f0b7a31")


def sources():
    out = {}
    for line in SOURCES.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, url, sha256, _licence = line.split("\t")
        out[name] = (url, sha256)
    return out


def fetch(name, downloads):
    url, expected = sources()[name]
    path = downloads / name
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        print(f"samples: downloading {name}", file=sys.stderr)
        with urllib.request.urlopen(url, timeout=300) as response:
            data = response.read()
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            sys.exit(f"samples: {name}: sha256 {actual} does not match {expected}")
        path.write_bytes(data)
    return path


def uid(*parts):
    """A deterministic UID under 2.25 (ISO/IEC 9834-8, derived from a UUID)."""
    return "2.25." + str(uuid.uuid5(UID_NAMESPACE, "/".join(parts)).int)


def read_nrrd(data):
    """A gzip-encoded NRRD volume: (header fields, raw bytes)."""
    header_end = data.index(b"\n\n")
    fields = {}
    for line in data[:header_end].decode("ascii").splitlines()[1:]:
        if line.startswith("#") or ":" not in line:
            continue
        key, value = line.split(":", 1)
        fields[key.strip()] = value.strip().lstrip("=").strip()
    raw = data[header_end + 2 :]
    if fields.get("encoding") == "gzip":
        raw = gzip.decompress(raw)
    return fields, raw


def write_ct(archive, out_dir):
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("data/lung2_image.nrrd"))
        nrrd = tar.extractfile(member).read()
    seed = hashlib.sha256(nrrd).hexdigest()
    fields, raw = read_nrrd(nrrd)
    if fields.get("type") not in ("short", "int16", "signed short") or fields.get("endian", "little") != "little":
        sys.exit("samples: unexpected NRRD sample type")
    columns, rows, slices = (int(v) for v in fields["sizes"].split())
    directions = [
        [float(x) for x in d.strip("()").split(",")] for d in fields["space directions"].split(") (")
    ]
    origin = [float(x) for x in fields["space origin"].strip("()").split(",")]
    spacing = [abs(directions[0][0]), abs(directions[1][1]), abs(directions[2][2])]
    frame_bytes = rows * columns * 2
    if len(raw) != frame_bytes * slices:
        sys.exit("samples: the NRRD volume has an unexpected size")

    study_uid, series_uid, frame_uid = uid(seed, "study"), uid(seed, "series"), uid(seed, "frame")
    folder = out_dir / "lung-ct"
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(slices):
        path = folder / f"CT{k + 1:04d}.dcm"
        if path.exists():
            continue
        sop_uid = uid(seed, "sop", str(k))
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SpecificCharacterSet = "ISO_IR 192"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = sop_uid
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20190315"
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = "101500"
        ds.AccessionNumber = "DEMO-CT-1"
        ds.Modality = "CT"
        ds.Manufacturer = ""
        ds.ReferringPhysicianName = ""
        ds.StudyDescription = "TDM thoracique (exemple)"
        ds.SeriesDescription = "Thorax 5 mm"
        ds.PatientName = "DEMO^Thorax"
        ds.PatientID = "DEMO-CT-1"
        ds.PatientBirthDate = "19600101"
        ds.PatientSex = "O"
        ds.BodyPartExamined = "CHEST"
        ds.SliceThickness = f"{spacing[2]:g}"
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.StudyID = "1"
        ds.SeriesNumber = 1
        ds.InstanceNumber = k + 1
        position = [origin[0], origin[1], origin[2] + k * directions[2][2]]
        ds.ImagePositionPatient = [f"{v:g}" for v in position]
        ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
        ds.FrameOfReferenceUID = frame_uid
        ds.PositionReferenceIndicator = ""
        ds.SliceLocation = f"{position[2]:g}"
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = rows, columns
        ds.PixelSpacing = [f"{spacing[1]:.7g}", f"{spacing[0]:.7g}"]
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
        ds.PixelRepresentation = 1
        ds.WindowCenter = ["40", "-600"]
        ds.WindowWidth = ["400", "1500"]
        ds.WindowCenterWidthExplanation = ["MEDIASTIN", "POUMON"]
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "0", "1", "HU"
        ds.LossyImageCompression = "00"
        ds.ImageComments = "pyradiomics test case lung2 (BSD-3-Clause); not for clinical use"
        ds.PixelData = raw[k * frame_bytes : (k + 1) * frame_bytes]
        ds["PixelData"].VR = "OW"
        ds.save_as(path, enforce_file_format=True)
    return slices


def copy_pydicom(wheel, out_dir):
    folder = out_dir / "pydicom"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for name in PYDICOM_FILES:
            target = folder / name
            if not target.exists():
                target.write_bytes(z.read(f"pydicom/data/test_files/{name}"))
    return len(PYDICOM_FILES)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = Path(sys.argv[1])
    downloads = out_dir / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    studies = out_dir / "studies"
    ct = write_ct(fetch("pyradiomics-2.2.0.tar.gz", downloads), studies)
    small = copy_pydicom(fetch("pydicom-3.0.2-py3-none-any.whl", downloads), studies)
    print(f"samples: {ct} CT slices and {small} small files in {studies}", file=sys.stderr)


if __name__ == "__main__":
    main()
