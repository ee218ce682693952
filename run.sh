#!/usr/bin/env bash
# The main job: the portal on an embedded PACS with sample studies.
#   ./run.sh                      Orthanc + samples + the app on http://127.0.0.1:8080/
#   PORT=9000 ./run.sh            another port
#   PACS_URL=https://pacs.example/dicom-web ./run.sh   the app in front of an existing
#                                 DICOMweb server (no Orthanc, no samples);
#                                 PACS_BASIC_AUTH=user:password if it needs Basic auth
#   GATEWAY_DEV_LOGIN=0 ./run.sh  no development login (then OIDC_ISSUER/OIDC_AUDIENCE for
#                                 clinicians; share links work either way)
#   GATEWAY_SITE_NAME=… GATEWAY_SITE_CONTACT=… ./run.sh   who runs the portal and how to
#                                 reach them, as a share's recipient is told
#   SITES_FILE=sites.json ./run.sh   the region's establishments (README); the embedded PACS
#                                 uses samples/sites.json (two demonstration sites)
# Prints "Ready: <url>" once the portal answers; Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$ROOT"

PORT=${PORT:-8080}
DATA=${DATA_DIR:-$ROOT/.data}

scripts/setup.sh run
scripts/build.sh

cleanup() {
  scripts/serve.sh stop "$DATA/web" || true
  [ -z "${PACS_URL:-}" ] && scripts/pacs.sh stop "$DATA/pacs" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${PACS_URL:-}" ]; then
  upstream=$PACS_URL
else
  "$VENV/bin/python" scripts/make_samples.py "$DATA/samples"
  pacs_port=$(free_port)
  scripts/pacs.sh start "$DATA/pacs" "$pacs_port"
  scripts/pacs.sh load "$DATA/pacs" "$DATA/samples/studies"
  upstream="http://127.0.0.1:$pacs_port/dicom-web"
fi

# The embedded portal has a development login (loudly labelled in the terminal and the page)
# unless GATEWAY_DEV_LOGIN=0: its sample studies are not real patients. In front of a real
# PACS (PACS_URL) it is off unless asked for.
if [ -z "${PACS_URL:-}" ]; then dev_default=1; else dev_default=0; fi
export GATEWAY_DEV_LOGIN=${GATEWAY_DEV_LOGIN:-$dev_default}
# Who runs the portal, as patients and GPs are told on a shared study's page.
if [ -z "${PACS_URL:-}" ]; then
  # The sample studies belong to two establishments of a demonstration region.
  export SITES_FILE=${SITES_FILE:-$ROOT/samples/sites.json}
  export GATEWAY_SITE_NAME=${GATEWAY_SITE_NAME:-"Portail d'imagerie (démonstration)"}
  export GATEWAY_SITE_CONTACT=${GATEWAY_SITE_CONTACT:-"Exemple : secrétariat d'imagerie, 01 23 45 67 89"}
fi
scripts/serve.sh start "$DATA/web" "$PORT" "$upstream"
[ -z "${PACS_URL:-}" ] && { wait_http "$upstream/studies?limit=1" 30 || log "the portal is up but the PACS does not answer yet"; }
echo "Ready: http://127.0.0.1:$PORT/"
[ -z "${PACS_URL:-}" ] && { scripts/try_links.sh "http://127.0.0.1:$PORT/" "$DATA/samples" || log "the sample links could not be made"; }
# Keep running until Ctrl-C (or until the gateway stops).
while alive "$(cat "$DATA/web/gateway.pid" 2>/dev/null)"; do sleep 1; done
