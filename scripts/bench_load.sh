#!/usr/bin/env bash
# Load benchmark, in one run: a bare Flask app answering a fixed menu (the baseline) and the
# real line, each under the same gunicorn settings (gunicorn.conf.py when present, -w WORKERS),
# driven by wrk on loopback with signed webhooks as Twilio sends them. Two scenarios: the
# signed POST /voice that starts a call, and a whole call's walk (answer, English, a topic,
# press 0, the transfer's whisper and end). Prints requests/s, p50 and p99 of each, the ratio
# real/bare, and how many call events the real line wrote (queued, then written in batches):
# it fails when the events of the requests it answered are missing.
# Usage: scripts/bench_load.sh [workers] [seconds] [connections]   (installs wrk with apt if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
workers="${1:-2}" seconds="${2:-10}" connections="${3:-20}"
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q wrk >/dev/null
fi
tmp=$(mktemp -d)
server=""
stop() { [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=""; }
trap 'stop; rm -rf "$tmp"' EXIT
export TWILIO_AUTH_TOKEN=bench-token SECRET_KEY=bench-secret-0123456789 LOG_LEVEL=WARNING TRUSTED_PROXIES=1
export DATABASE_URL="sqlite:///$tmp/bench.sqlite3" AUDIO_DIR="$tmp/store" CACHE_DIR="$tmp/cache"
.venv/bin/ivr init-db >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
config=(); [ -f gunicorn.conf.py ] && config=(-c gunicorn.conf.py)
for scenario in voice walk; do
  .venv/bin/python scripts/bench_walk.py "$base" "$TWILIO_AUTH_TOKEN" "$scenario" > "$tmp/$scenario.lua"
done

serve() {  # serve APP [gunicorn arguments...]: start gunicorn and wait until it answers
  .venv/bin/gunicorn "${config[@]}" -w "$workers" -b "127.0.0.1:$port" --log-level warning "${@:2}" "$1" &
  server=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null -X POST "$base/voice" && return 0; sleep 0.1
  done
  echo "gunicorn did not start" >&2; exit 1
}

measure() {  # measure NAME SCENARIO: one wrk run, one line of figures in $tmp/NAME.txt
  wrk -t 2 -c "$connections" -d 2s -s "$tmp/$2.lua" "$base" > "$tmp/$1.warm"  # not in figures
  wrk -t 2 -c "$connections" -d "${seconds}s" --latency -s "$tmp/$2.lua" "$base" > "$tmp/$1.wrk"
  if grep -q "Non-2xx" "$tmp/$1.wrk"; then cat "$tmp/$1.wrk"; echo "$1: errors" >&2; exit 1; fi
  # every request sent (warm-up too), for the count of call events the line must write
  awk '/requests in/ { sent += $1 } END { print sent }' "$tmp/$1.warm" "$tmp/$1.wrk" > "$tmp/$1.sent"
  awk -v name="$1" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
    /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    END { printf "%s %.0f %.2f %.2f\n", name, rps, p50, p99 }' "$tmp/$1.wrk" > "$tmp/$1.txt"
}

# In the order bare, line, line, bare: each ratio compares runs close together in time, so a
# machine whose load drifts (shared, busy) tilts neither scenario the same way.
serve bench_bare_app:app --pythonpath scripts
measure bare-voice voice
stop
serve 'ivr:create_app()'
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/voice" --data "To=1")
[ "$status" = 403 ] || { echo "an unsigned request was answered $status, not 403" >&2; exit 1; }
measure line-voice voice
measure line-walk walk
stop  # a graceful stop: the workers write their queued events
serve bench_bare_app:app --pythonpath scripts
measure bare-walk walk
stop

echo "gunicorn ${config[*]:-(defaults)} -w $workers; wrk -t 2 -c $connections -d ${seconds}s on loopback"
printf '%-28s %10s %9s %9s\n' "" "requests/s" "p50 ms" "p99 ms"
for scenario in voice walk; do
  for app in bare line; do
    read -r name rps p50 p99 < "$tmp/$app-$scenario.txt"
    label="$([ "$app" = bare ] && echo "bare Flask" || echo "KOM line"), $([ "$scenario" = voice ] && echo "POST /voice" || echo "whole call")"
    printf '%-28s %10s %9s %9s\n' "$label" "$rps" "$p50" "$p99"
  done
  read -r _ bare _ _ < "$tmp/bare-$scenario.txt"; read -r _ line _ p99 < "$tmp/line-$scenario.txt"
  awk -v b="$bare" -v l="$line" -v p="$p99" -v s="$scenario" 'BEGIN {
    printf "  ratio %s: %.2f of bare (target >= 0.80), p99 %.1f ms (target <= 15)\n", s, l / b, p }'
done
events=$(.venv/bin/python -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM call_event').fetchone()[0])" "$tmp/bench.sqlite3")
# Each request is one event, but the whisper (heard by staff, 1 of the walk's 6): wrk's two
# threads each cycle the walk, so allow a walk's worth per connection for calls cut short.
read -r voice_sent < "$tmp/line-voice.sent"; read -r walk_sent < "$tmp/line-walk.sent"
awk -v e="$events" -v v="$voice_sent" -v w="$walk_sent" -v c="$connections" 'BEGIN {
  expected = v + w * 5 / 6
  printf "call events written by the line: %d (%d requests answered, %.0f of them counted)\n", e, v + w, expected
  if (e < expected - 6 * c || e > v + w) { print "call events are missing" > "/dev/stderr"; exit 1 } }'
