#!/usr/bin/env bash
# How long the whole test suite takes, against a baseline measured in the same run, back to
# back on the same machine: the baseline commit with its own command (one process), then this
# checkout as scripts/test.sh runs it (pytest-xdist, 2 workers, worksteal, its bytecode cache).
# Prints wall and CPU seconds and the ratio. Both use this checkout's .venv (the baseline's code is imported from its own
# worktree, which comes first on sys.path). A baseline's dependencies that this project no longer
# has (9a6361a needs tqdm) go into a throwaway folder on the baseline run's PYTHONPATH only:
# BASELINE_EXTRA_PACKAGES, default "tqdm".
# Usage: scripts/bench_tests.sh BASELINE_REF [pytest args for both runs, e.g. -m "not browser"]
#        BENCH_ORDER=current-first scripts/bench_tests.sh BASELINE_REF   (this checkout first)
#        BENCH_SAME_TESTS=1 scripts/bench_tests.sh BASELINE_REF
#          only the tests whose ids exist in both (a suite that grew is compared test for
#          test: the rest are deselected in both runs by scripts/bench_same_tests.py)
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

same=()
if [ -n "${BENCH_SAME_TESTS:-}" ]; then
  collect() {  # collect FOLDER EXTRA-PYTHONPATH: the ids of the tests there, sorted
    ( cd "$1" && PYTHONPATH="$2" "$python" -m pytest -q --collect-only -p no:cacheprovider \
        2>/dev/null | grep '::' | LC_ALL=C sort ) || true
  }
  collect "$tmp/baseline" "$tmp/extra" >"$tmp/baseline.ids"
  collect "$here" "" >"$tmp/current.ids"
  LC_ALL=C comm -12 "$tmp/baseline.ids" "$tmp/current.ids" >"$tmp/same.ids"
  echo "same tests: $(wc -l <"$tmp/same.ids") of the baseline's $(wc -l <"$tmp/baseline.ids") (this checkout has $(wc -l <"$tmp/current.ids"))"
  export BENCH_TEST_IDS="$tmp/same.ids"
  same=(-p bench_same_tests)
fi

# run LABEL FOLDER PYTEST-ARGS...: time one whole suite; prints "LABEL wall cpu summary".
run() {
  local label="$1" folder="$2"; shift 2
  local start end
  local path="$here/scripts"  # for bench_same_tests
  local -a how=(env)  # the baseline: as its own README ran it, in this shell's environment
  if [ "$label" = baseline ]; then
    path="$tmp/extra:$path"
  else
    # this checkout as scripts/test.sh runs it: its bytecode cache (filled by the collection
    # test.sh runs while lint runs, here untimed), two workers, worksteal
    how=(env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX="$here/.venv/pycache")
    "${how[@]}" "$python" -m pytest -q --collect-only -p no:cacheprovider >/dev/null 2>&1 || true
    set -- -n 2 --dist worksteal "$@"
  fi
  start=$(date +%s.%N)
  ( cd "$folder" && PYTHONPATH="$path" "${how[@]}" /usr/bin/env time -f "%U %S" -o "$tmp/$label.cpu" \
      "$python" -m pytest -q -p no:cacheprovider ${same[@]+"${same[@]}"} "$@" >"$tmp/$label.log" 2>&1 ) || true
  end=$(date +%s.%N)
  local cpu summary
  # the last line: time writes "Command exited with non-zero status N" first when tests fail
  cpu=$(tail -n 1 "$tmp/$label.cpu" | awk '{printf "%.1f", $1 + $2}')
  summary=$(grep -E "(passed|failed|error)" "$tmp/$label.log" | tail -1)
  printf '%s %.1f %s %s\n' "$label" "$(echo "$end - $start" | bc)" "$cpu" "$summary"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BENCH_ORDER:-baseline-first}" = current-first ]; then  # to see a load trend's effect
  mine=$(run current "$here" "$@")
  base=$(run baseline "$tmp/baseline" "$@")
else
  base=$(run baseline "$tmp/baseline" "$@")
  mine=$(run current "$here" "$@")
fi
echo "baseline ($baseline_ref, python -m pytest -q -p no:cacheprovider $*):"
echo "  wall $(echo "$base" | cut -d' ' -f2) s, cpu $(echo "$base" | cut -d' ' -f3) s; $(echo "$base" | cut -d' ' -f4-)"
echo "current (python -m pytest -q -p no:cacheprovider -n 2 --dist worksteal $*, bytecode cached):"
echo "  wall $(echo "$mine" | cut -d' ' -f2) s, cpu $(echo "$mine" | cut -d' ' -f3) s; $(echo "$mine" | cut -d' ' -f4-)"
awk -v b="$(echo "$base" | cut -d' ' -f2)" -v m="$(echo "$mine" | cut -d' ' -f2)" \
  'BEGIN { printf "current / baseline wall time: %.2f (%.1fx faster)\n", m / b, b / m }'
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
