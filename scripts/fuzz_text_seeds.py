#!/usr/bin/env python3
"""Seeds for the fuzz targets that read text and answers rather than files:

- metadata: DICOM JSON (pydicom's `to_json_dict`, bulk data left out) of the small files of
  the shared corpus, images, reports, key object selections and presentation states among
  them, each as a one-item array and all of one study's together;
- multipart: WADO-RS answers as a server sends them (the `Content-Type` line, then the body),
  one and two parts, with and without transfer syntax and Content-Location;
- iid: the query strings of the README's launch links, and a few with every parameter.

Usage: fuzz_text_seeds.py TARGET SHARED_DIR OUT_DIR
"""

import hashlib
import json
import sys
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


def main():
    target, shared, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    if target == "metadata":
        metadata(shared, out)
    elif target == "multipart":
        multipart(out)
    elif target == "iid":
        iid(out)
    else:
        sys.exit(f"no seeds for {target}")


if __name__ == "__main__":
    main()
