#!/usr/bin/env bash
# `pgrest catalog` against the throwaway PostgreSQL of scripts/with-postgres.sh: the
# snapshot of the fixture for --schemas and the default list, and the one-line errors
# (with exit status 1) for a schema that does not exist and a server that cannot be
# reached.
#
#   tests/cli/test_cli_catalog.sh PGREST_BINARY SOURCE_DIR
#
# Needs PGREST_TEST_CONNINFO (a superuser conninfo); fails, not skips, without it.
# Ends with "N passed, N failed".
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 PGREST_BINARY SOURCE_DIR" >&2
  exit 2
fi
pgrest=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

conninfo=${PGREST_TEST_CONNINFO:-}
if [ -z "$conninfo" ]; then
  fail "PGREST_TEST_CONNINFO is not set: run under scripts/with-postgres.sh"
  finish
fi
psql=/usr/lib/postgresql/15/bin/psql
[ -x "$psql" ] || psql=psql
if "$psql" -X -q -v ON_ERROR_STOP=1 -d "$conninfo" -f "$source/tests/fixtures/schema.sql" \
  >"$work/fixture.log" 2>&1; then
  pass
else
  cat "$work/fixture.log" >&2
  fail "loading tests/fixtures/schema.sql"
  finish
fi

# run NAME ARGS...: stdout in $work/NAME.json, stderr in $work/NAME.err, status in $status.
run() {
  local name=$1
  shift
  timeout 60 "$pgrest" catalog "$@" >"$work/$name.json" 2>"$work/$name.err"
  status=$?
}

# expect_snapshot NAME SCHEMAS_JSON: exit 0, nothing on stderr, and a snapshot that loads
# for translation, of exactly these schemas, whose relations all belong to them.
expect_snapshot() {
  local name=$1 schemas=$2
  if [ "$status" -ne 0 ] || [ -s "$work/$name.err" ]; then
    fail "$name: status $status, stderr: $(head -c 300 "$work/$name.err")"
    return
  fi
  if python3 - "$work/$name.json" "$schemas" <<'PY'; then pass; else fail "$name: wrong snapshot"; fi
import json, sys
snapshot = json.load(open(sys.argv[1]))
schemas = json.loads(sys.argv[2])
assert snapshot["schemas"] == schemas, snapshot["schemas"]
names = {(r["schema"], r["name"]) for r in snapshot["relations"]}
assert all(schema in schemas for schema, _ in names), names
assert ("public", "films") in names, names
assert (("ai", "chunks") in names) == ("ai" in schemas), names
PY
  # The snapshot serves translations.
  if "$pgrest" translate --catalog "$work/$name.json" '{"method":"GET","path":"/films"}' |
    grep -q '^{"ok":true,"status":200,'; then
    pass
  else
    fail "$name: the snapshot does not translate GET /films"
  fi
}

# expect_error NAME PATTERN: exit 1, nothing on stdout, one stderr line matching PATTERN.
expect_error() {
  local name=$1 pattern=$2
  if [ "$status" -eq 1 ]; then pass; else fail "$name: exit status $status, want 1"; fi
  if [ ! -s "$work/$name.json" ]; then pass; else fail "$name: wrote a snapshot anyway"; fi
  if [ "$(awk 'END { print NR }' "$work/$name.err")" -eq 1 ] &&
    grep -qE "^pgrest catalog: .*$pattern" "$work/$name.err"; then
    pass
  else
    fail "$name: stderr is not one line matching '$pattern': $(head -c 300 "$work/$name.err")"
  fi
}

run public --db "$conninfo" --schemas public
expect_snapshot public '["public"]'

run default --db "$conninfo"
expect_snapshot default '["public", "ai"]'
# The default is the config's schemas then its managed ones, in that order.
run explicit --db "$conninfo" --schemas=public,ai
if cmp -s "$work/default.json" "$work/explicit.json"; then pass; else fail "default differs from --schemas public,ai"; fi

run reversed --db "$conninfo" --schemas ' ai , public,ai'
expect_snapshot reversed '["ai", "public"]'

run nosuch --db "$conninfo" --schemas nosuch
expect_error nosuch 'schema "nosuch" does not exist'
run partly --db "$conninfo" --schemas public,nosuch_either
expect_error partly 'schema "nosuch_either" does not exist'

# No server: libpq's message on one line; the conninfo's password is never echoed.
run unreachable --db "host=$work/no-socket-here port=1 password=hunter2 connect_timeout=5"
expect_error unreachable 'connection to server .* failed'
if grep -q hunter2 "$work/unreachable.err"; then fail "the password was echoed"; else pass; fi
run malformed --db "this is not a conninfo"
expect_error malformed '.'

# An empty name is a usage error (2), found before connecting.
run empty --db "$conninfo" --schemas 'public,,ai'
if [ "$status" -eq 2 ] && grep -q "empty schema name" "$work/empty.err"; then
  pass
else
  fail "empty schema name: status $status, $(head -c 300 "$work/empty.err")"
fi
finish
