#!/usr/bin/env bash
# Builds the C ABI threads test with ThreadSanitizer in its own build directory and runs
# it: several threads translating through pgrest.h while the main thread swaps catalogs.
#
#   tests/capi/run_tsan.sh [BUILD_DIR (default build-tsan)] [ROUNDS (default 500)]
#
# About a minute on two cores for a fresh build (-O0 compiles the engine fastest), a few
# seconds afterwards. Ends with the test's "N passed, N failed"; exits non-zero on any
# failure or data race (TSan's exit code 66).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-tsan}
rounds=${2:-500}
cd "$root"
if [ ! -f "$build/build.ninja" ]; then
  # Only what the test needs: no benchmarks, fuzz targets or language modules.
  meson setup "$build" -Db_sanitize=thread -Dbuildtype=debug -Dbench=false -Dpython=disabled -Dnode=disabled \
    -Dfuzzing=off >"$build.setup.log" 2>&1 || {
    cat "$build.setup.log" >&2
    exit 1
  }
  rm -f "$build.setup.log"
fi
ninja -C "$build" tests/capi/test_threads >/dev/null
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
test_threads=(env "$build/tests/capi/test_threads" examples/sample-catalog.json "$rounds")
# GCC 12's ThreadSanitizer cannot map its shadow memory with the high mmap randomisation of
# recent kernels ("unexpected memory mapping"); run without address randomisation then.
if [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)" -gt 28 ] &&
  setarch "$(uname -m)" -R true 2>/dev/null; then
  test_threads=(setarch "$(uname -m)" -R "${test_threads[@]:1}")
fi
"${test_threads[@]}"
