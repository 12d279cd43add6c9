#!/usr/bin/env bash
# Obtains k6 and runs it with the given arguments:
#   infra/k6/k6.sh run -e API_URL=http://127.0.0.1:3000 infra/k6/rest-orders.ts
#   infra/k6/k6.sh --path        # obtains k6 and prints the binary's path
# k6 is K6_BIN when set, else .tools/k6 when it is K6_VERSION (v1.8.1), else built from the Go module
# proxy into .tools/ (git-ignored): CGO_ENABLED=0 go install go.k6.io/k6@K6_VERSION, about 100 s
# cold, seconds warm. When k6 cannot be had, prints one line saying why and exits 3.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${K6_VERSION:-v1.8.1}"
tools="$root/.tools"
bin="$tools/k6"

unavailable() {
  echo "k6 could not be had: $*" >&2
  exit 3
}

obtain() {
  if [[ -n "${K6_BIN:-}" ]]; then
    [[ -x "$K6_BIN" ]] || unavailable "K6_BIN=$K6_BIN is not an executable file"
    echo "$K6_BIN"
    return
  fi
  if [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -q "k6 $version "; then
    echo "$bin"
    return
  fi
  command -v go >/dev/null 2>&1 ||
    unavailable "go is not installed (needed to build go.k6.io/k6@$version from the Go module proxy; or set K6_BIN)"
  mkdir -p "$tools"
  local logfile="$tools/k6-build.log"
  echo "building k6 $version from the Go module proxy into $tools (about 100 s the first time)" >&2
  if ! CGO_ENABLED=0 GOBIN="$tools" timeout "${K6_BUILD_TIMEOUT_S:-900}" \
    go install -trimpath -ldflags='-s -w' "go.k6.io/k6@$version" >"$logfile" 2>&1; then
    unavailable "go install go.k6.io/k6@$version failed: $(grep -v '^go: downloading' "$logfile" | tail -n 1) (log: $logfile)"
  fi
  "$bin" version >/dev/null 2>&1 || unavailable "the k6 built into $bin does not run"
  echo "$bin"
}

k6="$(obtain)"
if [[ "${1:-}" == "--path" ]]; then
  echo "$k6"
  exit 0
fi
exec "$k6" "$@"
