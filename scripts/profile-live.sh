#!/usr/bin/env bash
# Profile `throttlelab serve` under load (issue #19): serve pinned to CPU 0 (one tokio
# worker), `wrk -t1 -c64` pinned to CPU 1 as in `scripts/bench-live.sh`'s pinned layout, and
# `perf record` attached to serve while wrk runs. Prints wrk's requests/s and leaves
# PERF_OUT (perf.data) for `perf report --no-children --sort dso,symbol -g none`.
#
# Usage: BIN=target/release/throttlelab scripts/profile-live.sh allow|deny
#        PERF_OUT=/tmp/deny.data DURATION_S=5 scripts/profile-live.sh deny
# Needs: perf (Debian: linux-perf), wrk, taskset. Build the binary with
# `cargo build --profile profiling` for line-level symbols (the release profile has none).
set -euo pipefail
BIN=${BIN:-target/release/throttlelab}
RUN=${DURATION_S:-5}
PERF_OUT=${PERF_OUT:-perf.data}
case "${1:-}" in
  allow) spec="key:gcra rate=10000000/s burst=1000000" ;;
  deny) spec="key:gcra rate=100/s burst=10" ;;
  *) echo "usage: scripts/profile-live.sh allow|deny" >&2; exit 2 ;;
esac
for tool in perf wrk taskset; do
  command -v "$tool" >/dev/null || { echo "profile-live: \`$tool\` not found" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/profile-live.XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
printf 'key-%s bench-secret-key-000%s\n' 0 0 1 1 2 2 3 3 >"$WORK/keys.txt"
taskset -c 0 "$BIN" serve --port 0 --keys 4 --orgs 1 --keys-file "$WORK/keys.txt" \
  --limiter "$spec" >"$WORK/out" 2>"$WORK/err" &
PID=$!
URL=
for _ in $(seq 100); do
  URL=$(sed -n 's/^listening on //p' "$WORK/out")
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "profile-live: serve did not start" >&2; cat "$WORK/err" >&2; exit 1; }
auth="Authorization: Bearer bench-secret-key-0000"
taskset -c 1 wrk -t1 -c64 -d2s -H "$auth" "$URL/v1/work" >/dev/null
perf record -F 2000 -g -p "$PID" -o "$PERF_OUT" -- sleep "$RUN" 2>/dev/null &
perf_pid=$!
taskset -c 1 wrk -t1 -c64 -d"${RUN}s" -H "$auth" "$URL/v1/work" | grep -E "Requests/sec|Non-2xx"
wait "$perf_pid"
