#include "floe/cli/warehouse.h"

#include <filesystem>
#include <ostream>
#include <system_error>

#include "floe/catalog/events_table.h"
#include "floe/catalog/sql_catalog.h"
#include "floe/io/location.h"

namespace floe::cli {

Result<std::unique_ptr<Warehouse>> Warehouse::Open(const Settings& settings,
                                                   const CliContext& ctx) {
  std::unique_ptr<Warehouse> wh(new Warehouse());
  wh->clock_ = ctx.clock;
  const std::string warehouse = settings.GetOr(kWarehouseSetting, "warehouse");
  if (warehouse.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "setting " + Settings::Describe(kWarehouseSetting) + " is empty");
  }
  const bool has_scheme =
      warehouse.find("://") != std::string::npos || warehouse.rfind("file:", 0) == 0;
  std::string local_dir;
  if (!has_scheme || warehouse.rfind("file:", 0) == 0) {
    Result<std::string> location =
        has_scheme ? NormalizeLocation(warehouse) : LocationFromLocalPath(warehouse);
    if (!location.ok()) {
      return Status(ErrorKind::kInvalidArgument,
                    "setting " + Settings::Describe(kWarehouseSetting) + " = \"" + warehouse +
                        "\": " + location.status().message());
    }
    wh->root_ = *location;
    FLOE_ASSIGN_OR_RETURN(Location parsed, ParseLocation(wh->root_));
    local_dir = parsed.path;
    std::error_code ec;
    std::filesystem::create_directories(local_dir, ec);
    if (ec) {
      return Status(ErrorKind::kIOError,
                    "cannot create warehouse folder " + local_dir + ": " + ec.message());
    }
  } else {
    Result<std::string> location = NormalizeLocation(warehouse);
    if (!location.ok()) {
      return Status(ErrorKind::kInvalidArgument,
                    "setting " + Settings::Describe(kWarehouseSetting) + " = \"" + warehouse +
                        "\": " + location.status().message());
    }
    wh->root_ = *location;
  }

  // S3 settings come from the standard AWS variables (docs/configuration.md); a bad one matters
  // only to an s3:// warehouse.
  Result<S3Options> s3 = S3OptionsFromEnvironment(
      ctx.getenv ? ctx.getenv : [](const char*) -> const char* { return nullptr; });
  if (!s3.ok() && !local_dir.empty()) s3 = S3Options{};
  FLOE_RETURN_IF_ERROR(s3.status());
  s3->clock = ctx.clock;
  wh->registry_ = MakeDefaultStoreRegistry(*s3);
  FLOE_ASSIGN_OR_RETURN(wh->store_, wh->registry_->Resolve(wh->root_));

  std::optional<std::string> catalog = settings.Get(kCatalogSetting);
  if (!catalog) {
    if (local_dir.empty()) {
      return Status(ErrorKind::kInvalidArgument, "warehouse " + wh->root_ + " is not local: set " +
                                                     Settings::Describe(kCatalogSetting) +
                                                     " (sqlite:PATH or postgresql://...)");
    }
    catalog = "sqlite:" + (std::filesystem::path(local_dir) / "catalog.db").string();
  }
  wh->catalog_uri_ = *catalog;
  SqlCatalogOptions options;
  if (std::optional<std::string> name = settings.Get(kCatalogNameSetting)) {
    options.catalog_name = *name;
  }
  Result<std::unique_ptr<SqlCatalog>> opened = SqlCatalog::Open(*catalog, options);
  if (!opened.ok()) {
    // The URI may hold a password: name the setting, not its value.
    return Status(opened.status().kind(), "cannot open the catalog of " +
                                              Settings::Describe(kCatalogSetting) + ": " +
                                              opened.status().message());
  }
  wh->catalog_ = std::move(*opened);
  return wh;
}

std::string Warehouse::DefaultTableLocation(const TableIdentifier& id) const {
  std::string location = root_;
  for (const std::string& level : id.ns) location = JoinLocation(location, level);
  return JoinLocation(location, id.name);
}

Result<std::unique_ptr<Table>> Warehouse::LoadTable(const TableIdentifier& id) const {
  Result<std::unique_ptr<Table>> table = Table::Load(services(), id);
  if (!table.ok() && table.status().kind() == ErrorKind::kNotFound) {
    return Status(ErrorKind::kNotFound, "table " + id.ToString() + " does not exist in catalog " +
                                            catalog_->name() + " (" + table.status().message() +
                                            ")");
  }
  return table;
}

Result<std::unique_ptr<Table>> Warehouse::LoadOrCreateTable(
    const TableIdentifier& id, const CreateTableRequest& request) const {
  Result<std::unique_ptr<Table>> table = Table::Load(services(), id);
  if (table.ok() || table.status().kind() != ErrorKind::kNotFound) return table;
  FLOE_ASSIGN_OR_RETURN(bool ns_exists, catalog_->NamespaceExists(id.ns));
  if (!ns_exists) {
    Status created = catalog_->CreateNamespace(id.ns, {});
    if (!created.ok() && created.kind() != ErrorKind::kAlreadyExists) return created;
  }
  Result<std::unique_ptr<Table>> made = Table::Create(services(), id, request);
  if (made.ok() || made.status().kind() != ErrorKind::kAlreadyExists) return made;
  return Table::Load(services(), id);  // another process created it first
}

Result<std::unique_ptr<Table>> Warehouse::LoadOrCreateEventsTable() const {
  TableIdentifier id = DefaultEventsTableId();
  return LoadOrCreateTable(id, EventsTableRequest(DefaultTableLocation(id)));
}

Result<OpenedTable> OpenTableForReading(const Args& args, const CliContext& ctx) {
  OpenedTable out;
  if (args.Has("metadata")) {
    std::string path = args.Get("metadata");
    out.name = path;
    out.registry = MakeDefaultStoreRegistry();
    bool remote = path.find("://") != std::string::npos && path.rfind("file:", 0) != 0;
    FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store,
                          out.registry->Resolve(remote ? path : "file:///"));
    out.store = store.get();
    FLOE_ASSIGN_OR_RETURN(out.table, OpenStaticTable(out.store, path));
    return out;
  }
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(out.warehouse, Warehouse::Open(settings, ctx));
  FLOE_ASSIGN_OR_RETURN(TableIdentifier id, TableFromSettings(settings));
  out.name = id.ToString();
  Result<TablePointer> pointer = out.warehouse->catalog()->LoadTable(id);
  if (!pointer.ok()) {
    return pointer.status().WithContext("table " + id.ToString() + " in catalog " +
                                        out.warehouse->catalog()->name());
  }
  // The catalog's pointer may be relative (PyIceberg with a relative warehouse): it is read
  // against the current directory, and the table relocated like a --metadata table.
  const std::string& location = pointer->metadata_location;
  bool remote = location.find("://") != std::string::npos && location.rfind("file:", 0) != 0;
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store,
                        out.warehouse->registry()->Resolve(remote ? location : "file:///"));
  out.store = store.get();
  FLOE_ASSIGN_OR_RETURN(out.table, OpenStaticTable(out.store, location));
  return out;
}

Result<TableIdentifier> TableFromSettings(const Settings& settings) {
  std::string text = settings.GetOr(kTableSetting, "analytics.events");
  Result<TableIdentifier> id = TableIdentifier::Parse(text);
  if (!id.ok()) {
    return Status(ErrorKind::kInvalidArgument, "setting " + Settings::Describe(kTableSetting) +
                                                   " = \"" + text + "\": " + id.status().message());
  }
  return id;
}

Result<std::unique_ptr<Logger>> MakeLogger(const Settings& settings, const CliContext& ctx,
                                           LogLevel fallback) {
  LogLevel level = fallback;
  if (std::optional<std::string> text = settings.Get(kLogLevelSetting)) {
    if (!ParseLogLevel(*text, &level)) {
      return Status(ErrorKind::kInvalidArgument, "setting " + Settings::Describe(kLogLevelSetting) +
                                                     " = \"" + *text +
                                                     "\": allowed debug, info, warn, error");
    }
  }
  std::ostream* err = ctx.err;
  return std::make_unique<Logger>(ctx.clock, level, [err](std::string_view line) { *err << line; });
}

int ReportError(const CliContext& ctx, std::string_view command, const Status& status) {
  *ctx.err << "floe " << command << ": " << status.message() << "\n";
  return status.kind() == ErrorKind::kInvalidArgument ? 2 : 1;
}

}  // namespace floe::cli
