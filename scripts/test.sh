#!/usr/bin/env bash
# Set everything up and run the whole test suite (browser tests included where Chromium is).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="test"
if grep -q '^browser = ' pyproject.toml; then extras="test,browser"; fi
scripts/setup.sh "$extras"
if [ -x scripts/install-browser.sh ]; then
  scripts/install-browser.sh || echo "!! Chromium could not be installed: browser tests will be skipped"
fi
.venv/bin/ruff check ivr tests scripts
exec .venv/bin/python -m pytest -q "$@"
