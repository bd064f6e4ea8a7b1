#include "floe/server/rest_catalog.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "floe/catalog/snapshot_producer.h"
#include "floe/io/location.h"
#include "floe/maintenance/reachable.h"
#include "floe/server/auth.h"
#include "floe/server/rest_commit.h"
#include "floe/util/uuid.h"

namespace floe::server {

namespace {

using iceberg::Json;
using Ctx = std::shared_ptr<const RestCatalogContext>;

enum class Access { kRead, kWrite };

// Commits re-check their requirements on the newest metadata after a lost swap; a client that
// loses this many races in a row gets 409 and retries itself.
constexpr int kMaxCommitAttempts = 4;

constexpr char kNoSuchTable[] = "NoSuchTableException";
constexpr char kNoSuchNamespace[] = "NoSuchNamespaceException";
constexpr char kAlreadyExists[] = "AlreadyExistsException";
constexpr char kCommitFailed[] = "CommitFailedException";

HttpResponse RestError(int code, std::string_view type, std::string_view message) {
  Json body;
  body["error"]["message"] = message;
  body["error"]["type"] = type;
  body["error"]["code"] = code;
  return JsonResponse(code, body);
}

// The error types of a route for the kinds whose meaning depends on the route.
struct RouteErrors {
  const char* not_found = kNoSuchTable;
  const char* conflict = kAlreadyExists;
  bool commit = false;  // a lost connection mid-commit is CommitStateUnknown, not a plain 500
};

HttpResponse ErrorFor(const RestCatalogContext& ctx, const Status& status, RouteErrors errors) {
  switch (status.kind()) {
    case ErrorKind::kInvalidArgument:
      return RestError(400, "BadRequestException", status.message());
    case ErrorKind::kUnauthenticated:
      return RestError(401, "NotAuthorizedException", status.message());
    case ErrorKind::kPermissionDenied:
      return RestError(403, "ForbiddenException", status.message());
    case ErrorKind::kNotFound: return RestError(404, errors.not_found, status.message());
    case ErrorKind::kNotSupported:
      return RestError(406, "UnsupportedOperationException", status.message());
    case ErrorKind::kAlreadyExists:
      return RestError(409, errors.commit ? kCommitFailed : kAlreadyExists, status.message());
    case ErrorKind::kConflict: return RestError(409, errors.conflict, status.message());
    case ErrorKind::kUnavailable:
      return RestError(503, "ServiceUnavailableException", status.message())
          .AddHeader("Retry-After", "1");
    default: break;
  }
  if (ctx.logger != nullptr) {
    ctx.logger->Error("rest_catalog.error", {{"error", status.ToString()}});
  }
  if (status.kind() == ErrorKind::kCommitStateUnknown || errors.commit) {
    return RestError(500, "CommitStateUnknownException", status.message());
  }
  return RestError(500, "ServerErrorException", status.message());
}

HttpResponse NoContent() {
  HttpResponse response;
  response.status = 204;
  return response;
}

// Checks the bearer token against every configured token (constant time each), so the answer
// time does not depend on which one matched.
Status Authorize(const RestCatalogContext& ctx, const HttpRequest& request, Access access) {
  const std::string_view token = BearerToken(request);
  if (token.empty()) return Status::Unauthenticated("missing bearer token");
  const bool admin = ConstantTimeEquals(ctx.admin_token, token);
  bool reader = false;
  for (const std::string& read_token : ctx.read_tokens) {
    reader = ConstantTimeEquals(read_token, token) || reader;
  }
  if (admin) return Status::OK();
  if (!reader && ctx.oauth != nullptr && ctx.oauth->enabled()) {
    FLOE_ASSIGN_OR_RETURN(OAuthGrant grant, ctx.oauth->Verify(token));
    if (!grant.read_only) return Status::OK();
    reader = true;
  }
  if (!reader) return Status::Unauthenticated("invalid bearer token");
  if (access == Access::kWrite) {
    return Status::PermissionDenied("a read-only token cannot change the catalog");
  }
  return Status::OK();
}

using RestHandler = std::function<HttpResponse(const RestCatalogContext&, const HttpRequest&)>;

Handler Guard(Ctx ctx, Access access, RestHandler handler) {
  return [ctx = std::move(ctx), access, handler = std::move(handler)](const HttpRequest& request) {
    Status allowed = Authorize(*ctx, request, access);
    HttpResponse response = allowed.ok() ? handler(*ctx, request) : ErrorFor(*ctx, allowed, {});
    if (allowed.kind() == ErrorKind::kUnauthenticated) {
      response.AddHeader("WWW-Authenticate", "Bearer realm=\"floe\"");
    }
    // A HEAD response has no body, whatever its status.
    if (request.method == "HEAD") response.body.clear();
    return response;
  };
}

Result<Json> ParseBody(const HttpRequest& request) {
  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  if (!body.is_object()) return Status::InvalidArgument("request body is not a JSON object");
  return body;
}

// Levels joined by the unit separator (%1F), as the spec encodes namespaces in paths.
Result<Namespace> NamespaceFromPath(std::string_view text) {
  Namespace ns;
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\x1f', start);
    std::string level(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (level.empty()) {
      return Status::InvalidArgument("namespace \"" + std::string(text) + "\" has an empty level");
    }
    ns.push_back(std::move(level));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return ns;
}

Result<Namespace> NamespaceFromJson(const Json& json, const std::string& where) {
  if (!json.is_array() || json.empty()) {
    return Status::InvalidArgument(where + ": not a non-empty array of strings");
  }
  Namespace ns;
  for (const Json& level : json) {
    if (!level.is_string() || level.get<std::string>().empty()) {
      return Status::InvalidArgument(where + ": levels must be non-empty strings");
    }
    ns.push_back(level.get<std::string>());
  }
  return ns;
}

Result<TableIdentifier> IdentifierFromJson(const Json& json, const std::string& where) {
  if (!json.is_object()) return Status::InvalidArgument(where + ": not an object");
  if (!json.contains("namespace")) return Status::InvalidArgument(where + ".namespace: missing");
  FLOE_ASSIGN_OR_RETURN(Namespace ns, NamespaceFromJson(json["namespace"], where + ".namespace"));
  if (!json.contains("name") || !json["name"].is_string() ||
      json["name"].get<std::string>().empty()) {
    return Status::InvalidArgument(where + ".name: missing or not a non-empty string");
  }
  return TableIdentifier{std::move(ns), json["name"].get<std::string>()};
}

Json NamespaceJson(const Namespace& ns) {
  Json levels = Json::array();
  for (const std::string& level : ns) levels.push_back(level);
  return levels;
}

Json PropertiesJson(const std::map<std::string, std::string>& properties) {
  Json json = Json::object();
  for (const auto& [key, value] : properties) json[key] = value;
  return json;
}

Result<Namespace> PathNamespace(const HttpRequest& request) {
  return NamespaceFromPath(request.PathParam("namespace"));
}

Result<TableIdentifier> PathTable(const HttpRequest& request) {
  FLOE_ASSIGN_OR_RETURN(Namespace ns, PathNamespace(request));
  return TableIdentifier{std::move(ns), std::string(request.PathParam("table"))};
}

Status RequireNamespace(const RestCatalogContext& ctx, const Namespace& ns) {
  FLOE_ASSIGN_OR_RETURN(bool exists, ctx.services.catalog->NamespaceExists(ns));
  if (!exists) return Status::NotFound("namespace does not exist: " + NamespaceToString(ns));
  return Status::OK();
}

Json LoadTableResult(const std::optional<std::string>& location,
                     const iceberg::TableMetadata& metadata) {
  Json result;
  result["metadata-location"] = location ? Json(*location) : Json(nullptr);
  result["metadata"] = Json::parse(iceberg::TableMetadataToJson(metadata));
  result["config"] = Json::object();
  return result;
}

struct LoadedTable {
  std::string location;
  iceberg::TableMetadata metadata;
};

Result<LoadedTable> LoadCurrent(const RestCatalogContext& ctx, const TableIdentifier& id) {
  FLOE_ASSIGN_OR_RETURN(TablePointer pointer, ctx.services.catalog->LoadTable(id));
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                        ReadTableMetadata(ctx.services.store, pointer.metadata_location));
  return LoadedTable{pointer.metadata_location, std::move(metadata)};
}

uint64_t FreshSeed() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

std::string DefaultTableLocation(const RestCatalogContext& ctx, const TableIdentifier& id) {
  std::string relative;
  for (const std::string& level : id.ns) relative += level + "/";
  return JoinLocation(ctx.warehouse, relative + id.name);
}

// ---- config ------------------------------------------------------------------------------

HttpResponse GetConfig(const RestCatalogContext&, const HttpRequest&) {
  Json config;
  config["defaults"] = Json::object();
  config["overrides"] = Json::object();
  config["endpoints"] = Json::array({
      "GET /v1/{prefix}/namespaces",
      "POST /v1/{prefix}/namespaces",
      "GET /v1/{prefix}/namespaces/{namespace}",
      "HEAD /v1/{prefix}/namespaces/{namespace}",
      "DELETE /v1/{prefix}/namespaces/{namespace}",
      "POST /v1/{prefix}/namespaces/{namespace}/properties",
      "GET /v1/{prefix}/namespaces/{namespace}/tables",
      "POST /v1/{prefix}/namespaces/{namespace}/tables",
      "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "POST /v1/{prefix}/namespaces/{namespace}/register",
      "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
      "POST /v1/{prefix}/tables/rename",
      "POST /v1/{prefix}/transactions/commit",
  });
  return JsonResponse(200, config);
}

// ---- namespaces --------------------------------------------------------------------------

constexpr RouteErrors kNamespaceErrors{kNoSuchNamespace, kAlreadyExists, false};

HttpResponse ListNamespaces(const RestCatalogContext& ctx, const HttpRequest& request) {
  Namespace parent;
  const std::string parent_text = request.QueryParam("parent");
  if (!parent_text.empty()) {
    Result<Namespace> parsed = NamespaceFromPath(parent_text);
    if (!parsed.ok()) return ErrorFor(ctx, parsed.status(), kNamespaceErrors);
    parent = std::move(*parsed);
    Status exists = RequireNamespace(ctx, parent);
    if (!exists.ok()) return ErrorFor(ctx, exists, kNamespaceErrors);
  }
  Result<std::vector<Namespace>> list = ctx.services.catalog->ListNamespaces(parent);
  if (!list.ok()) return ErrorFor(ctx, list.status(), kNamespaceErrors);
  Json body;
  body["namespaces"] = Json::array();
  for (const Namespace& ns : *list) body["namespaces"].push_back(NamespaceJson(ns));
  return JsonResponse(200, body);
}

HttpResponse CreateNamespace(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Result<Json> {
    FLOE_ASSIGN_OR_RETURN(Json body, ParseBody(request));
    if (!body.contains("namespace")) return Status::InvalidArgument("namespace: missing");
    FLOE_ASSIGN_OR_RETURN(Namespace ns, NamespaceFromJson(body["namespace"], "namespace"));
    NamespaceProperties properties;
    if (body.contains("properties") && !body["properties"].is_null()) {
      if (!body["properties"].is_object()) {
        return Status::InvalidArgument("properties: not an object");
      }
      for (const auto& [key, value] : body["properties"].items()) {
        if (!value.is_string())
          return Status::InvalidArgument("properties." + key + ": not a string");
        properties[key] = value.get<std::string>();
      }
    }
    FLOE_RETURN_IF_ERROR(ctx.services.catalog->CreateNamespace(ns, properties));
    Json result;
    result["namespace"] = NamespaceJson(ns);
    result["properties"] = PropertiesJson(properties);
    return result;
  };
  Result<Json> result = run();
  if (!result.ok()) return ErrorFor(ctx, result.status(), kNamespaceErrors);
  return JsonResponse(200, *result);
}

HttpResponse LoadNamespace(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Result<Json> {
    FLOE_ASSIGN_OR_RETURN(Namespace ns, PathNamespace(request));
    FLOE_RETURN_IF_ERROR(RequireNamespace(ctx, ns));
    FLOE_ASSIGN_OR_RETURN(NamespaceProperties properties,
                          ctx.services.catalog->LoadNamespaceProperties(ns));
    Json result;
    result["namespace"] = NamespaceJson(ns);
    result["properties"] = PropertiesJson(properties);
    return result;
  };
  Result<Json> result = run();
  if (!result.ok()) return ErrorFor(ctx, result.status(), kNamespaceErrors);
  return JsonResponse(200, *result);
}

HttpResponse NamespaceExists(const RestCatalogContext& ctx, const HttpRequest& request) {
  Result<Namespace> ns = PathNamespace(request);
  Status status = ns.ok() ? RequireNamespace(ctx, *ns) : ns.status();
  if (!status.ok()) return ErrorFor(ctx, status, kNamespaceErrors);
  return NoContent();
}

HttpResponse DropNamespace(const RestCatalogContext& ctx, const HttpRequest& request) {
  Result<Namespace> ns = PathNamespace(request);
  Status status = ns.ok() ? RequireNamespace(ctx, *ns) : ns.status();
  if (status.ok()) status = ctx.services.catalog->DropNamespace(*ns);
  if (!status.ok()) {
    return ErrorFor(ctx, status, {kNoSuchNamespace, "NamespaceNotEmptyException", false});
  }
  return NoContent();
}

HttpResponse UpdateNamespaceProperties(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Result<Json> {
    FLOE_ASSIGN_OR_RETURN(Namespace ns, PathNamespace(request));
    FLOE_ASSIGN_OR_RETURN(Json body, ParseBody(request));
    NamespaceProperties updates;
    std::set<std::string> removals;
    if (body.contains("updates") && !body["updates"].is_null()) {
      if (!body["updates"].is_object()) return Status::InvalidArgument("updates: not an object");
      for (const auto& [key, value] : body["updates"].items()) {
        if (!value.is_string()) return Status::InvalidArgument("updates." + key + ": not a string");
        updates[key] = value.get<std::string>();
      }
    }
    if (body.contains("removals") && !body["removals"].is_null()) {
      if (!body["removals"].is_array()) return Status::InvalidArgument("removals: not an array");
      for (const Json& key : body["removals"]) {
        if (!key.is_string()) return Status::InvalidArgument("removals: not a string");
        if (updates.contains(key.get<std::string>())) {
          return Status::Conflict("property \"" + key.get<std::string>() +
                                  "\" is both updated and removed");
        }
        removals.insert(key.get<std::string>());
      }
    }
    FLOE_RETURN_IF_ERROR(RequireNamespace(ctx, ns));
    FLOE_ASSIGN_OR_RETURN(NamespaceProperties current,
                          ctx.services.catalog->LoadNamespaceProperties(ns));
    Json result;
    result["updated"] = Json::array();
    result["removed"] = Json::array();
    result["missing"] = Json::array();
    std::vector<std::string> present;
    for (const auto& [key, value] : updates) result["updated"].push_back(key);
    for (const std::string& key : removals) {
      if (current.contains(key)) {
        present.push_back(key);
        result["removed"].push_back(key);
      } else {
        result["missing"].push_back(key);
      }
    }
    FLOE_RETURN_IF_ERROR(ctx.services.catalog->UpdateNamespaceProperties(ns, updates, present));
    return result;
  };
  Result<Json> result = run();
  if (!result.ok()) {
    // The spec answers a key both updated and removed with 422.
    if (result.status().kind() == ErrorKind::kConflict) {
      return RestError(422, "UnprocessableEntityException", result.status().message());
    }
    return ErrorFor(ctx, result.status(), kNamespaceErrors);
  }
  return JsonResponse(200, *result);
}

// ---- tables ------------------------------------------------------------------------------

HttpResponse ListTables(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Result<Json> {
    FLOE_ASSIGN_OR_RETURN(Namespace ns, PathNamespace(request));
    FLOE_RETURN_IF_ERROR(RequireNamespace(ctx, ns));
    FLOE_ASSIGN_OR_RETURN(std::vector<TableIdentifier> tables,
                          ctx.services.catalog->ListTables(ns));
    Json result;
    result["identifiers"] = Json::array();
    for (const TableIdentifier& id : tables) {
      Json item;
      item["namespace"] = NamespaceJson(id.ns);
      item["name"] = id.name;
      result["identifiers"].push_back(std::move(item));
    }
    return result;
  };
  Result<Json> result = run();
  if (!result.ok()) return ErrorFor(ctx, result.status(), kNamespaceErrors);
  return JsonResponse(200, *result);
}

Result<CreateTableRequest> ParseCreateTable(const RestCatalogContext& ctx, const Json& body,
                                            const TableIdentifier& id) {
  CreateTableRequest request;
  if (!body.contains("schema")) return Status::InvalidArgument("schema: missing");
  Result<iceberg::Schema> schema = iceberg::SchemaFromJson(body["schema"], "schema");
  if (!schema.ok()) return Status::InvalidArgument(schema.status().message());
  request.schema = std::move(*schema);
  if (body.contains("partition-spec") && !body["partition-spec"].is_null()) {
    Json spec = body["partition-spec"];
    if (spec.is_object() && !spec.contains("spec-id")) spec["spec-id"] = 0;
    int32_t next_field_id = iceberg::kFirstPartitionFieldId;
    Result<iceberg::PartitionSpec> parsed =
        iceberg::PartitionSpecFromJson(spec, "partition-spec", &next_field_id);
    if (!parsed.ok()) return Status::InvalidArgument(parsed.status().message());
    request.spec = std::move(*parsed);
  }
  if (body.contains("write-order") && !body["write-order"].is_null()) {
    Json order = body["write-order"];
    if (order.is_object() && !order.contains("order-id")) {
      order["order-id"] = order.contains("fields") && !order["fields"].empty() ? 1 : 0;
    }
    Result<iceberg::SortOrder> parsed = iceberg::SortOrderFromJson(order, "write-order");
    if (!parsed.ok()) return Status::InvalidArgument(parsed.status().message());
    request.sort_order = std::move(*parsed);
  }
  if (body.contains("properties") && !body["properties"].is_null()) {
    if (!body["properties"].is_object())
      return Status::InvalidArgument("properties: not an object");
    for (const auto& [key, value] : body["properties"].items()) {
      if (!value.is_string())
        return Status::InvalidArgument("properties." + key + ": not a string");
      request.properties[key] = value.get<std::string>();
    }
  }
  request.location = DefaultTableLocation(ctx, id);
  if (body.contains("location") && !body["location"].is_null()) {
    if (!body["location"].is_string()) return Status::InvalidArgument("location: not a string");
    request.location = body["location"].get<std::string>();
  }
  return request;
}

HttpResponse CreateTable(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Result<Json> {
    FLOE_ASSIGN_OR_RETURN(Namespace ns, PathNamespace(request));
    FLOE_ASSIGN_OR_RETURN(Json body, ParseBody(request));
    if (!body.contains("name") || !body["name"].is_string() ||
        body["name"].get<std::string>().empty()) {
      return Status::InvalidArgument("name: missing or not a non-empty string");
    }
    TableIdentifier id{std::move(ns), body["name"].get<std::string>()};
    FLOE_ASSIGN_OR_RETURN(CreateTableRequest create, ParseCreateTable(ctx, body, id));
    FLOE_RETURN_IF_ERROR(RequireNamespace(ctx, id.ns));
    const bool staged = body.contains("stage-create") && body["stage-create"].is_boolean() &&
                        body["stage-create"].get<bool>();
    if (staged) {
      // Nothing is written: the client commits the table later with assert-create.
      FLOE_ASSIGN_OR_RETURN(bool exists, ctx.services.catalog->TableExists(id));
      if (exists) return Status::AlreadyExists("table already exists: " + id.ToString());
      FLOE_ASSIGN_OR_RETURN(std::string location, NormalizeLocation(create.location));
      UuidGenerator uuids(ctx.services.clock, FreshSeed());
      iceberg::NewTableRequest new_table;
      new_table.location = location;
      new_table.schema = create.schema;
      new_table.spec = create.spec;
      new_table.sort_order = create.sort_order;
      new_table.properties = create.properties;
      new_table.table_uuid = uuids.NewV4();
      new_table.now_ms = ctx.services.clock->NowMillis();
      Result<iceberg::TableMetadata> metadata = iceberg::NewTableMetadata(new_table);
      if (!metadata.ok()) return Status::InvalidArgument(metadata.status().message());
      return LoadTableResult(std::nullopt, *metadata);
    }
    Result<std::unique_ptr<Table>> table = Table::Create(ctx.services, id, create);
    if (!table.ok()) {
      const ErrorKind kind = table.status().kind();
      // NewTableMetadata rejects what the request got wrong (a spec on a missing column).
      if (kind == ErrorKind::kCorrupt) return Status::InvalidArgument(table.status().message());
      return table.status();
    }
    return LoadTableResult((*table)->metadata_location(), (*table)->metadata());
  };
  Result<Json> result = run();
  if (!result.ok()) {
    const bool missing_ns = result.status().kind() == ErrorKind::kNotFound;
    return ErrorFor(ctx, result.status(),
                    {missing_ns ? kNoSuchNamespace : kNoSuchTable, kAlreadyExists, false});
  }
  return JsonResponse(200, *result);
}

HttpResponse LoadTable(const RestCatalogContext& ctx, const HttpRequest& request) {
  Result<TableIdentifier> id = PathTable(request);
  if (!id.ok()) return ErrorFor(ctx, id.status(), {});
  Result<LoadedTable> loaded = LoadCurrent(ctx, *id);
  if (!loaded.ok()) return ErrorFor(ctx, loaded.status(), {});
  return JsonResponse(200, LoadTableResult(loaded->location, loaded->metadata));
}

HttpResponse TableExists(const RestCatalogContext& ctx, const HttpRequest& request) {
  Result<TableIdentifier> id = PathTable(request);
  if (!id.ok()) return ErrorFor(ctx, id.status(), {});
  Result<bool> exists = ctx.services.catalog->TableExists(*id);
  if (!exists.ok()) return ErrorFor(ctx, exists.status(), {});
  if (!*exists) return RestError(404, kNoSuchTable, "table does not exist: " + id->ToString());
  return NoContent();
}

// Every file the table's metadata reaches: data and delete files, manifests, manifest lists
// and metadata files. Best effort: what cannot be read or deleted stays.
void PurgeTableFiles(const RestCatalogContext& ctx, const LoadedTable& table) {
  std::vector<std::string> files;
  std::vector<const iceberg::Snapshot*> snapshots;
  for (const iceberg::Snapshot& s : table.metadata.snapshots) snapshots.push_back(&s);
  maintenance::ManifestCache cache(ctx.services.store);
  std::vector<std::string> unreadable;
  Result<maintenance::ReachableFiles> reachable =
      maintenance::CollectReachable(snapshots, &cache, &unreadable);
  if (reachable.ok()) {
    for (const auto* set :
         {&reachable->named_files, &reachable->manifests, &reachable->manifest_lists}) {
      files.insert(files.end(), set->begin(), set->end());
    }
  }
  for (const iceberg::MetadataLogEntry& entry : table.metadata.metadata_log) {
    files.push_back(entry.metadata_file);
  }
  files.push_back(table.location);
  Status deleted = ctx.services.store->DeleteMany(files);
  if (!deleted.ok() && ctx.logger != nullptr) {
    ctx.logger->Warn("rest_catalog.purge_incomplete", {{"error", deleted.ToString()}});
  }
}

HttpResponse DropTable(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Status {
    FLOE_ASSIGN_OR_RETURN(TableIdentifier id, PathTable(request));
    const std::string purge = request.QueryParam("purgeRequested");
    if (purge != "true") return ctx.services.catalog->DropTable(id);
    FLOE_ASSIGN_OR_RETURN(LoadedTable table, LoadCurrent(ctx, id));
    FLOE_RETURN_IF_ERROR(ctx.services.catalog->DropTable(id));
    PurgeTableFiles(ctx, table);
    return Status::OK();
  };
  Status status = run();
  if (!status.ok()) return ErrorFor(ctx, status, {});
  return NoContent();
}

HttpResponse RenameTable(const RestCatalogContext& ctx, const HttpRequest& request) {
  bool missing_namespace = false;
  auto run = [&]() -> Status {
    FLOE_ASSIGN_OR_RETURN(Json body, ParseBody(request));
    if (!body.contains("source")) return Status::InvalidArgument("source: missing");
    if (!body.contains("destination")) return Status::InvalidArgument("destination: missing");
    FLOE_ASSIGN_OR_RETURN(TableIdentifier from, IdentifierFromJson(body["source"], "source"));
    FLOE_ASSIGN_OR_RETURN(TableIdentifier to,
                          IdentifierFromJson(body["destination"], "destination"));
    FLOE_ASSIGN_OR_RETURN(bool exists, ctx.services.catalog->TableExists(from));
    if (!exists) return Status::NotFound("table does not exist: " + from.ToString());
    Status ns = RequireNamespace(ctx, to.ns);
    missing_namespace = ns.kind() == ErrorKind::kNotFound;
    FLOE_RETURN_IF_ERROR(ns);
    return ctx.services.catalog->RenameTable(from, to);
  };
  Status status = run();
  if (!status.ok()) {
    return ErrorFor(ctx, status, {missing_namespace ? kNoSuchNamespace : kNoSuchTable});
  }
  return NoContent();
}

HttpResponse RegisterTable(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Result<Json> {
    FLOE_ASSIGN_OR_RETURN(Namespace ns, PathNamespace(request));
    FLOE_ASSIGN_OR_RETURN(Json body, ParseBody(request));
    if (!body.contains("name") || !body["name"].is_string()) {
      return Status::InvalidArgument("name: missing or not a string");
    }
    if (!body.contains("metadata-location") || !body["metadata-location"].is_string()) {
      return Status::InvalidArgument("metadata-location: missing or not a string");
    }
    TableIdentifier id{std::move(ns), body["name"].get<std::string>()};
    const std::string location = body["metadata-location"].get<std::string>();
    const bool overwrite = body.contains("overwrite") && body["overwrite"].is_boolean() &&
                           body["overwrite"].get<bool>();
    FLOE_RETURN_IF_ERROR(RequireNamespace(ctx, id.ns));
    Result<iceberg::TableMetadata> metadata = ReadTableMetadata(ctx.services.store, location);
    if (!metadata.ok()) {
      return Status::InvalidArgument("metadata-location: " + metadata.status().message());
    }
    Status registered = ctx.services.catalog->RegisterTable(id, location);
    if (registered.kind() == ErrorKind::kAlreadyExists && overwrite) {
      FLOE_ASSIGN_OR_RETURN(TablePointer current, ctx.services.catalog->LoadTable(id));
      registered = ctx.services.catalog->CommitTable(id, current.metadata_location, location);
    }
    FLOE_RETURN_IF_ERROR(registered);
    return LoadTableResult(location, *metadata);
  };
  Result<Json> result = run();
  if (!result.ok()) {
    return ErrorFor(ctx, result.status(), {kNoSuchNamespace, kAlreadyExists, false});
  }
  return JsonResponse(200, *result);
}

HttpResponse ReportMetrics(const RestCatalogContext&, const HttpRequest&) { return NoContent(); }

// ---- commits -----------------------------------------------------------------------------

constexpr RouteErrors kCommitErrors{kNoSuchTable, kCommitFailed, true};

bool HasAssertCreate(const Json& requirements) {
  if (!requirements.is_array()) return false;
  for (const Json& r : requirements) {
    if (r.is_object() && r.contains("type") && r["type"] == "assert-create") return true;
  }
  return false;
}

Result<std::string> WriteMetadata(const RestCatalogContext& ctx,
                                  const iceberg::TableMetadata& metadata, int64_t version) {
  const auto codec = metadata.properties.find("write.metadata.compression-codec");
  const bool gzip = codec != metadata.properties.end() && codec->second == "gzip";
  UuidGenerator uuids(ctx.services.clock, FreshSeed());
  const std::string location = JoinLocation(
      MetadataDirectory(metadata), iceberg::MetadataFileName(version, uuids.NewV4(), gzip));
  FLOE_ASSIGN_OR_RETURN(std::string bytes, iceberg::EncodeTableMetadataFile(metadata, gzip));
  FLOE_RETURN_IF_ERROR(ctx.services.store->PutIfAbsent(location, bytes));
  return location;
}

// A create transaction: the table is made from the updates alone.
Result<LoadedTable> CommitCreate(const RestCatalogContext& ctx, const TableIdentifier& id,
                                 const Json& requirements, const Json& updates) {
  FLOE_RETURN_IF_ERROR(CheckRequirements(requirements, nullptr));
  FLOE_RETURN_IF_ERROR(RequireNamespace(ctx, id.ns));
  // What the updates do not set (set-location, assign-uuid) gets the defaults.
  iceberg::TableMetadata base = EmptyTableMetadata();
  FLOE_ASSIGN_OR_RETURN(base.location, NormalizeLocation(DefaultTableLocation(ctx, id)));
  base.table_uuid = UuidGenerator(ctx.services.clock, FreshSeed()).NewV4().ToString();
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata next,
                        ApplyUpdates(updates, base, "", ctx.services.clock->NowMillis()));
  FLOE_ASSIGN_OR_RETURN(std::string location, WriteMetadata(ctx, next, 0));
  Status created = ctx.services.catalog->CreateTable(id, location);
  if (!created.ok()) {
    if (created.kind() != ErrorKind::kCommitStateUnknown) {
      (void)ctx.services.store->Delete(location);
    }
    return created;
  }
  return LoadedTable{location, std::move(next)};
}

Result<LoadedTable> CommitOne(const RestCatalogContext& ctx, const TableIdentifier& id,
                              const Json& change) {
  const Json requirements = change.contains("requirements") ? change["requirements"] : Json();
  const Json updates = change.contains("updates") ? change["updates"] : Json();
  for (int attempt = 1;; ++attempt) {
    Result<LoadedTable> current = LoadCurrent(ctx, id);
    if (!current.ok() && current.status().kind() == ErrorKind::kNotFound &&
        HasAssertCreate(requirements)) {
      return CommitCreate(ctx, id, requirements, updates);
    }
    FLOE_RETURN_IF_ERROR(current.status());
    FLOE_RETURN_IF_ERROR(CheckRequirements(requirements, &current->metadata));
    FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata next,
                          ApplyUpdates(updates, current->metadata, current->location,
                                       ctx.services.clock->NowMillis()));
    const std::optional<int64_t> version = iceberg::ParseMetadataFileVersion(current->location);
    FLOE_ASSIGN_OR_RETURN(
        std::string location,
        WriteMetadata(ctx, next,
                      version ? *version + 1 : static_cast<int64_t>(next.metadata_log.size())));
    Status swapped = ctx.services.catalog->CommitTable(id, current->location, location);
    if (swapped.ok()) return LoadedTable{location, std::move(next)};
    // After an unknown outcome the catalog may point at the new file: it must stay.
    if (swapped.kind() == ErrorKind::kCommitStateUnknown) return swapped;
    (void)ctx.services.store->Delete(location);
    if (swapped.kind() != ErrorKind::kConflict || attempt >= kMaxCommitAttempts) return swapped;
  }
}

HttpResponse CommitTable(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Result<LoadedTable> {
    FLOE_ASSIGN_OR_RETURN(TableIdentifier id, PathTable(request));
    FLOE_ASSIGN_OR_RETURN(Json body, ParseBody(request));
    if (body.contains("identifier") && !body["identifier"].is_null()) {
      FLOE_ASSIGN_OR_RETURN(TableIdentifier named,
                            IdentifierFromJson(body["identifier"], "identifier"));
      if (named != id) {
        return Status::InvalidArgument("identifier " + named.ToString() +
                                       " does not match the path's table " + id.ToString());
      }
    }
    return CommitOne(ctx, id, body);
  };
  Result<LoadedTable> result = run();
  if (!result.ok()) return ErrorFor(ctx, result.status(), kCommitErrors);
  Json body;
  body["metadata-location"] = result->location;
  body["metadata"] = Json::parse(iceberg::TableMetadataToJson(result->metadata));
  return JsonResponse(200, body);
}

HttpResponse CommitTransaction(const RestCatalogContext& ctx, const HttpRequest& request) {
  auto run = [&]() -> Status {
    FLOE_ASSIGN_OR_RETURN(Json body, ParseBody(request));
    if (!body.contains("table-changes") || !body["table-changes"].is_array()) {
      return Status::InvalidArgument("table-changes: missing or not an array");
    }
    const Json& changes = body["table-changes"];
    // The catalog swaps one table's pointer at a time, so only a single table is atomic.
    if (changes.size() != 1) {
      return Status::NotSupported("transactions/commit takes exactly one table change, got " +
                                  std::to_string(changes.size()));
    }
    if (!changes[0].is_object() || !changes[0].contains("identifier")) {
      return Status::InvalidArgument("table-changes[0].identifier: missing");
    }
    FLOE_ASSIGN_OR_RETURN(TableIdentifier id, IdentifierFromJson(changes[0]["identifier"],
                                                                 "table-changes[0].identifier"));
    return CommitOne(ctx, id, changes[0]).status();
  };
  Status status = run();
  if (!status.ok()) return ErrorFor(ctx, status, kCommitErrors);
  return NoContent();
}

}  // namespace

Status AddRestCatalogRoutes(Router* router, RestCatalogContext context) {
  const TableServices& s = context.services;
  if (s.store == nullptr || s.catalog == nullptr || s.clock == nullptr) {
    return Status::InvalidArgument("the REST catalog needs a store, a catalog and a clock");
  }
  // A fixed seed would give every table created here the same uuid.
  context.services.seed.reset();
  auto ctx = std::make_shared<const RestCatalogContext>(std::move(context));
  const std::string v1 = std::string(kRestCatalogPrefix) + "/v1";
  const std::string ns = v1 + "/namespaces/{namespace}";
  const std::string table = ns + "/tables/{table}";
  struct Entry {
    const char* method;
    std::string pattern;
    Access access;
    RestHandler handler;
  };
  const Entry entries[] = {
      {"GET", v1 + "/config", Access::kRead, GetConfig},
      {"GET", v1 + "/namespaces", Access::kRead, ListNamespaces},
      {"POST", v1 + "/namespaces", Access::kWrite, CreateNamespace},
      {"GET", ns, Access::kRead, LoadNamespace},
      {"HEAD", ns, Access::kRead, NamespaceExists},
      {"DELETE", ns, Access::kWrite, DropNamespace},
      {"POST", ns + "/properties", Access::kWrite, UpdateNamespaceProperties},
      {"GET", ns + "/tables", Access::kRead, ListTables},
      {"POST", ns + "/tables", Access::kWrite, CreateTable},
      {"POST", ns + "/register", Access::kWrite, RegisterTable},
      {"GET", table, Access::kRead, LoadTable},
      {"HEAD", table, Access::kRead, TableExists},
      {"POST", table, Access::kWrite, CommitTable},
      {"DELETE", table, Access::kWrite, DropTable},
      // Engines send scan reports with read-only credentials too.
      {"POST", table + "/metrics", Access::kRead, ReportMetrics},
      {"POST", v1 + "/tables/rename", Access::kWrite, RenameTable},
      {"POST", v1 + "/transactions/commit", Access::kWrite, CommitTransaction},
  };
  for (const Entry& e : entries) {
    FLOE_RETURN_IF_ERROR(router->Add(e.method, e.pattern, Guard(ctx, e.access, e.handler)));
  }
  return Status::OK();
}

}  // namespace floe::server
