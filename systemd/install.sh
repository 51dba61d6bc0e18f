#!/usr/bin/env bash
# Installs, upgrades or removes jurukunci as a systemd service on Raspberry Pi OS Bookworm or
# Debian 12, with Debian's Mosquitto as the production MQTT broker. Run as root from a checkout:
#
#   sudo bash systemd/install.sh              install or upgrade in place (config and data kept)
#   sudo bash systemd/install.sh --uninstall  remove the service and the app; keep config and data
#   sudo bash systemd/install.sh --uninstall --purge   ... and delete config, data and credentials
#   options: --root DIR (install into DIR instead of /, for tests and image builds; nothing is
#            started), --no-broker (keep the broker you have: no Mosquitto setup)
#
# Idempotent: a second run changes nothing and says so. Before (re)starting the service it runs
# `jurukunci config check`; a config that does not validate leaves the running service alone.
set -euo pipefail

root=""
mode=install
purge=0
broker=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    --root=*) root=${1#--root=}; shift ;;
    --uninstall) mode=uninstall; shift ;;
    --purge) purge=1; shift ;;
    --no-broker) broker=0; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$purge" = 1 ] && [ "$mode" != uninstall ]; then
  echo "install.sh: --purge only with --uninstall" >&2
  exit 2
fi
[ -n "$root" ] || [ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
if [ -n "$root" ]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
fi
src=$(cd "$(dirname "$0")/.." && pwd)

APP="$root/opt/jurukunci"
ETC="$root/etc/jurukunci"
DATA="$root/var/lib/jurukunci"
UNIT="$root/etc/systemd/system/jurukunci.service"
MQ_CONF="$root/etc/mosquitto/conf.d/jurukunci.conf"
MQ_ACL="$root/etc/mosquitto/jurukunci.acl"
MQ_PASS="$root/etc/mosquitto/jurukunci.passwd"
changes=0
say() { echo "install.sh: $*"; }
changed() { changes=$((changes + 1)); say "$*"; }

# systemctl does nothing real under --root (no systemd manages that tree); tests put a recording
# stub first on PATH to see what would have been asked.
sysctl() {
  if [ -n "$root" ] && [ -z "${JURUKUNCI_INSTALL_SYSTEMCTL:-}" ]; then return 0; fi
  ${JURUKUNCI_INSTALL_SYSTEMCTL:-systemctl} "$@"
}

# user:group → uid:gid as $root's own passwd/group files say (chown would ask the host's).
ids() {
  local u=${1%%:*} g=${1##*:} uid gid
  uid=$(awk -F: -v n="$u" '$1==n{print $3}' "$root/etc/passwd")
  gid=$(awk -F: -v n="$g" '$1==n{print $3}' "$root/etc/group")
  echo "${uid:?no user $u in $root/etc/passwd}:${gid:?no group $g in $root/etc/group}"
}

# Writes $2 (content on stdin) to $1 with mode $3 and owner $4 only when it differs.
put() {
  local dest=$1 fmode=$2 owner=${3:-} tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$dest" ] && cmp -s "$tmp" "$dest"; then
    rm -f "$tmp"
  else
    install -D -m "$fmode" "$tmp" "$dest"
    rm -f "$tmp"
    changed "wrote ${dest#"$root"}"
  fi
  if [ -n "$owner" ] && [ "$(stat -c %u:%g "$dest")" != "$(ids "$owner")" ]; then
    chown "$(ids "$owner")" "$dest" && changed "owner of ${dest#"$root"} set to $owner"
  fi
  if [ "$(stat -c %a "$dest")" != "${fmode#0}" ]; then
    chmod "$fmode" "$dest" && changed "mode of ${dest#"$root"} set to $fmode"
  fi
}

ensure_dir() {
  local dir=$1 dmode=$2 owner=$3
  if [ ! -d "$dir" ]; then
    install -d -m "$dmode" "$dir"
    changed "created ${dir#"$root"}"
  fi
  if [ "$(stat -c %u:%g "$dir")" != "$(ids "$owner")" ]; then chown "$(ids "$owner")" "$dir" && changed "owner of ${dir#"$root"} set to $owner"; fi
  if [ "$(stat -c %a "$dir")" != "${dmode#0}" ]; then chmod "$dmode" "$dir" && changed "mode of ${dir#"$root"} set to $dmode"; fi
}

# Users and groups in $root/etc (useradd --prefix writes there without chrooting).
has_group() { grep -q "^$1:" "$root/etc/group" 2>/dev/null; }
has_user() { grep -q "^$1:" "$root/etc/passwd" 2>/dev/null; }
prefix=()
[ -n "$root" ] && prefix=(--prefix "$root")
ensure_group() { has_group "$1" || { groupadd "${prefix[@]}" --system "$1" && changed "group $1 created"; }; }
ensure_user() {
  has_user jurukunci && return 0
  useradd "${prefix[@]}" --system --gid jurukunci --groups gpio,dialout --home-dir /var/lib/jurukunci \
    --no-create-home --shell /usr/sbin/nologin jurukunci
  changed "user jurukunci created"
}

secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32; }

uninstall() {
  sysctl disable --now jurukunci.service >/dev/null 2>&1 || true
  for f in "$UNIT" "$MQ_CONF" "$MQ_ACL"; do
    if [ -e "$f" ]; then rm -f "$f" && changed "removed ${f#"$root"}"; fi
  done
  if [ -d "$APP" ]; then rm -rf "$APP" && changed "removed ${APP#"$root"}"; fi
  if [ "$purge" = 1 ]; then
    for d in "$ETC" "$DATA"; do
      if [ -e "$d" ]; then rm -rf "$d" && changed "purged ${d#"$root"}"; fi
    done
    if [ -e "$MQ_PASS" ]; then rm -f "$MQ_PASS" && changed "purged ${MQ_PASS#"$root"}"; fi
    if has_user jurukunci; then userdel "${prefix[@]}" jurukunci && changed "user jurukunci removed"; fi
  else
    say "kept ${ETC#"$root"} and ${DATA#"$root"} (add --purge to delete them)"
  fi
  sysctl daemon-reload || true
  [ -n "$root" ] || { [ "$broker" = 1 ] && sysctl try-restart mosquitto.service || true; }
}

install_app() {
  # Runtime packages: pcscd for NFC readers, gpiod for character-device GPIO, libpcsclite-dev so
  # npm ci builds nfc-pcsc's addon, Mosquitto as the broker, systemd-notify (in systemd) for
  # READY/WATCHDOG. Under --root the host's packages are not touched.
  if [ -z "$root" ]; then
    local pkgs=(pcscd libpcsclite-dev gpiod)
    [ "$broker" = 1 ] && pkgs+=(mosquitto mosquitto-clients)
    bash "$src/scripts/ensure-system-packages.sh" "${pkgs[@]}"
  fi

  ensure_group jurukunci
  ensure_group gpio
  ensure_group dialout
  ensure_user

  # The app: built in the checkout, copied, production dependencies only. Compared by a digest
  # of what would be copied, so an unchanged checkout is not reinstalled.
  if [ ! -f "$src/dist/cli/main.js" ] || [ -n "$(find "$src/src" -newer "$src/dist/cli/main.js" -name '*.ts' -print -quit)" ]; then
    say "building in $src"
    (cd "$src" && { [ -d node_modules ] || npm ci; } && npm run build --silent)
  fi
  local digest
  digest=$(cd "$src" && find dist bin config package.json package-lock.json README.md -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
  if [ "$(cat "$APP/.install-digest" 2>/dev/null)" != "$digest" ]; then
    install -d -m 0755 "$APP"
    rm -rf "$APP/dist"
    cp -a "$src/package.json" "$src/package-lock.json" "$src/dist" "$src/bin" "$src/config" "$src/README.md" "$APP/"
    (cd "$APP" && npm ci --omit=dev --no-audit --no-fund)
    echo "$digest" >"$APP/.install-digest"
    changed "app installed in ${APP#"$root"}"
  fi

  ensure_dir "$ETC" 0750 root:jurukunci
  ensure_dir "$DATA" 0700 jurukunci:jurukunci

  # The configuration: made once from the example, then the operator's. Upgrades never rewrite it.
  local cfg="$ETC/config.json"
  if [ ! -f "$cfg" ]; then
    sed 's#"dataDir": *"[^"]*"#"dataDir": "/var/lib/jurukunci"#' "$src/config/example.json" | put "$cfg" 0640 root:jurukunci
  fi

  if [ "$broker" = 1 ]; then install_broker "$cfg"; fi

  node "$APP/dist/cli/main.js" config check "$cfg" >/dev/null || {
    say "config check failed for ${cfg#"$root"}: the service was not (re)started"
    exit 1
  }

  put "$UNIT" 0644 <"$src/systemd/jurukunci.service"
  if [ "$changes" -gt 0 ]; then
    sysctl daemon-reload
    sysctl enable jurukunci.service
    sysctl restart jurukunci.service
  fi
}

# Debian's Mosquitto with no anonymous clients: the door user publishes only its own topics, a
# dashboard user reads them (and may send the door's requests, which the door checks again), and
# nobody else publishes anything. Queues and message sizes are bounded per client.
install_broker() {
  local cfg=$1 door base door_pw dash_pw
  door=$(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); process.stdout.write(c.doorId||"server-room")' "$cfg")
  base=$(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); process.stdout.write((c.mqtt&&c.mqtt.baseTopic)||"jurukunci")' "$cfg")
  put "$MQ_CONF" 0644 <<EOF
# Written by jurukunci's install.sh. Listener for the door and the central dashboard.
per_listener_settings false
allow_anonymous false
password_file /etc/mosquitto/jurukunci.passwd
acl_file /etc/mosquitto/jurukunci.acl
listener 1883
persistence true
max_queued_messages 10000
max_queued_bytes 16777216
max_inflight_messages 100
max_packet_size 262144
max_keepalive 300
EOF
  put "$MQ_ACL" 0644 <<EOF
# Written by jurukunci's install.sh.
user jurukunci-door
topic readwrite $base/$door/#
topic readwrite homeassistant/+/${base}_${door//-/_}/#
topic read homeassistant/status

user jurukunci-dashboard
topic read $base/#
topic write $base/+/request/#
EOF
  # Credentials: made once; the door's goes into the service config, the dashboard's is printed
  # once and kept for root only.
  if ! grep -q '^jurukunci-door:' "$MQ_PASS" 2>/dev/null; then
    door_pw=$(secret)
    dash_pw=$(secret)
    install -D -m 0640 /dev/null "$MQ_PASS.new"
    mosquitto_passwd -b "$MQ_PASS.new" jurukunci-door "$door_pw"
    mosquitto_passwd -b "$MQ_PASS.new" jurukunci-dashboard "$dash_pw"
    mv "$MQ_PASS.new" "$MQ_PASS"
    if has_group mosquitto; then chown "0:$(ids root:mosquitto | cut -d: -f2)" "$MQ_PASS"; fi
    changed "broker users jurukunci-door and jurukunci-dashboard created"
    node -e '
      const fs = require("fs"); const [file, pw] = process.argv.slice(1);
      const c = JSON.parse(fs.readFileSync(file, "utf8"));
      c.mqtt = { ...(c.mqtt || {}), enabled: true, url: "mqtt://127.0.0.1:1883", username: "jurukunci-door", password: pw };
      fs.writeFileSync(file, JSON.stringify(c, null, 2) + "\n");' "$cfg" "$door_pw"
    changed "service config points at the local Mosquitto as jurukunci-door"
    printf 'dashboard user: jurukunci-dashboard\npassword: %s\n' "$dash_pw" | put "$ETC/dashboard-mqtt.txt" 0600 root:root
    say "dashboard credentials (shown once, kept in /etc/jurukunci/dashboard-mqtt.txt): jurukunci-dashboard / $dash_pw"
  fi
  if [ "$changes" -gt 0 ]; then sysctl restart mosquitto.service || true; fi
}

if [ "$mode" = uninstall ]; then uninstall; else install_app; fi
if [ "$changes" -eq 0 ]; then
  say "nothing to change: already installed and up to date"
else
  say "done ($changes changes)"
  if [ "$mode" = install ]; then
    say "first superadmin: stop the service, then"
    say "  sudo -u jurukunci JURUKUNCI_CONFIG=/etc/jurukunci/config.json node /opt/jurukunci/dist/cli/main.js user add --role superadmin --username NAME --name 'Full Name'"
    say "or use the setup token printed in: journalctl -u jurukunci"
  fi
fi
