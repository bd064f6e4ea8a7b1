#!/usr/bin/env bash
# Installs the browser test's npm packages (playwright-core; package.json and package-lock.json
# beside this script) into BUILD_DIR/ui-test the way scripts/install-deps.sh installs the oracle:
# copied, `npm ci`, and redone only when the lock file changed. Chromium itself is Debian's.
#   tests/interop/ui/install.sh BUILD_DIR
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="${1:?usage: install.sh BUILD_DIR}/ui-test"
if [ -f "$DEST/node_modules/.floe-lock" ] && cmp -s "$HERE/package-lock.json" "$DEST/node_modules/.floe-lock"; then
  exit 0
fi
echo "ui-test: installing playwright-core into $DEST"
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$HERE/package.json" "$HERE/package-lock.json" "$DEST/"
(cd "$DEST" && npm ci --no-audit --no-fund --loglevel=error)
cp "$HERE/package-lock.json" "$DEST/node_modules/.floe-lock"
