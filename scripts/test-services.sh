#!/usr/bin/env bash
# Starts and stops the real services the integration and e2e tests run against, all on
# 127.0.0.1, on free ports, with private data under one run directory
# (${UPGRADE_SERVICES_DIR:-/tmp/upgrade-services-$UID-N}, N a checksum of this checkout's path,
# so that two checkouts on one machine never stop each other's services):
#   PostgreSQL 15, a dockerd of its own (no bridge network), docker-registry, s3rver,
#   and the busybox test images (scripts/build-test-images.sh), v1 and v2 pushed to the registry.
#
# Usage:
#   test-services.sh start   start everything, wait until each answers (a failure prints its log)
#   test-services.sh env     print `export UPGRADE_TEST_...=...` lines for the running services
#   test-services.sh stop    stop everything; no process, mount or data is left behind
# Typical: scripts/test-services.sh start && source <(scripts/test-services.sh env)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${UPGRADE_SERVICES_DIR:-/tmp/upgrade-services-$(id -u)-$(printf %s "$repo" | cksum | cut -d' ' -f1)}"
marker="$dir/.upgrade-test-services"
pg_bin=/usr/lib/postgresql/15/bin
docker_cli=/usr/bin/docker
s3_key=S3RVER
ready_timeout=60

log() { echo "test-services: $*" >&2; }
die() { log "$*"; exit 1; }

# --- helpers -------------------------------------------------------------------------------

# Prints N free TCP ports on 127.0.0.1 (held together while choosing, so they differ).
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
EOF
}

# Starts a command in the background, in its own session, output to LOG, pid to PIDFILE.
spawn() {
  local pidfile="$1" logfile="$2"
  shift 2
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(head -1 "$1")" 2>/dev/null; }

# Waits until CHECK succeeds; fails early if the process in PIDFILE died. Prints LOG on failure.
wait_ready() {
  local name="$1" pidfile="$2" logfile="$3"
  shift 3
  local deadline=$((SECONDS + ready_timeout))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$pidfile" ]] && ! pid_alive "$pidfile"; then
      fail_start "$name" "$logfile" "exited during startup"
    fi
    if ((SECONDS > deadline)); then
      fail_start "$name" "$logfile" "not ready after ${ready_timeout}s"
    fi
    sleep 0.1
  done
}

fail_start() {
  log "$1 failed to start: $3; its log ($2):"
  cat "$2" >&2 || true
  stop_all || true
  exit 1
}

# Sends SIGNAL to the process in PIDFILE (if it is there).
signal_pid() {
  [[ -f "$1" ]] && kill "-$2" "$(head -1 "$1")" 2>/dev/null || true
}

# Waits up to SECONDS for the process in PIDFILE to go, then kills it.
await_pid() {
  local pidfile="$1" seconds="$2" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(head -1 "$pidfile")"
  local deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS > deadline)); then
      log "pid $pid ($pidfile) still there after ${seconds}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
  done
}

# --- services ------------------------------------------------------------------------------

start_postgres() {
  local port="$1" pgdir="$dir/postgres"
  mkdir -p "$pgdir"
  chown postgres:postgres "$pgdir"
  (
    runuser -u postgres -- "$pg_bin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$pgdir/initdb.log" 2>&1 || {
      cat "$pgdir/initdb.log" >>"$pgdir/log"; exit 1; }
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off" start >/dev/null
  ) </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/postgres.starter"
}

start_dockerd() {
  local ddir="$dir/docker"
  mkdir -p "$ddir/data" "$ddir/exec"
  # Its own (empty) config file keeps the machine's /etc/docker/daemon.json out of it.
  echo '{}' >"$ddir/daemon.json"
  local group=()
  [[ -n "${UPGRADE_SERVICES_GROUP:-}" ]] && group=(--group "$UPGRADE_SERVICES_GROUP")
  spawn "$ddir/dockerd.pid" "$ddir/log" dockerd --config-file "$ddir/daemon.json" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --data-root "$ddir/data" --exec-root "$ddir/exec" --pidfile "$ddir/pid" \
    --host "unix://$ddir/docker.sock" "${group[@]}" --log-level=warn
}

start_registry() {
  local port="$1" rdir="$dir/registry"
  mkdir -p "$rdir/data"
  cat >"$rdir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $rdir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  spawn "$rdir/pid" "$rdir/log" docker-registry serve "$rdir/config.yml"
}

start_s3rver() {
  local port="$1" sdir="$dir/s3"
  local s3rver="$repo/node_modules/.bin/s3rver"
  [[ -x "$s3rver" ]] || die "s3rver is not installed: run scripts/install-deps.sh"
  mkdir -p "$sdir/data"
  # Legacy provider: s3rver's list continuation tokens use DES, which OpenSSL 3 refuses.
  spawn "$sdir/pid" "$sdir/log" env NODE_OPTIONS=--openssl-legacy-provider \
    "$s3rver" -d "$sdir/data" -a 127.0.0.1 -p "$port" --silent
}

write_env() {
  local pg_port="$1" registry_port="$2" s3_port="$3"
  {
    echo "export UPGRADE_TEST_PG_DSN=postgresql://postgres@127.0.0.1:$pg_port/postgres"
    echo "export UPGRADE_TEST_PG_BIN=$pg_bin"
    echo "export UPGRADE_TEST_DOCKER_HOST=unix://$dir/docker/docker.sock"
    echo "export UPGRADE_TEST_DOCKER_CLI=$docker_cli"
    echo "export UPGRADE_TEST_REGISTRY=127.0.0.1:$registry_port"
    echo "export UPGRADE_TEST_S3_ENDPOINT=http://127.0.0.1:$s3_port"
    echo "export UPGRADE_TEST_S3_ACCESS_KEY=$s3_key"
    echo "export UPGRADE_TEST_S3_SECRET_KEY=$s3_key"
    echo "export UPGRADE_TEST_S3_REGION=us-east-1"
    echo "export UPGRADE_TEST_SERVICES_DIR=$dir"
  } >"$dir/env"
}

# --- commands ------------------------------------------------------------------------------

start_all() {
  local started=$SECONDS
  stop_all
  mkdir -p -m 755 "$dir"
  chmod 755 "$dir"
  touch "$marker"
  local pg_port registry_port s3_port
  read -r pg_port registry_port s3_port < <(free_ports 3)

  # Everything starts at once; each is then awaited in turn.
  start_postgres "$pg_port"
  start_dockerd
  start_registry "$registry_port"
  start_s3rver "$s3_port"

  local sock="$dir/docker/docker.sock"
  wait_ready dockerd "$dir/docker/dockerd.pid" "$dir/docker/log" \
    curl -sf --unix-socket "$sock" http://localhost/_ping
  wait_ready docker-registry "$dir/registry/pid" "$dir/registry/log" \
    curl -sf "http://127.0.0.1:$registry_port/v2/"
  wait_ready s3rver "$dir/s3/pid" "$dir/s3/log" curl -sf "http://127.0.0.1:$s3_port/"
  if ! wait "$(cat "$dir/postgres.starter")"; then
    fail_start postgres "$dir/postgres/log" "initdb or pg_ctl failed"
  fi
  wait_ready postgres "" "$dir/postgres/log" \
    "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U postgres

  if ! "$repo/scripts/build-test-images.sh" "unix://$sock" "127.0.0.1:$registry_port" \
      >"$dir/images.log" 2>&1; then
    fail_start "test images" "$dir/images.log" "build or push failed"
  fi
  write_env "$pg_port" "$registry_port" "$s3_port"
  log "up in $((SECONDS - started))s: postgres 127.0.0.1:$pg_port, dockerd unix://$sock," \
    "registry 127.0.0.1:$registry_port, s3rver 127.0.0.1:$s3_port"
}

# Removes every container of the test daemon, so that stopping it does not wait on them.
remove_containers() {
  local host="unix://$dir/docker/docker.sock" ids
  [[ -S "$dir/docker/docker.sock" ]] || return 0
  ids="$("$docker_cli" -H "$host" ps -aq 2>/dev/null)" || return 0
  if [[ -n "$ids" ]]; then
    # shellcheck disable=SC2086
    "$docker_cli" -H "$host" rm -f $ids >/dev/null 2>&1 || true
  fi
}

# Unmounts everything mounted below the run directory, deepest first (dockerd leaves
# EXEC_ROOT/netns/default and its data root mounts).
unmount_all() {
  local mounts target
  mapfile -t mounts < <(awk -v prefix="$dir/" 'index($5, prefix) == 1 { print $5 }' \
    /proc/self/mountinfo | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-)
  for target in "${mounts[@]}"; do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null ||
      log "could not unmount $target"
  done
}

stop_all() {
  [[ -d "$dir" ]] || return 0
  if [[ ! -f "$marker" ]]; then
    die "$dir exists but was not made by this script; not touching it"
  fi
  # A postgres still being set up would otherwise start after this stop.
  local waited=0
  while pid_alive "$dir/postgres.starter" && ((waited++ < 300)); do sleep 0.1; done
  remove_containers
  if [[ -f "$dir/postgres/data/postmaster.pid" ]]; then
    head -1 "$dir/postgres/data/postmaster.pid" >"$dir/postgres.pid"
  fi
  # All are told at once, then awaited: each takes a second or two to shut down cleanly.
  signal_pid "$dir/s3/pid" TERM
  signal_pid "$dir/registry/pid" TERM
  signal_pid "$dir/docker/dockerd.pid" TERM
  signal_pid "$dir/postgres.pid" INT
  await_pid "$dir/s3/pid" 10
  await_pid "$dir/registry/pid" 10
  await_pid "$dir/docker/dockerd.pid" 30
  await_pid "$dir/postgres.pid" 30
  unmount_all
  if awk -v prefix="$dir/" 'index($5, prefix) == 1 { found = 1 } END { exit !found }' \
      /proc/self/mountinfo; then
    die "mounts remain under $dir; not removing it"
  fi
  rm -rf "$dir"
}

print_env() {
  [[ -f "$dir/env" ]] || die "the test services are not running: run '$0 start' first"
  cat "$dir/env"
}

# Starting and stopping need root (dockerd, initdb as the postgres user); go through sudo.
if [[ "${1:-}" =~ ^(start|stop)$ && $(id -u) -ne 0 ]]; then
  exec sudo env UPGRADE_SERVICES_DIR="$dir" UPGRADE_SERVICES_GROUP="$(id -g)" \
    PATH="$PATH" bash "$0" "$@"
fi

case "${1:-}" in
  start) start_all ;;
  stop) stop_all ;;
  env) print_env ;;
  *) die "usage: $0 start|stop|env" ;;
esac
