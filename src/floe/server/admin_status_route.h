#pragma once

// GET /admin/status (admin token): per table — files, bytes, small files against the threshold,
// the size histogram, snapshots, manifests, backlog state, quarantined files — and the
// scheduler's jobs of that table with their last and next runs:
//   {"node": "...", "time": "<RFC 3339>", "tables": [{...TableHealthToJson..., "jobs": [...]}]}
// Each call also refreshes the floe_table_* gauges, so /metrics and the status agree.

#include <functional>
#include <string>

#include "floe/catalog/run_history.h"
#include "floe/catalog/table.h"
#include "floe/common/metrics_floe.h"
#include "floe/maintenance/compaction_options.h"
#include "floe/scheduler/scheduler.h"
#include "floe/server/auth.h"
#include "floe/server/router.h"

namespace floe::server {

struct StatusRouteContext {
  TableServices services;
  maintenance::CompactionOptions compaction;  // threshold and target size
  std::string node_id;
  // The jobs and their runs; may be empty (no scheduler).
  std::function<std::vector<scheduler::JobStatus>()> jobs;
  const metrics::FloeMetrics* metrics = nullptr;  // optional
  // The maintenance lease on a table, any node's: {"holder", "node_id", "acquired",
  // "expires_at", "previous_holder"} or null when free; may be empty (no "lease" field).
  std::function<nlohmann::json(const std::string& table)> lease;
};

// The status document (also what `floe status` prints).
Result<nlohmann::json> BuildStatus(const StatusRouteContext& context);

Status AddStatusRoute(Router* router, const Authenticator* auth, StatusRouteContext context);

// GET /admin/runs[?table=ns.name][&limit=N] (default 50, at most 1000): recent maintenance runs,
// newest first, each its whole report: {"runs": [...]}.
// GET /admin/history?table=ns.name[&since=24h]: the table's samples, oldest first:
// {"table", "samples": [{"time", "data_files", "small_files", "bytes", "records",
// "size_histogram"}]}. `history` must outlive the router's server.
Status AddHistoryRoutes(Router* router, const Authenticator* auth, RunHistory* history,
                        const Clock* clock);

}  // namespace floe::server
