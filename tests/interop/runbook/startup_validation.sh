#!/bin/bash
# Issue 6: a setting out of range or malformed stops `floe serve` at start-up (exit 2) with a
# message naming the setting, its value and what is allowed — before anything listens.
set -u
: "${FLOE_BIN:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/floe-startup-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
expect() {  # expect "what" "needle in stderr" env... -- args...
  local what=$1 needle=$2; shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  out=$(env "${envs[@]}" timeout 20 "$FLOE_BIN" serve --warehouse "$work/wh" --state-dir "$work/st" \
        --listen 127.0.0.1:0 "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" != 2 ] || [[ "$out" != *"$needle"* ]]; then
    echo "FAIL $what: exit $rc, output: $out"
    failures=$((failures + 1))
  else
    echo "ok $what: ${out:0:160}"
  fi
}
expect "target file size under 8 MB" 'TARGET_FILE_SIZE_MB = "4"' TARGET_FILE_SIZE_MB=4 --
expect "target file size over 4096 MB" "allowed 8..4096" TARGET_FILE_SIZE_MB=5000 --
expect "threshold below 2" 'COMPACTION_THRESHOLD = "1"' COMPACTION_THRESHOLD=1 --
expect "threshold not a number" "not an integer" COMPACTION_THRESHOLD=many --
expect "unknown profile" "fast" FLOE_COMPACTION_PROFILE=fast --
printf '[schedule]\ncompact-daily = "0 2 * * 8"\n' > bad-cron.toml
expect "cron out of range, position shown" "column 9" X=1 -- --config bad-cron.toml
printf '[schedule]\ncompact-nightly = "0 2 * * *"\n' > bad-job.toml
expect "unknown scheduled job" "compact-nightly" X=1 -- --config bad-job.toml
printf 'warehouse = \n' > broken.toml
expect "malformed config file" "broken.toml line 1" X=1 -- --config broken.toml
expect "bad listen address" "--listen" X=1 -- --listen nowhere
[ -e "$work/st/wal" ] && { echo "FAIL: a WAL was created despite bad settings"; failures=$((failures + 1)); }
[ "$failures" = 0 ] && echo PASS || exit 1
