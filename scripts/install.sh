#!/bin/sh
# edgelb installer: curl -sfL <download-url>/install.sh | sh -
#
# Detects the architecture (x86_64, aarch64; the x64 baseline build on CPUs without AVX2),
# downloads the binary, the systemd unit and the uninstaller, verifies them against
# SHA256SUMS, installs atomically, creates the system user "edgelb", writes a commented
# /etc/edgelb/config.yaml only if there is none, and enables and (re)starts the service
# where systemd runs. Running it again upgrades, keeping the config and the state.
#
# Environment:
#   EDGELB_VERSION       release to install (default: latest)
#   EDGELB_DOWNLOAD_URL  where the release files are (default: the GitHub release)
#   EDGELB_BIN_DIR       where the binary goes (default: /usr/local/bin)
#   EDGELB_SKIP_START    non-empty: do not enable or start the service, print the next steps
#   EDGELB_ROOT          install below this folder instead of / (tests, image builds)
#   EDGELB_CPUINFO       file read for the AVX2 check (default: /proc/cpuinfo)
set -eu

say() {
  printf 'edgelb install: %s\n' "$*" >&2
}

fail() {
  printf 'edgelb install: %s\n' "$*" >&2
  exit 1
}

download() { # url file
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1" </dev/null
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" </dev/null
  else
    fail "neither curl nor wget is installed; install one of them and run the installer again."
  fi
}

sha256() { # file -> hex digest
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is installed, so the download cannot be verified."
  fi
}

verify() { # name (file in $tmp; its line in $tmp/SHA256SUMS)
  expected=$(awk -v f="$1" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
  [ -n "$expected" ] || fail "SHA256SUMS from $url has no entry for $1; refusing to install."
  actual=$(sha256 "$tmp/$1")
  [ "$actual" = "$expected" ] ||
    fail "checksum mismatch for $1 from $url (expected $expected, got $actual); nothing was installed."
}

detect_target() {
  os=$(uname -s)
  [ "$os" = Linux ] || fail "edgelb runs on Linux only, not on $os."
  machine=$(uname -m)
  case "$machine" in
    x86_64 | amd64)
      target=linux-x64
      if ! grep -qw avx2 "${EDGELB_CPUINFO:-/proc/cpuinfo}" 2>/dev/null; then
        target=linux-x64-baseline
      fi
      ;;
    aarch64 | arm64) target=linux-arm64 ;;
    armv6* | armv7* | armv8l | armhf | arm)
      fail "this is a 32-bit ARM system ($machine); edgelb needs a 64-bit OS (for a Raspberry Pi: Raspberry Pi OS 64-bit or Ubuntu arm64)."
      ;;
    *) fail "the architecture $machine is not supported; edgelb runs on x86_64 and aarch64." ;;
  esac
}

group_id() { # group name -> numeric id in $root/etc/group (empty if none)
  [ -f "$root/etc/group" ] || return 0
  awk -F: -v g="$1" '$1 == g { print $3; exit }' "$root/etc/group"
}

ensure_user() {
  if [ -f "$root/etc/passwd" ] && grep -q '^edgelb:' "$root/etc/passwd"; then
    return 0
  fi
  command -v useradd >/dev/null 2>&1 || fail "useradd is not installed, so the system user edgelb cannot be created."
  nologin=/usr/sbin/nologin
  [ -x "$root$nologin" ] || nologin=/bin/false
  if [ -n "$root" ]; then
    [ -f "$root/etc/passwd" ] || {
      say "no $root/etc/passwd: not creating the system user edgelb in the install root."
      return 0
    }
    useradd --root "$root" --system --user-group --no-create-home --home-dir /var/lib/edgelb \
      --shell "$nologin" --comment 'edgelb LoadBalancer agent' edgelb </dev/null ||
      fail "could not create the system user edgelb in $root."
  else
    useradd --system --user-group --no-create-home --home-dir /var/lib/edgelb \
      --shell "$nologin" --comment 'edgelb LoadBalancer agent' edgelb </dev/null ||
      fail "could not create the system user edgelb."
  fi
  say "created the system user edgelb."
}

write_config_template() { # path
  cat >"$1" <<'EOF'
# edgelb node configuration. Every setting is commented out: the defaults apply.
# Check it with: edgelb check-config --config /etc/edgelb/config.yaml
#
# nodeName: ""            # default: the hostname; must equal the Kubernetes Node name
# source: kubernetes      # or "files": standalone, no cluster
# kubernetes:
#   kubeconfig: /etc/edgelb/kubeconfig   # default: $KUBECONFIG, then in-cluster
#   leaderElection: {namespace: kube-system, leaseName: edgelb, leaseDurationSeconds: 15}
#   loadBalancerClass: edgelb.io/bgp
#   claimServicesWithoutClass: true
# files:                  # source: files
#   manifests: /etc/edgelb/manifests.d
#   state: /var/lib/edgelb/state.json
#   nodeLabels: {}
# bgp:
#   routerId: ""          # default: the node's first IPv4 address
#   listenPort: 0         # 0: dial out only; 179 also accepts sessions from configured peers
#   shutdown: withdraw    # or "keep" (graceful restart through upgrades)
# http:
#   listen: 127.0.0.1:9180
# log: {level: info, format: json}
EOF
}

main() {
  umask 022
  root="${EDGELB_ROOT:-}"
  root="${root%/}"
  version="${EDGELB_VERSION:-latest}"
  bin_dir="${EDGELB_BIN_DIR:-/usr/local/bin}"
  case "$bin_dir" in
    /*) ;;
    *) fail "EDGELB_BIN_DIR must be an absolute path, got \"$bin_dir\"." ;;
  esac
  if [ -n "${EDGELB_DOWNLOAD_URL:-}" ]; then
    url="${EDGELB_DOWNLOAD_URL%/}"
  elif [ "$version" = latest ]; then
    url=https://github.com/edgelb/edgelb/releases/latest/download
  else
    url="https://github.com/edgelb/edgelb/releases/download/v${version#v}"
  fi
  if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then
    fail "run the installer as root (for example: curl -sfL $url/install.sh | sudo sh -)."
  fi

  detect_target
  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t edgelb)
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 130' INT TERM

  # Everything is downloaded and verified before anything on the system changes.
  say "downloading edgelb-$target from $url"
  download "$url/SHA256SUMS" "$tmp/SHA256SUMS" || fail "could not download $url/SHA256SUMS."
  for f in "edgelb-$target" edgelb.service edgelb-uninstall.sh; do
    download "$url/$f" "$tmp/$f" || fail "could not download $url/$f."
    verify "$f"
  done
  chmod 0755 "$tmp/edgelb-$target"
  new_version=$("$tmp/edgelb-$target" version </dev/null 2>/dev/null) ||
    fail "the downloaded edgelb-$target does not run on this machine; nothing was installed."
  if [ "$version" != latest ]; then
    case "$new_version" in
      "edgelb ${version#v} "* | "edgelb ${version#v}") ;;
      *) fail "asked for version $version but the download is \"$new_version\"; nothing was installed." ;;
    esac
  fi

  bin="$root$bin_dir/edgelb"
  unit="$root/etc/systemd/system/edgelb.service"
  conf_dir="$root/etc/edgelb"
  state_dir="$root/var/lib/edgelb"
  old_version=""
  if [ -x "$bin" ]; then
    old_version=$("$bin" version </dev/null 2>/dev/null || echo "an unknown version")
  fi

  ensure_user
  gid=$(group_id edgelb)
  uid=""
  if [ -f "$root/etc/passwd" ]; then
    uid=$(awk -F: '$1 == "edgelb" { print $3; exit }' "$root/etc/passwd")
  fi

  mkdir -p "$root$bin_dir" "$root/etc/systemd/system" "$conf_dir" "$state_dir"
  chmod 0750 "$conf_dir" "$state_dir"
  if [ -n "$gid" ]; then
    chown "0:$gid" "$conf_dir"
    if [ -n "$uid" ]; then chown -R "$uid:$gid" "$state_dir"; fi
  fi
  if [ ! -e "$conf_dir/config.yaml" ]; then
    write_config_template "$tmp/config.yaml"
    chmod 0640 "$tmp/config.yaml"
    if [ -n "$gid" ]; then chown "0:$gid" "$tmp/config.yaml"; fi
    mv -f "$tmp/config.yaml" "$conf_dir/config.yaml"
    say "wrote a commented config template to /etc/edgelb/config.yaml."
  else
    say "kept the existing /etc/edgelb/config.yaml."
  fi

  # The unit and the uninstaller, then the binary: each is renamed into place atomically.
  sed "s|^ExecStart=/usr/local/bin/edgelb |ExecStart=$bin_dir/edgelb |" "$tmp/edgelb.service" >"$tmp/unit"
  chmod 0644 "$tmp/unit"
  mv -f "$tmp/unit" "$unit"
  cp "$tmp/edgelb-uninstall.sh" "$root$bin_dir/.edgelb-uninstall.sh.new"
  chmod 0755 "$root$bin_dir/.edgelb-uninstall.sh.new"
  mv -f "$root$bin_dir/.edgelb-uninstall.sh.new" "$root$bin_dir/edgelb-uninstall.sh"
  cp "$tmp/edgelb-$target" "$root$bin_dir/.edgelb.new"
  chmod 0755 "$root$bin_dir/.edgelb.new"
  mv -f "$root$bin_dir/.edgelb.new" "$bin"

  if [ -n "$old_version" ]; then
    say "upgraded $old_version to $new_version ($target) at $bin_dir/edgelb."
  else
    say "installed $new_version ($target) at $bin_dir/edgelb."
  fi

  if [ -z "${EDGELB_SKIP_START:-}" ] && [ -d "$root/run/systemd/system" ] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload </dev/null || fail "systemctl daemon-reload failed."
    systemctl enable edgelb.service </dev/null || fail "systemctl enable edgelb failed."
    systemctl restart edgelb.service </dev/null ||
      fail "edgelb did not start; see: journalctl -u edgelb (and edgelb check-config --config /etc/edgelb/config.yaml)."
    say "edgelb is running; see: systemctl status edgelb, and edgelb status."
  else
    cat >&2 <<EOF
edgelb install: next steps:
  1. edit /etc/edgelb/config.yaml (and put the kubeconfig at /etc/edgelb/kubeconfig), then
     $bin_dir/edgelb check-config --config /etc/edgelb/config.yaml
  2. systemctl daemon-reload && systemctl enable --now edgelb
  3. edgelb status
To uninstall: $bin_dir/edgelb-uninstall.sh (add --purge to delete the config and state too).
EOF
  fi
}

main "$@"
