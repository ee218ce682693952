#!/usr/bin/env python3
"""Checks the gateway's audit trail after a full end-to-end run (`gateway audit` JSON).

The run signs in with the development login, opens studies, stores a measurement report and
key images, and shares the CT study with a code (a wrong code, then the right one, then a
revocation): each of these must be recorded,
with who and which patient, and no value may look like a token (43 base64url characters).
Usage: check_audit.py AUDIT_JSON
"""

import json
import re
import sys

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def main(path):
    events = json.load(open(path, encoding="utf-8"))
    problems = []

    def expect(what, test):
        if not any(test(e) for e in events):
            problems.append(f"no audit row for {what}")

    expect("the development login", lambda e: e["action"] == "login" and e["actor"] == "dev:clinician")
    expect("a study opened by a clinician", lambda e: e["action"] == "study.open" and e["actor"] == "dev:clinician")
    expect("the CT study opened through a share",
           lambda e: e["action"] == "study.open" and e["actor"].startswith("share:") and e["patient_id"] == "CT-REAL-1")
    expect("the CT share created", lambda e: e["action"] == "share.create" and e["patient_id"] == "CT-REAL-1")
    expect("the share used", lambda e: e["action"] == "share.use")
    expect("a wrong access code", lambda e: e["action"] == "share.code_failure" and e["detail"] == "wrong code")
    expect("an unknown link", lambda e: e["action"] == "share.code_failure" and e["detail"] == "unknown link")
    expect("the share revoked", lambda e: e["action"] == "share.revoke")
    expect("the measurement report and key images stored by the clinician",
           lambda e: e["action"] == "study.store" and e["actor"] == "dev:clinician"
           and e["patient_id"] == "MEASURE-1" and e["outcome"] == "success")
    for e in events:
        for key, value in e.items():
            if isinstance(value, str) and TOKEN.search(value):
                problems.append(f"a token-like value in the {key} of a {e['action']} row")
    if problems:
        sys.exit("audit trail: " + "; ".join(problems))
    print(f"audit trail: {len(events)} rows, every expected kind present, no token")


if __name__ == "__main__":
    main(sys.argv[1])
