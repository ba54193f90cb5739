#!/usr/bin/env bash
# Builds the edgelb binaries with `bun build --compile` into dist/:
#   edgelb-linux-x64, edgelb-linux-x64-baseline, edgelb-linux-arm64,
# each also as edgelb-linux-<target>.xz (xz -6: about a third of the size; the installer
# takes it where xz is installed), plus install.sh, edgelb-uninstall.sh, edgelb.service, the Grafana
# dashboard and Prometheus alert rules, bash/zsh/fish completion, the man page edgelb.8 and
# SHA256SUMS (over all of them), so dist/ is a complete download location for
# `curl -sfL <url>/install.sh | sh -`.
#
# Environment:
#   EDGELB_TARGETS  space-separated subset of: linux-x64 linux-x64-baseline linux-arm64 (default: all)
#   EDGELB_DIST     output folder (default: <repo>/dist)
#   EDGELB_ENTRY    entry point (default: agent/main.ts)
#   EDGELB_BUILD_FLAGS  extra flags for `bun build` (measurements only)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bun="$root/node_modules/.bin/bun"
[ -x "$bun" ] || bun="$(command -v bun || true)"
if [ -z "$bun" ]; then
  echo "build.sh: bun not found; run 'npm ci' first." >&2
  exit 1
fi

entry="${EDGELB_ENTRY:-agent/main.ts}"
dist="${EDGELB_DIST:-$root/dist}"
targets="${EDGELB_TARGETS:-linux-x64 linux-x64-baseline linux-arm64}"
version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json | head -n 1)"
[ -n "$version" ] || version="0.0.0"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

if ! command -v xz >/dev/null 2>&1; then
  echo "build.sh: xz not found; install it (Debian: apt-get install xz-utils)." >&2
  exit 1
fi

if [ ! -f "$entry" ]; then
  echo "build.sh: entry point $entry does not exist." >&2
  exit 1
fi

mkdir -p "$dist"
# Build into a temporary folder first so a failed build never leaves a mix of old and new binaries.
stage="$(mktemp -d "$dist/.stage.XXXXXX")"
xz_pids=""
cleanup() {
  for pid in $xz_pids; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$stage"
}
trap cleanup EXIT

for target in $targets; do
  case "$target" in
    linux-x64 | linux-x64-baseline | linux-arm64) ;;
    *)
      echo "build.sh: unknown target $target (expected linux-x64, linux-x64-baseline or linux-arm64)." >&2
      exit 1
      ;;
  esac
  echo "build.sh: edgelb $version ($commit) for $target" >&2
  # --minify --bytecode --format=esm: `version` in 15 ms instead of 31 ms, for +2 MB
  # (measured with test/build/measure-startup.sh; --minify alone does not help).
  # --no-compile-autoload-*: a daemon must not pick up a stray .env or bunfig.toml from its cwd.
  # shellcheck disable=SC2086
  "$bun" build "$entry" --compile \
    --target="bun-$target" \
    --minify --bytecode --format=esm \
    --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
    --define "EDGELB_VERSION=\"$version\"" \
    --define "EDGELB_COMMIT=\"$commit\"" \
    --define "EDGELB_TARGET=\"$target\"" \
    ${EDGELB_BUILD_FLAGS:-} \
    --outfile "$stage/edgelb-$target" >&2
  # Never strip: a stripped Bun executable loses its embedded program and runs as plain bun.
  # -6 (the default preset, 8 MiB dictionary): about 9 MiB to decompress; -9 would need 65 MiB.
  # Single-threaded (one block, the smallest output), in the background while the next target builds.
  xz -6 --threads=1 --stdout "$stage/edgelb-$target" >"$stage/edgelb-$target.xz" &
  xz_pids="$xz_pids $!"
done
for pid in $xz_pids; do
  if ! wait "$pid"; then
    echo "build.sh: xz failed; nothing was written to $dist." >&2
    exit 1
  fi
done
xz_pids=""

cp scripts/install.sh scripts/edgelb-uninstall.sh systemd/edgelb.service "$stage/"
chmod 0755 "$stage"/*
chmod 0644 "$stage/edgelb.service"
# Monitoring, completion and the man page: the last two come from the CLI's own command table.
cp scripts/monitoring/edgelb-dashboard.json scripts/monitoring/edgelb-alerts.rules.yaml "$stage/"
for shell in bash zsh fish; do
  "$bun" agent/main.ts completion "$shell" >"$stage/edgelb.$shell"
done
"$bun" scripts/man.ts "$version" "$(git log -1 --format=%cs 2>/dev/null || date -u +%F)" >"$stage/edgelb.8"
chmod 0644 "$stage"/edgelb-dashboard.json "$stage"/edgelb-alerts.rules.yaml "$stage"/edgelb.bash "$stage"/edgelb.zsh "$stage"/edgelb.fish "$stage"/edgelb.8
for f in "$stage"/*.xz; do
  if [ -e "$f" ]; then chmod 0644 "$f"; fi
done
for f in "$stage"/*; do
  mv -f "$f" "$dist/"
done
# Checksums over every file the installer downloads (a subset build keeps the others' lines).
(
  cd "$dist"
  set -- edgelb-linux-* edgelb.service edgelb-uninstall.sh install.sh \
    edgelb-dashboard.json edgelb-alerts.rules.yaml edgelb.bash edgelb.zsh edgelb.fish edgelb.8
  sha256sum "$@" >SHA256SUMS.tmp
  mv -f SHA256SUMS.tmp SHA256SUMS
  echo "build.sh: wrote $* SHA256SUMS to $dist" >&2
)
