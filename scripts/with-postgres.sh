#!/usr/bin/env bash
# scripts/with-postgres.sh CMD [ARGS...]: runs CMD with a throwaway PostgreSQL server, and removes the server after.
#
# The server lives in a fresh temporary folder (its data, its unix socket, its log), runs as an unprivileged user
# (Debian's `postgres` user when this script runs as root, otherwise the current user), listens on a free TCP port
# on every address (tests reach it from network namespaces over veth pairs: scripts/netns.sh), and takes local
# connections without a password, TCP ones with SCRAM passwords. CMD gets:
#
#   BELLWORK_TEST_POSTGRES_URL        postgresql://bellwork:PASSWORD@127.0.0.1:PORT/bellwork_test (a role with CREATEDB
#                                     that owns the database)
#   BELLWORK_TEST_POSTGRES_PORT       PORT
#   BELLWORK_TEST_POSTGRES_ADMIN_URL  postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres (the superuser)
#   BELLWORK_TEST_POSTGRES_RESTART    one shell command line that restarts the server in place (fast mode; returns
#                                     when it accepts connections again); run it as the same user as this script
#   BELLWORK_TEST_POSTGRES_LOG        the server's log (log_connections on: each says whether it is encrypted)
#   BELLWORK_TEST_POSTGRES_CA         the server's own certificate (TLS is on; with openssl), to check it against
#
# The server is stopped and the folder removed on exit (also on Ctrl-C, SIGTERM, SIGHUP, which are passed on to
# CMD first); the exit status is CMD's. Quiet but for one line on standard error; if the server cannot start,
# the last lines of its log and status 1. The server binaries are Debian's (/usr/lib/postgresql/VERSION/bin,
# the highest version; package `postgresql`).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: scripts/with-postgres.sh CMD [ARGS...]" >&2
  exit 2
fi

bindir=""
if [ -d /usr/lib/postgresql ]; then
  for v in $(ls /usr/lib/postgresql | sort -V -r); do
    d=/usr/lib/postgresql/$v/bin
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then bindir=$d; break; fi
  done
fi
if [ -z "$bindir" ]; then
  echo "with-postgres: no PostgreSQL server in /usr/lib/postgresql/*/bin (initdb, pg_ctl, postgres): install the Debian package postgresql (make apt-deps)" >&2
  exit 1
fi
psql=$bindir/psql
[ -x "$psql" ] || psql=$(command -v psql || true)
if [ -z "$psql" ]; then
  echo "with-postgres: no psql: install the Debian package postgresql-client" >&2
  exit 1
fi

# as_pg CMD...: runs CMD as the server's user (from /, which that user can always enter).
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root, but there is no postgres user to run the server as (install the Debian package postgresql)" >&2
    exit 1
  fi
  as_pg() { (cd / && runuser -u postgres -- "$@"); }
  root=1
else
  as_pg() { "$@"; }
  root=0
fi

random_secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# The folder: short enough for the socket's path (under 108 bytes), and one the server's user can work in.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bellwork-pg.XXXXXX")
if [ ${#tmp} -gt 70 ]; then rmdir "$tmp"; tmp=$(mktemp -d /tmp/bellwork-pg.XXXXXX); fi
if [ $root -eq 1 ]; then
  chown postgres:postgres "$tmp"
  if ! as_pg test -w "$tmp" -a -x "$tmp"; then
    rmdir "$tmp"; tmp=$(mktemp -d /tmp/bellwork-pg.XXXXXX); chown postgres:postgres "$tmp"
  fi
fi
data=$tmp/data
sock=$tmp/s
log=$tmp/server.log
child=""

cleanup() {
  trap - EXIT INT TERM HUP
  if [ -f "$data/postmaster.pid" ]; then
    as_pg "$bindir/pg_ctl" stop -D "$data" -m fast -w -t 30 -s >/dev/null 2>&1 \
      || as_pg "$bindir/pg_ctl" stop -D "$data" -m immediate -w -t 10 -s >/dev/null 2>&1 \
      || { pid=$(head -1 "$data/postmaster.pid" 2>/dev/null || true); [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; sleep 1; } \
      || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

as_pg mkdir -m 700 "$sock"
superpw=$(random_secret)
userpw=$(random_secret)
printf '%s\n' "$superpw" > "$tmp/pw"
[ $root -eq 1 ] && chown postgres:postgres "$tmp/pw"
if ! as_pg "$bindir/initdb" -D "$data" -U postgres --pwfile="$tmp/pw" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --no-locale --no-sync >"$tmp/initdb.log" 2>&1; then
  echo "with-postgres: initdb failed:" >&2
  tail -n 20 "$tmp/initdb.log" >&2
  exit 1
fi
rm -f "$tmp/pw" "$tmp/initdb.log"

# TLS, as a district's server offers it: a certificate of its own for localhost and 127.0.0.1, which the tests
# also take as the authority to check it against (BELLWORK_TEST_POSTGRES_CA).
tls=""
if command -v openssl >/dev/null 2>&1 && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
     -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$tmp/server.key" -out "$tmp/ca.crt" >/dev/null 2>&1; then
  chmod 600 "$tmp/server.key"
  chmod 644 "$tmp/ca.crt"
  [ $root -eq 1 ] && chown postgres:postgres "$tmp/server.key" "$tmp/ca.crt"
  tls="ssl = on
ssl_cert_file = '$tmp/ca.crt'
ssl_key_file = '$tmp/server.key'"
fi

# Settings (appended to the owner's files, so they stay the server user's); the port goes in its own file.
cat >> "$data/postgresql.conf" <<EOF

# scripts/with-postgres.sh
listen_addresses = '*'
max_connections = 200
unix_socket_directories = '$sock'
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = on
$tls
include 'port.conf'
EOF
cat > "$data/pg_hba.conf" <<EOF
# scripts/with-postgres.sh: local connections trusted, TCP ones from anywhere with a password
local all         all                trust
host  all         all  0.0.0.0/0     scram-sha-256
host  all         all  ::/0          scram-sha-256
local replication all                trust
EOF
as_pg touch "$data/port.conf"

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])' 2>/dev/null && return
  fi
  local p
  while :; do
    p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 ))
    ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
}

started=0
for attempt in 1 2 3 4 5 6 7 8; do
  port=$(free_port)
  printf 'port = %s\n' "$port" > "$data/port.conf"
  seen=0; if [ -f "$log" ]; then seen=$(wc -l < "$log"); fi
  if as_pg "$bindir/pg_ctl" start -D "$data" -l "$log" -w -t 60 -s >"$tmp/pg_ctl.out" 2>&1; then
    # The server starts when it can bind one address of several: with IPv4's port taken by another process it
    # would listen on IPv6 only, and 127.0.0.1:PORT would reach that process. Every address, or another port.
    if ! tail -n +$((seen + 1)) "$log" | grep -qiE 'could not bind'; then started=1; break; fi
    as_pg "$bindir/pg_ctl" stop -D "$data" -m immediate -w -t 30 -s >/dev/null 2>&1 || true
    continue
  fi
  # Another process took the port between our look and the server's bind: another port. Anything else: give up.
  tail -n +$((seen + 1)) "$log" 2>/dev/null | grep -qiE 'could not bind|address already in use|could not create any TCP/IP sockets' || break
done
if [ $started -eq 0 ]; then
  echo "with-postgres: the server did not start; the last lines of its log:" >&2
  cat "$tmp/pg_ctl.out" >&2 || true
  tail -n 30 "$log" >&2 2>/dev/null || true
  exit 1
fi
rm -f "$tmp/pg_ctl.out"

if ! as_pg "$psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d postgres >"$tmp/psql.out" 2>&1 <<EOF
CREATE ROLE bellwork LOGIN CREATEDB PASSWORD '$userpw';
CREATE DATABASE bellwork_test OWNER bellwork;
EOF
then
  echo "with-postgres: could not create the role and the database:" >&2
  cat "$tmp/psql.out" >&2
  exit 1
fi
rm -f "$tmp/psql.out"

restart="$(printf '%q ' "$bindir/pg_ctl" restart -D "$data" -m fast -w -t 60 -s -l "$log")"
if [ $root -eq 1 ]; then restart="(cd / && runuser -u postgres -- $restart)"; fi

export BELLWORK_TEST_POSTGRES_URL="postgresql://bellwork:$userpw@127.0.0.1:$port/bellwork_test"
export BELLWORK_TEST_POSTGRES_PORT=$port
export BELLWORK_TEST_POSTGRES_ADMIN_URL="postgresql://postgres:$superpw@127.0.0.1:$port/postgres"
export BELLWORK_TEST_POSTGRES_RESTART=${restart% }
export BELLWORK_TEST_POSTGRES_LOG=$log
[ -n "$tls" ] && export BELLWORK_TEST_POSTGRES_CA=$tmp/ca.crt

version=$("$bindir/postgres" --version | sed -E 's/^[^0-9]*([0-9]+(\.[0-9]+)?).*/\1/')
echo "postgres: a throwaway server on 127.0.0.1:$port (PostgreSQL $version)" >&2

# CMD runs in the background (with Ctrl-C's default action restored and this script's standard input), so that
# a signal reaches this script at once: it is passed on to CMD, and the server goes once CMD has gone.
caught=""
pass_on() { caught=$1; [ -n "$child" ] && kill -s "$1" "$child" 2>/dev/null || true; }
trap 'pass_on INT' INT
trap 'pass_on TERM' TERM
trap 'pass_on HUP' HUP
( trap - INT QUIT; exec "$@" ) <&0 &
child=$!
set +e
while :; do
  caught=""
  wait "$child"
  status=$?
  [ -z "$caught" ] && break
done
exit $status
