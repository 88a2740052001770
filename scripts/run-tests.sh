#!/usr/bin/env bash
# Runs every Meson test suite (the caller provides PGREST_TEST_CONNINFO, see
# with-postgres.sh) and ends with one plain "N passed, N failed" line counting the
# individual GoogleTest cases and CLI checks, so CI can tell a run that tested nothing.
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
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
exit "$status"
