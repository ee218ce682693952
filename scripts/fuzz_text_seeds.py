#!/usr/bin/env python3
"""Seeds for the fuzz targets that read text and answers rather than files:

- metadata: DICOM JSON (pydicom's `to_json_dict`, bulk data left out) of the small files of
  the shared corpus, images, reports, key object selections and presentation states among
  them, each as a one-item array and all of one study's together;
- multipart: WADO-RS answers as a server sends them (the `Content-Type` line, then the body),
  one and two parts, with and without transfer syntax and Content-Location;
- iid: the query strings of the README's launch links, and a few with every parameter;
- scope (gateway): a share's study, then DICOMweb paths and queries as the viewer makes them,
  and WADO-URI queries;
- bodies (gateway): share creations, link exchanges and pages to return to;
- answers (gateway): the metadata seeds with Retrieve URLs and bulk data URIs on the PACS.

Usage: fuzz_text_seeds.py TARGET SHARED_DIR OUT_DIR
"""

import hashlib
import json
import sys
import tempfile
import warnings
from pathlib import Path

import pydicom


def write(out, data):
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)


def metadata(shared, out):
    warnings.simplefilter("ignore")  # the corpus's odd values are the point
    datasets = []
    for path in sorted((shared / "dicom-corpus").rglob("*.dcm")):
        if path.stat().st_size > 48 * 1024:
            continue
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            item = ds.to_json_dict(bulk_data_threshold=256, bulk_data_element_handler=lambda _: "x")
        except Exception:  # a malformed corpus file is the decoders' seed, not this one's
            continue
        datasets.append(item)
        write(out, json.dumps([item]).encode())
    write(out, json.dumps(datasets[:40]).encode())


def multipart(out):
    frame = bytes(range(256)) * 4
    for parts, transfer_syntax, location in (
        (1, "1.2.840.10008.1.2.1", True),
        (2, None, False),
        (1, "1.2.840.10008.1.2.4.80", False),
    ):
        boundary = "fuzz-boundary-1"
        body = b""
        for n in range(parts):
            ts = f"; transfer-syntax={transfer_syntax}" if transfer_syntax else ""
            body += f"--{boundary}\r\nContent-Type: application/octet-stream{ts}\r\n".encode()
            if location:
                body += f"Content-Location: /dicom-web/studies/1/series/2/instances/3/frames/{n + 1}\r\n".encode()
            body += b"\r\n" + frame + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        header = f'multipart/related; type="application/octet-stream"; boundary={boundary}\n'
        write(out, header.encode() + body)


def iid(out):
    for query in (
        "requestType=STUDY&studyUID=1.2.3,1.2.4",
        "requestType=STUDY&accessionNumber=A123&patientID=42%5E%5E%5EHOSP",
        "requestType=PATIENT&patientID=42%5E%5E%5EHOSP&modalitiesInStudy=CT,MR"
        "&lowerDateTime=2024-01-01T00:00:00&mostRecentResults=5",
        "Accessionnumber=A123&idCDA=1.2.250.1.2.3",
        "requestType=PATIENT&patientID=7%5E%5E%5EH&patientName=DOE%5EJOHN&patientBirthDate=19700101"
        "&upperDateTime=2025-12-31T23:59:59&viewerType=IHE_BIR&diagnosticQuality=true&keyImagesOnly=true",
    ):
        write(out, query.encode())


STUDY = "1.2.840.113619.2.55.3.604688119.969.1268071029.320"
SERIES = "1.2.840.113619.2.55.3.604688119.969.1268071029.321"
INSTANCE = "1.2.840.113619.2.55.3.604688119.969.1268071029.322"


def scope(out):
    under = f"studies/{STUDY}"
    for request in (
        f"{under}/series?includefield=0008103E",
        f"{under}/series/{SERIES}/instances?limit=100&offset=0",
        f"{under}/series/{SERIES}/instances/{INSTANCE}/frames/1,2,3",
        f"{under}/series/{SERIES}/instances/{INSTANCE}/frames/1/rendered",
        f"{under}/series/{SERIES}/metadata",
        f"{under}/instances/{INSTANCE}/bulkdata/7FE00010",
        f"{under}/thumbnail",
        f"studies?PatientID=42&StudyInstanceUID={STUDY}&0020000D=1.2.3",
        "series?Modality=CT&StudyInstanceUID=1.2.3",
        "instances?SOPClassUID=1.2.840.10008.5.1.4.1.1.88.22",
        f"wado?requestType=WADO&studyUID={STUDY}&seriesUID={SERIES}&objectUID={INSTANCE}"
        "&contentType=application/dicom",
        f"studies/1.2.3/series/{SERIES}?studyUID=1.2.3",
    ):
        write(out, f"{STUDY}\n{request}".encode())


def bodies(out):
    consent = {"given_by": "representative", "representative_name": "Marie Curie",
               "method": "written", "given_at": 1_796_000_000}
    for body in (
        {"study_uid": STUDY, "recipient": "patient", "expires_in_days": 7,
         "access_code": "code", "consent": consent},
        {"study_uid": STUDY, "recipient": "gp", "expires_in_days": 90, "access_code": "birth_date",
         "consent": dict(consent, given_by="patient", representative_name=None)},
        {"token": "A" * 43, "access_code": "123456"},
    ):
        write(out, json.dumps(body).encode())
    for back in ("/", "/study/1.2.3?series=4", "//evil.example/", "/\\evil.example", "/a\tb"):
        write(out, back.encode())


def answers(shared, out):
    """The metadata seeds with the PACS's URLs in them (made apart: the target's corpus
    folder also holds what the fuzzer found, which is not JSON)."""
    root = "http://pacs.internal:8042/dicom-web"
    with tempfile.TemporaryDirectory() as made:
        made = Path(made)
        metadata(shared, made)
        for path in sorted(made.iterdir()):
            items = json.loads(path.read_bytes())
            for n, item in enumerate(items):
                uid = item.get("0020000D", {}).get("Value", ["1.2.3"])[0]
                item["00081190"] = {"vr": "UR", "Value": [f"{root}/studies/{uid}"]}
                if n % 2:
                    item["7FE00010"] = {"vr": "OW", "BulkDataURI": f"{root}/studies/{uid}/bulk"}
            write(out, json.dumps(items).encode())


def main():
    target, shared, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    if target == "metadata":
        metadata(shared, out)
    elif target == "multipart":
        multipart(out)
    elif target == "iid":
        iid(out)
    elif target == "scope":
        scope(out)
    elif target == "bodies":
        bodies(out)
    elif target == "answers":
        answers(shared, out)
    else:
        sys.exit(f"no seeds for {target}")


if __name__ == "__main__":
    main()
