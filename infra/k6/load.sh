#!/usr/bin/env bash
# npm run load: the k6 scripts against a running exchange at API_URL (default http://127.0.0.1:3000),
# one after the other: REST order entry, WebSocket order entry, market-data subscribers. Exits 99
# when a script crossed a threshold (every script still runs), 3 when k6 could not be had.
#   API_URL=http://127.0.0.1:3000 DURATION=60s VUS=20 npm run load
# Settings (environment): API_URL, DURATION (30s), VUS (10, REST and WebSocket order entry),
# SUBSCRIBERS (50), WINDOW (4, WebSocket requests in flight per VU), SESSION_S (10), DRIVER_RATE (20),
# LOAD_SCRIPTS ("rest-orders ws-orders market-data"); extra k6 arguments after --.
# The exchange's per-key limits must allow the load, e.g. start it with
#   API_RATE_LIMIT_BURST=1000000 API_RATE_LIMIT_PER_S=1000000 npm start
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
k6="$("$here/k6.sh" --path)"
export API_URL="${API_URL:-http://127.0.0.1:3000}"
if ! curl -fsS -o /dev/null --max-time 5 "$API_URL/v1/time"; then
  echo "load: no exchange answers at $API_URL (start one, e.g. npm start, or set API_URL)" >&2
  exit 1
fi
[[ "${1:-}" == "--" ]] && shift
failed=()
for script in ${LOAD_SCRIPTS:-rest-orders ws-orders market-data}; do
  echo "== k6 $script against $API_URL"
  status=0
  "$k6" run --quiet \
    -e API_URL="$API_URL" \
    -e DURATION="${DURATION:-30s}" \
    -e VUS="${VUS:-10}" \
    -e SUBSCRIBERS="${SUBSCRIBERS:-50}" \
    -e WINDOW="${WINDOW:-4}" \
    -e SESSION_S="${SESSION_S:-10}" \
    -e DRIVER_RATE="${DRIVER_RATE:-20}" \
    "$@" "$here/$script.ts" || status=$?
  [[ $status -eq 0 ]] || failed+=("$script (exit $status)")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "load: thresholds crossed or k6 failed: ${failed[*]}" >&2
  exit 99
fi
echo "load: every threshold held"
