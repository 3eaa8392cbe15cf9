#!/usr/bin/env bash
# Lint, format check and types: the broad ruff rule set ([tool.ruff.lint] in pyproject.toml),
# `ruff format --check` and mypy (strict on the pure core: flow, hours, catalog; the usual
# settings elsewhere; see [tool.mypy] in pyproject.toml). Exits non-zero on the first tool that
# finds anything. scripts/test.sh runs it before the tests.
# Usage: scripts/lint.sh [--fix]   (--fix: `ruff check --fix` and `ruff format` first)
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(ivr tests scripts)
if [ "${1:-}" = "--fix" ]; then
  .venv/bin/ruff check --fix "${paths[@]}" || true
  .venv/bin/ruff format "${paths[@]}"
fi
echo "==> ruff check (broad rule set)"
.venv/bin/ruff check "${paths[@]}"
echo "==> ruff format --check"
.venv/bin/ruff format --check "${paths[@]}"
echo "==> mypy"
.venv/bin/mypy
