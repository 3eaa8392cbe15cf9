#!/usr/bin/env bash
# Set everything up and start the line on http://127.0.0.1:5000 (SQLite, audio built offline
# when gTTS cannot be reached, no Twilio account needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${SECRET_KEY:-}" ]; then
  # Staff sessions need a secret key; keep one per checkout so sign-ins survive a restart.
  mkdir -p instance
  [ -s instance/secret_key ] || .venv/bin/python -c 'import secrets; print(secrets.token_hex(32))' > instance/secret_key
  export SECRET_KEY="$(cat instance/secret_key)"
fi
if [ -z "${TWILIO_AUTH_TOKEN:-}" ]; then
  # Local development without a Twilio account: webhooks are not signature-checked.
  export ALLOW_UNSIGNED_WEBHOOKS="${ALLOW_UNSIGNED_WEBHOOKS:-1}"
fi
.venv/bin/ivr init-db
if ! .venv/bin/ivr audio build; then
  echo "!! Some prompts could not be rendered (listed above). Calls still work: a prompt without"
  echo "!! audio is spoken by Twilio's <Say>, and a language with neither is left out of the menu."
fi
exec .venv/bin/ivr run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
