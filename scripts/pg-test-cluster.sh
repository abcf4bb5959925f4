#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite.
#
#   scripts/pg-test-cluster.sh start [DIR]   create (if needed) and start; prints DATABASE_URL last
#   scripts/pg-test-cluster.sh stop  [DIR]   stop it (DIR is left in place)
#   scripts/pg-test-cluster.sh find-bin      print the PostgreSQL bin directory, exit 1 if none
#   scripts/pg-test-cluster.sh ensure-bin    same, but install PostgreSQL with apt-get if none
#
# DIR defaults to /tmp/gg-test-pg. The cluster listens on a Unix socket in DIR/run and on
# 127.0.0.1 at a free port picked here, trusts every local connection (superuser
# `gelijkgericht`: sqlx::test creates a database per test), and trades durability for speed
# (fsync=off, synchronous_commit=off, full_page_writes=off). PostgreSQL refuses to run as root:
# when invoked as root it runs as the system user `postgres`, which then owns DIR.
# Progress goes to stderr; stdout carries only the URL.
set -euo pipefail

RUN_AS=postgres
DB_USER=gelijkgericht

log() { printf '%s\n' "$*" >&2; }
die() { log "pg-test-cluster: $*"; exit 1; }

has_server_bins() { [[ -x "$1/pg_ctl" && -x "$1/initdb" && -x "$1/postgres" ]]; }

# Like the application (crates/pgembed/src/binaries.rs): PATH first, then the highest
# /usr/lib/postgresql/<version>/bin.
find_bin() {
    local dir
    local IFS=:
    for dir in $PATH; do
        [[ "$dir" == /* ]] && has_server_bins "$dir" && { printf '%s\n' "$dir"; return 0; }
    done
    unset IFS
    local versions
    versions=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -rV || true)
    for v in $versions; do
        has_server_bins "/usr/lib/postgresql/$v/bin" && { printf '%s\n' "/usr/lib/postgresql/$v/bin"; return 0; }
    done
    return 1
}

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

ensure_bin() {
    local bin
    if bin=$(find_bin); then
        printf '%s\n' "$bin"
        return 0
    fi
    log "No PostgreSQL server binaries found; installing them: apt-get install -y postgresql"
    as_root apt-get update >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    bin=$(find_bin) || die "PostgreSQL is still not found after installing it"
    printf '%s\n' "$bin"
}

# Run a command as the cluster's user.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u "$RUN_AS" -- "$@")
    else
        "$@"
    fi
}

port_in_use() {
    if command -v ss >/dev/null; then
        ss -Htln "sport = :$1" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        port_in_use "$port" || { printf '%s\n' "$port"; return 0; }
    done
    die "could not find a free TCP port"
}

url_for() { printf 'postgres://%s@127.0.0.1:%s/postgres\n' "$DB_USER" "$1"; }

running() { [[ -f "$DIR/pg/postmaster.pid" ]] && as_pg "$BIN/pg_ctl" status -D "$DIR/pg" >/dev/null 2>&1; }

cmd_start() {
    BIN=$(ensure_bin)
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd -P)
    if [[ $(id -u) -eq 0 ]]; then
        id -u "$RUN_AS" >/dev/null 2>&1 || die "running as root, but there is no user '$RUN_AS' to run PostgreSQL as (apt-get install -y postgresql creates it)"
        chown "$RUN_AS:" "$DIR"
        as_pg test -x "$DIR" || die "user '$RUN_AS' cannot reach $DIR (a parent directory is closed to it); use a directory under /tmp"
    fi
    chmod 0700 "$DIR"

    if running; then
        log "Test cluster already running in $DIR"
        url_for "$(cat "$DIR/port")"
        return 0
    fi

    if [[ ! -f "$DIR/pg/PG_VERSION" ]]; then
        log "Creating test cluster in $DIR/pg ($BIN)"
        rm -rf "$DIR/pg"
        if ! as_pg "$BIN/initdb" -D "$DIR/pg" --auth=trust --username="$DB_USER" \
                --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$DIR/initdb.log" 2>&1; then
            rm -rf "$DIR/pg"
            as_pg "$BIN/initdb" -D "$DIR/pg" --auth=trust --username="$DB_USER" \
                --encoding=UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1 \
                || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
        fi
        echo "include_if_exists = 'gg-test.conf'" >>"$DIR/pg/postgresql.conf"
    fi
    as_pg mkdir -p "$DIR/run"

    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        # Written to a file, not passed with pg_ctl -o, so that no path needs shell quoting.
        cat >"$DIR/pg/gg-test.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${DIR//\'/\'\'}/run'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        [[ $(id -u) -eq 0 ]] && chown "$RUN_AS:" "$DIR/pg/gg-test.conf"
        if as_pg "$BIN/pg_ctl" start -D "$DIR/pg" -l "$DIR/postgres.log" -w -t 60 >&2; then
            printf '%s\n' "$port" >"$DIR/port"
            log "Test cluster running in $DIR on 127.0.0.1:$port"
            url_for "$port"
            return 0
        fi
        log "pg_ctl start failed (attempt $attempt); last lines of $DIR/postgres.log:"
        tail -n 5 "$DIR/postgres.log" >&2 || true
        running && as_pg "$BIN/pg_ctl" stop -D "$DIR/pg" -m immediate -w >&2 || true
    done
    die "could not start the test cluster"
}

cmd_stop() {
    [[ -d "$DIR" ]] || { log "No test cluster in $DIR"; return 0; }
    DIR=$(cd "$DIR" && pwd -P)
    BIN=$(find_bin) || die "no PostgreSQL binaries found"
    if running; then
        as_pg "$BIN/pg_ctl" stop -D "$DIR/pg" -m fast -w -t 60 >&2
    else
        log "Test cluster in $DIR is not running"
    fi
}

DIR=${2:-/tmp/gg-test-pg}
case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    find-bin) find_bin ;;
    ensure-bin) ensure_bin ;;
    *) die "usage: $0 start|stop [DIR] | find-bin | ensure-bin" ;;
esac
