// floe serve: the collector behind the HTTP API of DESIGN.md (ingest, flush, health, readiness),
// until SIGTERM or SIGINT; then in-flight requests finish, every buffer is flushed and committed,
// and the process exits 0.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "floe/catalog/events_table.h"
#include "floe/cli/cluster_settings.h"
#include "floe/cli/collector_settings.h"
#include "floe/cli/commands.h"
#include "floe/cli/compaction_settings.h"
#include "floe/cli/maintenance_jobs.h"
#include "floe/cli/maintenance_service.h"
#include "floe/cli/warehouse.h"
#include "floe/common/metrics.h"
#include "floe/common/metrics_floe.h"
#include "floe/ingest/collector.h"
#include "floe/ingest/decoder.h"
#include "floe/scheduler/table_locks.h"
#include "floe/server/admin_maintenance_routes.h"
#include "floe/server/admin_status_route.h"
#include "floe/server/auth.h"
#include "floe/server/http_server.h"
#include "floe/server/metrics_route.h"
#include "floe/server/rest_catalog.h"
#include "floe/server/signals.h"
#include "floe/server/ui_route.h"

namespace floe::cli {
namespace {

using nlohmann::ordered_json;
using server::ErrorResponse;
using server::HttpRequest;
using server::HttpResponse;

inline constexpr Setting kMaxBodySetting{"max-body-bytes", "FLOE_MAX_BODY_BYTES",
                                         "server.max_body_bytes"};
inline constexpr Setting kMaxInflatedSetting{"max-inflated-bytes", "FLOE_MAX_INFLATED_BYTES",
                                             "server.max_inflated_bytes"};
inline constexpr Setting kMaxEventsSetting{"max-events-per-request", "FLOE_MAX_EVENTS_PER_REQUEST",
                                           "server.max_events_per_request"};
inline constexpr Setting kMaxHeaderSetting{"max-header-bytes", "FLOE_MAX_HEADER_BYTES",
                                           "server.max_header_bytes"};
inline constexpr Setting kReadTimeoutSetting{"read-timeout", "FLOE_READ_TIMEOUT",
                                             "server.read_timeout"};
inline constexpr Setting kIdleTimeoutSetting{"idle-timeout", "FLOE_IDLE_TIMEOUT",
                                             "server.idle_timeout"};
inline constexpr Setting kWriteTimeoutSetting{"write-timeout", "FLOE_WRITE_TIMEOUT",
                                              "server.write_timeout"};
inline constexpr Setting kShutdownTimeoutSetting{"shutdown-timeout", "FLOE_SHUTDOWN_TIMEOUT",
                                                 "server.shutdown_timeout"};
inline constexpr Setting kIoThreadsSetting{"io-threads", "FLOE_IO_THREADS", "server.io_threads"};
inline constexpr Setting kWorkerThreadsSetting{"worker-threads", "FLOE_WORKER_THREADS",
                                               "server.worker_threads"};
inline constexpr Setting kMaxQueuedSetting{"max-queued-requests", "FLOE_MAX_QUEUED_REQUESTS",
                                           "server.max_queued_requests"};
inline constexpr Setting kMaxConnectionsSetting{"max-connections", "FLOE_MAX_CONNECTIONS",
                                                "server.max_connections"};

constexpr std::string_view kServeUsage =
    "usage: floe serve [--listen HOST:PORT] [--warehouse DIR|s3://...] [--catalog URI]\n"
    "                  [--state-dir DIR] [--table NS.NAME] [--config floe.toml]\n"
    "\n"
    "Runs the collector behind HTTP until SIGTERM or SIGINT, then finishes the requests in\n"
    "flight, flushes and commits every buffer, and exits 0. With no arguments: warehouse\n"
    "./warehouse, catalog sqlite:./warehouse/catalog.db, listen 127.0.0.1:8181, table\n"
    "analytics.events (created when missing), state ./floe-state.\n"
    "\n"
    "Routes (docs/http-api.md): POST /v1/events, POST /v1/tables/{namespace}/{table}/events,\n"
    "POST /admin/flush, GET /health, GET /ready, GET /metrics (Prometheus, no auth), and the\n"
    "maintenance routes: POST /admin/compact, /admin/expire-snapshots, /admin/remove-orphans,\n"
    "/admin/retention, /admin/fsck, GET /admin/status (docs/maintenance.md), /admin/runs,\n"
    "/admin/history, and GET /ui: the dashboard (it asks for ADMIN_TOKEN).\n"
    "Credentials (environment or config file, never flags): ADMIN_TOKEN for /admin (without it\n"
    "a random token is written to <state-dir>/admin-token, mode 0600), FLOE_API_KEYS\n"
    "(comma-separated) to require X-API-Key or a Bearer key on ingest routes.\n"
    "\n"
    "Server settings (flag, environment, config key under [server]; docs/configuration.md):\n"
    "  --max-body-bytes (16777216), --max-inflated-bytes (67108864),\n"
    "  --max-events-per-request (100000), --max-header-bytes (16384), --read-timeout (30s),\n"
    "  --idle-timeout (60s), --write-timeout (30s), --shutdown-timeout (30s), --io-threads (2),\n"
    "  --worker-threads (32), --max-queued-requests (1024), --max-connections (4096)\n"
    "Ingest settings are those of `floe ingest --help` (BUFFER_TIME_SECONDS, ...).\n"
    "Many nodes on one catalog (docs/operations.md): --node-id, --lease-ttl (60s; maintenance\n"
    "leases in the catalog database). REST catalog OAuth2 clients: FLOE_CATALOG_CLIENTS,\n"
    "FLOE_CATALOG_READ_CLIENTS (id:secret,...), --catalog-token-ttl (1h).\n"
    "\n"
    "Prints `listening on HOST:PORT` on standard output once it serves (the bound port when\n"
    "--listen asks for port 0); logs are JSON lines on standard error.\n";

// "HOST:PORT" or "[v6]:PORT". Errors name the setting and where the value came from.
Status ParseListen(const Settings& settings, server::ServerOptions* options) {
  std::string text = settings.GetOr(kListenSetting, "127.0.0.1:8181");
  auto bad = [&] {
    return Status::InvalidArgument(Settings::Describe(kListenSetting) + " is '" + text + "' (" +
                                   settings.SourceOf(kListenSetting) +
                                   "); expected HOST:PORT with a port from 0 to 65535");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad();
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  }
  std::string port_text = text.substr(colon + 1);
  if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
    return bad();
  int port = std::stoi(port_text);
  if (port > 65535) return bad();
  options->host = host;
  options->port = static_cast<uint16_t>(port);
  return Status::OK();
}

Result<server::ServerOptions> ServerOptionsFromSettings(const Settings& settings) {
  server::ServerOptions o;
  FLOE_RETURN_IF_ERROR(ParseListen(settings, &o));
  FLOE_ASSIGN_OR_RETURN(int64_t body,
                        settings.Int(kMaxBodySetting, int64_t{16} << 20, 1024, int64_t{1} << 30));
  o.max_body_bytes = static_cast<uint64_t>(body);
  FLOE_ASSIGN_OR_RETURN(int64_t header,
                        settings.Int(kMaxHeaderSetting, 16 * 1024, 1024, 1024 * 1024));
  o.max_header_bytes = static_cast<uint32_t>(header);
  FLOE_ASSIGN_OR_RETURN(o.read_timeout_ms,
                        settings.DurationMs(kReadTimeoutSetting, 30'000, 100, 3'600'000));
  FLOE_ASSIGN_OR_RETURN(o.idle_timeout_ms,
                        settings.DurationMs(kIdleTimeoutSetting, 60'000, 100, 3'600'000));
  FLOE_ASSIGN_OR_RETURN(o.write_timeout_ms,
                        settings.DurationMs(kWriteTimeoutSetting, 30'000, 100, 3'600'000));
  FLOE_ASSIGN_OR_RETURN(o.shutdown_timeout_ms,
                        settings.DurationMs(kShutdownTimeoutSetting, 30'000, 100, 3'600'000));
  FLOE_ASSIGN_OR_RETURN(int64_t io, settings.Int(kIoThreadsSetting, 2, 1, 64));
  o.io_threads = static_cast<int>(io);
  FLOE_ASSIGN_OR_RETURN(int64_t workers, settings.Int(kWorkerThreadsSetting, 32, 1, 1024));
  o.worker_threads = static_cast<int>(workers);
  FLOE_ASSIGN_OR_RETURN(int64_t queued, settings.Int(kMaxQueuedSetting, 1024, 1, 1'000'000));
  o.max_queued_requests = static_cast<size_t>(queued);
  FLOE_ASSIGN_OR_RETURN(int64_t conns, settings.Int(kMaxConnectionsSetting, 4096, 1, 1'000'000));
  o.max_connections = static_cast<size_t>(conns);
  return o;
}

Result<ingest::DecodeLimits> DecodeLimitsFromSettings(const Settings& settings,
                                                      const server::ServerOptions& server) {
  ingest::DecodeLimits limits;
  limits.max_body_bytes = server.max_body_bytes;
  FLOE_ASSIGN_OR_RETURN(int64_t inflated, settings.Int(kMaxInflatedSetting, int64_t{64} << 20, 1024,
                                                       int64_t{4} << 30));
  limits.max_inflated_bytes = static_cast<size_t>(inflated);
  FLOE_ASSIGN_OR_RETURN(int64_t events, settings.Int(kMaxEventsSetting, 100000, 1, 10'000'000));
  limits.max_events = static_cast<size_t>(events);
  // The collector validates NDJSON lines as it maps them (decoder.h).
  limits.defer_line_validation = true;
  return limits;
}

// Everything the handlers use; outlives the HTTP server.
struct ServeState {
  Warehouse* warehouse = nullptr;
  ingest::Collector* collector = nullptr;
  TableIdentifier default_table;
  ingest::DecodeLimits limits;
  std::string state_dir;
  Logger* logger = nullptr;
  const metrics::FloeMetrics* metrics = nullptr;
};

HttpResponse WithRetryAfter(HttpResponse response, int seconds) {
  response.AddHeader("Retry-After", std::to_string(seconds < 1 ? 1 : seconds));
  return response;
}

HttpResponse DecodeAndIngest(const ServeState& state, const TableIdentifier& table,
                             const HttpRequest& request) {
  auto decoded = ingest::DecodeBody(request.Header("content-type"),
                                    request.Header("content-encoding"), request.body, state.limits);
  if (!decoded.ok()) {
    const Status& st = decoded.status();
    switch (st.kind()) {
      case ErrorKind::kInvalidArgument: return ErrorResponse(400, st.message());
      case ErrorKind::kNotSupported: return ErrorResponse(415, st.message());
      case ErrorKind::kResourceExhausted: return ErrorResponse(413, st.message());
      default: return server::ErrorResponseFor(st);
    }
  }
  auto result = state.collector->Ingest(table, std::move(*decoded));
  if (!result.ok()) {
    const Status& st = result.status();
    int retry = state.collector->retry_after_seconds();
    switch (st.kind()) {
      case ErrorKind::kNotFound:
        return ErrorResponse(404, st.message(), {{"table", table.ToString()}});
      case ErrorKind::kInvalidArgument: return ErrorResponse(400, st.message());
      // Buffers or the WAL are full: the client should slow down.
      case ErrorKind::kResourceExhausted:
        return WithRetryAfter(ErrorResponse(429, st.message()), retry);
      // The WAL could not be written or the collector is closing: nothing was acknowledged.
      default:
        state.logger->Error("ingest.failed",
                            {{"table", table.ToString()}, {"error", st.ToString()}});
        return WithRetryAfter(ErrorResponse(503, st.message()), retry);
    }
  }
  const metrics::FloeMetrics& m = *state.metrics;
  m.ingest_events->Labels({"accepted"}).Increment(static_cast<double>(result->accepted));
  m.ingest_events->Labels({"rejected"}).Increment(static_cast<double>(result->rejected));
  m.ingest_events->Labels({"duplicate"}).Increment(static_cast<double>(result->duplicates));
  ordered_json errors = ordered_json::array();
  for (const ingest::EventError& e : result->errors)
    errors.push_back({{"index", e.index}, {"error", e.error}});
  return server::JsonResponse(202, {{"accepted", result->accepted},
                                    {"rejected", result->rejected},
                                    {"duplicates", result->duplicates},
                                    {"errors", std::move(errors)}});
}

// DecodeAndIngest, counted in floe_ingest_requests_total, floe_ingest_bytes_total and (from the
// 202 body) floe_ingest_events_total.
HttpResponse IngestInto(const ServeState& state, const TableIdentifier& table,
                        const HttpRequest& request) {
  HttpResponse response = DecodeAndIngest(state, table, request);
  const metrics::FloeMetrics& m = *state.metrics;
  m.ingest_requests->Labels({std::to_string(response.status)}).Increment();
  m.ingest_bytes->Labels({}).Increment(static_cast<double>(request.body.size()));
  return response;
}

HttpResponse IngestIntoPathTable(const ServeState& state, const HttpRequest& request) {
  std::string ns_text(request.PathParam("namespace"));
  // Iceberg's REST paths separate namespace levels with 0x1F; floe also accepts '.'.
  for (char& c : ns_text)
    if (c == '\x1f') c = '.';
  auto ns = ParseNamespace(ns_text);
  std::string name(request.PathParam("table"));
  if (!ns.ok() || name.empty() || name.find('.') != std::string::npos)
    return ErrorResponse(
        400, "malformed table in path: namespace '" + ns_text + "', table '" + name + "'");
  return IngestInto(state, TableIdentifier{*ns, name}, request);
}

HttpResponse FlushAll(const ServeState& state) {
  auto flushed = state.collector->Flush();
  if (!flushed.ok()) {
    state.logger->Error("flush.failed", {{"error", flushed.status().ToString()}});
    return WithRetryAfter(ErrorResponse(503, "flush failed: " + flushed.status().message()),
                          state.collector->retry_after_seconds());
  }
  ordered_json commits = ordered_json::array();
  ordered_json last = nullptr;
  for (const ingest::TableCommit& c : flushed->commits) {
    commits.push_back({{"table", c.table.ToString()},
                       {"snapshot_id", c.snapshot_id},
                       {"data_files", c.data_files},
                       {"records", c.records},
                       {"bytes", c.bytes},
                       {"wal_position", c.wal_position}});
    last = c.snapshot_id;
  }
  return server::JsonResponse(200, {{"snapshot_id", last}, {"commits", std::move(commits)}});
}

// Writes, syncs and removes a small file in the state folder: the WAL lives there, so a full or
// read-only disk shows here.
Status ProbeStateDir(const std::string& state_dir) {
  std::string path = state_dir + "/.ready-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  bool ok = ::write(fd, "ok", 2) == 2 && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  ::unlink(path.c_str());
  if (!ok) return Status::IOError("cannot write " + path + ": " + std::strerror(err));
  return Status::OK();
}

HttpResponse Ready(const ServeState& state) {
  ordered_json checks = ordered_json::object();
  std::string failed;
  auto note = [&](const char* name, const Status& st) {
    checks[name] = st.ok() ? "ok" : st.ToString();
    if (!st.ok() && failed.empty()) failed = std::string(name) + ": " + st.ToString();
  };
  auto pointer = state.warehouse->catalog()->LoadTable(state.default_table);
  note("catalog", pointer.ok() ? Status::OK() : pointer.status());
  if (pointer.ok()) {
    note("store", state.warehouse->store()->Stat(pointer->metadata_location).status());
  } else {
    note("store", Status::Unavailable("not checked: the catalog did not answer"));
  }
  note("wal", ProbeStateDir(state.state_dir));
  if (!failed.empty())
    return WithRetryAfter(ErrorResponse(503, "not ready: " + failed, {{"checks", checks}}), 1);
  return server::JsonResponse(200, {{"status", "ready"}, {"checks", checks}});
}

Result<server::Router> MakeRouter(const ServeState* state, const server::Authenticator* auth,
                                  const metrics::Registry* registry) {
  server::Router router;
  FLOE_RETURN_IF_ERROR(server::AddMetricsRoute(&router, registry));
  // The dashboard's files (no data in them: the page calls the admin routes with the token).
  FLOE_RETURN_IF_ERROR(server::AddUiRoutes(&router));
  FLOE_RETURN_IF_ERROR(router.Add(
      "GET", "/health",
      [](const HttpRequest&) {
        return server::JsonResponse(200, {{"status", "ok"}});
      },
      server::Dispatch::kInline));
  FLOE_RETURN_IF_ERROR(
      router.Add("GET", "/ready", [state](const HttpRequest&) { return Ready(*state); }));
  FLOE_RETURN_IF_ERROR(router.Add("POST", "/v1/events",
                                  server::RequireApiKey(auth, [state](const HttpRequest& request) {
                                    return IngestInto(*state, state->default_table, request);
                                  })));
  FLOE_RETURN_IF_ERROR(router.Add("POST", "/v1/tables/{namespace}/{table}/events",
                                  server::RequireApiKey(auth, [state](const HttpRequest& request) {
                                    return IngestIntoPathTable(*state, request);
                                  })));
  FLOE_RETURN_IF_ERROR(router.Add(
      "POST", "/admin/flush",
      server::RequireAdmin(auth, [state](const HttpRequest&) { return FlushAll(*state); })));
  return router;
}

Status Serve(const Args& args, const CliContext& ctx) {
  if (!args.positional().empty())
    return Status::InvalidArgument("unexpected argument '" + args.positional()[0] + "'");
  // Before any thread starts, so every thread inherits the mask and the signals wait for us.
  server::BlockTerminationSignals();
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Logger> logger, MakeLogger(settings, ctx, LogLevel::kInfo));
  FLOE_ASSIGN_OR_RETURN(ingest::CollectorOptions collector_options,
                        CollectorOptionsFromSettings(settings));
  FLOE_ASSIGN_OR_RETURN(server::ServerOptions server_options, ServerOptionsFromSettings(settings));
  FLOE_ASSIGN_OR_RETURN(ingest::DecodeLimits limits,
                        DecodeLimitsFromSettings(settings, server_options));
  FLOE_ASSIGN_OR_RETURN(TableIdentifier table, TableFromSettings(settings));
  // Every setting is checked before anything is opened or written (state folder, WAL, token).
  FLOE_ASSIGN_OR_RETURN(maintenance::CompactionOptions compaction,
                        CompactionOptionsFromSettings(settings));
  FLOE_ASSIGN_OR_RETURN(scheduler::ScheduleOverrides schedule,
                        ScheduleOverridesFromSettings(settings));
  FLOE_RETURN_IF_ERROR(scheduler::ScheduledJobs({table.ToString()}, schedule).status());
  FLOE_ASSIGN_OR_RETURN(ClusterSettings cluster, ClusterSettingsFrom(settings));

  server::AuthConfig auth_config;
  auth_config.admin_token = settings.GetOr(kAdminTokenSetting, "");
  auth_config.api_keys = server::ParseApiKeys(settings.GetOr(kApiKeysSetting, ""));
  if (auth_config.admin_token.empty()) {
    FLOE_ASSIGN_OR_RETURN(auth_config.admin_token,
                          server::CreateAdminTokenFile(collector_options.state_dir));
    logger->Info("serve.admin_token_generated",
                 {{"path", collector_options.state_dir + "/admin-token"},
                  {"hint", "ADMIN_TOKEN was not set; read the token from this file"}});
  }
  server::Authenticator auth(std::move(auth_config));

  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse, Warehouse::Open(settings, ctx));
  if (table == DefaultEventsTableId()) {
    FLOE_RETURN_IF_ERROR(warehouse->LoadOrCreateEventsTable().status());
  } else {
    FLOE_RETURN_IF_ERROR(warehouse->LoadTable(table).status());
  }
  metrics::Registry registry;
  metrics::FloeMetrics floe_metrics = metrics::FloeMetrics::Register(&registry);
  FLOE_RETURN_IF_ERROR(registry.status());
  ingest::CollectorServices services{warehouse->store(), warehouse->catalog(), ctx.clock,
                                     logger.get(), &floe_metrics};
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<ingest::Collector> collector,
                        ingest::Collector::Open(collector_options, services));
  ingest::Collector* collector_ptr = collector.get();
  int64_t max_wal_bytes = collector_options.max_wal_bytes;
  registry.AddCollectHook([collector_ptr, max_wal_bytes, &floe_metrics] {
    ingest::CollectorStats s = collector_ptr->Stats();
    floe_metrics.ingest_buffer_bytes->Labels({}).Set(static_cast<double>(s.buffered_bytes));
    floe_metrics.ingest_buffer_limit_bytes->Labels({}).Set(
        static_cast<double>(s.max_buffered_bytes));
    floe_metrics.wal_bytes->Labels({}).Set(static_cast<double>(s.wal_bytes));
    floe_metrics.wal_limit_bytes->Labels({}).Set(static_cast<double>(max_wal_bytes));
  });

  ServeState state{warehouse.get(), collector.get(), table, limits, collector_options.state_dir,
                   logger.get(),    &floe_metrics};
  auto router = MakeRouter(&state, &auth, &registry);
  if (!router.ok()) return router.status();
  // Maintenance over HTTP and the scheduler: one run per table at a time across every node on
  // this catalog (a lease in the catalog database; 409 while another run holds it).
  FLOE_ASSIGN_OR_RETURN(
      std::unique_ptr<scheduler::LeaseTableLocks> leases,
      OpenTableLeases(cluster, *warehouse, collector->node_id(), ctx.clock, logger.get()));
  scheduler::TableLocks& locks = *leases;
  server::MaintenanceRouteContext maintenance_context;
  maintenance_context.services = warehouse->services();
  maintenance_context.locks = &locks;
  maintenance_context.node_id = collector->node_id();
  maintenance_context.logger = logger.get();
  maintenance_context.compaction = compaction;
  // The scheduler (same locks), run history and table sampler; every run's report is recorded
  // in one place (metrics, history).
  FLOE_ASSIGN_OR_RETURN(
      std::unique_ptr<MaintenanceService> maintenance,
      MaintenanceService::Start(settings, ctx, warehouse.get(), compaction, &locks, logger.get(),
                                &floe_metrics, collector->node_id()));
  maintenance_context.on_report = maintenance->report_sink();
  FLOE_RETURN_IF_ERROR(
      server::AddMaintenanceRoutes(&*router, &auth, std::move(maintenance_context)));
  server::StatusRouteContext status_context;
  status_context.services = warehouse->services();
  status_context.compaction = compaction;
  status_context.node_id = collector->node_id();
  status_context.metrics = &floe_metrics;
  status_context.jobs = maintenance->jobs();
  status_context.lease = LeaseStatus(leases.get(), logger.get());
  FLOE_RETURN_IF_ERROR(server::AddStatusRoute(&*router, &auth, std::move(status_context)));
  FLOE_RETURN_IF_ERROR(
      server::AddHistoryRoutes(&*router, &auth, maintenance->history(), ctx.clock));
  // The Iceberg REST catalog for engines (docs/rest-catalog.md): ADMIN_TOKEN reads and writes,
  // FLOE_CATALOG_READ_TOKENS only read.
  server::RestCatalogContext rest;
  rest.services = warehouse->services();
  rest.warehouse = warehouse->root();
  rest.admin_token = auth_config.admin_token;
  rest.read_tokens = server::ParseApiKeys(settings.GetOr(kCatalogReadTokensSetting, ""));
  rest.logger = logger.get();
  // OAuth2 clients (FLOE_CATALOG_CLIENTS, FLOE_CATALOG_READ_CLIENTS) log in at
  // /catalog/v1/oauth/tokens for tokens of their kind.
  server::OAuthTokens oauth(cluster.catalog_clients, cluster.catalog_token_ttl_ms, ctx.clock);
  rest.oauth = &oauth;
  FLOE_RETURN_IF_ERROR(server::AddRestCatalogRoutes(&*router, std::move(rest)));
  FLOE_RETURN_IF_ERROR(server::AddOAuthTokenRoute(&*router, &oauth));
  auto http =
      server::HttpServer::Start(server_options, std::move(*router), logger.get(), ctx.clock);
  if (!http.ok()) {
    Status closed = collector->Close();
    if (!closed.ok()) logger->Error("serve.close_failed", {{"error", closed.ToString()}});
    return http.status();
  }
  logger->Info("serve.ready", {{"address", (*http)->address()},
                               {"warehouse", warehouse->root()},
                               {"catalog", warehouse->catalog_uri()},
                               {"table", table.ToString()},
                               {"state_dir", collector_options.state_dir},
                               {"api_keys_required", auth.ingest_requires_key()}});
  *ctx.out << "listening on " << (*http)->address() << std::endl;

  int signal = server::WaitForTerminationSignal();
  logger->Info("serve.stopping", {{"signal", signal}});
  (*http)->Shutdown();
  maintenance->Stop();  // running jobs finish; none starts
  Status closed = collector->Close();
  if (!closed.ok()) return closed.WithContext("final flush at shutdown");
  ingest::CollectorStats stats = collector->Stats();
  logger->Info("serve.stopped", {{"events_accepted", stats.events_accepted},
                                 {"commits", stats.flushes},
                                 {"buffered_events", stats.buffered_events}});
  return Status::OK();
}

int RunServe(const Args& args, const CliContext& ctx) {
  Status st = Serve(args, ctx);
  return st.ok() ? 0 : ReportError(ctx, "serve", st);
}

}  // namespace

void AddServeCommands(std::vector<Command>* commands) {
  commands->push_back(Command{"serve",
                              "run the HTTP collector (ingest, flush, health) until SIGTERM",
                              std::string(kServeUsage),
                              {},
                              RunServe});
}

}  // namespace floe::cli
