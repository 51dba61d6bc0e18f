#!/usr/bin/env bash
# `npm test`: lint, type-check, build, then every mocha test. System packages the tests need are
# installed with apt-get when missing (and said so); nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  echo "test: node_modules missing, running npm ci"
  npm ci
fi

echo "== lint (biome) and type-check (tsc)"
npx biome check .
npx tsc --noEmit -p tsconfig.json

echo "== build"
npm run build --silent

echo "== mocha"
log=$(mktemp)
set +e
npx mocha --reporter spec "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^ +[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1)
failed=$(grep -Eo '^ +[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1)
pending=$(grep -Eo '^ +[0-9]+ pending' "$log" | grep -Eo '[0-9]+' | tail -1)
rm -f "$log"
if [ "${pending:-0}" != "0" ]; then
  echo "test: ${pending} pending (skipped) tests — the suite does not allow skips"
  status=1
fi
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
