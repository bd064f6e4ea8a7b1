#pragma once

// What commands share to reach tables: settings resolved into a store for the warehouse, a
// catalog, and tables loaded (or created) through them.
//
//   FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
//   FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> wh, Warehouse::Open(settings, ctx));
//   FLOE_ASSIGN_OR_RETURN(TableIdentifier id, TableFromSettings(settings));
//   FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, wh->LoadTable(id));
//
// Defaults (DESIGN.md): warehouse ./warehouse, catalog sqlite:<warehouse>/catalog.db for a local
// warehouse (an s3:// warehouse needs --catalog), table analytics.events.

#include <memory>
#include <string>

#include "floe/catalog/catalog.h"
#include "floe/catalog/static_table.h"
#include "floe/catalog/table.h"
#include "floe/cli/cli.h"
#include "floe/cli/settings.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/io/object_store.h"
#include "floe/io/store_registry.h"

namespace floe::cli {

class Warehouse {
 public:
  // Resolves --warehouse and --catalog, creates a local warehouse folder when missing, opens the
  // catalog (creating its tables). Errors name the setting and its value.
  static Result<std::unique_ptr<Warehouse>> Open(const Settings& settings, const CliContext& ctx);

  // Normalised root location of the warehouse ("file:///abs/warehouse", "s3://bucket/prefix").
  const std::string& root() const { return root_; }
  // The catalog URI in use ("sqlite:/abs/warehouse/catalog.db", "postgresql://...").
  const std::string& catalog_uri() const { return catalog_uri_; }
  ObjectStore* store() const { return store_.get(); }
  Catalog* catalog() const { return catalog_.get(); }
  StoreRegistry* registry() const { return registry_.get(); }
  TableServices services() const {
    TableServices services;
    services.store = store_.get();
    services.catalog = catalog_.get();
    services.clock = clock_;
    return services;
  }

  // Where a new table's files go: <root>/<ns levels>/<name>.
  std::string DefaultTableLocation(const TableIdentifier& id) const;

  // kNotFound names the table and the catalog.
  Result<std::unique_ptr<Table>> LoadTable(const TableIdentifier& id) const;
  // Creates the namespace and the table when missing (losing a race to another process that
  // creates it first is fine), then loads it.
  Result<std::unique_ptr<Table>> LoadOrCreateTable(const TableIdentifier& id,
                                                   const CreateTableRequest& request) const;
  // analytics.events with DESIGN.md's schema, created when missing.
  Result<std::unique_ptr<Table>> LoadOrCreateEventsTable() const;

 private:
  Warehouse() = default;
  std::string root_;
  std::string catalog_uri_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<StoreRegistry> registry_;
  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<Catalog> catalog_;
};

// A table opened for reading only: from its metadata file or folder with --metadata (the
// read-only path catalog, no catalog needed), else the --table of the catalog. Every path its
// metadata names is read through `table.resolver` from `store` (tables copied elsewhere are
// relocated the same way in both cases).
struct OpenedTable {
  std::unique_ptr<StoreRegistry> registry;  // set with --metadata
  std::unique_ptr<Warehouse> warehouse;     // set without
  ObjectStore* store = nullptr;
  StaticTable table;
  std::string name;  // "analytics.events", or the --metadata path
};
Result<OpenedTable> OpenTableForReading(const Args& args, const CliContext& ctx);

// --table (default analytics.events), parsed; errors name the flag.
Result<TableIdentifier> TableFromSettings(const Settings& settings);

// JSON-lines logger on ctx.err at --log-level / FLOE_LOG_LEVEL (debug, info, warn, error),
// `fallback` when unset. kInvalidArgument names a bad level.
Result<std::unique_ptr<Logger>> MakeLogger(const Settings& settings, const CliContext& ctx,
                                           LogLevel fallback);

// Prints "floe <command>: <message>" to ctx.err and returns the exit code for `status`
// (2 for kInvalidArgument — bad usage or settings — else 1). One way for every command to fail.
int ReportError(const CliContext& ctx, std::string_view command, const Status& status);

}  // namespace floe::cli
