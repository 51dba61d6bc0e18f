#!/usr/bin/env bash
# `npm test`: lint, type-check, build, then every mocha test. System packages the tests need are
# installed with apt-get when missing (and said so); nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real parts the tests run against: Mosquitto (MQTT), openssl (TLS test certificates), socat (pty
# pairs for the serial QR scanner), pcscd + vsmartcard-vpcd (virtual PC/SC reader for NFC),
# libpcsclite-dev (nfc-pcsc's native addon), gpiod (character-device GPIO tools), systemd
# (systemd-analyze scores the unit; systemd-notify), chromium (the console in a real browser,
# driven by playwright-core), gcc-avr + avr-libc + simavr + libsimavr-dev + libelf-dev (the
# firmware bridge built and run in the loop).
bash scripts/ensure-system-packages.sh \
  mosquitto mosquitto-clients openssl socat pcscd vsmartcard-vpcd libpcsclite-dev pcsc-tools gpiod \
  systemd chromium gcc-avr avr-libc simavr libsimavr-dev libelf-dev

if [ ! -d node_modules ]; then
  echo "test: node_modules missing, running npm ci"
  npm ci
fi
# nfc-pcsc is optional: when npm ci ran before libpcsclite-dev was there, npm dropped it.
if [ ! -f node_modules/@pokusew/pcsclite/build/Release/pcsclite.node ]; then
  echo "test: the PC/SC addon is missing (npm ci ran before libpcsclite-dev); running npm ci again"
  npm ci
fi

echo "== lint (biome), type-check (tsc), import cycles"
npx biome check .
npx tsc --noEmit -p tsconfig.json
node scripts/check-cycles.mjs src

echo "== build"
npm run build --silent

echo "== mocha"
log=$(mktemp)
set +e
# The spec lives here, not in .mocharc.json: mocha appends a configured spec to the files given on
# its command line, so `npx mocha test/x.test.ts` would run the whole suite.
if [ "$#" -eq 0 ]; then set -- 'test/**/*.test.ts'; fi
npx mocha --reporter spec --no-color "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
count() { { grep -Eo "^ +[0-9]+ $1" "$log" || true; } | grep -Eo '[0-9]+' | tail -1 || true; }
passed=$(count passing)
failed=$(count failing)
pending=$(count pending)
rm -f "$log"
if [ "${pending:-0}" != "0" ]; then
  echo "test: ${pending} pending (skipped) tests — the suite does not allow skips"
  status=1
fi
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
