#!/usr/bin/env python3
"""Builds the sample studies that ./run.sh loads into the embedded PACS.

Everything comes from public packages listed in samples/SOURCES.tsv, each checked by sha256:
- a real chest CT (pyradiomics test case "lung2", 61 axial slices of 512 x 512, BSD-3-Clause),
  written as a CT Image Storage series in Explicit VR Little Endian, HU stored as signed
  16-bit samples; in its study, a report (structured report and PDF), a key-image selection
  and a presentation state about the lesion the case's own label marks (sample_documents.py);
- the same volume as the demo patient's prior study (2018), so that comparison can be tried;
- the same volume as a follow-up (2021) of the same person at another establishment of the
  region, under that establishment's local patient ID;
- a few small images shipped in the pydicom wheel (MIT): an MR, a CT and compressed files,
  other patients of that second establishment.
The demo patient carries a national identity (a synthetic test INS) at both establishments.
The studies belong to the two demonstration sites of samples/sites.json by their Issuer of
Patient ID: the CHU (the chest CTs and their documents) and the clinic (the follow-up and the
small files).

Usage: make_samples.py OUT_DIR   (idempotent: files already built are kept, unless they were
built by an earlier version of this script)
Writes the studies to OUT_DIR/studies and their UIDs to OUT_DIR/studies.json (the links
./run.sh prints).
"""

import gzip
import hashlib
import io
import json
import shutil
import sys
import tarfile
import urllib.request
import uuid
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parent / "samples" / "SOURCES.tsv"
# Built files of another version are built again.
SAMPLES_VERSION = "3 (national identity)"
# The issuers of patient IDs of samples/sites.json's two sites.
CHU_ISSUER = "CHU-DEMO"
CLINIC_ISSUER = "CLINIQUE-DEMO"
# The demo patient's national identity (INS): a synthetic matricule (13 characters and its key,
# 97 - number mod 97) under the OID of test INS-NIR, so that it is never a real person's. Both
# establishments record it beside their own patient ID; it is what links the person across them.
DEMO_INS_13 = "2600175123123"
DEMO_INS = f"{DEMO_INS_13}{97 - int(DEMO_INS_13) % 97:02d}"
TEST_INS_NIR_OID = "1.2.250.1.213.1.4.10"
# pydicom test files, copied with the clinic's issuer added (PS3.10 files, various syntaxes).
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


# The demo patient's chest CTs: (UID key, folder, date, accession, study description, series
# description, (patient ID, issuer)). The first is the current one, with the documents; the
# last is the same person's follow-up at the clinic, under the clinic's patient ID.
CT_STUDIES = [
    ("", "lung-ct", "20190315", "DEMO-CT-1", "TDM thoracique (exemple)", "Thorax 5 mm",
     ("DEMO-CT-1", CHU_ISSUER)),
    ("prior", "lung-ct-prior", "20180312", "DEMO-CT-0", "TDM thoracique (exemple, examen antérieur)",
     "Thorax 5 mm", ("DEMO-CT-1", CHU_ISSUER)),
    ("clinic", "lung-ct-clinic", "20210610", "CLQ-2021-1", "TDM thoracique de contrôle (exemple)",
     "Thorax 5 mm", ("CLQ-58213", CLINIC_ISSUER)),
]


def nrrd_member(archive, suffix):
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(suffix))
        return tar.extractfile(member).read()


def national_identity():
    """The demo patient's INS as an item of Other Patient IDs Sequence (0010,1002)."""
    from pydicom.dataset import Dataset

    qualifiers = Dataset()
    qualifiers.UniversalEntityID = TEST_INS_NIR_OID
    qualifiers.UniversalEntityIDType = "ISO"
    item = Dataset()
    item.PatientID = DEMO_INS
    item.IssuerOfPatientID = "ASIP-SANTE-INS-NIR"
    item.TypeOfPatientID = "TEXT"
    item.IssuerOfPatientIDQualifiersSequence = [qualifiers]
    return item


def write_ct(nrrd, out_dir, study):
    """Writes the volume as one study's CT series; returns its slices' headers (no pixels)
    and the volume's (rows, columns, slices, spacing)."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    key, folder_name, date, accession, study_description, series_description, patient = study
    seed = hashlib.sha256(nrrd).hexdigest() + key
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
    folder = out_dir / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    headers = []
    for k in range(slices):
        path = folder / f"CT{k + 1:04d}.dcm"
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
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = "101500"
        ds.AccessionNumber = accession
        ds.Modality = "CT"
        ds.Manufacturer = ""
        ds.ReferringPhysicianName = ""
        ds.StudyDescription = study_description
        ds.SeriesDescription = series_description
        ds.PatientName = "DEMO^Thorax"
        ds.PatientID, ds.IssuerOfPatientID = patient
        ds.PatientBirthDate = "19600101"
        ds.PatientSex = "F"
        ds.OtherPatientIDsSequence = [national_identity()]
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
        headers.append(ds)
        if path.exists():
            continue
        ds.PixelData = raw[k * frame_bytes : (k + 1) * frame_bytes]
        ds["PixelData"].VR = "OW"
        ds.save_as(path, enforce_file_format=True)
        del ds.PixelData
    return headers, (rows, columns, slices, spacing)


def write_documents(label_nrrd, headers, volume, out_dir, prior_date):
    """The current study's report (SR and PDF), key images and presentation state."""
    import array

    import sample_documents as docs

    rows, columns, slices, spacing = volume
    fields, raw = read_nrrd(label_nrrd)
    label = array.array("h", raw)
    if sys.byteorder != "little":
        label.byteswap()
    k, row, column, diameter = docs.lesion(label, rows, columns, slices, (spacing[1], spacing[0]))
    image = headers[k]
    study = headers[0]
    seed = study.StudyInstanceUID
    folder = out_dir / "lung-ct-documents"
    folder.mkdir(parents=True, exist_ok=True)
    sections = docs.report_lines(diameter, image.InstanceNumber, prior_date)
    made = {
        "report_sr.dcm": docs.structured_report(study, lambda n: uid(seed, "sr", n), sections, image, diameter),
        "report_pdf.dcm": docs.pdf_report(study, lambda n: uid(seed, "pdf", n), sections),
        "key_images.dcm": docs.key_images(study, lambda n: uid(seed, "kos", n),
                                          [image, headers[max(k - 2, 0)]]),
        "presentation_state.dcm": docs.presentation_state(
            study, lambda n: uid(seed, "gsps", n), image, (row, column),
            diameter / 2 / spacing[0] + 6),
    }
    for name, ds in made.items():
        docs.save(ds, folder / name)
    return len(made)


def copy_pydicom(wheel, out_dir):
    import pydicom

    folder = out_dir / "pydicom"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for name in PYDICOM_FILES:
            target = folder / name
            if not target.exists():
                ds = pydicom.dcmread(io.BytesIO(z.read(f"pydicom/data/test_files/{name}")))
                ds.IssuerOfPatientID = CLINIC_ISSUER
                ds.save_as(target)
    return len(PYDICOM_FILES)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = Path(sys.argv[1])
    downloads = out_dir / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    studies = out_dir / "studies"
    version = studies / "version.txt"
    if studies.exists() and (not version.exists() or version.read_text() != SAMPLES_VERSION):
        shutil.rmtree(studies)
    studies.mkdir(parents=True, exist_ok=True)
    version.write_text(SAMPLES_VERSION)
    archive = fetch("pyradiomics-2.2.0.tar.gz", downloads)
    image = nrrd_member(archive, "data/lung2_image.nrrd")
    headers, volume = write_ct(image, studies, CT_STUDIES[0])
    prior, _ = write_ct(image, studies, CT_STUDIES[1])
    clinic, _ = write_ct(image, studies, CT_STUDIES[2])
    documents = write_documents(nrrd_member(archive, "data/lung2_label.nrrd"), headers, volume, studies,
                                prior[0].StudyDate)
    small = copy_pydicom(fetch("pydicom-3.0.2-py3-none-any.whl", downloads), studies)
    (out_dir / "studies.json").write_text(json.dumps({
        "patient_id": headers[0].PatientID,
        "current": headers[0].StudyInstanceUID,
        "prior": prior[0].StudyInstanceUID,
        "clinic": clinic[0].StudyInstanceUID,
        "clinic_patient_id": clinic[0].PatientID,
        "patient_ins": DEMO_INS,
        "accession": headers[0].AccessionNumber,
    }, indent=1) + "\n")
    print(f"samples: three CT studies of {len(headers)} slices, {documents} documents and {small} small "
          f"files in {studies}", file=sys.stderr)


if __name__ == "__main__":
    main()
