#!/usr/bin/env bash
# Makes the PostgreSQL the store tests use reachable: postgres://postgres@127.0.0.1:5432/test
# with trust authentication (or whatever ATLASSIAN_MCP_TEST_POSTGRES names, which is then
# only checked). Installs the Debian package and starts a cluster when none answers.
set -euo pipefail
dsn="${ATLASSIAN_MCP_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
if ! command -v pg_isready >/dev/null 2>&1; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_isready -d "$dsn" -q; then
  if [ -n "${ATLASSIAN_MCP_TEST_POSTGRES:-}" ]; then
    echo "PostgreSQL at ATLASSIAN_MCP_TEST_POSTGRES does not answer" >&2
    exit 1
  fi
  ver="$(ls /etc/postgresql | sort -n | tail -1)"
  hba="/etc/postgresql/$ver/main/pg_hba.conf"
  # Trust local TCP connections: the tests connect as postgres without a password.
  $sudo sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  $sudo pg_ctlcluster "$ver" main restart || $sudo pg_ctlcluster "$ver" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
fi
pg_isready -d "$dsn"
