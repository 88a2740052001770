#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a private cluster (unix socket only, no TCP, trust auth, superuser `postgres`,
# durability switched off for speed), creates database `pgrest_test`, exports
#
#   PGREST_TEST_CONNINFO="host=<socket dir> port=<port> dbname=pgrest_test user=postgres"
#
# and runs CMD. The cluster is stopped and its directory removed however CMD ends:
# success, failure, Ctrl-C or SIGTERM. The script exits with CMD's exit status (130/143
# when interrupted).
#
# If PGREST_TEST_CONNINFO is already set and that database answers, CMD simply runs
# against it (reuse a long-lived cluster while iterating: tests reload their fixture).
#
# Example, an interactive shell on a fresh cluster:
#   scripts/with-postgres.sh sh -c 'psql "$PGREST_TEST_CONNINFO"'
set -euo pipefail

readonly PG_BIN=/usr/lib/postgresql/15/bin
# PostgreSQL refuses to run as root; as root the server runs as this system user.
readonly PG_USER=pgrest-test
readonly START_TIMEOUT=30

log() { echo "with-postgres: $*" >&2; }
die() {
  log "$*"
  exit 1
}

if (($# == 0)); then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

for tool in initdb pg_ctl pg_isready psql createdb; do
  [[ -x "$PG_BIN/$tool" ]] || die "$PG_BIN/$tool not found: run scripts/install-deps.sh (postgresql-15)"
done

# --- Reuse an existing database -----------------------------------------------------------
if [[ -n "${PGREST_TEST_CONNINFO:-}" ]]; then
  if PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -At -d "$PGREST_TEST_CONNINFO" -c 'select 1' \
    >/dev/null 2>&1; then
    log "reusing the database at PGREST_TEST_CONNINFO"
    exec "$@"
  fi
  log "PGREST_TEST_CONNINFO is set but does not answer; starting a throwaway cluster instead"
fi

# --- Who runs the server -------------------------------------------------------------------
run_as_pg=()
if ((EUID == 0)); then
  if ! id -u "$PG_USER" >/dev/null 2>&1; then
    # Another concurrent run may create the user first; only fail if it still is missing.
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      --user-group "$PG_USER" 2>/dev/null || id -u "$PG_USER" >/dev/null 2>&1 ||
      die "could not create system user $PG_USER"
  fi
  # runuser execs the command directly, so the user's nologin shell does not matter.
  # util-linux su is the fallback; it needs an explicit shell for the same reason.
  if command -v runuser >/dev/null 2>&1; then
    run_as_pg=(runuser -u "$PG_USER" --)
  else
    # shellcheck disable=SC2016  # expanded by the inner sh, not here
    run_as_pg=(su -s /bin/sh "$PG_USER" -c 'exec "$0" "$@"')
  fi
fi

# Runs a command as the server's user, from a directory that user can read: the caller's
# cwd (e.g. below /root) may not be, and initdb/postgres complain about that.
as_pg() {
  (cd "$workdir" && "${run_as_pg[@]}" "$@")
}

# --- Cluster directory ---------------------------------------------------------------------
workdir=""
child=""

# True while process $1 exists and is not a zombie (an orphaned postmaster is reaped by
# whatever init the container has, which may be slow or absent).
# shellcheck disable=SC2317  # used by the trap handler
process_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
  [[ "$state" != "Z" ]]
}

# shellcheck disable=SC2317  # trap handler: reachable, shellcheck cannot tell
cleanup() {
  local rc=$?
  # Finish cleaning up even if another Ctrl-C / TERM arrives meanwhile.
  trap '' INT TERM
  trap - EXIT
  if [[ -n "$workdir" && -d "$workdir" ]]; then
    local pid=""
    if [[ -f "$workdir/data/postmaster.pid" ]]; then
      pid=$(head -n 1 "$workdir/data/postmaster.pid" 2>/dev/null || true)
      # immediate: the data is discarded anyway, so skip the shutdown checkpoint.
      as_pg "$PG_BIN/pg_ctl" -D "$workdir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
        log "pg_ctl stop failed"
    fi
    if [[ "$pid" =~ ^[0-9]+$ ]]; then
      # pg_ctl returns once postmaster.pid is gone, a moment before the postmaster has
      # actually exited; wait for it so no server process outlives this script.
      local i
      for ((i = 0; i < 100; i++)); do
        process_alive "$pid" || break
        sleep 0.1
      done
      if process_alive "$pid"; then
        log "postmaster $pid still running; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        # Its backends exit on their own once they notice the postmaster is gone.
        sleep 1
      fi
    fi
    rm -rf -- "$workdir"
  fi
  exit "$rc"
}

# shellcheck disable=SC2317  # trap handler
on_signal() {
  local sig=$1 code=$2
  trap '' INT TERM
  # Pass the signal on (on Ctrl-C the terminal already sent it to CMD as well) and let CMD
  # finish before the database disappears under it. A CMD may survive it: e.g. a shell
  # that got SIGINT alone waits for its own child first. Escalate to TERM, then KILL, so
  # an interrupted run never hangs on to its cluster for long.
  if [[ -n "$child" ]]; then
    kill -s "$sig" "$child" 2>/dev/null || true
    local escalate i
    for escalate in TERM KILL; do
      for ((i = 0; i < 50; i++)); do
        process_alive "$child" || break
        sleep 0.1
      done
      process_alive "$child" || break
      log "CMD still running 5s after SIG$sig; sending SIG$escalate"
      kill -s "$escalate" "$child" 2>/dev/null || true
    done
    wait "$child" 2>/dev/null || true
  fi
  exit "$code"
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

# A unix socket path must fit in sun_path (107 bytes), and as root the server's user must
# be able to traverse every parent directory, which e.g. TMPDIR=/root/tmp forbids. Use
# TMPDIR when it works, /tmp otherwise.
make_workdir() {
  local base=$1 dir
  dir=$(mktemp -d "$base/pgrest-pg.XXXXXXXX") || return 1
  if ((${#dir} > 80)); then
    rmdir "$dir"
    return 1
  fi
  if ((EUID == 0)); then
    chown "$PG_USER:" "$dir"
    if ! "${run_as_pg[@]}" test -w "$dir" 2>/dev/null; then
      rm -rf -- "$dir"
      return 1
    fi
  fi
  echo "$dir"
}

workdir=$(make_workdir "${TMPDIR:-/tmp}" 2>/dev/null) || workdir=$(make_workdir /tmp) ||
  die "could not create a directory for the cluster"
# mktemp makes it 0700; the socket inside must be reachable by test binaries running as
# another user than the server (root here, or a developer's account).
chmod 0755 "$workdir"

readonly datadir="$workdir/data"
readonly sockdir="$workdir/socket"
# The port only names the socket file (.s.PGSQL.<port>) since there is no TCP listener;
# vary it anyway so clusters are easy to tell apart in logs and ps.
readonly port=$((50000 + RANDOM % 10000))

as_pg mkdir -m 0755 "$sockdir"

# --- initdb --------------------------------------------------------------------------------
# C.UTF-8: UTF-8 text semantics with stable, locale-independent collation.
if ! as_pg "$PG_BIN/initdb" -D "$datadir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
  --no-sync >"$workdir/initdb.log" 2>&1; then
  cat "$workdir/initdb.log" >&2
  die "initdb failed"
fi

# Settings go into postgresql.conf rather than onto the command line: no quoting of the
# socket path, and `pg_ctl status/stop` see the same configuration.
as_pg tee -a "$datadir/postgresql.conf" >/dev/null <<EOF

# --- with-postgres.sh: throwaway test cluster ---
listen_addresses = ''
port = $port
unix_socket_directories = '$sockdir'
unix_socket_permissions = 0777
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

# --- start -------------------------------------------------------------------------------------
server_failed() {
  log "server log ($workdir/server.log):"
  cat "$workdir/server.log" >&2 2>/dev/null || true
  die "$*"
}

as_pg "$PG_BIN/pg_ctl" -D "$datadir" -l "$workdir/server.log" -w -t "$START_TIMEOUT" start \
  >/dev/null 2>&1 || server_failed "PostgreSQL did not start"

ready=0
for ((i = 0; i < START_TIMEOUT * 10; i++)); do
  if "$PG_BIN/pg_isready" -q -h "$sockdir" -p "$port" -U postgres -d postgres; then
    ready=1
    break
  fi
  sleep 0.1
done
((ready)) || server_failed "PostgreSQL is not accepting connections after ${START_TIMEOUT}s"

"$PG_BIN/createdb" -h "$sockdir" -p "$port" -U postgres pgrest_test ||
  server_failed "could not create database pgrest_test"

export PGREST_TEST_CONNINFO="host=$sockdir port=$port dbname=pgrest_test user=postgres"
log "PostgreSQL 15 at $sockdir port $port (PGREST_TEST_CONNINFO=\"$PGREST_TEST_CONNINFO\")"

# --- run CMD -------------------------------------------------------------------------------------
# CMD runs in the background so that `wait` (unlike a foreground command) returns as soon
# as a signal arrives and the traps run at once. Without job control bash would make it
# ignore SIGINT and read stdin from /dev/null; restore both so Ctrl-C and interactive
# commands (psql) behave as usual.
(
  trap - INT QUIT
  exec "$@"
) <&0 &
child=$!
rc=0
wait "$child" || rc=$?
child=""
exit "$rc"
