#include "floe/cli/cluster_settings.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ostream>

namespace floe::cli {
namespace {

constexpr Setting kLeaseTtlSetting{"lease-ttl", "FLOE_LEASE_TTL", "cluster.lease_ttl"};
constexpr Setting kCatalogClientsSetting{"", "FLOE_CATALOG_CLIENTS", "catalog_clients"};
constexpr Setting kCatalogReadClientsSetting{"", "FLOE_CATALOG_READ_CLIENTS",
                                             "catalog_read_clients"};
constexpr Setting kCatalogTokenTtlSetting{"catalog-token-ttl", "FLOE_CATALOG_TOKEN_TTL",
                                          "catalog_token_ttl"};

}  // namespace

Result<ClusterSettings> ClusterSettingsFrom(const Settings& settings) {
  ClusterSettings c;
  FLOE_ASSIGN_OR_RETURN(c.lease_ttl_ms,
                        settings.DurationMs(kLeaseTtlSetting, 60'000, 1'000, 3'600'000));
  FLOE_ASSIGN_OR_RETURN(c.catalog_token_ttl_ms, settings.DurationMs(kCatalogTokenTtlSetting,
                                                                    3'600'000, 60'000, 86'400'000));
  FLOE_ASSIGN_OR_RETURN(c.catalog_clients,
                        server::ParseOAuthClients(settings.GetOr(kCatalogClientsSetting, ""), false,
                                                  Settings::Describe(kCatalogClientsSetting)));
  FLOE_ASSIGN_OR_RETURN(
      std::vector<server::OAuthClient> readers,
      server::ParseOAuthClients(settings.GetOr(kCatalogReadClientsSetting, ""), true,
                                Settings::Describe(kCatalogReadClientsSetting)));
  c.catalog_clients.insert(c.catalog_clients.end(), readers.begin(), readers.end());
  return c;
}

Result<std::unique_ptr<scheduler::LeaseTableLocks>> OpenTableLeases(const ClusterSettings& cluster,
                                                                    const Warehouse& warehouse,
                                                                    const std::string& node_id,
                                                                    const Clock* clock,
                                                                    Logger* logger) {
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<CatalogStore> store,
                        OpenCatalogStore(warehouse.catalog_uri()));
  scheduler::LeaseOptions options;
  options.catalog_name = warehouse.catalog()->name();
  options.node_id = node_id;
  options.ttl_ms = cluster.lease_ttl_ms;
  FLOE_ASSIGN_OR_RETURN(
      std::unique_ptr<scheduler::LeaseTableLocks> leases,
      scheduler::LeaseTableLocks::Make(std::move(store), clock, logger, std::move(options)));
  FLOE_RETURN_IF_ERROR(leases->ReleaseStaleLeases().status().WithContext(
      "releasing the leases of this node's earlier process"));
  leases->StartHeartbeat();
  return leases;
}

std::function<nlohmann::json(const std::string& table)> LeaseStatus(
    scheduler::LeaseTableLocks* leases, Logger* logger) {
  return [leases, logger](const std::string& table) -> nlohmann::json {
    Result<std::optional<scheduler::LeaseInfo>> lease = leases->Current(table);
    if (!lease.ok()) {
      if (logger != nullptr) {
        logger->Warn("lease.read_failed", {{"table", table}, {"error", lease.status().ToString()}});
      }
      return nullptr;
    }
    if (!*lease) return nullptr;
    const scheduler::LeaseInfo& l = **lease;
    return {{"holder", l.holder},
            {"node_id", l.node_id},
            {"acquired", FormatTimestampMicros(l.acquired_ms * 1000)},
            {"expires_at", FormatTimestampMicros(l.expires_at_ms * 1000)},
            {"previous_holder", l.previous_holder.empty() ? nlohmann::json(nullptr)
                                                          : nlohmann::json(l.previous_holder)}};
  };
}

Result<CliTableLease> TakeCliTableLease(const Settings& settings, const Warehouse& warehouse,
                                        const TableIdentifier& table, std::string_view command,
                                        bool writes, const CliContext& ctx, Logger* logger) {
  CliTableLease lease;
  if (!writes) return lease;
  FLOE_ASSIGN_OR_RETURN(ClusterSettings cluster, ClusterSettingsFrom(settings));
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  const std::string host_prefix = "cli:" + std::string(host[0] != '\0' ? host : "localhost") + ":";
  const std::string node_id = host_prefix + std::to_string(getpid());
  FLOE_ASSIGN_OR_RETURN(lease.leases,
                        OpenTableLeases(cluster, warehouse, node_id, ctx.clock, logger));
  const std::string holder = node_id + " " + std::string(command);
  // No deadline: the lease lives as long as the heartbeat of this process renews it.
  auto acquire = [&] {
    return scheduler::TableLockGuard::Acquire(lease.leases.get(), table.ToString(), holder,
                                              INT64_MAX / 2);
  };
  Result<scheduler::TableLockGuard> guard = acquire();
  if (!guard.ok() && guard.status().kind() == ErrorKind::kConflict) {
    // A command killed on this host (SIGKILL, OOM) leaves its lease until the TTL; its process is
    // gone, so its leases can go now instead of failing every run in between.
    FLOE_ASSIGN_OR_RETURN(std::optional<scheduler::LeaseInfo> current,
                          lease.leases->Current(table.ToString()));
    if (current && current->node_id.rfind(host_prefix, 0) == 0) {
      const std::string pid_text = current->node_id.substr(host_prefix.size());
      char* end = nullptr;
      const long pid = std::strtol(pid_text.c_str(), &end, 10);
      if (!pid_text.empty() && *end == '\0' && pid > 0 && pid != getpid() &&
          kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        FLOE_RETURN_IF_ERROR(
            OpenTableLeases(cluster, warehouse, current->node_id, ctx.clock, logger).status());
        Result<scheduler::TableLockGuard> again = acquire();
        if (!again.ok()) return again.status();
        lease.guard.emplace(std::move(*again));
        return lease;
      }
    }
  }
  if (!guard.ok()) return guard.status();
  lease.guard.emplace(std::move(*guard));
  return lease;
}

int ReportLeaseError(const CliContext& ctx, std::string_view command, const Status& status) {
  if (status.kind() != ErrorKind::kConflict) return ReportError(ctx, command, status);
  *ctx.err << "floe " << command << ": " << status.message() << "; nothing was done\n";
  return kExitBusy;
}

}  // namespace floe::cli
