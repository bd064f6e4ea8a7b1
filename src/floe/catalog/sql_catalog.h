#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "floe/catalog/catalog.h"
#include "floe/catalog/catalog_store.h"

namespace floe {

struct SqlCatalogOptions {
  // Partitions the rows of a shared database: catalogs with other names do not see each other.
  std::string catalog_name = "floe";
  CatalogStoreOptions store;
};

// The catalog in Iceberg's JDBC layout (tables `iceberg_tables` and
// `iceberg_namespace_properties`, created if missing), so Java's JdbcCatalog and PyIceberg's
// SqlCatalog pointed at the same database see the same namespaces and tables. Commits are the
// compare-and-swap UPDATE those use; it is safe across threads, processes and machines.
// Thread-safe.
class SqlCatalog final : public Catalog {
 public:
  // Opens "sqlite:PATH" or "postgresql://..." (see OpenCatalogStore) and creates the tables.
  static Result<std::unique_ptr<SqlCatalog>> Open(std::string_view uri,
                                                  const SqlCatalogOptions& options = {});
  // A catalog over an open store; creates the tables.
  static Result<std::unique_ptr<SqlCatalog>> Make(std::unique_ptr<CatalogStore> store,
                                                  std::string catalog_name);

  const std::string& name() const override { return catalog_name_; }

  Status CreateNamespace(const Namespace& ns, const NamespaceProperties& properties) override;
  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override;
  Result<bool> NamespaceExists(const Namespace& ns) override;
  Result<NamespaceProperties> LoadNamespaceProperties(const Namespace& ns) override;
  Status UpdateNamespaceProperties(const Namespace& ns, const NamespaceProperties& updates,
                                   const std::vector<std::string>& removals) override;
  Status DropNamespace(const Namespace& ns) override;

  Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) override;
  Status RegisterTable(const TableIdentifier& id, const std::string& metadata_location) override;
  Result<TablePointer> LoadTable(const TableIdentifier& id) override;
  Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) override;
  Result<bool> TableExists(const TableIdentifier& id) override;
  Status DropTable(const TableIdentifier& id) override;
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) override;
  Status CommitTable(const TableIdentifier& id, const std::string& expected_metadata_location,
                     const std::string& new_metadata_location) override;

  CatalogStore& store() { return *store_; }

 private:
  SqlCatalog(std::unique_ptr<CatalogStore> store, std::string catalog_name)
      : store_(std::move(store)), catalog_name_(std::move(catalog_name)) {}
  Status EnsureSchema();
  Status InsertTable(const TableIdentifier& id, const std::string& metadata_location);
  // Whether `ns` has rows of its own (exact) or also only below it (implied by a child).
  Result<bool> NamespaceExistsIn(SqlSession& session, const Namespace& ns, bool exact);

  std::unique_ptr<CatalogStore> store_;
  std::string catalog_name_;
};

}  // namespace floe
