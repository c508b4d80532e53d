#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, and cargo-deb (the
# package test, tests/package.rs). Safe to run twice. Needs root (or sudo) only
# when a Debian package is missing.
set -euo pipefail

# systemd: systemd-analyze, systemd-sysusers and systemd-tmpfiles check the
# unit files (tests/service.rs); procps: kill(1), which the tests signal with;
# dpkg-dev: dpkg-shlibdeps, with which cargo-deb works out the package's Depends;
# chromium and chromium-driver: the dashboard test drives the page in a real browser;
# mosquitto: the MQTT broker tests/mqtt.rs runs (with its mosquitto_passwd); openssl:
# the certificates of its TLS test.
packages=(pkg-config libdbus-1-dev dbus-daemon dbus-bin systemd procps dpkg-dev chromium chromium-driver mosquitto openssl)
cargo_deb_version=3.8.0

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb ${cargo_deb_version}" ]; then
  echo "installing: cargo-deb ${cargo_deb_version}" >&2
  cargo install cargo-deb --locked --version "${cargo_deb_version}"
fi
