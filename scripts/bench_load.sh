#!/usr/bin/env bash
# Load benchmark: gunicorn with several workers on loopback, wrk sending signed webhooks
# (the topic menu after choosing English) as Twilio would. Prints wrk's figures.
# Usage: scripts/bench_load.sh [workers] [seconds] [connections]   (installs wrk with apt if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
workers="${1:-2}" seconds="${2:-10}" connections="${3:-20}"
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null || sudo apt-get install -y -q wrk >/dev/null; }
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export TWILIO_AUTH_TOKEN=bench-token SECRET_KEY=bench-secret-0123456789 LOG_LEVEL=WARNING TRUSTED_PROXIES=1
export DATABASE_URL="sqlite:///$tmp/bench.sqlite3" AUDIO_DIR="$tmp/store"
.venv/bin/ivr init-db >/dev/null
port=18077
.venv/bin/gunicorn -w "$workers" -b "127.0.0.1:$port" --log-level warning 'ivr:create_app()' &
server=$!
url="http://127.0.0.1:$port/voice/step?node=language"
body="CallSid=CA0&From=%2B4799999999&To=%2B4721000000&Digits=1"
sig=$(.venv/bin/ivr sign "$url" CallSid=CA0 From=+4799999999 To=+4721000000 Digits=1)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url" -H "X-Twilio-Signature: $sig" --data "$body")
[ "$status" = 200 ] || { echo "signed request answered $status"; exit 1; }
cat > "$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Twilio-Signature"] = "$sig"
LUA
echo "gunicorn -w $workers, wrk -c $connections for ${seconds}s, signed POST $url (SQLite, event written per request)"
wrk -t 2 -c "$connections" -d "${seconds}s" --latency -s "$tmp/post.lua" "$url" | sed -n '1,20p'
