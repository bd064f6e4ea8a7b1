#include "floe/server/admin_compact_route.h"

#include "floe/maintenance/compactor.h"

namespace floe::server {

namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

Result<maintenance::CompactionRequest> RequestOf(const AdminBody& body, const Clock& clock) {
  maintenance::CompactionRequest r;
  FLOE_ASSIGN_OR_RETURN(auto force, body.Bool("force"));
  FLOE_ASSIGN_OR_RETURN(auto aggressive, body.Bool("aggressive"));
  FLOE_ASSIGN_OR_RETURN(auto dry, body.Bool("dryRun"));
  FLOE_ASSIGN_OR_RETURN(auto target_files, body.Int("targetFiles", 1, 1'000'000));
  FLOE_ASSIGN_OR_RETURN(auto partition, body.String("partition"));
  r.force = force.value_or(false);
  r.aggressive = aggressive.value_or(false);
  r.dry_run = dry.value_or(false);
  r.target_files = target_files;
  if (partition) {
    size_t start = 0;
    while (start <= partition->size()) {
      size_t comma = partition->find(',', start);
      if (comma == std::string::npos) comma = partition->size();
      if (comma > start) r.partitions.push_back(partition->substr(start, comma - start));
      start = comma + 1;
    }
  }
  for (const char* name : {"olderThan", "newerThan"}) {
    FLOE_ASSIGN_OR_RETURN(auto text, body.String(name));
    if (!text) continue;
    Result<int64_t> at = maintenance::ParseTimeBound(*text, clock.NowMicros());
    if (!at.ok()) {
      return Status::InvalidArgument("field \"" + std::string(name) +
                                     "\": " + at.status().message());
    }
    (std::string_view(name) == "olderThan" ? r.older_than_micros : r.newer_than_micros) = *at;
  }
  return r;
}

}  // namespace

Status AddCompactRoute(Router* router, const Authenticator* auth,
                       std::shared_ptr<const MaintenanceRouteContext> ctx) {
  auto run = [ctx](Table* table, const AdminBody& body) -> Result<maintenance::RunReport> {
    maintenance::CompactionOptions options = ctx->compaction;
    FLOE_ASSIGN_OR_RETURN(auto profile, body.String("profile"));
    if (profile) {
      Result<maintenance::CompactionProfile> p = maintenance::ParseCompactionProfile(*profile);
      if (!p.ok()) return Status::InvalidArgument("field \"profile\": " + p.status().message());
      options.ApplyProfile(*p);
    }
    FLOE_ASSIGN_OR_RETURN(auto memory_mb, body.Int("memoryLimitMb", 16, 1 << 20));
    if (memory_mb) options.memory_limit_bytes = *memory_mb * kMiB;
    FLOE_ASSIGN_OR_RETURN(maintenance::CompactionRequest request,
                          RequestOf(body, *ctx->services.clock));
    // Without a logger of the server's the run's lines are dropped, not the run.
    Logger quiet(ctx->services.clock, LogLevel::kError, [](std::string_view) {});
    maintenance::CompactionEnv env;
    env.logger = ctx->logger != nullptr ? ctx->logger : &quiet;
    FLOE_ASSIGN_OR_RETURN(maintenance::CompactionReport report,
                          maintenance::RunCompaction(table, options, request, env));
    return std::move(report.run);
  };
  return router->Add(
      "POST", "/admin/compact",
      RequireAdmin(auth,
                   MaintenanceHandler(ctx,
                                      {"force", "aggressive", "targetFiles", "dryRun", "partition",
                                       "olderThan", "newerThan", "profile", "memoryLimitMb"},
                                      run)));
}

}  // namespace floe::server
