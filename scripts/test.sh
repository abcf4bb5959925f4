#!/usr/bin/env bash
# The project's one test command: system packages, formatting, lints, dependency checks, the
# whole test suite (unit, database and browser tests) against a throwaway PostgreSQL cluster.
# Every cargo command runs with --locked: a Cargo.lock that does not match the manifests fails.
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
# The Nu HTML Checker runs on Java; it and axe-core come from npm.
command -v java >/dev/null || missing+=(default-jre-headless)
# The mail tests' SMTP server (aiosmtpd) runs on Python from a virtual environment.
python3 -c 'import venv' 2>/dev/null || missing+=(python3 python3-venv)
command -v npm >/dev/null || missing+=(nodejs npm)
# The budget export's recalculation test opens the workbook in LibreOffice (headless).
command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}" >&2
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
    echo "All present (chromium, chromium-driver, LibreOffice, PostgreSQL $(scripts/pg-test-cluster.sh find-bin))" >&2
fi

step "Test runner"
if cargo nextest --version >/dev/null 2>&1; then
    nextest=1
    cargo nextest --version | head -n1 >&2
else
    nextest=0
    echo "cargo-nextest not found; falling back to cargo test" >&2
fi

step "Page checkers (Nu HTML Checker, axe-core)"
if [[ ! -f scripts/checkers/node_modules/.package-lock.json ]] ||
    [[ scripts/checkers/package-lock.json -nt scripts/checkers/node_modules/.package-lock.json ]]; then
    npm ci --prefix scripts/checkers --no-audit --no-fund >&2
fi
vnu_jar=scripts/checkers/node_modules/vnu-jar/build/dist/vnu.jar
[[ -f $vnu_jar && -f scripts/checkers/node_modules/axe-core/axe.min.js ]] || {
    echo "the page checkers did not install" >&2
    exit 1
}
echo "vnu-jar and axe-core present" >&2

step "Mail sink (aiosmtpd, a real SMTP server for the mail tests)"
# Pinned in scripts/checkers/requirements.txt; installed once into a virtual environment.
venv=scripts/checkers/venv
if [[ ! -x $venv/bin/python ]] || [[ scripts/checkers/requirements.txt -nt $venv/.installed ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/checkers/requirements.txt >&2
    touch "$venv/.installed"
fi
"$venv/bin/python" -c 'import aiosmtpd; print("aiosmtpd", aiosmtpd.__version__)' >&2
export GG_SMTP_SINK_PYTHON=$PWD/$venv/bin/python

step "Dependency checkers (cargo-machete, cargo-deny)"
# Pinned, so a new release cannot change what CI accepts; installed once per machine (minutes).
need_cargo_tool() { # crate version subcommand
    local have
    have=$(cargo "$3" --version 2>/dev/null | head -n 1) || true
    if [[ ${have##* } != "$2" ]]; then
        echo "Installing $1 $2 (found: ${have:-none})" >&2
        cargo install --locked "$1" --version "$2"
    fi
    echo "$1 $2 present" >&2
}
need_cargo_tool cargo-machete 0.9.2 machete
need_cargo_tool cargo-deny 0.20.2 deny

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "Unused dependencies (cargo machete)"
cargo machete

step "Licences, duplicate versions, sources (cargo deny)"
cargo deny --locked check --hide-inclusion-graph licenses bans sources

step "Security advisories (cargo deny)"
# The RustSec database is a git repository on GitHub, which some machines (this project's CI
# among them) cannot reach. Then the check is skipped and says so; it is never passed silently.
advisories_checked=0
if timeout 300 cargo deny fetch db; then
    cargo deny --locked --offline check advisories
    advisories_checked=1
else
    echo "WARNING: security advisories NOT checked: the RustSec advisory database could not be fetched (see docs/dependencies.md)" >&2
fi

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
# Every full page the HTTP tests render lands here, for the Nu HTML Checker below.
html_dump=$(mktemp -d "${TMPDIR:-/tmp}/gg-pages.XXXXXX")
export GG_HTML_DUMP=$html_dump
export GG_CHROMEDRIVER=/usr/bin/chromedriver
export GG_CHROMIUM=/usr/bin/chromium
if ((nextest)); then
    cargo nextest run --locked --workspace --no-fail-fast "$@"
    step "Doc tests"
    cargo test --locked --workspace --doc
else
    cargo test --locked --workspace --no-fail-fast "$@"
fi

step "Nu HTML Checker over $(find "$html_dump" -name '*.html' | wc -l) distinct pages"
# The checker must be able to fail: a page with a known error is refused.
probe=$(mktemp -d "${TMPDIR:-/tmp}/gg-vnu-probe.XXXXXX")
printf '<!doctype html><html lang="nl"><head><title>x</title></head><body><div aria-label="x">x</div></body></html>' >"$probe/probe.html"
if java -jar "$vnu_jar" --errors-only "$probe" 2>/dev/null; then
    echo "the Nu HTML Checker accepted a page with an error" >&2
    exit 1
fi
rm -rf "$probe"
if compgen -G "$html_dump/*.html" >/dev/null; then
    # The report lives outside the checked folder: the checker would read it as a page.
    report=$(mktemp "${TMPDIR:-/tmp}/gg-vnu-report.XXXXXX")
    if ! java -jar "$vnu_jar" --errors-only --format gnu --skip-non-html "$html_dump" 2>"$report"; then
        cat "$report" >&2
        echo "The Nu HTML Checker found $(wc -l <"$report") errors (pages kept in $html_dump)" >&2
        exit 1
    fi
    rm -f "$report"
fi
rm -rf "$html_dump"

if ((advisories_checked)); then
    step "All tests passed"
else
    step "All tests passed (security advisories NOT checked)"
fi
