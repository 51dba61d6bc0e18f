#!/usr/bin/env bash
# Installs jurukunci as a systemd service on Raspberry Pi OS / Debian. Run as root from a checkout:
#   sudo bash systemd/install.sh
# Copies the built app to /opt/jurukunci, creates the jurukunci user, /etc/jurukunci/config.json
# (from config/example.json, data in /var/lib/jurukunci) and enables the unit.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
src=$(cd "$(dirname "$0")/.." && pwd)

# Runtime packages: pcscd for NFC readers, gpiod for the character-device GPIO driver, and
# libpcsclite-dev so npm ci can build nfc-pcsc's addon (an optional dependency otherwise skipped).
bash "$src/scripts/ensure-system-packages.sh" pcscd libpcsclite-dev gpiod

getent group gpio >/dev/null || groupadd --system gpio
id jurukunci >/dev/null 2>&1 || useradd --system --home /var/lib/jurukunci --shell /usr/sbin/nologin jurukunci

echo "building in $src"
(cd "$src" && npm ci && npm run build)

install -d -m 0755 /opt/jurukunci
cp -a "$src/package.json" "$src/package-lock.json" "$src/dist" "$src/bin" "$src/config" "$src/README.md" /opt/jurukunci/
(cd /opt/jurukunci && npm ci --omit=dev)

install -d -m 0750 -o root -g jurukunci /etc/jurukunci
if [ ! -f /etc/jurukunci/config.json ]; then
  sed 's#"dataDir": *"[^"]*"#"dataDir": "/var/lib/jurukunci"#' "$src/config/example.json" > /etc/jurukunci/config.json
  chmod 0640 /etc/jurukunci/config.json
  chgrp jurukunci /etc/jurukunci/config.json
fi
node /opt/jurukunci/dist/cli/main.js config check /etc/jurukunci/config.json

install -d -m 0700 -o jurukunci -g jurukunci /var/lib/jurukunci
install -m 0644 "$src/systemd/jurukunci.service" /etc/systemd/system/jurukunci.service
systemctl daemon-reload
systemctl enable --now jurukunci.service
echo "installed. First superadmin:"
echo "  sudo -u jurukunci JURUKUNCI_CONFIG=/etc/jurukunci/config.json node /opt/jurukunci/dist/cli/main.js user add --role superadmin --username NAME --name 'Full Name'"
echo "(stop the service first, or use the setup token printed in: journalctl -u jurukunci)"
