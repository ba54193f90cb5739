#!/bin/sh
# edgelb uninstaller: stops and disables the service, removes the binary, the unit and the
# system user edgelb. /etc/edgelb (config) and /var/lib/edgelb (state) are kept unless --purge.
#
# Environment (the same as the installer's):
#   EDGELB_BIN_DIR  where the binary is (default: this script's folder if edgelb is there, else /usr/local/bin)
#   EDGELB_ROOT     uninstall below this folder instead of / (tests)
set -eu

say() {
  printf 'edgelb uninstall: %s\n' "$*" >&2
}

fail() {
  printf 'edgelb uninstall: %s\n' "$*" >&2
  exit 1
}

main() {
  purge=""
  for arg in "$@"; do
    case "$arg" in
      --purge) purge=1 ;;
      -h | --help)
        echo "Usage: edgelb-uninstall.sh [--purge]   (--purge also deletes /etc/edgelb and /var/lib/edgelb)"
        exit 0
        ;;
      *) fail "unknown argument \"$arg\"; usage: edgelb-uninstall.sh [--purge]." ;;
    esac
  done
  root="${EDGELB_ROOT:-}"
  root="${root%/}"
  if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then
    fail "run the uninstaller as root."
  fi
  here=$(cd "$(dirname "$0")" 2>/dev/null && pwd || echo "")
  if [ -n "${EDGELB_BIN_DIR:-}" ]; then
    bin_dir="$EDGELB_BIN_DIR"
  elif [ -n "$here" ] && [ -z "$root" ] && [ -e "$here/edgelb" ]; then
    bin_dir="$here"
  else
    bin_dir=/usr/local/bin
  fi
  unit="$root/etc/systemd/system/edgelb.service"

  if [ -d "$root/run/systemd/system" ] && command -v systemctl >/dev/null 2>&1 && [ -e "$unit" ]; then
    systemctl disable --now edgelb.service </dev/null || fail "could not stop and disable edgelb.service."
  fi
  rm -f "$unit"
  if [ -d "$root/run/systemd/system" ] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload </dev/null || true
  fi
  rm -f "$root$bin_dir/edgelb" "$root$bin_dir/.edgelb.new"

  if [ -f "$root/etc/passwd" ] && grep -q '^edgelb:' "$root/etc/passwd"; then
    if [ -n "$root" ]; then
      userdel --root "$root" edgelb </dev/null || fail "could not delete the system user edgelb in $root."
    else
      userdel edgelb </dev/null || fail "could not delete the system user edgelb."
    fi
  fi
  if [ -f "$root/etc/group" ] && grep -q '^edgelb:' "$root/etc/group"; then
    if [ -n "$root" ]; then
      groupdel --root "$root" edgelb </dev/null || fail "could not delete the group edgelb in $root."
    else
      groupdel edgelb </dev/null || fail "could not delete the group edgelb."
    fi
  fi

  if [ -n "$purge" ]; then
    rm -rf "$root/etc/edgelb" "$root/var/lib/edgelb"
    say "removed edgelb, its unit, its user, /etc/edgelb and /var/lib/edgelb."
  else
    say "removed edgelb, its unit and its user; kept /etc/edgelb and /var/lib/edgelb (--purge deletes them)."
  fi
  rm -f "$root$bin_dir/edgelb-uninstall.sh"
}

main "$@"
