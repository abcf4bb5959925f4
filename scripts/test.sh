#!/usr/bin/env bash
# The project's one test command: system packages, formatting, lints, the whole test suite
# (unit, database and browser tests) against a throwaway PostgreSQL cluster.
#
#   scripts/test.sh [extra cargo-nextest arguments, e.g. a test filter]
#
# With DATABASE_URL set, that server is used (its role must be allowed to create databases);
# otherwise a cluster is started with scripts/pg-test-cluster.sh and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        echo "need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

step "System packages"
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium fonts-liberation)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
scripts/pg-test-cluster.sh find-bin >/dev/null || missing+=(postgresql)
if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}" >&2
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
    echo "All present (chromium, chromium-driver, PostgreSQL $(scripts/pg-test-cluster.sh find-bin))" >&2
fi

step "Test runner"
if cargo nextest --version >/dev/null 2>&1; then
    nextest=1
    cargo nextest --version | head -n1 >&2
else
    nextest=0
    echo "cargo-nextest not found; falling back to cargo test" >&2
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "Test database"
if [[ -n "${DATABASE_URL:-}" ]]; then
    echo "Using DATABASE_URL from the environment" >&2
else
    pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/gg-test-pg.XXXXXX")
    cleanup() {
        scripts/pg-test-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    DATABASE_URL=$(scripts/pg-test-cluster.sh start "$pg_dir" | tail -n 1)
    export DATABASE_URL
    echo "DATABASE_URL=$DATABASE_URL" >&2
fi

step "Test suite"
export GG_CHROMEDRIVER=/usr/bin/chromedriver
export GG_CHROMIUM=/usr/bin/chromium
if ((nextest)); then
    cargo nextest run --workspace --no-fail-fast "$@"
    step "Doc tests"
    cargo test --workspace --doc
else
    cargo test --workspace --no-fail-fast "$@"
fi

step "All tests passed"
