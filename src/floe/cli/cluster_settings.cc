#include "floe/cli/cluster_settings.h"

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

}  // namespace floe::cli
