#!/usr/bin/env bash
# npm run load:smoke: starts the built exchange (node dist/apps/main.js) on free loopback ports with
# its data in a temporary folder, runs each k6 script for a few seconds with a few virtual users,
# stops the exchange and fails when a threshold was crossed. When k6 cannot be had (no go, no Go
# module proxy) it prints one line saying so and exits 0, unless CI=1 or REQUIRE_K6=1: then it fails.
# Settings (environment): SMOKE_DURATION (10s), SMOKE_VUS (3), SMOKE_SUBSCRIBERS (10).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
required=0
[[ "${CI:-}" == "1" || "${CI:-}" == "true" || "${REQUIRE_K6:-}" == "1" ]] && required=1

status=0
"$here/k6.sh" --path >/dev/null || status=$?
if [[ $status -ne 0 ]]; then
  if [[ $required -eq 1 ]]; then
    echo "load:smoke failed: k6 is required here (CI or REQUIRE_K6=1) and could not be had (see the line above)" >&2
    exit 1
  fi
  echo "load:smoke skipped: k6 could not be had (see the line above)" >&2
  exit 0
fi
[[ -f "$root/dist/apps/main.js" ]] || {
  echo "load:smoke: dist/apps/main.js is missing (npm run build)" >&2
  exit 1
}

dir="$(mktemp -d "${TMPDIR:-/tmp}/load-smoke-XXXXXX")"
chmod 755 "$dir" # run as root, PostgreSQL runs as its own user and must reach its folder
pid=""
stop() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  # the embedded PostgreSQL may still be finishing its shutdown: wait for it before removing its folder
  local pgpid=""
  [[ -f "$dir/postgres/postmaster.pid" ]] && pgpid="$(head -n 1 "$dir/postgres/postmaster.pid" 2>/dev/null || true)"
  if [[ -n "$pgpid" ]] && kill -0 "$pgpid" 2>/dev/null; then
    for _ in $(seq 1 50); do
      kill -0 "$pgpid" 2>/dev/null || break
      [[ $_ -eq 25 ]] && kill -INT "$pgpid" 2>/dev/null # fast shutdown
      sleep 0.2
    done
  fi
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

# five free loopback ports, held together so that they differ
read -r api engine oracle settlement pg < <(node -e '
const net = require("node:net");
const servers = Array.from({ length: 5 }, () => net.createServer());
Promise.all(servers.map((s) => new Promise((r) => s.listen(0, "127.0.0.1", r)))).then(() => {
  console.log(servers.map((s) => s.address().port).join(" "));
  servers.forEach((s) => s.close());
});')
[[ -n "$pg" ]] || {
  echo "load:smoke: could not find free ports" >&2
  exit 1
}

# the node flags npm start runs the exchange with (package.json config.nodeFlags)
node_flags=$(cd "$root" && node -p "require('./package.json').config.nodeFlags")
echo "load:smoke: exchange on 127.0.0.1:$api (data in $dir; node $node_flags)"
(
  cd "$root"
  exec env API_HTTP_PORT="$api" ENGINE_HTTP_PORT="$engine" ORACLE_HTTP_PORT="$oracle" \
    SETTLEMENT_HTTP_PORT="$settlement" EMBEDDED_PG_PORT="$pg" \
    ENGINE_DATA_DIR="$dir/engine" ORACLE_DATA_DIR="$dir/oracle" EMBEDDED_PG_DIR="$dir/postgres" \
    API_DATA_DIR="$dir/api" KAFKA_BROKERS= DATABASE_URL= DEMO_TRADERS=off \
    API_RATE_LIMIT_BURST=1000000 API_RATE_LIMIT_PER_S=1000000 \
    API_PUBLIC_RATE_LIMIT_BURST=100000 API_PUBLIC_RATE_LIMIT_PER_S=100000 \
    node $node_flags dist/apps/main.js
) >"$dir/exchange.log" 2>&1 &
pid=$!

url="http://127.0.0.1:$api"
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null --max-time 2 "$url/v1/time" 2>/dev/null && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "load:smoke: the exchange exited during start; its log:" >&2
    tail -n 30 "$dir/exchange.log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS -o /dev/null --max-time 2 "$url/v1/time" || {
  echo "load:smoke: the exchange did not answer within 60 s; its log:" >&2
  tail -n 30 "$dir/exchange.log" >&2
  exit 1
}

status=0
API_URL="$url" DURATION="${SMOKE_DURATION:-10s}" VUS="${SMOKE_VUS:-3}" SUBSCRIBERS="${SMOKE_SUBSCRIBERS:-10}" \
  SESSION_S=5 WINDOW=2 DRIVER_RATE=10 "$here/load.sh" || status=$?
if [[ $status -ne 0 ]]; then
  echo "load:smoke failed (exit $status); the exchange's last log lines:" >&2
  grep -iE '"level":"(error|warn)"' "$dir/exchange.log" | tail -n 10 >&2 || true
  exit "$status"
fi
echo "load:smoke passed"
