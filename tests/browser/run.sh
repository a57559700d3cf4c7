#!/usr/bin/env bash
# The page of `mtus serve` (tests/browser/page.mjs) and the rule book of
# `mtus doc` (tests/browser/book.mjs) in a real headless browser.
# Installs Debian's chromium and npm's playwright-core (into the git-ignored
# tests/browser/node_modules) when missing. When either cannot be installed
# it prints a SKIPPED line and exits 0; once the browser is there, any
# failure exits non-zero. Screenshots go to target/browser/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/target/browser
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PLAYWRIGHT_VERSION=1.65.2
AXE_VERSION=4.14.1
BIN=${CARGO_TARGET_DIR:-target}/debug/mtus
mkdir -p "$OUT"
rm -f "$OUT"/*.png

if [ ! -x "$CHROMIUM" ]; then
  if ! { apt-get update && apt-get install -y chromium; } >"$OUT/apt.log" 2>&1 || [ ! -x "$CHROMIUM" ]; then
    echo "SKIPPED: browser test: chromium could not be installed (see target/browser/apt.log)"
    exit 0
  fi
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIPPED: browser test: node and npm are not installed"
  exit 0
fi
if [ ! -f tests/browser/node_modules/playwright-core/package.json ] || [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  if ! npm install --prefix tests/browser --no-save --no-audit --no-fund \
      "playwright-core@$PLAYWRIGHT_VERSION" "axe-core@$AXE_VERSION" >"$OUT/npm.log" 2>&1; then
    echo "SKIPPED: browser test: playwright-core or axe-core could not be installed (see target/browser/npm.log)"
    exit 0
  fi
fi

cargo build --locked --quiet
LOG=$OUT/serve.log
"$BIN" serve --port 0 >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
URL=
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^mtus serve: listening on //p' "$LOG" | head -n 1)
  [ -n "$URL" ] && break
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "FAILED: mtus serve did not start:"
  cat "$LOG"
  exit 1
fi
echo "browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) against $URL"
STATUS=0
node tests/browser/page.mjs "$URL" "$OUT" "$CHROMIUM" || STATUS=1

# The rule book: written afresh, then read page by page.
rm -rf "$OUT/book"
if ! "$BIN" doc --out "$OUT/book" --date 2019-06-01 >"$OUT/doc.log" 2>&1; then
  echo "FAILED: mtus doc did not write the book:"
  cat "$OUT/doc.log"
  exit 1
fi
echo "browser: the rule book in $OUT/book"
node tests/browser/book.mjs "$OUT/book" "$OUT" "$CHROMIUM" || STATUS=1
exit $STATUS
