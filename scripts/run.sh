#!/usr/bin/env bash
# The project's one run command: the web application with demo data on http://127.0.0.1:8080,
# with its own PostgreSQL cluster under ./data (no DATABASE_URL needed).
#
#   scripts/run.sh [extra `gelijkgericht serve` arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs PostgreSQL with apt-get only when no server binaries are found.
scripts/pg-test-cluster.sh ensure-bin >/dev/null

exec cargo run --release -p gelijkgericht -- serve --demo --addr 127.0.0.1:8080 "$@"
