#!/usr/bin/env bash
# Set everything up and run the whole test suite. Browser tests run where Chromium is (this
# script installs it with apt where it can); PostgreSQL tests run when TEST_POSTGRES_URL is set.
# Tests run in TEST_WORKERS processes (pytest-xdist; default 2, one per core here; 0 = one
# process). Each worker builds its own template database and audio in its own temp folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "test,browser,postgres"
if ! scripts/install-browser.sh; then
  echo "!! Chromium could not be installed: browser tests will be skipped"
fi
scripts/lint.sh
exec .venv/bin/python -m pytest -q -n "${TEST_WORKERS:-2}" "$@"
