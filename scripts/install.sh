#!/bin/sh
# edgelb installer: curl -sfL <download-url>/install.sh | sh -
#
# Detects the architecture (x86_64, aarch64; the x64 baseline build on CPUs without AVX2),
# downloads the binary (the .xz one when xz is installed), the systemd unit and the
# uninstaller, verifies them against SHA256SUMS, installs atomically, creates the system
# user "edgelb", writes /etc/edgelb/config.yaml only if there is none, and enables and
# (re)starts the service where systemd runs and the config can run; otherwise it starts
# nothing and prints the one next step. Running it again upgrades, keeping the config and
# the state.
#
# Settings (k3s-style: curl -sfL URL/install.sh | EDGELB_KUBECONFIG=/path EDGELB_NODE_NAME=pi4 sh -):
#   EDGELB_KUBECONFIG    a kubeconfig for this node (from "edgelb kubeconfig"): installed as
#                        /etc/edgelb/kubeconfig (0640 root:edgelb)
#   EDGELB_NODE_NAME     nodeName in a new config (default: the hostname)
#   EDGELB_SOURCE        "files" for a node without a cluster (manifests in /etc/edgelb/manifests.d)
#
# Environment:
#   EDGELB_VERSION       release to install (default: latest)
#   EDGELB_DOWNLOAD_URL  where the release files are (default: the GitHub release)
#   EDGELB_BIN_DIR       where the binary goes (default: /usr/local/bin)
#   EDGELB_SKIP_START    non-empty: do not enable or start the service, print the next steps
#   EDGELB_ROOT          install below this folder instead of / (tests, image builds)
#   EDGELB_CPUINFO       file read for the AVX2 check (default: /proc/cpuinfo)
set -eu

node_kubeconfig=/etc/edgelb/kubeconfig

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

expected_sum() { # name -> its digest in $tmp/SHA256SUMS (empty if none)
  awk -v f="$1" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS"
}

verify() { # name (file in $tmp; its line in $tmp/SHA256SUMS)
  expected=$(expected_sum "$1")
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

check_settings() {
  case "${EDGELB_SOURCE:-}" in
    "" | kubernetes | files) ;;
    *) fail "EDGELB_SOURCE must be \"kubernetes\" or \"files\", got \"$EDGELB_SOURCE\"." ;;
  esac
  if [ -n "${EDGELB_NODE_NAME:-}" ]; then
    printf '%s' "$EDGELB_NODE_NAME" | grep -Eq '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' ||
      fail "EDGELB_NODE_NAME must be a Kubernetes node name (lowercase letters, digits, \"-\" and \".\"), got \"$EDGELB_NODE_NAME\"."
  fi
  if [ -n "${EDGELB_KUBECONFIG:-}" ]; then
    if [ ! -f "$EDGELB_KUBECONFIG" ] || [ ! -r "$EDGELB_KUBECONFIG" ]; then
      fail "EDGELB_KUBECONFIG=$EDGELB_KUBECONFIG is not a readable file; nothing was installed."
    fi
    grep -q 'server:' "$EDGELB_KUBECONFIG" ||
      fail "EDGELB_KUBECONFIG=$EDGELB_KUBECONFIG does not look like a kubeconfig (no server:); nothing was installed."
  fi
}

write_config() { # path: the settings given, everything else commented
  {
    echo '# edgelb node configuration, written by the installer. Check it with:'
    echo '#   edgelb doctor --config /etc/edgelb/config.yaml --online'
    if [ -n "${EDGELB_NODE_NAME:-}" ]; then echo "nodeName: $EDGELB_NODE_NAME"; fi
    if [ "${EDGELB_SOURCE:-}" = files ]; then
      echo 'source: files'
      echo 'files:'
      echo '  manifests: /etc/edgelb/manifests.d'
    else
      echo 'source: kubernetes'
      if [ -n "${EDGELB_KUBECONFIG:-}" ]; then
        echo 'kubernetes:'
        echo "  kubeconfig: $node_kubeconfig"
      fi
    fi
  } >"$1"
  write_config_template "$tmp/template"
  sed -n '/^# bgp:/,$p' "$tmp/template" >>"$1"
}

config_value() { # key -> the first uncommented "key: value" of the config (indentation ignored)
  sed -n "s/^ *$1: *\([^ #]*\).*/\1/p" "$conf_dir/config.yaml" | head -n 1
}

# The service can run when the config is files mode or a kubeconfig it names (or the
# node kubeconfig the search order finds) exists; $KUBECONFIG and ~/.kube/config do not
# apply to the service.
can_run() {
  [ "$(config_value source)" = files ] && return 0
  named=$(config_value kubeconfig)
  if [ -n "$named" ]; then
    [ -f "$root$named" ]
    return
  fi
  [ -f "$root$node_kubeconfig" ]
}

install_kubeconfig() {
  [ -n "${EDGELB_KUBECONFIG:-}" ] || return 0
  cp "$EDGELB_KUBECONFIG" "$conf_dir/.kubeconfig.new"
  chmod 0640 "$conf_dir/.kubeconfig.new"
  if [ -n "$gid" ]; then chown "0:$gid" "$conf_dir/.kubeconfig.new"; fi
  mv -f "$conf_dir/.kubeconfig.new" "$root$node_kubeconfig"
  say "installed $EDGELB_KUBECONFIG as $node_kubeconfig."
}

print_next_steps() {
  step=1
  echo "edgelb install: next steps:" >&2
  if ! can_run; then
    cat >&2 <<EOF
  $step. this node needs a kubeconfig: where kubectl works, run
       edgelb kubeconfig --server https://<api-server>:6443 -o edgelb-node.kubeconfig
     copy edgelb-node.kubeconfig here and run the installer again with
     EDGELB_KUBECONFIG=/path/to/edgelb-node.kubeconfig (or EDGELB_SOURCE=files without a cluster)
EOF
    step=$((step + 1))
  fi
  cat >&2 <<EOF
  $step. $bin_dir/edgelb check-config --config /etc/edgelb/config.yaml
     and $bin_dir/edgelb doctor --online
  $((step + 1)). systemctl daemon-reload && systemctl enable --now edgelb
  $((step + 2)). edgelb status
To uninstall: $bin_dir/edgelb-uninstall.sh (add --purge to delete the config and state too).
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

  check_settings
  detect_target
  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t edgelb)
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 130' INT TERM

  # Everything is downloaded and verified before anything on the system changes.
  download "$url/SHA256SUMS" "$tmp/SHA256SUMS" || fail "could not download $url/SHA256SUMS."
  # The .xz binary is a third of the size; it needs xz, which minimal images may lack.
  if command -v xz >/dev/null 2>&1 && [ -n "$(expected_sum "edgelb-$target.xz")" ]; then
    say "downloading edgelb-$target.xz from $url"
    download "$url/edgelb-$target.xz" "$tmp/edgelb-$target.xz" || fail "could not download $url/edgelb-$target.xz."
    verify "edgelb-$target.xz"
    xz -dc "$tmp/edgelb-$target.xz" >"$tmp/edgelb-$target" ||
      fail "could not decompress edgelb-$target.xz; nothing was installed."
  else
    say "downloading edgelb-$target from $url"
    download "$url/edgelb-$target" "$tmp/edgelb-$target" || fail "could not download $url/edgelb-$target."
  fi
  verify "edgelb-$target"
  for f in edgelb.service edgelb-uninstall.sh; do
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
  install_kubeconfig
  if [ ! -e "$conf_dir/config.yaml" ]; then
    if [ -n "${EDGELB_KUBECONFIG:-}${EDGELB_NODE_NAME:-}${EDGELB_SOURCE:-}" ]; then
      write_config "$tmp/config.yaml"
      what="the config (${EDGELB_NODE_NAME:+nodeName $EDGELB_NODE_NAME, }source ${EDGELB_SOURCE:-kubernetes})"
    else
      write_config_template "$tmp/config.yaml"
      what="a commented config template"
    fi
    chmod 0640 "$tmp/config.yaml"
    if [ -n "$gid" ]; then chown "0:$gid" "$tmp/config.yaml"; fi
    mv -f "$tmp/config.yaml" "$conf_dir/config.yaml"
    say "wrote $what to /etc/edgelb/config.yaml."
  else
    say "kept the existing /etc/edgelb/config.yaml."
    if [ -n "${EDGELB_NODE_NAME:-}${EDGELB_SOURCE:-}" ]; then
      say "EDGELB_NODE_NAME and EDGELB_SOURCE apply to a new config only; edit /etc/edgelb/config.yaml to change them."
    fi
  fi
  if [ "$(config_value source)" = files ] && [ ! -d "$conf_dir/manifests.d" ]; then
    mkdir -p "$conf_dir/manifests.d"
    chmod 0750 "$conf_dir/manifests.d"
    if [ -n "$gid" ]; then chown "0:$gid" "$conf_dir/manifests.d"; fi
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

  if [ -n "${EDGELB_SKIP_START:-}" ] || [ ! -d "$root/run/systemd/system" ] || ! command -v systemctl >/dev/null 2>&1; then
    print_next_steps
  elif ! can_run; then
    # A service that cannot run would only fail: enable nothing, say the one thing missing.
    systemctl daemon-reload </dev/null || fail "systemctl daemon-reload failed."
    cat >&2 <<EOF
edgelb install: not started: this node has no kubeconfig. Next step: where kubectl works, run
  edgelb kubeconfig --server https://<api-server>:6443 -o edgelb-node.kubeconfig
then copy that file here and run the installer again with EDGELB_KUBECONFIG=/path/to/edgelb-node.kubeconfig
(or EDGELB_SOURCE=files for a node without a cluster).
EOF
  else
    systemctl daemon-reload </dev/null || fail "systemctl daemon-reload failed."
    systemctl enable edgelb.service </dev/null || fail "systemctl enable edgelb failed."
    systemctl restart edgelb.service </dev/null ||
      fail "edgelb did not start; see: journalctl -u edgelb (and edgelb doctor --config /etc/edgelb/config.yaml)."
    say "edgelb is running; see: systemctl status edgelb, edgelb status, and edgelb doctor --online."
  fi
}

main "$@"
