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
# Python's bytecode and pytest's rewritten test modules are cached under .venv/pycache (out of
# the tree), also where PYTHONDONTWRITEBYTECODE is set: without it every worker of every run
# rewrites the asserts of all test modules again (about 2.5 s of CPU each). While lint runs (mypy
# alone takes half a minute on a fresh clone), one collection fills the cache, so the workers
# start from it; it is cut short once lint is done (what it wrote stays good).
export PYTHONPYCACHEPREFIX="$PWD/.venv/pycache"
unset PYTHONDONTWRITEBYTECODE
.venv/bin/python -m pytest -q --collect-only -p no:cacheprovider >/dev/null 2>&1 &
warm=$!
trap 'kill "$warm" 2>/dev/null || true' EXIT  # also when lint fails
scripts/lint.sh
kill "$warm" 2>/dev/null || true
wait "$warm" 2>/dev/null || true
# worksteal: a worker that runs out of tests takes some from the other's queue (the browser
# tests are long, and would otherwise finish on one worker while the other waits)
exec .venv/bin/python -m pytest -q -n "${TEST_WORKERS:-2}" --dist worksteal "$@"
