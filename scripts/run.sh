#!/usr/bin/env bash
# Set everything up and start the line on http://127.0.0.1:5000 (SQLite, audio built offline
# when gTTS cannot be reached, no Twilio account needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${SECRET_KEY:-}" ]; then
  # Staff sessions need a secret key; keep one per checkout so sign-ins survive a restart.
  # Readable by this user only (the folder also holds the database with password hashes).
  (umask 077; mkdir -p instance
   [ -s instance/secret_key ] || .venv/bin/python -c 'import secrets; print(secrets.token_hex(32))' > instance/secret_key)
  export SECRET_KEY="$(cat instance/secret_key)"
fi
host="${HOST:-127.0.0.1}" port="${PORT:-5000}"
if [ -z "${TWILIO_AUTH_TOKEN:-}" ]; then
  # Local development without a Twilio account: webhooks are not signature-checked, and so
  # answered only on this computer (the app refuses them from anywhere else).
  case "$host" in
    127.*|localhost|::1) ;;
    *) echo "run.sh: without TWILIO_AUTH_TOKEN the line only listens on this computer;" >&2
       echo "        set TWILIO_AUTH_TOKEN (and PUBLIC_BASE_URL) to listen on $host." >&2
       exit 2 ;;
  esac
  export ALLOW_UNSIGNED_WEBHOOKS=1
  echo "!! TWILIO_AUTH_TOKEN is not set: webhooks are NOT signature-checked (development only)."
  echo "!! They are answered for this computer only; the staff pages show a banner meanwhile."
elif [ -z "${PUBLIC_BASE_URL:-}" ] && [ -z "${TRUSTED_PROXIES:-}" ]; then
  # Twilio signs the address it calls; on this computer that is this address.
  export PUBLIC_BASE_URL="http://$host:$port"
  echo "PUBLIC_BASE_URL is not set: signatures are checked against $PUBLIC_BASE_URL"
fi
.venv/bin/ivr init-db
if ! .venv/bin/ivr audio build; then
  echo "!! Some prompts could not be rendered (listed above). Calls still work: a prompt without"
  echo "!! audio is spoken by Twilio's <Say>, and a language with neither is left out of the menu."
fi
exec .venv/bin/ivr run --host "$host" --port "$port"
