#!/usr/bin/env python3
"""The checks of scripts/region_test.sh, through the gateways as a clinician would.

Usage: region_check.py SHARED_DIR WORK_DIR GATEWAY_A GATEWAY_B BALANCER
The shared CT (explicit VR little endian) was loaded into the Orthanc behind gateway A.
"""

import email.parser
import http.cookiejar
import json
import sys
import time
import urllib.request
from pathlib import Path

import pydicom
from pydicom.uid import generate_uid

PREFIX = "1.2.826.0.1.3680043.8.498."
JSON_TYPE = "application/dicom+json"


class Clinician:
    """A browser-like client: the development login's cookie, JSON from this origin."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, url, data=None, headers=None, method=None):
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        with self.opener.open(req, timeout=60) as answer:
            return answer.status, answer.headers, answer.read()

    def post_json(self, url, body):
        return self.request(url, json.dumps(body).encode(),
                            {"Content-Type": "application/json"}, "POST")

    def qido(self, url):
        _, _, body = self.request(url, headers={"Accept": JSON_TYPE})
        return json.loads(body) if body else []


def value(dataset, tag):
    return dataset[tag]["Value"][0]


def first_part(headers, body):
    """The content of the first part of a multipart/related answer."""
    message = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + headers["Content-Type"].encode() + b"\r\n\r\n" + body)
    return message.get_payload()[0].get_payload(decode=True)


def main():
    shared, work = Path(sys.argv[1]), Path(sys.argv[2])
    gateway_a, gateway_b, balancer = sys.argv[3:6]
    doctor = Clinician()
    for gateway in (gateway_a, gateway_b):
        status, _, _ = doctor.post_json(f"{gateway}/api/dev-login", {})
        assert status == 204, f"development login on {gateway}: {status}"

    # Stored through Orthanc A, read through gateway B (Orthanc B, the same index).
    studies = doctor.qido(f"{gateway_b}/dicom-web/studies?PatientID=CT-REAL-1")
    assert len(studies) == 1, f"{len(studies)} CT studies through B"
    study = value(studies[0], "0020000D")
    source = pydicom.dcmread(shared / "ct-series/explicit-vr-le/CT0030.dcm")
    instances = doctor.qido(f"{gateway_b}/dicom-web/studies/{study}/instances")
    assert len(instances) == 61, f"{len(instances)} instances through B"
    url = (f"/dicom-web/studies/{study}/series/{source.SeriesInstanceUID}"
           f"/instances/{source.SOPInstanceUID}/frames/1")
    accept = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
    for gateway in (gateway_b, balancer):
        _, headers, body = doctor.request(gateway + url, headers={"Accept": accept})
        assert first_part(headers, body) == source.PixelData, f"frame through {gateway}"

    # Stored (STOW-RS) through gateway B, read through gateway A.
    copy = pydicom.dcmread(shared / "ct-series/explicit-vr-le/CT0031.dcm")
    copy.PatientID = "REGION-1"
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        setattr(copy, keyword, generate_uid(PREFIX))
    copy.file_meta.MediaStorageSOPInstanceUID = copy.SOPInstanceUID
    part10 = work / "stow.dcm"
    copy.save_as(part10, enforce_file_format=True)
    boundary = "region-boundary"
    stow = (f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode()
            + part10.read_bytes() + f"\r\n--{boundary}--\r\n".encode())
    status, _, _ = doctor.request(
        f"{gateway_b}/dicom-web/studies", stow,
        {"Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
         "Accept": JSON_TYPE}, "POST")
    assert status == 200, f"STOW-RS through B: {status}"
    found = doctor.qido(f"{gateway_a}/dicom-web/studies?PatientID=REGION-1")
    assert [value(s, "0020000D") for s in found] == [copy.StudyInstanceUID], "stored through B, read through A"

    # A share made through gateway A opens through gateway B.
    consent = {"given_by": "patient", "method": "oral", "given_at": int(time.time())}
    status, _, body = doctor.post_json(f"{gateway_a}/api/shares", {
        "study_uid": study, "recipient": "patient", "expires_in_days": 7,
        "access_code": "none", "consent": consent})
    assert status == 201, f"share through A: {status}"
    token = json.loads(body)["link"].split("#", 1)[1]
    patient = Clinician()
    status, _, body = patient.post_json(f"{gateway_b}/api/share-sessions", {"token": token})
    assert status == 200 and json.loads(body)["study_uid"] == study, "share opened through B"
    print("region: CT read across Orthancs, STOW across gateways, share across copies")


if __name__ == "__main__":
    main()
