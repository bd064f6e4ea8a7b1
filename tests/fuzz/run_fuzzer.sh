#!/usr/bin/env bash
# run_fuzzer.sh BINARY SECONDS [--dict FILE] SEED_DIR_OR_FILE...
# Runs a libFuzzer binary for a bounded time over a scratch corpus made from the seeds, with the
# dictionary of tokens when one is given. Fails on a crash, a sanitizer report, a leak or a
# timeout of one input (libFuzzer's own exit codes).
set -euo pipefail
bin="$1"; seconds="$2"; shift 2
dict=()
if [ "${1:-}" = "--dict" ]; then dict=(-dict="$2"); shift 2; fi
if [ ! -x "$bin" ]; then echo "fuzzer $bin not built (make build-fuzz)" >&2; exit 1; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
for seed in "$@"; do
  if [ -d "$seed" ]; then
    find "$seed" -type f -size -4M -print0 | while IFS= read -r -d '' f; do
      cp "$f" "$work/corpus/$(echo "$f" | md5sum | cut -c1-16)"
    done
  elif [ -f "$seed" ]; then
    cp "$seed" "$work/corpus/"
  fi
done
echo "fuzzing $(basename "$bin") for ${seconds}s over $(ls "$work/corpus" | wc -l) seeds"
# `|| rc=$?`: under `set -e` a failing fuzzer would otherwise end the script here, before its
# crashing input is saved and printed.
rc=0
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
  "${dict[@]}" -artifact_prefix="$work/artifacts/" "$work/corpus" 2>&1 | tail -n 40 || rc=$?
if ls "$work/artifacts"/* >/dev/null 2>&1; then
  saved="${FLOE_FUZZ_ARTIFACTS:-/tmp/floe-fuzz-artifacts}"
  mkdir -p "$saved"
  cp "$work/artifacts"/* "$saved/"
  echo "crashing inputs saved in $saved" >&2
  # Also in the log, so that a CI run's failure can be replayed from its output alone:
  # base64 -d > crash; BINARY crash
  for f in "$work/artifacts"/*; do
    size=$(stat -c %s "$f")
    if [ "$size" -le 65536 ]; then
      echo "$(basename "$f") ($size bytes), base64:" >&2
    else
      echo "$(basename "$f") ($size bytes), base64 of its first 65536 bytes only:" >&2
    fi
    head -c 65536 "$f" | base64 -w 100 >&2
  done
fi
exit "$rc"
