#!/usr/bin/env bash
# Live server throughput (issue #7): `throttlelab serve` (in-memory store) against nginx
# `limit_req` configured to the same limit, measured by `wrk` and by the lab's own closed-loop
# generator (`throttlelab load --blast N`), in one run, on loopback.
#
# Two limits, each served by both servers:
#   allow: key:gcra rate=10000000/s burst=1000000   (nothing is refused: pure throughput)
#   deny:  key:gcra rate=100/s burst=10             (~all of it 429: the rejection path)
# nginx gets `limit_req_zone $http_authorization ... rate=R r/s` + `limit_req burst=B-1
# nodelay` (nginx's burst counts the requests beyond the first; GCRA's burst counts all),
# `limit_req_status 429`, the same four API keys (401 otherwise) and a 12-byte static JSON file.
#
# Two layouts (LAYOUTS="pinned shared"):
#   pinned: server on CPU 0 (serve: one tokio worker; nginx: one worker process), load
#           generator on CPU 1: neither steals the other's core.
#   shared: no pinning; serve's default runtime (a worker per core), nginx `worker_processes
#           auto`, and the generator all share the machine's cores.
#
# Usage: scripts/bench-live.sh            (DURATION=10s CONNS=64 WARMUP=2s LAYOUTS="pinned shared")
#        DURATION=5s LAYOUTS=pinned scripts/bench-live.sh
# Needs: wrk, nginx, taskset (apt-get install -y wrk nginx-light util-linux), a Rust toolchain.
# Builds the release binary in $CARGO_TARGET_DIR (default ./target), or uses BIN=path. Prints
# one table; every process it starts is stopped on exit (trap).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-64}
LAYOUTS=${LAYOUTS:-pinned shared}
SERVER_CPUS=${SERVER_CPUS:-0}
CLIENT_CPUS=${CLIENT_CPUS:-1}
NGINX_PORT=${NGINX_PORT:-18090}
# the four keys' secrets, the same for both servers (serve reads them with --keys-file)
TOKEN=bench-secret-key-0000

for tool in wrk nginx taskset; do
  command -v "$tool" >/dev/null || {
    echo "bench-live: \`$tool\` not found (apt-get install -y wrk nginx-light util-linux)" >&2
    exit 2
  }
done
# nginx lives in /usr/sbin, which is not on every PATH
NGINX=$(command -v nginx)

if [ -z "${BIN:-}" ]; then
  TARGET_DIR=${CARGO_TARGET_DIR:-target}
  echo "== building release throttlelab (CARGO_TARGET_DIR=$TARGET_DIR)" >&2
  cargo build --release --quiet --bin throttlelab
  BIN=$TARGET_DIR/release/throttlelab
fi

WORK=$(mktemp -d /tmp/bench-live.XXXXXX)
# nginx workers run as `nobody`: they must be able to read the static file
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# run a command pinned to $1 (a CPU list) in the pinned layout, unpinned in the shared one
on() {
  local cpus=$1
  shift
  if [ "$LAYOUT" = pinned ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# start a server in the background (`spawn CPUS cmd... &`): `exec` so that `$!` is the
# server's own pid, not a subshell's (killing a subshell would orphan the server)
spawn() {
  local cpus=$1
  shift
  if [ "$LAYOUT" = pinned ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

stop() { # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

start_serve() { # limiter spec -> sets SERVE_PID, SERVE_URL
  local out=$WORK/serve.out
  : >"$out"
  printf 'key-%s bench-secret-key-000%s\n' 0 0 1 1 2 2 3 3 >"$WORK/keys.txt"
  spawn "$SERVER_CPUS" "$BIN" serve --port 0 --keys 4 --orgs 1 --keys-file "$WORK/keys.txt" --limiter "$1" \
    >"$out" 2>"$WORK/serve.err" &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  for _ in $(seq 100); do
    SERVE_URL=$(sed -n 's/^listening on //p' "$out")
    [ -n "$SERVE_URL" ] && return 0
    sleep 0.1
  done
  echo "bench-live: serve did not start:" >&2
  cat "$WORK/serve.err" >&2
  exit 1
}

start_nginx() { # rate (r/s), nginx burst, workers -> sets NGINX_PID, NGINX_URL
  local dir=$WORK/nginx
  mkdir -p "$dir/logs" "$dir/tmp" "$dir/www"
  printf '{"ok":true}\n' >"$dir/www/ok.json"
  cat >"$dir/nginx.conf" <<EOF
worker_processes $3;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  open_file_cache max=16 inactive=60s;
  open_file_cache_valid 60s;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  map \$http_authorization \$api_key_ok {
    "Bearer bench-secret-key-0000" 1; "Bearer bench-secret-key-0001" 1;
    "Bearer bench-secret-key-0002" 1; "Bearer bench-secret-key-0003" 1;
    default 0;
  }
  limit_req_zone \$http_authorization zone=perkey:10m rate=$1r/s;
  limit_req_status 429;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    # a static file, not `return 200`: `return` answers in the rewrite phase, before
    # limit_req (preaccess phase) ever runs; the key check may (serve also authenticates first)
    location = /v1/work {
      if (\$api_key_ok = 0) { return 401; }
      limit_req zone=perkey burst=$2 nodelay;
      default_type application/json;
      alias $dir/www/ok.json;
    }
  }
}
EOF
  spawn "$SERVER_CPUS" "$NGINX" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' \
    2>"$WORK/nginx.err" &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  NGINX_URL=http://127.0.0.1:$NGINX_PORT
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$NGINX_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench-live: nginx did not start:" >&2
  cat "$WORK/nginx.err" "$dir/logs/error.log" >&2
  exit 1
}

# wrk against $1; prints "rps non2xx_share"
run_wrk() {
  on "$CLIENT_CPUS" wrk -t1 -c"$CONNS" -d"$WARMUP" -H "Authorization: Bearer $TOKEN" \
    "$1/v1/work" >/dev/null
  local out
  out=$(on "$CLIENT_CPUS" wrk -t1 -c"$CONNS" -d"$DURATION" -H "Authorization: Bearer $TOKEN" \
    "$1/v1/work")
  local rps total non2xx
  rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$out")
  total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
  non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' <<<"$out")
  echo "$rps $(awk -v n="${non2xx:-0}" -v t="$total" 'BEGIN { printf "%.3f", (t > 0 ? n / t : 0) }')"
}

# the lab's generator against $1; prints "rps non2xx_share"
run_blast() {
  on "$CLIENT_CPUS" "$BIN" load --target "$1" --blast "$CONNS" --duration "$WARMUP" \
    --token "$TOKEN" >/dev/null
  local out
  out=$(on "$CLIENT_CPUS" "$BIN" load --target "$1" --blast "$CONNS" --duration "$DURATION" \
    --max-requests 1000000000 --token "$TOKEN")
  local rps total ok
  rps=$(sed -n 's/^ *"requests_per_s": *\([0-9.]*\).*/\1/p' <<<"$out")
  total=$(sed -n 's/^ *"requests": *\([0-9]*\).*/\1/p' <<<"$out")
  ok=$(sed -n 's/^ *"200": *\([0-9]*\).*/\1/p' <<<"$out")
  printf '%.2f %s\n' "$rps" "$(awk -v ok="${ok:-0}" -v t="$total" 'BEGIN { printf "%.3f", (t > 0 ? 1 - ok / t : 0) }')"
}

echo "== $(date -u +%FT%TZ) $(nproc) CPUs: $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)" >&2
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "== wrk -t1 -c$CONNS -d$DURATION (after a $WARMUP warm-up); lab: load --blast $CONNS --duration $DURATION" >&2

ROWS=()
for LAYOUT in $LAYOUTS; do
  if [ "$LAYOUT" = pinned ]; then workers=1; else workers=auto; fi
  for path in allow deny; do
    if [ "$path" = allow ]; then
      spec="key:gcra rate=10000000/s burst=1000000"
      rate=10000000
      burst=999999
    else
      spec="key:gcra rate=100/s burst=10"
      rate=100
      burst=9
    fi
    start_serve "$spec"
    read -r s_wrk s_wrk_rej < <(run_wrk "$SERVE_URL")
    read -r s_lab s_lab_rej < <(run_blast "$SERVE_URL")
    stop "$SERVE_PID"
    start_nginx "$rate" "$burst" "$workers"
    read -r n_wrk n_wrk_rej < <(run_wrk "$NGINX_URL")
    read -r n_lab n_lab_rej < <(run_blast "$NGINX_URL")
    stop "$NGINX_PID"
    ROWS+=("$LAYOUT $path $s_wrk $s_lab $n_wrk $n_lab $s_wrk_rej $n_wrk_rej")
  done
done

echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '\n| layout | path | serve wrk rps | serve lab rps | nginx wrk rps | nginx lab rps | serve/nginx (wrk) | serve/nginx (lab) | non-2xx serve / nginx |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|---:|\n'
for row in "${ROWS[@]}"; do
  read -r layout path s_wrk s_lab n_wrk n_lab s_rej n_rej <<<"$row"
  awk -v l="$layout" -v p="$path" -v sw="$s_wrk" -v sl="$s_lab" -v nw="$n_wrk" -v nl="$n_lab" \
    -v sr="$s_rej" -v nr="$n_rej" 'BEGIN {
      printf "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.3f / %.3f |\n",
        l, p, sw, sl, nw, nl, (nw > 0 ? sw / nw : 0), (nl > 0 ? sl / nl : 0), sr, nr }'
done
