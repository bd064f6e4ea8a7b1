#pragma once

// POST /admin/expire-snapshots, /admin/remove-orphans, /admin/retention, /admin/fsck,
// /admin/rewrite-manifests: the maintenance actions of the CLI over HTTP, with the same options
// (camelCase, as the seed's compaction bodies): {"table": "events", "dryRun": true,
// "olderThan": "7d", "retainLast": 1}, {"maxAge": "90d"}, {"repair": true},
// {"targetSizeBytes": 8388608, "minManifests": 0}. 200 with the run report; 401 without the admin
// token; 400 naming a bad field; 404 for an unknown table; 409 while another maintenance run holds
// the table (the report of fsck is 200 even when it found problems: its status says so).

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "floe/catalog/table.h"
#include "floe/common/logger.h"
#include "floe/maintenance/compaction_options.h"
#include "floe/maintenance/run_report.h"
#include "floe/scheduler/table_locks.h"
#include "floe/server/admin_request.h"
#include "floe/server/auth.h"
#include "floe/server/router.h"

namespace floe::server {

struct MaintenanceRouteContext {
  TableServices services;
  // Per-table single flight, shared with compaction and the scheduler.
  scheduler::TableLocks* locks = nullptr;
  std::string node_id;  // lock holder name
  Logger* logger = nullptr;
  // Called with each finished report (metrics, run history); may be empty.
  std::function<void(const nlohmann::json& report)> on_report;
  // POST /admin/compact: the server's compaction settings (COMPACTION_THRESHOLD, ...).
  maintenance::CompactionOptions compaction;
};

// The handler all maintenance routes share: parses the body (only `fields` and "table"), loads
// the table (404), takes its lock (409), runs `run` and answers with its report.
using MaintenanceRunFn = std::function<Result<maintenance::RunReport>(Table*, const AdminBody&)>;
Handler MaintenanceHandler(std::shared_ptr<const MaintenanceRouteContext> ctx,
                           std::set<std::string> fields, MaintenanceRunFn run);

// `auth` and everything in `context` must outlive the router's server.
Status AddMaintenanceRoutes(Router* router, const Authenticator* auth,
                            MaintenanceRouteContext context);

}  // namespace floe::server
