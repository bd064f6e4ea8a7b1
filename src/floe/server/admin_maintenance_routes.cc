#include "floe/server/admin_maintenance_routes.h"

#include <nlohmann/json.hpp>

#include "floe/maintenance/expire_snapshots.h"
#include "floe/maintenance/fsck.h"
#include "floe/maintenance/remove_orphans.h"
#include "floe/maintenance/retention.h"
#include "floe/maintenance/rewrite_manifests.h"
#include "floe/server/admin_compact_route.h"
#include "floe/server/admin_request.h"

namespace floe::server {
namespace {

// Lock lease: long enough for any run; released at the end (or with the process).
constexpr int64_t kLeaseMicros = int64_t{6} * 3600 * 1'000'000;

}  // namespace

Handler MaintenanceHandler(std::shared_ptr<const MaintenanceRouteContext> ctx,
                           std::set<std::string> fields, MaintenanceRunFn run) {
  fields.insert("table");
  return [ctx, fields, run](const HttpRequest& request) -> HttpResponse {
    Result<AdminBody> body = AdminBody::Parse(request.body, fields);
    if (!body.ok()) return ErrorResponse(400, body.status().message());
    Result<TableIdentifier> id = body->Table(TableIdentifier{{"analytics"}, "events"});
    if (!id.ok()) return ErrorResponse(400, id.status().message());
    Result<std::unique_ptr<Table>> table = Table::Load(ctx->services, *id);
    if (!table.ok()) {
      if (table.status().kind() == ErrorKind::kNotFound) {
        return ErrorResponse(404, "table " + id->ToString() + " does not exist");
      }
      return ErrorResponseFor(table.status());
    }
    Result<scheduler::TableLockGuard> lock = scheduler::TableLockGuard::Acquire(
        ctx->locks, id->ToString(), ctx->node_id + " " + request.path,
        ctx->services.clock->NowMicros() + kLeaseMicros);
    if (!lock.ok()) {
      if (lock.status().kind() == ErrorKind::kConflict) {
        return ErrorResponse(409, "a maintenance run already holds table " + id->ToString() + ": " +
                                      lock.status().message());
      }
      return ErrorResponseFor(lock.status());
    }
    Result<maintenance::RunReport> report = run(table->get(), *body);
    if (!report.ok()) {
      if (ctx->logger) {
        ctx->logger->Error("admin.maintenance.error", {{"path", request.path},
                                                       {"table", id->ToString()},
                                                       {"error", report.status().message()}});
      }
      return ErrorResponseFor(report.status());
    }
    nlohmann::json json = report->ToJson();
    if (ctx->on_report) ctx->on_report(json);
    return JsonResponse(200, nlohmann::ordered_json::parse(json.dump()));
  };
}

Status AddMaintenanceRoutes(Router* router, const Authenticator* auth,
                            MaintenanceRouteContext context) {
  auto ctx = std::make_shared<const MaintenanceRouteContext>(std::move(context));
  Logger* logger = ctx->logger;

  FLOE_RETURN_IF_ERROR(router->Add(
      "POST", "/admin/expire-snapshots",
      RequireAdmin(auth, MaintenanceHandler(
                             ctx, {"dryRun", "olderThan", "retainLast"},
                             [logger](Table* table,
                                      const AdminBody& body) -> Result<maintenance::RunReport> {
                               maintenance::ExpireOptions options;
                               FLOE_ASSIGN_OR_RETURN(auto dry, body.Bool("dryRun"));
                               FLOE_ASSIGN_OR_RETURN(auto age, body.DurationMs("olderThan"));
                               FLOE_ASSIGN_OR_RETURN(auto keep,
                                                     body.Int("retainLast", 1, 1'000'000));
                               options.dry_run = dry.value_or(false);
                               options.older_than_ms = age;
                               options.retain_last = keep;
                               return maintenance::ExpireSnapshots(table, options, logger);
                             }))));

  FLOE_RETURN_IF_ERROR(router->Add(
      "POST", "/admin/remove-orphans",
      RequireAdmin(
          auth,
          MaintenanceHandler(
              ctx, {"dryRun", "olderThan"},
              [ctx, logger](Table* table, const AdminBody& body) -> Result<maintenance::RunReport> {
                maintenance::OrphanOptions options;
                FLOE_ASSIGN_OR_RETURN(auto dry, body.Bool("dryRun"));
                FLOE_ASSIGN_OR_RETURN(auto age, body.DurationMs("olderThan"));
                options.dry_run = dry.value_or(false);
                options.older_than_ms = age.value_or(maintenance::kDefaultOrphanAgeMs);
                FLOE_ASSIGN_OR_RETURN(
                    options.other_table_locations,
                    maintenance::OtherTableLocations(ctx->services, table->identifier()));
                return maintenance::RemoveOrphans(table, options, logger);
              }))));

  FLOE_RETURN_IF_ERROR(router->Add(
      "POST", "/admin/retention",
      RequireAdmin(
          auth,
          MaintenanceHandler(
              ctx, {"dryRun", "maxAge"},
              [logger](Table* table, const AdminBody& body) -> Result<maintenance::RunReport> {
                maintenance::RetentionOptions options;
                FLOE_ASSIGN_OR_RETURN(auto dry, body.Bool("dryRun"));
                FLOE_ASSIGN_OR_RETURN(auto age, body.DurationMs("maxAge"));
                if (!age) {
                  return Status::InvalidArgument("field \"maxAge\" is required (e.g. \"90d\")");
                }
                options.dry_run = dry.value_or(false);
                options.max_age_ms = *age;
                return maintenance::ApplyRetention(table, options, logger);
              }))));

  FLOE_RETURN_IF_ERROR(router->Add(
      "POST", "/admin/fsck",
      RequireAdmin(
          auth,
          MaintenanceHandler(
              ctx, {"repair", "olderThan"},
              [ctx, logger](Table* table, const AdminBody& body) -> Result<maintenance::RunReport> {
                maintenance::FsckOptions options;
                FLOE_ASSIGN_OR_RETURN(auto repair, body.Bool("repair"));
                FLOE_ASSIGN_OR_RETURN(auto age, body.DurationMs("olderThan"));
                options.repair = repair.value_or(false);
                options.orphan_older_than_ms = age.value_or(maintenance::kDefaultOrphanAgeMs);
                FLOE_ASSIGN_OR_RETURN(
                    options.other_table_locations,
                    maintenance::OtherTableLocations(ctx->services, table->identifier()));
                return maintenance::Fsck(table, options, logger);
              }))));
  FLOE_RETURN_IF_ERROR(router->Add(
      "POST", "/admin/rewrite-manifests",
      RequireAdmin(
          auth,
          MaintenanceHandler(
              ctx, {"dryRun", "targetSizeBytes", "minManifests"},
              [logger](Table* table, const AdminBody& body) -> Result<maintenance::RunReport> {
                maintenance::RewriteManifestsOptions options;
                FLOE_ASSIGN_OR_RETURN(auto dry, body.Bool("dryRun"));
                FLOE_ASSIGN_OR_RETURN(auto target,
                                      body.Int("targetSizeBytes", 1024, int64_t{1} << 30));
                FLOE_ASSIGN_OR_RETURN(auto min, body.Int("minManifests", 0, 1'000'000));
                options.dry_run = dry.value_or(false);
                options.target_size_bytes = target;
                options.min_manifests = min.value_or(0);
                return maintenance::RewriteManifests(table, options, logger);
              }))));
  FLOE_RETURN_IF_ERROR(AddCompactRoute(router, auth, ctx));
  return Status::OK();
}

}  // namespace floe::server
