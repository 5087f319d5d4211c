#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the record-store tests.
#   scripts/pg-throwaway.sh start DIR [PORT]   initialise and start it; prints its URL
#   scripts/pg-throwaway.sh stop DIR           stop it (DIR can then be removed)
# Runs the server as the postgres user when called as root (PostgreSQL refuses root); DIR's
# parent should then be a fresh folder of its own (it is made world-traversable).
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder for the cluster}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      # The postgres user must reach the folder: make it and its parent traversable.
      chmod 755 "$(dirname "$dir")" "$dir"
      chown postgres "$dir"
    fi
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
      start >/dev/null
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
