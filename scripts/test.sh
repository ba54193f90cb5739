#!/usr/bin/env bash
# The whole test suite: system packages (when root), npm dependencies from the lockfile,
# typecheck, lint, then every bun test. Ends with one line "tests: N passed, N failed"
# taken from the JUnit report, and exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(frr bird2 exabgp iproute2 qemu-user-static libc6-arm64-cross prometheus shellcheck
  openssl unzip curl procps python3 systemd kmod iputils-ping iputils-arping ndisc6 xz-utils man-db
  debootstrap systemd-container)

if [ "$(id -u)" = 0 ] && [ "${EDGELB_SKIP_APT:-}" != 1 ]; then
  echo "== installing system packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  # FRR and BIRD are started by the tests in their own network namespaces, never as system services.
  for s in frr bird; do
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable --now "$s" >/dev/null 2>&1 || true; fi
  done
fi

if [ ! -x node_modules/.bin/bun ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing npm dependencies from the lockfile"
  npm ci --no-audit --no-fund
fi
BUN=node_modules/.bin/bun
mkdir -p .tmp
failed_steps=0

echo "== typecheck"
node_modules/.bin/tsc --noEmit -p . || failed_steps=$((failed_steps + 1))
echo "== lint"
node_modules/.bin/biome check . || failed_steps=$((failed_steps + 1))

echo "== tests"
rm -f .tmp/junit.xml
set +e
"$BUN" test --timeout 120000 --reporter=junit --reporter-outfile=.tmp/junit.xml "$@"
bun_status=$?
set -e

# A bun failure the report does not show as a failed case (a file that did not load) still counts.
summary=$("$BUN" scripts/junit-summary.ts .tmp/junit.xml "$failed_steps" "$bun_status") || true
if [ -z "$summary" ]; then
  echo "tests: 0 passed, 1 failed"
  exit 1
fi
echo "$summary"
case "$summary" in
  "tests: 0 passed,"*) exit 1 ;;
  *" 0 failed"*) [ "$bun_status" = 0 ] && [ "$failed_steps" = 0 ] || exit 1 ;;
  *) exit 1 ;;
esac
