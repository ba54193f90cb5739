#!/usr/bin/env bash
# Measures what --minify and --bytecode do to size and start-up time of the x64 binary.
# Not a test: run by hand, `bash test/build/measure-startup.sh [entry] [runs]`; prints a table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
entry="${1:-agent/main.ts}"
runs="${2:-20}"
bun="$root/node_modules/.bin/bun"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '%-34s %10s %10s %12s\n' flags 'size MB' 'gzip MB' 'version ms'
for flags in '' '--minify' '--bytecode --format=esm' '--minify --bytecode --format=esm'; do
  out="$work/edgelb"
  # shellcheck disable=SC2086
  "$bun" build "$entry" --compile --target=bun-linux-x64 $flags \
    --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
    --define 'EDGELB_VERSION="measure"' --define 'EDGELB_COMMIT="measure"' --define 'EDGELB_TARGET="linux-x64"' \
    --outfile "$out" >/dev/null 2>&1
  "$out" version >/dev/null # warm the page cache
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$out" version >/dev/null; done
  end=$(date +%s%N)
  size=$(stat -c %s "$out")
  gz=$(gzip -c "$out" | wc -c)
  awk -v f="${flags:-none}" -v s="$size" -v g="$gz" -v t="$(( (end - start) / runs / 1000 ))" \
    'BEGIN { printf "%-34s %10.1f %10.1f %12.1f\n", f, s/1e6, g/1e6, t/1000 }'
done
