#!/usr/bin/env bash
# Run a command against a throw-away local PostgreSQL server (what `make test-pg` uses).
#
#   scripts/pg.sh COMMAND [ARGS...]
#
# 1. Finds the server binaries under /usr/lib/postgresql/*/bin (the newest version);
#    if there are none, installs Debian's `postgresql` package (needs root and apt).
# 2. Initialises a cluster in a temporary directory, as the unprivileged `postgres`
#    user when run as root (PostgreSQL refuses to run as root), with trust auth,
#    UTF-8 and the C.UTF-8 locale.
# 3. Starts it listening on 127.0.0.1 only, on a free port, with durability off
#    (fsync, synchronous_commit, full_page_writes: the data is thrown away).
# 4. Creates the database `wsc_test` and runs COMMAND with
#    WSC_TEST_PG_URL=postgresql+psycopg://wsc@127.0.0.1:PORT/wsc_test and WSC_TEST_PG_REQUIRED=1.
# 5. On exit, whatever happened: stops the server and removes the directory.
#
# A server that cannot be installed or started is an error (exit 1), never a skip.
# WSC_PG_KEEP=1 keeps the directory (logs) for a post-mortem.
set -euo pipefail

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

[ $# -gt 0 ] || die "usage: scripts/pg.sh COMMAND [ARGS...]"

find_bindir() {
    local dir
    # Newest major version first (sort -V understands 9.6 < 15 < 17).
    while read -r dir; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r)
    return 1
}

install_postgresql() {
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and this is not root: run 'apt-get install postgresql' first"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get to install it"
    local apt_log="${TMPDIR:-/tmp}/wsc-pg-apt.$$.log"
    local apt=(apt-get -q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300
               -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    export DEBIAN_FRONTEND=noninteractive
    log "PostgreSQL is not installed: apt-get install postgresql (log: $apt_log)"
    {
        "${apt[@]}" update &&
        # Without a 'main' cluster: the tests bring their own server, and none may be left running.
        "${apt[@]}" install --no-install-recommends postgresql-common &&
        sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
            /etc/postgresql-common/createcluster.conf &&
        "${apt[@]}" install --no-install-recommends postgresql
    } </dev/null >"$apt_log" 2>&1 || { tail -n 40 "$apt_log" >&2; die "apt-get install postgresql failed"; }
    rm -f "$apt_log"
}

started=$(now)
BIN=$(find_bindir) || { install_postgresql; BIN=$(find_bindir) || die "no PostgreSQL server under /usr/lib/postgresql/*/bin after installing"; }
log "server binaries: $BIN ($("$BIN/postgres" --version)) [$(since "$started")]"

# PostgreSQL will not run as root: use the package's `postgres` user (or make one).
if [ "$(id -u)" = 0 ]; then
    PG_USER=postgres
    if ! id -u "$PG_USER" >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
    fi
    as_pg() { runuser -u "$PG_USER" -- "$@"; }
    base=/tmp  # root's TMPDIR may be one the postgres user cannot enter
else
    PG_USER=$(id -un)
    as_pg() { "$@"; }
    base=${TMPDIR:-/tmp}
fi

WORK=$(mktemp -d "$base/wsc-pg.XXXXXX")
DATA=$WORK/data
PORT=
server_up=

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$server_up" ]; then
        if ! as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1; then
            # pg_ctl could not stop it: kill the postmaster (its children follow).
            [ -f "$DATA/postmaster.pid" ] && kill -9 "$(head -n 1 "$DATA/postmaster.pid")" 2>/dev/null || true
        fi
        log "server stopped"
    fi
    if [ "${WSC_PG_KEEP:-}" = 1 ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" = 0 ] && chown "$PG_USER" "$WORK"
as_pg test -w "$WORK" || die "the $PG_USER user cannot write $WORK"

step=$(now)
# C.UTF-8: Unicode-aware lower()/upper() like a production server's UTF-8 locale, but code-point
# ordering (deterministic everywhere); plain C where the C library lacks it.
for locale in C.UTF-8 C; do
    rm -rf "$DATA"
    if as_pg "$BIN/initdb" -D "$DATA" -U wsc -A trust -E UTF8 --locale="$locale" --no-sync \
        >"$WORK/initdb.log" 2>&1; then
        break
    fi
    [ "$locale" = C ] && { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
done
log "initdb, locale $locale [$(since "$step")]"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

step=$(now)
for attempt in 1 2 3 4 5; do
    PORT=$(( 20000 + RANDOM % 40000 ))
    port_in_use "$PORT" && continue
    if as_pg "$BIN/pg_ctl" -D "$DATA" -l "$WORK/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >"$WORK/pg_ctl.log" 2>&1; then
        server_up=1
        break
    fi
    # Lost a race for the port (or worse: the log says which); clear up and try another.
    as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
    if ! grep -q "could not bind\|Address already in use" "$WORK/server.log" 2>/dev/null; then
        cat "$WORK/pg_ctl.log" "$WORK/server.log" >&2 2>/dev/null || true
        die "the PostgreSQL server did not start"
    fi
done
[ -n "$server_up" ] || { cat "$WORK/server.log" >&2 2>/dev/null || true; die "the PostgreSQL server did not start (no free port?)"; }

createdb_bin=$BIN/createdb
[ -x "$createdb_bin" ] || createdb_bin=$(command -v createdb) || die "no createdb"
"$createdb_bin" -h 127.0.0.1 -p "$PORT" -U wsc wsc_test || die "createdb failed"
log "server on 127.0.0.1:$PORT, database wsc_test [$(since "$step")]"

export WSC_TEST_PG_URL="postgresql+psycopg://wsc@127.0.0.1:$PORT/wsc_test"
export WSC_TEST_PG_REQUIRED=1
step=$(now)
status=0
"$@" || status=$?
log "command finished with status $status [$(since "$step"); total $(since "$started")]"
exit "$status"
