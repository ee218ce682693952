#!/usr/bin/env bash
# Serves the built app (dist/) and proxies /dicom-web/ to a DICOMweb server on the same
# origin (nginx from Debian), with the security headers of SECURITY.md.
#   scripts/serve.sh start WORKDIR PORT UPSTREAM   UPSTREAM = DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web
#   scripts/serve.sh stop WORKDIR
# Environment: LISTEN_ADDR (default 127.0.0.1), PACS_BASIC_AUTH=user:password (sent by the
# proxy to the upstream, never to the browser).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cmd=${1:?usage: serve.sh start|stop WORKDIR ...}
WORKDIR=${2:?}
mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
PIDFILE=$WORKDIR/nginx.pid

stop() {
  [ -s "$PIDFILE" ] || return 0
  local pid
  pid=$(cat "$PIDFILE")
  kill -QUIT "$pid" 2>/dev/null || true
  for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

start() {
  local port=${1:?port} upstream=${2:?upstream} listen=${LISTEN_ADDR:-127.0.0.1}
  local dist=$ROOT/dist
  [ -f "$dist/index.html" ] || die "dist/index.html is missing: build the app first (scripts/build.sh)"
  case "$upstream" in http://*|https://*) ;; *) die "the DICOMweb root must be an http(s) URL" ;; esac
  upstream=${upstream%/}
  stop
  # Trunk's loader is an inline module script: allow exactly that script by its hash.
  local script_hash
  script_hash=$(python3 - "$dist/index.html" <<'PY'
import base64, hashlib, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
print(" ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts))
PY
)
  local csp="default-src 'self'; script-src 'self' 'wasm-unsafe-eval' $script_hash; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'; frame-src blob:"
  local auth_line=""
  if [ -n "${PACS_BASIC_AUTH:-}" ]; then
    auth_line="proxy_set_header Authorization \"Basic $(printf '%s' "$PACS_BASIC_AUTH" | base64 -w0)\";"
  fi
  mkdir -p "$WORKDIR/tmp" "$WORKDIR/logs"
  [ "$(id -u)" -eq 0 ] && chown -R nobody "$WORKDIR/tmp" 2>/dev/null || true
  cat >"$WORKDIR/nginx.conf" <<CONF
worker_processes 2;
pid $PIDFILE;
error_log $WORKDIR/logs/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  # Access log without query strings: they may carry identifiers.
  log_format portal '\$remote_addr [\$time_local] "\$request_method \$uri" \$status \$body_bytes_sent \$request_time';
  access_log $WORKDIR/logs/access.log portal;
  client_body_temp_path $WORKDIR/tmp/body;
  proxy_temp_path $WORKDIR/tmp/proxy;
  fastcgi_temp_path $WORKDIR/tmp/fastcgi;
  uwsgi_temp_path $WORKDIR/tmp/uwsgi;
  scgi_temp_path $WORKDIR/tmp/scgi;
  sendfile on;
  server_tokens off;
  gzip on;
  gzip_types application/javascript application/wasm text/css application/dicom+json application/json;

  server {
    listen $listen:$port;
    root $dist;
    add_header Content-Security-Policy "$csp" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;
    add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;

    location = /index.html { expires -1; }
    location / { try_files \$uri /index.html; }

    location /dicom-web/ {
      limit_except GET { deny all; }
      proxy_pass $upstream/;
      proxy_http_version 1.1;
      proxy_set_header Host \$proxy_host;
      proxy_set_header Connection "";
      proxy_ssl_server_name on;
      proxy_max_temp_file_size 0;
      proxy_read_timeout 120s;
      $auth_line
      # Patient data: never kept in a shared or browser cache.
      add_header Cache-Control "no-store" always;
      add_header X-Content-Type-Options nosniff always;
    }
  }
}
CONF
  nginx -t -q -p "$WORKDIR" -c "$WORKDIR/nginx.conf" 2>"$WORKDIR/logs/check.log" ||
    { cat "$WORKDIR/logs/check.log" >&2; die "invalid nginx configuration"; }
  nginx -p "$WORKDIR" -c "$WORKDIR/nginx.conf"
  wait_http "http://127.0.0.1:$port/index.html" 20 || die "nginx did not answer on port $port"
}

case "$cmd" in
  start) start "${3:-}" "${4:-}" ;;
  stop) stop ;;
  *) die "unknown command $cmd" ;;
esac
