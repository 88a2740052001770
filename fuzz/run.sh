#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, the engine instrumented for
# coverage) and runs each for FUZZ_SECONDS on a scratch copy of its corpus, then merges
# what it found back into fuzz/corpus/<target>/. Prints executions and coverage per
# target; exits non-zero on any finding (crash, invariant violation, leak, timeout,
# OOM), whose reproducer is saved under fuzz/findings/<target>/.
#
#   bash fuzz/run.sh                          # every target, 300 s each (`make fuzz`)
#   FUZZ_SECONDS=20 FUZZ_MERGE=0 bash fuzz/run.sh   # a smoke run, working tree untouched
#   bash fuzz/run.sh fuzz_translate           # some targets only
#
# Environment: FUZZ_SECONDS (300), FUZZ_BUILD (build-fuzz), FUZZ_MERGE (1: merge new
# coverage into fuzz/corpus/), FUZZ_ARGS (extra libFuzzer flags), FUZZ_MESON_ARGS (extra
# `meson setup` options, e.g. -Dwerror=false).
# Reproduce a finding:  build-fuzz/fuzz/<target> fuzz/findings/<target>/crash-...
# Minimize it:          build-fuzz/fuzz/<target> -minimize_crash=1 -runs=10000 crash-...
# then copy the result to tests/fuzz_regressions/<target>/ so the replay test keeps it.
set -uo pipefail

cd "$(dirname "$0")/.."
readonly ALL_TARGETS=(fuzz_decode fuzz_parse fuzz_translate fuzz_catalog fuzz_request_json fuzz_capi)
readonly SECONDS_EACH=${FUZZ_SECONDS:-300}
readonly BUILD=${FUZZ_BUILD:-build-fuzz}
readonly MERGE=${FUZZ_MERGE:-1}
readonly WORK=fuzz/corpus-work
readonly FINDINGS=fuzz/findings
targets=("$@")
((${#targets[@]} == 0)) && targets=("${ALL_TARGETS[@]}")

die() {
  echo "fuzz/run.sh: $*" >&2
  exit 2
}

[[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_SECONDS must be a positive integer"
for target in "${targets[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $target "* ]] || die "unknown target $target"
done
command -v clang++ >/dev/null || die "clang++ not found (scripts/install-deps.sh installs clang)"

# The whole project gets ASan/UBSan and -fsanitize=fuzzer-no-link (coverage for libFuzzer
# inside the engine); the targets add -fsanitize=fuzzer (fuzz/meson.build).
setup_args=(-Dfuzzing=libfuzzer -Dtests=false -Dbench=false -Dbuildtype=debugoptimized
  -Db_sanitize=address,undefined -Db_lundef=false
  -Dcpp_args=-fsanitize=fuzzer-no-link -Dc_args=-fsanitize=fuzzer-no-link)
# shellcheck disable=SC2206
extra_setup=(${FUZZ_MESON_ARGS:-})
if [[ -f "$BUILD/build.ninja" ]]; then
  meson configure "$BUILD" "${setup_args[@]}" "${extra_setup[@]}" >/dev/null ||
    die "meson configure $BUILD failed"
else
  CXX=clang++ CC=clang meson setup "$BUILD" "${setup_args[@]}" "${extra_setup[@]}" >/dev/null ||
    die "meson setup $BUILD failed (see $BUILD/meson-logs/meson-log.txt)"
fi
grep -q "C++ compiler for the host machine: clang" "$BUILD/meson-logs/meson-log.txt" ||
  die "$BUILD was configured with another compiler; remove it or set FUZZ_BUILD"
mkdir -p "$BUILD/fuzz-logs"
if ! ninja -C "$BUILD" "${targets[@]/#/fuzz/}" >"$BUILD/fuzz-logs/build.log" 2>&1; then
  tail -n 40 "$BUILD/fuzz-logs/build.log" >&2
  die "build failed (clang warnings on engine code? try FUZZ_MESON_ARGS=-Dwerror=false)"
fi

# Recoverable UBSan checks must stop the run, or libFuzzer never sees them.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
# shellcheck disable=SC2206
extra_args=(${FUZZ_ARGS:-})
logs="$BUILD/fuzz-logs"
mkdir -p "$logs" "$WORK"

status=0
summary=()
for target in "${targets[@]}"; do
  binary="$BUILD/fuzz/$target"
  work="$WORK/$target"
  rm -rf "$work" "$logs/$target".*log
  mkdir -p "$work" "$FINDINGS/$target"
  cp fuzz/corpus/"$target"/* "$work"/ 2>/dev/null || true
  before=$(find "$FINDINGS/$target" -type f | wc -l)

  # Known findings first: an input in tests/fuzz_regressions/ that still fails is a
  # finding, but it must not stop the fuzzing (so it is not part of the run's corpus).
  regressions_failing=0
  if [[ -d "tests/fuzz_regressions/$target" ]]; then
    for input in "tests/fuzz_regressions/$target"/*; do
      [[ -f "$input" ]] || continue
      if ! "$binary" -timeout=5 "$input" >>"$logs/$target.regressions.log" 2>&1; then
        regressions_failing=$((regressions_failing + 1))
        echo "   still failing: $input (see $logs/$target.regressions.log)"
      fi
    done
  fi

  echo "== $target: ${SECONDS_EACH}s"
  "$binary" -dict=fuzz/postgrest.dict -max_len=4096 -timeout=5 -max_total_time="$SECONDS_EACH" \
    -print_final_stats=1 -artifact_prefix="$FINDINGS/$target/" "${extra_args[@]}" \
    "$work" >"$logs/$target.log" 2>&1
  rc=$?

  # "#N DONE cov: X ft: Y corp: ..." when the time ran out, else the last status line.
  last=$(grep -E '^#[0-9]+' "$logs/$target.log" | tail -n 1)
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$logs/$target.log" | tail -n 1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$logs/$target.log" | tail -n 1)
  [[ -z "$runs" ]] && runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
  after=$(find "$FINDINGS/$target" -type f | wc -l)

  if ((rc != 0 || after > before)); then
    status=1
    result="FINDING (exit $rc), see $FINDINGS/$target/ and $logs/$target.log"
    grep -E '^(==[0-9]+==ERROR|==== pgrest fuzz invariant violated|SUMMARY|artifact_prefix|Test unit written)' \
      "$logs/$target.log" | head -n 8 | sed 's/^/   /'
  else
    result="ok"
    if [[ "$MERGE" == 1 ]]; then
      if "$binary" -merge=1 -max_len=4096 -timeout=5 fuzz/corpus/"$target" "$work" \
        >"$logs/$target.merge.log" 2>&1; then
        added=$(sed -nE 's/.*MERGE-OUTER: ([0-9]+) new files.*/\1/p' "$logs/$target.merge.log")
        result="ok, ${added:-0} inputs merged into fuzz/corpus/$target"
      else
        result="ok, merge failed (see $logs/$target.merge.log)"
      fi
    fi
  fi
  if ((regressions_failing > 0)); then
    status=1
    result="$result; $regressions_failing tests/fuzz_regressions input(s) still fail"
  fi
  line=$(printf '%-18s %10s execs %7s exec/s  cov %-6s ft %-6s corpus %-5s %s' "$target" \
    "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")
  echo "$line"
  summary+=("$line")
done

echo
echo "== fuzz summary (${SECONDS_EACH}s per target)"
printf '%s\n' "${summary[@]}"
exit "$status"
