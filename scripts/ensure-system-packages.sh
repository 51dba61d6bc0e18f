#!/usr/bin/env bash
# Installs whichever of the given Debian packages are missing, saying what it installs.
# Usage: scripts/ensure-system-packages.sh mosquitto mosquitto-clients openssl
set -euo pipefail
missing=()
for pkg in "$@"; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    echo "ensure-system-packages: $pkg already installed"
  else
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "ensure-system-packages: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
echo "ensure-system-packages: installed ${missing[*]}"
