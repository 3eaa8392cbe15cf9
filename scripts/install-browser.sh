#!/bin/sh
# Install what the browser tests (tests/e2e, marked `browser`) need: Debian's Chromium and
# Playwright's Python package. Safe to run again: it does nothing that is already done.
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown))"
else
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver
fi

PYTHON="${PYTHON:-python3}"
if [ -x .venv/bin/python ] && [ -z "${VIRTUAL_ENV:-}" ]; then PYTHON=.venv/bin/python; fi
if "$PYTHON" -c "import playwright" 2>/dev/null; then
    echo "playwright: already installed"
else
    "$PYTHON" -m pip install -q -e '.[browser]'
fi
# Playwright drives /usr/bin/chromium itself (executable_path), so no `playwright install`.
