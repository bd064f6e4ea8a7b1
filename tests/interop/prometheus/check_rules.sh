#!/usr/bin/env bash
# deploy/prometheus/alerts.yml is valid Prometheus rule syntax (promtool check rules) and its unit
# tests pass (promtool test rules): a failed compaction fires the failure alert, a backlog the
# backlog alert, trends fire before thresholds.
set -euo pipefail
dir="${FLOE_SOURCE:?FLOE_SOURCE must name the source tree}/deploy/prometheus"
command -v promtool >/dev/null || { echo "promtool missing: run scripts/install-deps.sh" >&2; exit 1; }
promtool check rules "$dir/alerts.yml"
cd "$dir"
promtool test rules alerts_test.yml
