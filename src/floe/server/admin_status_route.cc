#include "floe/server/admin_status_route.h"

#include <charconv>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "floe/catalog/snapshot_producer.h"
#include "floe/common/duration.h"
#include "floe/common/logger.h"
#include "floe/maintenance/table_state.h"
#include "floe/server/admin_request.h"

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
    if (ctx.lease) entry["lease"] = ctx.lease(name);
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

Status AddHistoryRoutes(Router* router, const Authenticator* auth, RunHistory* history,
                        const Clock* clock) {
  FLOE_RETURN_IF_ERROR(router->Add(
      "GET", "/admin/runs", RequireAdmin(auth, [history](const HttpRequest& request) {
        int64_t limit = 50;
        if (std::string text = request.QueryParam("limit"); !text.empty()) {
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
          if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > 1000) {
            return ErrorResponse(400, "query parameter limit=" + text + ": allowed 1..1000");
          }
        }
        std::string table = request.QueryParam("table");
        if (!table.empty()) {
          Result<TableIdentifier> id = ParseAdminTableName(table);
          if (!id.ok()) return ErrorResponse(400, id.status().message());
          table = id->ToString();
        }
        Result<std::vector<RunRecord>> runs = history->RecentRuns(table, static_cast<int>(limit));
        if (!runs.ok()) return ErrorResponseFor(runs.status());
        nlohmann::ordered_json out = {{"runs", nlohmann::ordered_json::array()}};
        for (const RunRecord& r : *runs) {
          nlohmann::ordered_json report =
              nlohmann::ordered_json::parse(r.report_json, nullptr, /*allow_exceptions=*/false);
          if (report.is_discarded()) report = {{"table", r.table}, {"action", r.action}};
          report["finished"] = FormatTimestampMicros(r.finished_ms * 1000);
          out["runs"].push_back(std::move(report));
        }
        return JsonResponse(200, out);
      })));
  return router->Add(
      "GET", "/admin/history", RequireAdmin(auth, [history, clock](const HttpRequest& request) {
        std::string table = request.QueryParam("table");
        if (table.empty()) table = "events";
        Result<TableIdentifier> id = ParseAdminTableName(table);
        if (!id.ok()) return ErrorResponse(400, id.status().message());
        int64_t since_ms = 24 * 3'600'000;
        if (std::string text = request.QueryParam("since"); !text.empty()) {
          Result<int64_t> ms = ParseDurationMs(text);
          if (!ms.ok())
            return ErrorResponse(400, "query parameter since: " + ms.status().message());
          since_ms = *ms;
        }
        Result<std::vector<TableSample>> samples =
            history->Samples(id->ToString(), clock->NowMillis() - since_ms);
        if (!samples.ok()) return ErrorResponseFor(samples.status());
        nlohmann::ordered_json out = {{"table", id->ToString()},
                                      {"samples", nlohmann::ordered_json::array()}};
        for (const TableSample& s : *samples) {
          out["samples"].push_back({{"time", FormatTimestampMicros(s.sampled_ms * 1000)},
                                    {"data_files", s.data_files},
                                    {"small_files", s.small_files},
                                    {"bytes", s.bytes},
                                    {"records", s.records},
                                    {"size_histogram", nlohmann::ordered_json::parse(
                                                           s.histogram_json, nullptr, false)}});
        }
        return JsonResponse(200, out);
      }));
}

}  // namespace floe::server
