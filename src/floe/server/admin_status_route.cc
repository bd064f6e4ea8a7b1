#include "floe/server/admin_status_route.h"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "floe/catalog/snapshot_producer.h"
#include "floe/common/logger.h"
#include "floe/maintenance/table_state.h"

namespace floe::server {

Result<nlohmann::json> BuildStatus(const StatusRouteContext& ctx) {
  // Jobs grouped by table, in the scheduler's own JSON form.
  std::map<std::string, nlohmann::json> jobs_by_table;
  if (ctx.jobs) {
    nlohmann::json all = nlohmann::json::parse(scheduler::StatusToJson(ctx.jobs()), nullptr,
                                               /*allow_exceptions=*/false);
    if (all.is_object() && all["jobs"].is_array()) {
      for (auto& job : all["jobs"]) {
        std::string table = job.value("table", "");
        auto& list = jobs_by_table[table];
        if (list.is_null()) list = nlohmann::json::array();
        list.push_back(std::move(job));
      }
    }
  }
  FLOE_ASSIGN_OR_RETURN(std::vector<TableIdentifier> tables,
                        maintenance::ListAllTables(ctx.services.catalog));
  nlohmann::json out_tables = nlohmann::json::array();
  for (const TableIdentifier& id : tables) {
    const std::string name = id.ToString();
    nlohmann::json entry;
    Result<TablePointer> pointer = ctx.services.catalog->LoadTable(id);
    Result<iceberg::TableMetadata> metadata =
        pointer.ok() ? ReadTableMetadata(ctx.services.store, pointer->metadata_location)
                     : Result<iceberg::TableMetadata>(pointer.status());
    Result<maintenance::TableHealth> health =
        metadata.ok()
            ? maintenance::ReadTableHealth(ctx.services.store, name, *metadata, ctx.compaction)
            : Result<maintenance::TableHealth>(metadata.status());
    if (health.ok()) {
      entry = maintenance::TableHealthToJson(*health);
      if (ctx.metrics) ctx.metrics->SetTableState(health->state);
    } else {
      // One unreadable table must not hide the others.
      entry = {{"table", name}, {"error", health.status().message()}};
    }
    auto jobs = jobs_by_table.find(name);
    entry["jobs"] = jobs == jobs_by_table.end() ? nlohmann::json::array() : jobs->second;
    out_tables.push_back(std::move(entry));
  }
  return nlohmann::json{{"node", ctx.node_id},
                        {"time", FormatTimestampMicros(ctx.services.clock->NowMicros())},
                        {"tables", out_tables}};
}

Status AddStatusRoute(Router* router, const Authenticator* auth, StatusRouteContext context) {
  auto ctx = std::make_shared<const StatusRouteContext>(std::move(context));
  return router->Add("GET", "/admin/status",
                     RequireAdmin(auth, [ctx](const HttpRequest&) -> HttpResponse {
                       Result<nlohmann::json> status = BuildStatus(*ctx);
                       if (!status.ok()) return ErrorResponseFor(status.status());
                       return JsonResponse(200, nlohmann::ordered_json::parse(status->dump()));
                     }));
}

}  // namespace floe::server
