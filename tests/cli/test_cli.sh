#!/usr/bin/env bash
# Checks the command-line form of the translation contract against a built `pgrest`.
#
#   tests/cli/test_cli.sh PGREST_BINARY [CATALOG_SNAPSHOT]
#
# Without a snapshot a minimal one is written to a temporary directory. The checks hold
# only the contract's shape (exit statuses, one result line per request, result keys),
# never the SQL, so they stay valid while the translator changes.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 PGREST_BINARY [CATALOG_SNAPSHOT]" >&2
  exit 2
fi
pgrest=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -eq 2 ]; then
  catalog=$2
else
  catalog=$work/catalog.json
  cat >"$catalog" <<'JSON'
{"version":1,"schemas":["public","ai"],"roles":["anon","authenticated"],"relations":[
{"schema":"public","name":"films","kind":"table","insertable":true,"updatable":true,"deletable":true,"primary_key":["id"],"unique_keys":[],"columns":[{"name":"id","type":"integer","base_type":"integer","type_oid":23,"nullable":false,"default":null,"generated":false,"identity":true},{"name":"title","type":"text","base_type":"text","type_oid":25,"nullable":true,"default":null,"generated":false,"identity":false}]}],"foreign_keys":[],"functions":[]}
JSON
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}

# Runs pgrest with stdin from $work/in; keeps stdout, stderr and the exit status. A
# translator that hangs fails the check (status 124) instead of hanging the suite.
run() {
  timeout 30 "$pgrest" "$@" <"$work/in" >"$work/out" 2>"$work/err"
  status=$?
  if [ "$status" -eq 124 ]; then echo "pgrest $* timed out" >>"$work/err"; fi
}
input() { printf '%s' "$1" >"$work/in"; }
lines() { awk 'END { print NR }' "$1"; }  # counts a last line without '\n' too

# check_results FILE EXPECTED_LINES [INDEX:ok|refused:STATUS ...]: every line is one
# result object of the contract's shape; the optional INDEX specs pin some of them.
check_results() {
  python3 - "$@" <<'PY'
import json, sys
path, expected, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with open(path, "rb") as f:
    data = f.read()
if data and not data.endswith(b"\n"):
    sys.exit("output does not end with a newline")
lines = data.decode("utf-8").split("\n")[:-1] if data else []
if len(lines) != expected:
    sys.exit(f"expected {expected} result lines, got {len(lines)}")
results = []
for number, line in enumerate(lines, 1):
    try:
        result = json.loads(line)
    except ValueError as error:
        sys.exit(f"line {number} is not JSON: {error}")
    if not isinstance(result, dict) or not isinstance(result.get("ok"), bool):
        sys.exit(f"line {number}: no boolean 'ok'")
    if not isinstance(result.get("status"), int) or isinstance(result["status"], bool):
        sys.exit(f"line {number}: no integer 'status'")
    if result["ok"]:
        for key, kind in (("read_only", bool), ("rollback", bool), ("media_type", str),
                          ("singular", bool)):
            if not isinstance(result.get(key), kind):
                sys.exit(f"line {number}: bad '{key}'")
        for key in ("prelude", "query") + (("count_query",) if "count_query" in result else ()):
            statement = result.get(key)
            if (not isinstance(statement, dict) or not isinstance(statement.get("sql"), str)
                    or not isinstance(statement.get("params"), list)
                    or any(p is not None and not isinstance(p, str) for p in statement["params"])):
                sys.exit(f"line {number}: bad '{key}' statement")
    else:
        error = result.get("error")
        if not isinstance(error, dict) or set(error) != {"code", "message", "details", "hint"}:
            sys.exit(f"line {number}: 'error' is not {{code, message, details, hint}}")
        if not isinstance(error["code"], str) or not isinstance(error["message"], str):
            sys.exit(f"line {number}: bad error code or message")
        if any(error[k] is not None and not isinstance(error[k], str) for k in ("details", "hint")):
            sys.exit(f"line {number}: details/hint must be strings or null")
    results.append(result)
for spec in specs:
    index, want = spec.split(":", 1)
    result = results[int(index)]
    if want == "ok" and not result["ok"]:
        sys.exit(f"result {index}: expected ok, got {json.dumps(result)}")
    if want.startswith("refused"):
        status = want.split(":")[1]
        if result["ok"] or str(result["status"]) != status:
            sys.exit(f"result {index}: expected a {status} refusal, got {json.dumps(result)}")
PY
}

# expect NAME STATUS: the exit status and, for failures, exactly one line on stderr.
expect_status() {
  local name=$1 want=$2
  if [ "$status" -ne "$want" ]; then
    fail "$name: exit status $status, expected $want ($(head -c 300 "$work/err"))"
    return 1
  fi
  pass
}
expect_nonzero_one_line() {
  local name=$1
  if [ "$status" -eq 0 ]; then
    fail "$name: exit status 0, expected non-zero"
  elif [ "$(lines "$work/err")" -ne 1 ]; then
    fail "$name: expected one line on stderr, got: $(cat "$work/err")"
  elif [ -s "$work/out" ]; then
    fail "$name: expected nothing on stdout"
  else
    pass
  fi
}
expect_results() {
  local name=$1
  shift
  local problem
  if problem=$(check_results "$work/out" "$@" 2>&1); then
    pass
  else
    fail "$name: $problem"
  fi
}

valid='{"method":"GET","path":"/films","query":"select=id,title&order=id"}'
valid2='{"method":"GET","path":"/films","query":"id=eq.1","headers":{"Accept":"application/json"}}'

# --- help and version --------------------------------------------------------------
input ''
for args in "--help" "--version" "catalog --help" "translate --help"; do
  # shellcheck disable=SC2086  # word splitting of the subcommand is intended
  run $args
  if expect_status "pgrest $args" 0; then
    if [ -s "$work/out" ]; then pass; else fail "pgrest $args: nothing on stdout"; fi
  fi
done

# --- usage errors: exit 2, one line on stderr ----------------------------------------
for args in "--bogus" "frobnicate" "" "translate --bogus --catalog $catalog" \
  "translate" "translate --catalog" "catalog" "catalog --db x --frob" \
  "translate --catalog $catalog --jsonl {}" "translate --catalog $catalog {} {}"; do
  # shellcheck disable=SC2086
  run $args
  if expect_status "pgrest $args" 2; then
    if [ "$(lines "$work/err")" -eq 1 ] && grep -q -- "--help" "$work/err"; then
      pass
    else
      fail "pgrest $args: expected one line naming --help on stderr, got: $(cat "$work/err")"
    fi
  fi
done

# --- unusable catalog or config: non-zero, one line ---------------------------------
missing=$work/no-such-catalog.json
run translate --catalog "$missing" "$valid"
expect_nonzero_one_line "missing catalog file"
if grep -q -- "$missing" "$work/err"; then pass; else fail "missing catalog: path not named"; fi

printf '{"version":1,"relations":[{"schema":7}]}' >"$work/bad-catalog.json"
run translate --catalog "$work/bad-catalog.json" "$valid"
expect_nonzero_one_line "invalid catalog snapshot"
if grep -q -- '\$\.relations\[0\]' "$work/err"; then pass; else fail "bad snapshot: JSON path not named"; fi

printf 'not json' >"$work/garbage-catalog.json"
run translate --catalog "$work/garbage-catalog.json" "$valid"
expect_nonzero_one_line "catalog that is not JSON"

printf '{"schemas":["public"],"max_row":5}' >"$work/bad-config.json"
run translate --catalog "$catalog" --config "$work/bad-config.json" "$valid"
expect_nonzero_one_line "config with an unknown key"
if grep -q 'max_row' "$work/err"; then pass; else fail "bad config: key not named"; fi

run translate --catalog "$catalog" --config "$work/no-such-config.json" "$valid"
expect_nonzero_one_line "missing config file"

# --- one request -----------------------------------------------------------------------
input ''
run translate --catalog "$catalog" "$valid"
expect_status "request via argument" 0 && expect_results "request via argument" 1

input "$valid"
run translate --catalog "$catalog"
expect_status "request via stdin" 0 && expect_results "request via stdin" 1

input "$valid"$'\n'
run translate --catalog="$catalog"
expect_status "request via stdin with newline, --catalog=FILE" 0 &&
  expect_results "request via stdin with newline" 1

printf '{"schemas":["public"],"managed_schemas":["ai"],"max_rows":100}' >"$work/config.json"
input ''
run translate --catalog "$catalog" --config "$work/config.json" "$valid"
expect_status "request with a config" 0 && expect_results "request with a config" 1

# A malformed request is a result, not a failure.
input ''
run translate --catalog "$catalog" 'this is not json'
expect_status "garbage via argument" 0 && expect_results "garbage via argument" 1 0:refused:400

input '[1,2]'
run translate --catalog "$catalog"
expect_status "non-object via stdin" 0 && expect_results "non-object via stdin" 1 0:refused:400

input ''
run translate --catalog "$catalog" '{"method":"GET","path":"/films","via_api_layer":"yes"}'
expect_status "via_api_layer not a boolean" 0 &&
  expect_results "via_api_layer not a boolean" 1 0:refused:400

# --- JSONL -----------------------------------------------------------------------------
input "$valid"$'\n''garbage {'$'\n'"$valid2"$'\n'
run translate --catalog "$catalog" --jsonl
expect_status "jsonl valid/garbage/valid" 0 &&
  expect_results "jsonl valid/garbage/valid" 3 1:refused:400

input "$valid"$'\n'"$valid2"
run translate --catalog "$catalog" --jsonl
expect_status "jsonl last line without newline" 0 &&
  expect_results "jsonl last line without newline" 2

input "$valid"$'\n'$'\n'"$valid"$'\n'
run translate --catalog "$catalog" --jsonl
expect_status "jsonl blank middle line" 0 &&
  expect_results "jsonl blank middle line" 3 1:refused:400

input ''
run translate --catalog "$catalog" --jsonl
expect_status "jsonl empty input" 0 && expect_results "jsonl empty input" 0

input '[]'$'\n''"x"'$'\n''{"method":1,"path":"/films"}'$'\n''{"path":"/films"}'$'\n'
run translate --catalog "$catalog" --jsonl
expect_status "jsonl invalid requests" 0 &&
  expect_results "jsonl invalid requests" 4 0:refused:400 1:refused:400 2:refused:400 3:refused:400

# Many lines come back in order: the i-th result answers the i-th request. Every other
# line is garbage, so the refusals must sit exactly at the odd positions.
: >"$work/in"
specs=()
for i in $(seq 0 99); do
  if [ $((i % 2)) -eq 0 ]; then
    printf '%s\n' "$valid" >>"$work/in"
  else
    printf 'garbage %d\n' "$i" >>"$work/in"
    specs+=("$i:refused:400")
  fi
done
run translate --catalog "$catalog" --jsonl
expect_status "jsonl 100 lines" 0 && expect_results "jsonl 100 lines in order" 100 "${specs[@]}"

# Results are flushed per line: a host that waits for each answer must not block.
if python3 - "$pgrest" "$catalog" "$valid" <<'PY'; then pass; else fail "jsonl does not answer line by line"; fi
import json, subprocess, sys, threading
pgrest, catalog, valid = sys.argv[1:4]
process = subprocess.Popen([pgrest, "translate", "--catalog", catalog, "--jsonl"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
timer = threading.Timer(10, process.kill)
timer.start()
try:
    for line in (valid, "garbage", valid):
        process.stdin.write(line.encode() + b"\n")
        process.stdin.flush()
        answer = process.stdout.readline()
        if not answer:
            sys.exit(1)
        json.loads(answer)
    process.stdin.close()
    sys.exit(process.wait())
except (OSError, ValueError):  # a closed pipe or an answer that is not JSON
    process.kill()
    sys.exit(1)
finally:
    timer.cancel()
PY

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
