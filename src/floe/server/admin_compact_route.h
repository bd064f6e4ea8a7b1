#pragma once

// POST /admin/compact: one compaction run over HTTP with the seed's bodies —
// {"table": "events", "force": true} and {"table": "events", "force": true, "aggressive": true,
// "targetFiles": 50} — plus "dryRun", "partition" ("ts_day=2026-01-01", comma-separated),
// "olderThan"/"newerThan" (a date, RFC 3339 or an age like "7d"), "profile" and "memoryLimitMb".
// 200 with the run report, 401 without the admin token, 400 naming a bad field, 404 for an
// unknown table, 409 while another maintenance run holds the table.

#include <memory>

#include "floe/server/admin_maintenance_routes.h"

namespace floe::server {

Status AddCompactRoute(Router* router, const Authenticator* auth,
                       std::shared_ptr<const MaintenanceRouteContext> ctx);

}  // namespace floe::server
