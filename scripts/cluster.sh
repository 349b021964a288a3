#!/usr/bin/env bash
# `npm run cluster` (up) and `npm run cluster -- down`: a local cluster from Debian's packages.
#
#   nginx :3100 ─┬─ app :3101 ─┐                      ┌─ PostgreSQL primary :5441
#                └─ app :3102 ─┴─ PgBouncer :5443 ────┤   (transaction pooling)
#                     reports, audit, overviews ──────└─ streaming replica :5442 (pg_basebackup)
#
# Everything lives in .cluster/ (git-ignored): data folders, sockets, configs, logs, pid files.
# The machine's own PostgreSQL clusters are never touched: ours are plain data folders run
# with pg_ctl on their own ports and socket folder. `down` stops only what `up` started (by
# the pid files it wrote) and keeps the data, so the next `up` takes seconds; `down --wipe`
# also deletes .cluster/. docs/cluster.md says what each part proves.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
DIR="$ROOT/.cluster"
# PostgreSQL and PgBouncer run as the postgres user, which must reach their folders. A checkout
# under a private folder (mktemp's 0700, as a CI runner may use) keeps it out, so there the
# cluster's files live under /var/tmp instead, one folder per checkout, linked from .cluster.
if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  SHARED="/var/tmp/ringfence-cluster-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
  mkdir -p "$SHARED"
  chmod 755 "$SHARED"
  if [[ ! -L "$DIR" ]]; then
    rm -rf "$DIR"
    ln -s "$SHARED" "$DIR"
  fi
  DIR="$SHARED"
fi
INSTANCES="${RINGFENCE_CLUSTER_INSTANCES:-2}"
NGINX_PORT=3100
FIRST_APP_PORT=3101
PRIMARY_PORT=5441
REPLICA_PORT=5442
BOUNCER_PORT=5443
PG_VERSION="${RINGFENCE_CLUSTER_PG:-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)}"
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"

log() { printf 'cluster: %s\n' "$*"; }

# Commands the database needs run as its own user: PostgreSQL and PgBouncer refuse root.
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A process killed but not yet reaped (a zombie: its parent here is the machine's init, which
# reaps when it gets to it) answers kill -0 but serves nothing: it counts as gone, or `up`
# after a test's SIGKILL would leave the instance down.
running() { kill -0 "$1" 2>/dev/null && [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]; }
alive() { [[ -f "$1" ]] && running "$(head -n 1 "$1")"; }

wait_for() { # description, command…
  local what="$1"
  shift
  for _ in $(seq 1 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "gave up waiting for $what"
  return 1
}

install_packages() {
  local missing=()
  [[ -x "$PG_BIN/pg_ctl" ]] || missing+=(postgresql)
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  command -v pgbouncer >/dev/null 2>&1 || [[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]} (Debian packages)"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  # Debian starts a package's service on install; there is no init here, and ours run on
  # their own ports, so keep the packages' own services from starting.
  # A policy-rc.d already there (as in container images) is left as it was.
  local policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod +x "$policy"
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  [[ -n "$policy" ]] && "${sudo[@]}" rm -f "$policy"
  PG_VERSION="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
}

pg_conf() { # data folder, port
  cat >>"$1/postgresql.auto.conf" <<EOF
port = $2
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/run'
max_connections = 200
wal_level = replica
hot_standby = on
hot_standby_feedback = on
EOF
}

psql_primary() { as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/run" -p "$PRIMARY_PORT" -U postgres "$@"; }

start_primary() {
  if [[ ! -f "$DIR/primary/PG_VERSION" ]]; then
    log "creating the primary (initdb, port $PRIMARY_PORT)"
    as_postgres "$PG_BIN/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    pg_conf "$DIR/primary" "$PRIMARY_PORT"
    # Local only (127.0.0.1 and our socket), so trust is enough; replication for the replica.
    cat >"$DIR/primary/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
local replication all trust
host replication all 127.0.0.1/32 trust
EOF
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$DIR/primary" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$DIR/primary" -l "$DIR/log/primary.log" -w start >/dev/null
  fi
  if [[ "$(psql_primary -tAc "SELECT 1 FROM pg_database WHERE datname = 'ringfence'")" != 1 ]]; then
    # The README's two roles: the owner migrates, the app owns nothing. The pooler drops the
    # per-connection timeouts pg sends at start-up, so the database carries the request ones
    # (src/db/connect.ts; long jobs raise theirs per transaction).
    psql_primary <<'SQL'
CREATE ROLE ringfence_owner LOGIN;
CREATE ROLE ringfence_app LOGIN;
CREATE DATABASE ringfence OWNER ringfence_owner;
ALTER DATABASE ringfence SET statement_timeout = '7s';
ALTER DATABASE ringfence SET lock_timeout = '5s';
\c ringfence
ALTER SCHEMA public OWNER TO ringfence_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
  fi
}

start_replica() {
  if [[ ! -f "$DIR/replica/PG_VERSION" ]]; then
    log "making the streaming replica with pg_basebackup (port $REPLICA_PORT)"
    as_postgres "$PG_BIN/pg_basebackup" -h "$DIR/run" -p "$PRIMARY_PORT" -U postgres -D "$DIR/replica" -R -X stream -c fast
    # The copy carries the primary's settings; only the port differs.
    echo "port = $REPLICA_PORT" | as_postgres tee -a "$DIR/replica/postgresql.auto.conf" >/dev/null
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$DIR/replica" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$DIR/replica" -l "$DIR/log/replica.log" -w start >/dev/null
  fi
}

start_bouncer() {
  alive "$DIR/run/pgbouncer.pid" && return 0
  # Transaction pooling: a server connection is the client's for one transaction only.
  # ignore_startup_parameters: pg sends its timeouts at start-up, which PgBouncer 1.18 would
  # refuse; the database's own settings stand in for them (above).
  cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
ringfence = host=$DIR/run port=$PRIMARY_PORT dbname=ringfence

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir = $DIR/run
auth_type = trust
auth_file = $DIR/pgbouncer-users.txt
pool_mode = transaction
default_pool_size = 40
max_client_conn = 400
ignore_startup_parameters = extra_float_digits,statement_timeout,lock_timeout
logfile = $DIR/log/pgbouncer.log
pidfile = $DIR/run/pgbouncer.pid
admin_users = postgres
EOF
  printf '"ringfence_app" ""\n"ringfence_owner" ""\n"postgres" ""\n' >"$DIR/pgbouncer-users.txt"
  chmod 644 "$DIR/pgbouncer.ini" "$DIR/pgbouncer-users.txt"
  as_postgres pgbouncer -q -d "$DIR/pgbouncer.ini"
  wait_for "PgBouncer" "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$BOUNCER_PORT"
}

secret() { # file: a random value kept across restarts, so every instance shares it
  [[ -s "$1" ]] || node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))" >"$1"
  cat "$1"
}

start_apps() {
  node scripts/ensure-build.mjs
  [[ -s "$DIR/audit-key" ]] || node -e "process.stdout.write(require('crypto').generateKeyPairSync('ed25519').privateKey.export({format:'der',type:'pkcs8'}).toString('base64'))" >"$DIR/audit-key"
  local session admin
  session="$(secret "$DIR/session-secret")"
  admin="$(secret "$DIR/admin-token")"
  local started=()
  for ((i = 1; i <= INSTANCES; i++)); do
    local port=$((FIRST_APP_PORT + i - 1))
    # An instance older than the build it runs is restarted, so `up` after a change serves it.
    if alive "$DIR/run/app-$i.pid" && [[ dist/server.js -nt "$DIR/run/app-$i.pid" ]]; then stop_pid "$DIR/run/app-$i.pid" "app-$i (older than dist/)"; fi
    alive "$DIR/run/app-$i.pid" && continue
    # The owner migrates (directly, never through the pooler); requests go through PgBouncer;
    # reports, the audit trail and overviews read from the replica.
    NODE_ENV=production PORT="$port" HOST=127.0.0.1 LOG_LEVEL="${LOG_LEVEL:-warn}" \
      DATABASE_URL="postgres://ringfence_app@127.0.0.1:$BOUNCER_PORT/ringfence" \
      DATABASE_OWNER_URL="postgres://ringfence_owner@127.0.0.1:$PRIMARY_PORT/ringfence" \
      DATABASE_READ_URL="postgres://ringfence_app@127.0.0.1:$REPLICA_PORT/ringfence" \
      DATABASE_POOL_SIZE=20 RINGFENCE_TRUST_PROXY=127.0.0.1 \
      RINGFENCE_SESSION_SECRET="$session" RINGFENCE_AUDIT_KEY="$(cat "$DIR/audit-key")" RINGFENCE_ADMIN_TOKEN="$admin" \
      nohup node --max-semi-space-size=4 --heap-growing-percent=100 dist/server.js >>"$DIR/log/app-$i.log" 2>&1 &
    echo $! >"$DIR/run/app-$i.pid"
    started+=("$port")
    # The first instance migrates alone before the others start, so they never race for it.
    if ((i == 1)); then wait_for "app on :$port" curl -fsS "http://127.0.0.1:$port/ready"; fi
  done
  for port in "${started[@]}"; do wait_for "app on :$port" curl -fsS "http://127.0.0.1:$port/ready"; done
}

start_nginx() {
  alive "$DIR/run/nginx.pid" && return 0
  local servers=""
  for ((i = 1; i <= INSTANCES; i++)); do servers+="    server 127.0.0.1:$((FIRST_APP_PORT + i - 1)) max_fails=1 fail_timeout=5s;"$'\n'; done
  mkdir -p "$DIR/nginx"
  cat >"$DIR/nginx.conf" <<EOF
# Round robin over the instances. A request that cannot reach one (refused, reset) goes to
# the next, but only when its method is idempotent: nginx never re-sends a POST or PATCH,
# whose client retries it with the same Idempotency-Key instead.
worker_processes 1;
pid $DIR/run/nginx.pid;
error_log $DIR/log/nginx-error.log warn;
$([[ $(id -u) -eq 0 ]] && echo 'user nobody nogroup;')
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  client_max_body_size 25m;
  upstream ringfence {
$servers    keepalive 32;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://ringfence;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }
  }
}
EOF
  nginx -e "$DIR/log/nginx-error.log" -c "$DIR/nginx.conf"
  wait_for "nginx" curl -fsS "http://127.0.0.1:$NGINX_PORT/ready"
}

up() {
  install_packages
  mkdir -p "$DIR/run" "$DIR/log"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DIR" "$DIR/run" "$DIR/log"
  touch "$DIR/log/primary.log" "$DIR/log/replica.log" "$DIR/log/pgbouncer.log"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DIR/log/primary.log" "$DIR/log/replica.log" "$DIR/log/pgbouncer.log"
  start_primary
  start_replica
  start_bouncer
  start_apps
  start_nginx
  log "up: http://127.0.0.1:$NGINX_PORT (instances on :$FIRST_APP_PORT…:$((FIRST_APP_PORT + INSTANCES - 1)); primary :$PRIMARY_PORT, replica :$REPLICA_PORT, PgBouncer :$BOUNCER_PORT)"
  log "admin API token in .cluster/admin-token; logs in .cluster/log/"
}

stop_pid() { # pid file, name
  if alive "$1"; then
    local pid
    pid="$(head -n 1 "$1")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do running "$pid" || break; sleep 0.1; done
    running "$pid" && kill -KILL "$pid" 2>/dev/null
    log "stopped $2"
  fi
  rm -f "$1"
}

down() {
  [[ -d "$DIR" ]] || return 0
  stop_pid "$DIR/run/nginx.pid" nginx
  for pidfile in "$DIR"/run/app-*.pid; do [[ -e "$pidfile" ]] && stop_pid "$pidfile" "$(basename "$pidfile" .pid)"; done
  stop_pid "$DIR/run/pgbouncer.pid" pgbouncer
  for node in replica primary; do
    if [[ -f "$DIR/$node/PG_VERSION" ]] && as_postgres "$PG_BIN/pg_ctl" -D "$DIR/$node" status >/dev/null 2>&1; then
      as_postgres "$PG_BIN/pg_ctl" -D "$DIR/$node" -m fast -w stop >/dev/null
      log "stopped $node"
    fi
  done
  if [[ "${1:-}" == "--wipe" ]]; then
    rm -rf "$DIR"
    log "removed .cluster/"
  fi
}

case "${1:-up}" in
  up) up ;;
  down) down "${2:-}" ;;
  *)
    echo "usage: npm run cluster [-- up | down [--wipe]]" >&2
    exit 2
    ;;
esac
