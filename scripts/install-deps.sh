#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. Safe to run twice.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

# systemd: systemd-analyze, systemd-sysusers and systemd-tmpfiles check the
# unit files (tests/service.rs); procps: kill(1), which the tests signal with.
packages=(pkg-config libdbus-1-dev dbus-daemon dbus-bin systemd procps)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
