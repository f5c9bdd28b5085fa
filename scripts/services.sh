#!/usr/bin/env bash
# Starts/stops the real services the Silhouette test suite needs.
#
#   scripts/services.sh up     provision (scripts/provision.sh), start PostgreSQL 15
#                              + a private Redis, write .silhouette-test/services.env
#   scripts/services.sh down   stop only what "up" started, remove the state markers
#   scripts/services.sh env    print .silhouette-test/services.env
#
# Environment overrides (optional):
#   SILHOUETTE_TEST_REDIS_PORT  port of the private Redis (default 6390)
#   SILHOUETTE_TEST_STATE_DIR   state directory (default <repo>/.silhouette-test)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$SCRIPT_DIR")
STATE_DIR=${SILHOUETTE_TEST_STATE_DIR:-$REPO/.silhouette-test}
ENV_FILE=$STATE_DIR/services.env
# Markers: their existence means "up" started that service, so "down" stops it.
PG_MARKER=$STATE_DIR/started-postgres # content: "<version> <cluster>"
REDIS_MARKER=$STATE_DIR/started-redis # content: "<port>"
REDIS_PIDFILE=$STATE_DIR/redis.pid

PG_VERSION=15
PG_CLUSTER=main
DB_USER=silhouette_ci
DB_PASSWORD=silhouette_ci
REDIS_HOST=127.0.0.1
REDIS_PORT=${SILHOUETTE_TEST_REDIS_PORT:-6390}
CHROMIUM_PATH=/usr/bin/chromium

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Cluster management needs root (or the postgres user); use sudo when not root.
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
as_postgres() {
  # cd /: postgres may not be allowed into the caller's cwd (e.g. /root).
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -u postgres -- "$@")
  fi
}

# "pg_lsclusters -h" columns: version cluster port status owner datadir logfile
pg_field() { pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null | awk -v f="$1" '{ print $f }'; }

redis_ping() {
  [[ $(redis-cli -h "$REDIS_HOST" -p "$1" ping 2>/dev/null) == PONG ]]
}

# --- PostgreSQL ---------------------------------------------------------------

pg_up() {
  local status
  if [[ -z $(pg_field 1) ]]; then
    # Normally postgresql-15's postinst creates the cluster; recreate if gone.
    log "creating PostgreSQL $PG_VERSION/$PG_CLUSTER cluster"
    as_root pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >&2 9>&-
  fi
  status=$(pg_field 4)
  if [[ $status != online ]]; then
    log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER (was: $status)"
    # 9>&-: the daemon must not inherit our lock fd (see lock_state_dir).
    as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >&2 9>&-
    echo "$PG_VERSION $PG_CLUSTER" >"$PG_MARKER"
  fi
  PG_PORT=$(pg_field 3)
  pg_wait_ready

  # Idempotent: create the role, or reset its attributes/password if it exists.
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
SQL

  # Debian's default pg_hba.conf allows scram-sha-256 from 127.0.0.1. If a
  # customised one rejects us, add an explicit rule for our role at the top.
  if ! pg_tcp_login_ok; then
    local hba
    hba=$(as_postgres psql -X -Atq -p "$PG_PORT" -d postgres -c 'SHOW hba_file')
    log "allowing $DB_USER over TCP in $hba"
    as_root sed -i "1i host all $DB_USER 127.0.0.1/32 scram-sha-256 # added by silhouette scripts/services.sh" "$hba"
    as_postgres psql -X -Atq -p "$PG_PORT" -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
    sleep 0.5
    pg_tcp_login_ok || die "cannot log in as $DB_USER on 127.0.0.1:$PG_PORT"
  fi
  pg_tune
}

# Server settings for a tenant of a million conversations (README, "Scale check"): with Debian's
# defaults (128 MB of shared buffers, a checkpoint every 1 GB of WAL, JIT on) the 1M tag step
# took 1.2 times as long. Applied with ALTER SYSTEM (postgresql.auto.conf); the server restarts
# only when a value that needs it changed.
pg_tune() {
  local mem_kb shared_mb pending
  mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  shared_mb=$((mem_kb / 4 / 1024))
  if ((shared_mb > 4096)); then shared_mb=4096; fi
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres >/dev/null <<SQL
ALTER SYSTEM SET shared_buffers = '${shared_mb}MB';
ALTER SYSTEM SET max_wal_size = '16GB';
ALTER SYSTEM SET checkpoint_timeout = '30min';
ALTER SYSTEM SET jit = off;
SELECT pg_reload_conf();
SQL
  pending=$(as_postgres psql -X -Atq -p "$PG_PORT" -d postgres \
    -c 'SELECT count(*) FROM pg_settings WHERE pending_restart')
  if ((pending > 0)); then
    log "restarting PostgreSQL $PG_VERSION/$PG_CLUSTER for its new settings"
    as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart >&2 9>&-
    pg_wait_ready
  fi
}

# Waits up to 30 s for the server to accept connections on $PG_PORT.
pg_wait_ready() {
  local i
  for ((i = 0; i < 60; i++)); do
    pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && return 0
    sleep 0.5
  done
  die "PostgreSQL not accepting connections on 127.0.0.1:$PG_PORT"
}

pg_tcp_login_ok() {
  PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -Atq -h 127.0.0.1 -p "$PG_PORT" \
    -U "$DB_USER" -d postgres -c 'SELECT 1' >/dev/null 2>&1
}

pg_down() {
  [[ -f $PG_MARKER ]] || return 0
  if [[ $(pg_field 4) == online ]]; then
    log "stopping PostgreSQL $PG_VERSION/$PG_CLUSTER (started by services.sh up)"
    as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast >&2
  fi
  rm -f "$PG_MARKER"
}

# --- Redis --------------------------------------------------------------------

redis_up() {
  if redis_ping "$REDIS_PORT"; then
    # Ours (marker present) or someone else's: either way leave it alone.
    return 0
  fi
  log "starting redis-server on $REDIS_HOST:$REDIS_PORT"
  # In-memory only (no RDB/AOF files); daemonised with a pidfile in STATE_DIR.
  redis-server --bind "$REDIS_HOST" --port "$REDIS_PORT" \
    --save '' --appendonly no \
    --daemonize yes --pidfile "$REDIS_PIDFILE" \
    --dir "$STATE_DIR" --logfile "$STATE_DIR/redis.log" 9>&-
  echo "$REDIS_PORT" >"$REDIS_MARKER"
  local i
  for ((i = 0; i < 50; i++)); do
    redis_ping "$REDIS_PORT" && return 0
    sleep 0.1
  done
  die "redis-server did not answer PING on port $REDIS_PORT (see $STATE_DIR/redis.log)"
}

redis_down() {
  [[ -f $REDIS_MARKER ]] || return 0
  local pid
  pid=$(cat "$REDIS_PIDFILE" 2>/dev/null || true)
  # Only signal the pid if it really is a redis-server (pidfile could be stale).
  if [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server ]]; then
    log "stopping redis-server (pid $pid, port $(cat "$REDIS_MARKER"))"
    kill -TERM "$pid"
    local i
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && die "redis-server (pid $pid) did not exit"
  fi
  rm -f "$REDIS_MARKER" "$REDIS_PIDFILE"
}

# --- commands -------------------------------------------------------------------

write_env() {
  local tmp=$ENV_FILE.tmp
  cat >"$tmp" <<EOF
DATABASE_ADMIN_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/postgres
REDIS_URL=redis://$REDIS_HOST:$REDIS_PORT
CHROMIUM_PATH=$CHROMIUM_PATH
EOF
  mv "$tmp" "$ENV_FILE"
}

lock_state_dir() {
  mkdir -p "$STATE_DIR"
  # Serialise concurrent up/down runs. Daemons we start get "9>&-", otherwise
  # they would inherit fd 9 and hold this lock forever.
  exec 9>"$STATE_DIR/.lock"
  flock -w 120 9 || die "timed out waiting for $STATE_DIR/.lock (another up/down running?)"
}

cmd_up() {
  "$SCRIPT_DIR/provision.sh"
  lock_state_dir
  pg_up
  redis_up
  [[ -x $CHROMIUM_PATH ]] || die "$CHROMIUM_PATH missing"
  write_env
  log "ready ($ENV_FILE)"
}

cmd_down() {
  [[ -d $STATE_DIR ]] || { log "nothing to stop"; return 0; }
  lock_state_dir
  redis_down
  pg_down
  rm -f "$ENV_FILE"
  log "down"
}

cmd_env() {
  [[ -f $ENV_FILE ]] || die "$ENV_FILE not found; run: $0 up"
  cat "$ENV_FILE"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 up|down|env" >&2
    exit 2
    ;;
esac
