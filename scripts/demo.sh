#!/usr/bin/env bash
# Translates the example requests with the bundled sample catalog and prints each
# request with the SQL and parameters the engine produced.
set -euo pipefail
pgrest=$1 catalog=$2 requests=$3

"$pgrest" translate --catalog "$catalog" --jsonl < "$requests" > "${TMPDIR:-/tmp}/pgrest-demo.$$"
trap 'rm -f "${TMPDIR:-/tmp}/pgrest-demo.$$"' EXIT
n=0
while IFS= read -r request && IFS= read -r result <&3; do
  n=$((n + 1))
  echo "=== request $n: $request"
  if command -v python3 >/dev/null; then
    printf '%s\n' "$result" | python3 -c '
import json, sys
r = json.load(sys.stdin)
if not r["ok"]:
    print("refused:", r["status"], json.dumps(r["error"]))
    sys.exit(0)
print("status:", r["status"], " media type:", r["media_type"], " read only:", r["read_only"])
print("prelude:", r["prelude"]["sql"])
print("  params:", json.dumps(r["prelude"]["params"]))
print("query:  ", r["query"]["sql"])
print("  params:", json.dumps(r["query"]["params"]))
if "count_query" in r:
    print("count:  ", r["count_query"]["sql"], json.dumps(r["count_query"]["params"]))
'
  else
    printf '%s\n' "$result"
  fi
  echo
done < "$requests" 3< "${TMPDIR:-/tmp}/pgrest-demo.$$"
