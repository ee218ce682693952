#!/usr/bin/env bash
# The embedded PACS: Orthanc (Debian) with its DICOMweb plugin, as a plain background process.
#   scripts/pacs.sh start WORKDIR PORT   start (or find running) Orthanc; data under WORKDIR
#   scripts/pacs.sh load  WORKDIR FOLDER... upload every file of the folders (POST /instances)
#   scripts/pacs.sh stop  WORKDIR        stop it (SIGTERM, then wait)
# PACS_SERVE_DIR=DIR: also serve DIR at /viewer/ (Orthanc's ServeFolders plugin), on the same
# origin as /dicom-web/: how the benchmark runs the peer viewers (Orthanc has no CORS).
# PACS_INDEX_URI=postgresql://user@host:port/db: the index in PostgreSQL (Debian's
# orthanc-postgresql, without its lock: several Orthancs share one index), and
# PACS_STORAGE_DIR=DIR: the files in DIR, shared by those Orthancs (the region's layout).
# PACS_USERS=user:password: HTTP Basic authentication required (the gateway's credentials for a
# remote source in the tests); `load` then sends them.
# Orthanc binds every interface (no bind-address option in 1.10); "RemoteAccessAllowed": false
# makes it refuse any client that is not on this machine.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cmd=${1:?usage: pacs.sh start|load|stop WORKDIR ...}
WORKDIR=${2:?usage: pacs.sh $cmd WORKDIR ...}
mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
PIDFILE=$WORKDIR/orthanc.pid
PORTFILE=$WORKDIR/orthanc.port

running() { [ -s "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; }
base_url() { echo "http://127.0.0.1:$(cat "$PORTFILE")"; }
# Its /system, with the credentials it was started with (PACS_USERS), if any.
probe_url() {
  if [ -s "$WORKDIR/credentials" ]; then
    echo "http://$(cat "$WORKDIR/credentials")@127.0.0.1:$(cat "$PORTFILE")/system"
  else
    echo "$(base_url)/system"
  fi
}

start() {
  local port=${1:?usage: pacs.sh start WORKDIR PORT}
  if running && wait_http "$(probe_url)" 5; then
    log "Orthanc already running on $(base_url)"
    return 0
  fi
  local plugin
  plugin=$(dpkg -L orthanc-dicomweb 2>/dev/null | grep -m1 '/libOrthancDicomWeb.so$') ||
    die "orthanc-dicomweb is not installed (scripts/setup.sh installs it)"
  local plugins="\"$plugin\"" serve=""
  if [ -n "${PACS_SERVE_DIR:-}" ]; then
    local folders
    folders=$(dpkg -L orthanc 2>/dev/null | grep -m1 '/libServeFolders.so$') ||
      die "Orthanc's ServeFolders plugin is not installed (package orthanc)"
    plugins="$plugins, \"$folders\""
    serve="\"ServeFolders\": { \"Folders\": { \"/viewer\": \"$(cd "$PACS_SERVE_DIR" && pwd)\" },
    \"Extensions\": { \".wasm\": \"application/wasm\", \".mjs\": \"application/javascript\" }, \"AllowCache\": false },"
  fi
  local storage=${PACS_STORAGE_DIR:-$WORKDIR/db} index=""
  if [ -n "${PACS_INDEX_URI:-}" ]; then
    local index_plugin
    index_plugin=$(dpkg -L orthanc-postgresql 2>/dev/null | grep -m1 '/libOrthancPostgreSQLIndex.so$') ||
      die "orthanc-postgresql is not installed (scripts/setup.sh test installs it)"
    plugins="$plugins, \"$index_plugin\""
    index="\"PostgreSQL\": { \"EnableIndex\": true, \"EnableStorage\": false,
    \"ConnectionUri\": \"$PACS_INDEX_URI\", \"Lock\": false, \"MaximumConnectionRetries\": 20,
    \"ConnectionRetryInterval\": 1 },"
  fi
  local auth='"AuthenticationEnabled": false,'
  rm -f "$WORKDIR/credentials"
  if [ -n "${PACS_USERS:-}" ]; then
    auth="\"AuthenticationEnabled\": true, \"RegisteredUsers\": { \"${PACS_USERS%%:*}\": \"${PACS_USERS#*:}\" },"
    (umask 077 && printf '%s' "$PACS_USERS" >"$WORKDIR/credentials")
  fi
  mkdir -p "$WORKDIR/db" "$WORKDIR/tmp" "$storage"
  cat >"$WORKDIR/orthanc.json" <<JSON
{
  "Name": "PORTAIL-PACS",
  "StorageDirectory": "$storage",
  "IndexDirectory": "$WORKDIR/db",
  "TemporaryDirectory": "$WORKDIR/tmp",
  "Plugins": [$plugins],
  $serve
  $index
  "HttpPort": $port,
  "RemoteAccessAllowed": false,
  $auth
  "HttpCompressionEnabled": false,
  "DicomServerEnabled": false,
  "OverwriteInstances": true,
  "UnknownSopClassAccepted": true,
  "SaveJobs": false,
  "LimitFindResults": 0,
  "LimitFindInstances": 0,
  "DicomWeb": {
    "Enable": true, "Root": "/dicom-web/", "EnableWado": true, "WadoRoot": "/wado",
    "StudiesMetadata": "Full", "SeriesMetadata": "Full"
  }
}
JSON
  echo "$port" >"$PORTFILE"
  # Own session: the caller's Ctrl-C reaches us through 'stop', not as a stray signal.
  setsid Orthanc --logfile="$WORKDIR/orthanc.log" "$WORKDIR/orthanc.json" \
    >"$WORKDIR/orthanc.out" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  if ! wait_http "$(probe_url)" 60; then
    tail -n 20 "$WORKDIR/orthanc.log" >&2 || true
    die "Orthanc did not start; see $WORKDIR/orthanc.log"
  fi
  log "Orthanc ready on $(base_url) (DICOMweb at /dicom-web/)"
}

load() {
  running || die "Orthanc is not running for $WORKDIR"
  local base stored=0 rejected=0
  base=$(base_url)
  local user=()
  [ -s "$WORKDIR/credentials" ] && user=(-u "$(cat "$WORKDIR/credentials")")
  while IFS= read -r -d '' file; do
    case "$file" in *.md|*.tsv|*.txt|*.json|*.py) continue ;; esac
    code=$(curl -sS -m 120 -o /dev/null -w '%{http_code}' -X POST "${user[@]}" \
      -H 'Content-Type: application/dicom' --data-binary @"$file" "$base/instances" || echo 000)
    if [ "$code" = 200 ]; then stored=$((stored + 1)); else rejected=$((rejected + 1)); fi
  done < <(find "$@" -type f -print0 | sort -z)
  log "stored $stored files, $rejected refused by the PACS (not DICOM, or no patient/study/series identity)"
  [ "$stored" -gt 0 ]
}

stop() {
  running || return 0
  local pid
  pid=$(cat "$PIDFILE")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

case "$cmd" in
  start) start "${3:-}" ;;
  load) shift 2; load "$@" ;;
  stop) stop ;;
  *) die "unknown command $cmd" ;;
esac
