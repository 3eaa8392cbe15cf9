#!/usr/bin/env bash
# How long the whole test suite takes, against a baseline measured in the same run, back to
# back on the same machine: the baseline commit with its own command (one process), then this
# checkout as scripts/test.sh runs it (pytest-xdist, 2 workers). Prints wall and CPU seconds
# and the ratio. Both use this checkout's .venv (the baseline's code is imported from its own
# worktree, which comes first on sys.path). A baseline's dependencies that this project no longer
# has (9a6361a needs tqdm) go into a throwaway folder on the baseline run's PYTHONPATH only:
# BASELINE_EXTRA_PACKAGES, default "tqdm".
# Usage: scripts/bench_tests.sh BASELINE_REF [pytest args for both runs, e.g. -m "not browser"]
#        BENCH_ORDER=current-first scripts/bench_tests.sh BASELINE_REF   (this checkout first)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/bench_tests.sh BASELINE_REF [pytest args]" >&2; exit 2; }
baseline_ref="$1"; shift
here="$(pwd)"
python="$here/.venv/bin/python"
tmp="$(mktemp -d)"
trap 'git worktree remove --force "$tmp/baseline" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/baseline" "$baseline_ref" >/dev/null 2>&1
extra="${BASELINE_EXTRA_PACKAGES-tqdm}"
if [ -n "$extra" ]; then
  # shellcheck disable=SC2086  # a list of package names
  "$python" -m pip install -q --disable-pip-version-check --target "$tmp/extra" $extra
fi

# run LABEL FOLDER PYTEST-ARGS...: time one whole suite; prints "LABEL wall cpu summary".
run() {
  local label="$1" folder="$2"; shift 2
  local start end
  start=$(date +%s.%N)
  local path=""
  [ "$label" = baseline ] && path="$tmp/extra"
  ( cd "$folder" && PYTHONPATH="$path" /usr/bin/env time -f "%U %S" -o "$tmp/$label.cpu" \
      "$python" -m pytest -q -p no:cacheprovider "$@" >"$tmp/$label.log" 2>&1 ) || true
  end=$(date +%s.%N)
  local cpu summary
  # the last line: time writes "Command exited with non-zero status N" first when tests fail
  cpu=$(tail -n 1 "$tmp/$label.cpu" | awk '{printf "%.1f", $1 + $2}')
  summary=$(grep -E "(passed|failed|error)" "$tmp/$label.log" | tail -1)
  printf '%s %.1f %s %s\n' "$label" "$(echo "$end - $start" | bc)" "$cpu" "$summary"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BENCH_ORDER:-baseline-first}" = current-first ]; then  # to see a load trend's effect
  mine=$(run current "$here" -n 2 "$@")
  base=$(run baseline "$tmp/baseline" "$@")
else
  base=$(run baseline "$tmp/baseline" "$@")
  mine=$(run current "$here" -n 2 "$@")
fi
echo "baseline ($baseline_ref, python -m pytest -q -p no:cacheprovider $*):"
echo "  wall $(echo "$base" | cut -d' ' -f2) s, cpu $(echo "$base" | cut -d' ' -f3) s; $(echo "$base" | cut -d' ' -f4-)"
echo "current (python -m pytest -q -p no:cacheprovider -n 2 $*):"
echo "  wall $(echo "$mine" | cut -d' ' -f2) s, cpu $(echo "$mine" | cut -d' ' -f3) s; $(echo "$mine" | cut -d' ' -f4-)"
awk -v b="$(echo "$base" | cut -d' ' -f2)" -v m="$(echo "$mine" | cut -d' ' -f2)" \
  'BEGIN { printf "current / baseline wall time: %.2f (%.1fx faster)\n", m / b, b / m }'
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
