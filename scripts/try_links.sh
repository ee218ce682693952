#!/usr/bin/env bash
# Prints the links that show each journey on the embedded portal's sample studies (written by
# make_samples.py to SAMPLES/studies.json). With the development login on, it also shares the
# current study twice, as a clinician would from the study's share dialog: with the patient (a
# six-digit code) and with a GP (no code), and prints both links.
#   scripts/try_links.sh PORTAL_URL SAMPLES_DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

portal=${1:?usage: try_links.sh PORTAL_URL SAMPLES_DIR}
portal=${portal%/}
samples=${2:?usage: try_links.sh PORTAL_URL SAMPLES_DIR}
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$samples/studies.json" "$1"; }
current=$(field current)
prior=$(field prior)
patient=$(field patient_id)
clinic=$(field clinic)
clinic_patient=$(field clinic_patient_id)
ins=$(field patient_ins)

cat <<EOF
Try it (sample patient DEMO^Thorax, $patient: public test images, not a real patient)
Signed in as a doctor of the "CHU de démonstration" (development login, first button):
  Study list (clinician):          $portal/
  The current chest CT:            $portal/?study=$current
  Its report first (SR, then PDF): $portal/?report=$current
  Compared with the prior (2018):  $portal/?compare=$current,$prior
  From the patient record (IID):   $portal/IHEInvokeImageDisplay?requestType=STUDY&studyUID=$current
Signed in as a doctor of the "Clinique de démonstration" (log out, second button): the same
person's follow-up there (2021, local ID $clinic_patient), which the CHU's doctors cannot open:
  $portal/?study=$clinic
EOF

[ "${GATEWAY_DEV_LOGIN:-0}" = 1 ] || exit 0
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
post() { curl -fsS -m 10 -b "$jar" -c "$jar" -H 'Content-Type: application/json' -H "Origin: $portal" "$portal$1" -d "$2"; }
post /api/dev-login '{"site":"chu"}' >/dev/null || post /api/dev-login '{}' >/dev/null ||
  { log "try_links: no development login"; exit 0; }
now=$(date +%s)
share() {
  post /api/shares "{\"study_uid\":\"$current\",\"recipient\":\"$1\",\"expires_in_days\":7,\"access_code\":\"$2\",
    \"consent\":{\"given_by\":\"patient\",\"method\":\"oral\",\"given_at\":$now}}"
}
read -r patient_link patient_code < <(share patient code |
  python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["link"], s["access_code"])')
gp_link=$(share gp none | python3 -c 'import json, sys; print(json.load(sys.stdin)["link"])')
# The patient record's contextual launch (DRIMbox "appel contextuel"), as its form would post it
# (from a program: no browser Origin); the gateway answers with where the browser goes next.
launch=$(curl -fsS -m 10 -o /dev/null -w '%{redirect_url}' "$portal/launch/drimbox" \
  --data-urlencode "Patient.identifier.value=$ins" \
  --data-urlencode "Patient.identifier.system=1.2.250.1.213.1.4.10" \
  --data-urlencode "Patient.name.family=DEMO" --data-urlencode "Patient.name.given=Thorax" \
  --data-urlencode "Patient.gender=female" --data-urlencode "Patient.birthDate=1960-01-01" \
  --data-urlencode "Address.district=75056" \
  --data-urlencode "InformationEtOppositionConsultation=true" \
  --data-urlencode "PatientID=$patient" --data-urlencode "PatientIDIssuer=CHU-DEMO" \
  --data-urlencode "StudyInstanceUID=$current" || true)
cat <<EOF
  Shared with the patient (phone): $portal$patient_link   code $patient_code
  Shared with the GP:              $portal$gp_link
  (Share links made now for 7 days; a clinician makes them from the study's "Partager" button.)
  From the patient record (DRIMbox contextual launch, kept 30 min, for the first doctor who
  opens it): ${launch:-not available}
EOF
