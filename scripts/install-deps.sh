#!/usr/bin/env bash
# Installs every Debian package floe's build, tests and benchmarks use, then the test oracle
# (../shared/oracle copied into the build folder, `npm ci` there). Idempotent: a second run
# installs nothing and only re-runs `npm ci` when the oracle's lock file changed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
SHARED_DIR="${SHARED_DIR:-$ROOT/../shared}"

PACKAGES=(
  # toolchain
  g++ cmake ninja-build make pkg-config clang libclang-rt-14-dev lld git
  # libraries floe links
  libzstd-dev libsnappy-dev liblz4-dev zlib1g-dev libxxhash-dev
  nlohmann-json3-dev libsimdjson-dev libboost-dev libtomlplusplus-dev
  libsqlite3-dev libpq-dev libssl-dev libcurl4-openssl-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-avro avro-bin sqlite3 postgresql
  prometheus  # promtool: checks /metrics text and deploy/prometheus rules (the service is not used)
  python3-prometheus-client  # an independent parser of /metrics (tests/interop/observe)
  chromium  # headless, driven by playwright-core in the dashboard's browser test (tests/interop/ui)
)
# Node.js runs only the test oracle; a machine that already has node and npm (from any source)
# keeps them, since Debian's npm conflicts with other Node.js builds.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# The oracle: independent Parquet/Avro/Iceberg readers, used only by tests and benchmarks.
if [ -d "$SHARED_DIR/oracle" ]; then
  mkdir -p "$BUILD_DIR"
  if [ ! -f "$BUILD_DIR/oracle/node_modules/.floe-lock" ] ||
     ! cmp -s "$SHARED_DIR/oracle/package-lock.json" "$BUILD_DIR/oracle/node_modules/.floe-lock"; then
    echo "install-deps: installing the oracle into $BUILD_DIR/oracle"
    rm -rf "$BUILD_DIR/oracle"
    cp -r "$SHARED_DIR/oracle" "$BUILD_DIR/oracle"
    chmod -R u+w "$BUILD_DIR/oracle"
    (cd "$BUILD_DIR/oracle" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$SHARED_DIR/oracle/package-lock.json" "$BUILD_DIR/oracle/node_modules/.floe-lock"
  fi
else
  echo "install-deps: warning: $SHARED_DIR/oracle not found; interop tests will fail" >&2
fi
# The dashboard's browser test: playwright-core from npm (its lock file in tests/interop/ui) in
# the build folder; the browser is Debian's chromium above.
bash "$ROOT/tests/interop/ui/install.sh" "$BUILD_DIR"
