#!/usr/bin/env bash
# The Debian packages the tests and a 3Node need (containers, loop filesystems, overlays, networks;
# chromium for the explorer web page's browser test).
# Installs only what is missing; `apt-get update` first, as a fresh machine's lists are empty.
set -euo pipefail
APT_PACKAGES="runc busybox-static e2fsprogs util-linux iproute2 zstd wireguard-tools wireguard-go yggdrasil curl chromium haproxy pebble openssl"
missing=()
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
