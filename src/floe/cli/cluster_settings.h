#pragma once

// What lets several `floe serve` nodes share one catalog (docs/operations.md, "Running many
// nodes"): table leases in the catalog database, and the REST catalog's OAuth2 clients.
//
// Settings: --lease-ttl (FLOE_LEASE_TTL, [cluster] lease_ttl; default 60s, 1s..1h);
// FLOE_CATALOG_CLIENTS and FLOE_CATALOG_READ_CLIENTS ("id:secret,...", environment or config
// file only: secrets have no flag); --catalog-token-ttl (FLOE_CATALOG_TOKEN_TTL; default 1h,
// 1m..24h).

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "floe/cli/settings.h"
#include "floe/cli/warehouse.h"
#include "floe/common/clock.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/scheduler/lease_table_locks.h"
#include "floe/scheduler/table_locks.h"
#include "floe/server/rest_oauth.h"

namespace floe::cli {

struct ClusterSettings {
  int64_t lease_ttl_ms = 60'000;
  std::vector<server::OAuthClient> catalog_clients;  // read-write and read-only
  int64_t catalog_token_ttl_ms = 3'600'000;
};

// Reads and checks the settings (nothing is opened); errors name the setting.
Result<ClusterSettings> ClusterSettingsFrom(const Settings& settings);

// The table leases of node `node_id` on the warehouse's catalog database (its own connection),
// with leases of this node's earlier, dead process released and the heartbeat started.
Result<std::unique_ptr<scheduler::LeaseTableLocks>> OpenTableLeases(const ClusterSettings& cluster,
                                                                    const Warehouse& warehouse,
                                                                    const std::string& node_id,
                                                                    const Clock* clock,
                                                                    Logger* logger);

// For GET /admin/status: the lease on a table as JSON, null when free (or unreadable: logged).
std::function<nlohmann::json(const std::string& table)> LeaseStatus(
    scheduler::LeaseTableLocks* leases, Logger* logger);

// Exit status of a CLI maintenance command whose table's lease another run holds (docs/cli.md).
inline constexpr int kExitBusy = 3;

// The table's lease held by a CLI maintenance command for its run, so it never overlaps a node's
// run or another command's: node "cli:<hostname>:<pid>", holder "<node> <command>", floe serve's
// lease TTL, renewed by the heartbeat, released when this is destroyed. Empty when not taken.
struct CliTableLease {
  std::unique_ptr<scheduler::LeaseTableLocks> leases;
  std::optional<scheduler::TableLockGuard> guard;  // released before `leases` closes
};

// Takes the lease of `table` on the warehouse's catalog database when `writes` (a dry run changes
// nothing and takes none). kConflict naming the holder and its expiry when another run holds it;
// the lease of a command of this host whose process is gone is released first.
Result<CliTableLease> TakeCliTableLease(const Settings& settings, const Warehouse& warehouse,
                                        const TableIdentifier& table, std::string_view command,
                                        bool writes, const CliContext& ctx, Logger* logger);

// ReportError for TakeCliTableLease's errors: a held lease exits kExitBusy, nothing done.
int ReportLeaseError(const CliContext& ctx, std::string_view command, const Status& status);

}  // namespace floe::cli
