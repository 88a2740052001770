#!/usr/bin/env bash
# Runs every Meson test suite (the caller provides PGREST_TEST_CONNINFO, see
# with-postgres.sh), then a libFuzzer smoke of every fuzz target (FUZZ_SMOKE_SECONDS
# each, default 20, 0 to skip), and ends with one plain "N passed, N failed" line
# counting the GoogleTest cases, CLI checks and fuzz targets, so CI can tell a run that
# tested nothing.
set -uo pipefail
build=${1:-build}
meson test -C "$build" --print-errorlogs
status=$?
log="$build/meson-logs/testlog.txt"
passed=0 failed=0
if [ -f "$log" ]; then
  # GoogleTest prints "[  PASSED  ] N tests." and "[  FAILED  ] N tests, listed below:".
  passed=$(grep -oE '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s += $4} END {print s + 0}')
  failed=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s += $4} END {print s + 0}')
  # The CLI suite prints its own "N passed, N failed" line.
  read -r cli_passed cli_failed < <(grep -oE '^[0-9]+ passed, [0-9]+ failed' "$log" |
    awk '{p += $1; f += $3} END {print p + 0, f + 0}')
  passed=$((passed + cli_passed)) failed=$((failed + cli_failed))
fi
# A short libFuzzer run of every fuzz target (their corpora already replayed above).
if [ "${FUZZ_SMOKE_SECONDS:-20}" -gt 0 ]; then
  smoke_log=$(mktemp)
  FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-20} FUZZ_MERGE=0 bash fuzz/run.sh 2>&1 | tee "$smoke_log"
  fuzz_status=${PIPESTATUS[0]}
  fuzz_ok=$(sed -n '/^== fuzz summary/,$p' "$smoke_log" | grep -cE ' ok$' || true)
  fuzz_bad=$(sed -n '/^== fuzz summary/,$p' "$smoke_log" | grep -cvE ' ok$|^== fuzz summary|^$' || true)
  rm -f "$smoke_log"
  passed=$((passed + fuzz_ok)) failed=$((failed + fuzz_bad))
  if [ "$fuzz_status" -ne 0 ]; then
    status=$fuzz_status
  fi
fi
# The C ABI under ThreadSanitizer: threads translating while catalogs are swapped.
tsan_log=$(mktemp)
bash tests/capi/run_tsan.sh 2>&1 | tee "$tsan_log"
tsan_status=${PIPESTATUS[0]}
read -r tsan_passed tsan_failed < <(grep -oE '^[0-9]+ passed, [0-9]+ failed' "$tsan_log" |
  awk '{p += $1; f += $3} END {print p + 0, f + 0}')
rm -f "$tsan_log"
passed=$((passed + tsan_passed)) failed=$((failed + tsan_failed))
[ "$tsan_status" -ne 0 ] && status=$tsan_status
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
exit "$status"
