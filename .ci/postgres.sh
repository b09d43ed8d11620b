#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the storage tests and print its URL.
# Installs Debian's server package when the machine lacks it. PostgreSQL refuses to run
# as root, so the cluster belongs to the 'postgres' system user.
set -euo pipefail
# The first free port from PGPORT (default 55432) on: a server left by an earlier run
# must not make this one fail.
port="${PGPORT:-55432}"
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/postgres" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
data=$(mktemp -d /tmp/exoderm-pg.XXXXXX)
chown postgres "$data"
runuser -u postgres -- "$bindir/initdb" -D "$data/db" -U postgres -A trust --no-sync >&2
runuser -u postgres -- "$bindir/pg_ctl" -D "$data/db" -l "$data/log" -w \
  -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
# Whoever started it stops it with: runuser -u postgres -- pg_ctl -D "$data/db" stop
echo "$bindir/pg_ctl -D $data/db" > "${EXODERM_PG_STOPFILE:-/dev/null}"
echo "postgresql://postgres@127.0.0.1:$port/postgres"
