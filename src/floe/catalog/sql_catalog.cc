#include "floe/catalog/sql_catalog.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

namespace floe {
namespace {

// The DDL of Iceberg's JdbcUtil (schema V1: with iceberg_type), portable to SQLite and PostgreSQL.
constexpr std::string_view kCreateTables =
    "CREATE TABLE IF NOT EXISTS iceberg_tables ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "table_namespace VARCHAR(255) NOT NULL, "
    "table_name VARCHAR(255) NOT NULL, "
    "metadata_location VARCHAR(1000), "
    "previous_metadata_location VARCHAR(1000), "
    "iceberg_type VARCHAR(5), "
    "PRIMARY KEY (catalog_name, table_namespace, table_name))";
constexpr std::string_view kCreateNamespaceProperties =
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "namespace VARCHAR(255) NOT NULL, "
    "property_key VARCHAR(255), "
    "property_value VARCHAR(1000), "
    "PRIMARY KEY (catalog_name, namespace, property_key))";

// Rows written by a V0 Java catalog or PyIceberg have no type; views have 'VIEW'.
#define FLOE_IS_TABLE " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)"

// The hidden property that keeps a namespace without properties in existence (Java, PyIceberg).
constexpr std::string_view kExistsKey = "exists";

constexpr size_t kMaxNameBytes = 255;
constexpr size_t kMaxLocationBytes = 1000;

Status ValidateNamespace(const Namespace& ns) {
  if (ns.empty()) return Status::InvalidArgument("namespace: empty (no levels)");
  for (const auto& level : ns) {
    if (level.empty() || level.find('.') != std::string::npos) {
      return Status::InvalidArgument("namespace '" + NamespaceToString(ns) + "': level '" + level +
                                     "' is empty or contains '.'");
    }
  }
  if (NamespaceToString(ns).size() > kMaxNameBytes) {
    return Status::InvalidArgument("namespace '" + NamespaceToString(ns) + "' is longer than " +
                                   std::to_string(kMaxNameBytes) + " bytes");
  }
  return Status::OK();
}

Status ValidateTable(const TableIdentifier& id) {
  FLOE_RETURN_IF_ERROR(ValidateNamespace(id.ns));
  if (id.name.empty() || id.name.size() > kMaxNameBytes) {
    return Status::InvalidArgument("table '" + id.ToString() + "': name must be 1 to " +
                                   std::to_string(kMaxNameBytes) + " bytes");
  }
  return Status::OK();
}

Status ValidateLocation(const TableIdentifier& id, const std::string& location) {
  if (location.empty() || location.size() > kMaxLocationBytes) {
    return Status::InvalidArgument("table '" + id.ToString() +
                                   "': metadata location must be 1 to " +
                                   std::to_string(kMaxLocationBytes) + " bytes");
  }
  return Status::OK();
}

// SQL substr() counts characters, not bytes: the length of a UTF-8 prefix in code points.
std::string CharCount(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return std::to_string(n);
}

Status NoSuchNamespace(const Namespace& ns, const std::string& catalog) {
  return Status::NotFound("namespace '" + NamespaceToString(ns) + "' does not exist in catalog '" +
                          catalog + "'");
}

Status NoSuchTable(const TableIdentifier& id, const std::string& catalog) {
  return Status::NotFound("table '" + id.ToString() + "' does not exist in catalog '" + catalog +
                          "'");
}

}  // namespace

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Open(std::string_view uri,
                                                     const SqlCatalogOptions& options) {
  FLOE_ASSIGN_OR_RETURN(auto store, OpenCatalogStore(uri, options.store));
  return Make(std::move(store), options.catalog_name);
}

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Make(std::unique_ptr<CatalogStore> store,
                                                     std::string catalog_name) {
  if (catalog_name.empty() || catalog_name.size() > kMaxNameBytes) {
    return Status::InvalidArgument("catalog name must be 1 to 255 bytes");
  }
  std::unique_ptr<SqlCatalog> catalog(new SqlCatalog(std::move(store), std::move(catalog_name)));
  FLOE_RETURN_IF_ERROR(catalog->EnsureSchema());
  return catalog;
}

Status SqlCatalog::EnsureSchema() {
  // Processes starting together race on CREATE TABLE IF NOT EXISTS (PostgreSQL can report a
  // duplicate type for the loser); the loser finds the tables on a second look.
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
    auto tables = store_->Execute(kCreateTables, {});
    auto props = tables.ok() ? store_->Execute(kCreateNamespaceProperties, {}) : tables;
    if (!props.ok()) {
      last = props.status();
      continue;
    }
    // A table made by Java's JdbcCatalog with schema V0 lacks iceberg_type; Java adds it the same
    // way when moving to V1, and V0 readers ignore it.
    if (!store_->Query("SELECT iceberg_type FROM iceberg_tables WHERE 1 = 0", {}).ok()) {
      auto added =
          store_->Execute("ALTER TABLE iceberg_tables ADD COLUMN iceberg_type VARCHAR(5)", {});
      if (!added.ok()) {
        last = added.status();
        continue;
      }
    }
    return Status::OK();
  }
  return last.WithContext("creating the catalog tables");
}

Result<bool> SqlCatalog::NamespaceExistsIn(SqlSession& session, const Namespace& ns, bool exact) {
  std::string text = NamespaceToString(ns);
  std::string below = text + ".";
  std::vector<SqlValue> params = {catalog_name_, text};
  std::string implied;
  if (!exact) {
    implied = " OR substr(%s, 1, ?) = ?";
    params.push_back(CharCount(below));
    params.push_back(below);
  }
  auto sql = [&](std::string_view table, std::string_view column) {
    std::string tail = implied;
    if (!tail.empty()) tail.replace(tail.find("%s"), 2, column);
    return "SELECT 1 FROM " + std::string(table) + " WHERE catalog_name = ? AND (" +
           std::string(column) + " = ?" + tail + ") LIMIT 1";
  };
  FLOE_ASSIGN_OR_RETURN(auto props,
                        session.Query(sql("iceberg_namespace_properties", "namespace"), params));
  if (!props.empty()) return true;
  FLOE_ASSIGN_OR_RETURN(auto tables,
                        session.Query(sql("iceberg_tables", "table_namespace"), params));
  return !tables.empty();
}

Status SqlCatalog::CreateNamespace(const Namespace& ns, const NamespaceProperties& properties) {
  FLOE_RETURN_IF_ERROR(ValidateNamespace(ns));
  for (const auto& [key, value] : properties) {
    if (key.empty() || key.size() > kMaxNameBytes || value.size() > kMaxLocationBytes) {
      return Status::InvalidArgument("namespace '" + NamespaceToString(ns) + "': property '" + key +
                                     "' has an empty or too long key or value");
    }
  }
  std::string text = NamespaceToString(ns);
  return store_->Transaction([&](SqlSession& session) -> Status {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExistsIn(session, ns, /*exact=*/true));
    if (exists) {
      return Status::AlreadyExists("namespace '" + text + "' already exists in catalog '" +
                                   catalog_name_ + "'");
    }
    NamespaceProperties rows = properties;
    if (rows.empty()) rows.emplace(kExistsKey, "true");
    for (const auto& [key, value] : rows) {
      FLOE_RETURN_IF_ERROR(session.Execute(
          "INSERT INTO iceberg_namespace_properties "
          "(catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)",
          {catalog_name_, text, key, value}));
    }
    return Status::OK();
  });
}

Result<std::vector<Namespace>> SqlCatalog::ListNamespaces(const Namespace& parent) {
  if (!parent.empty()) {
    FLOE_RETURN_IF_ERROR(ValidateNamespace(parent));
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExistsIn(*store_, parent, /*exact=*/false));
    if (!exists) return NoSuchNamespace(parent, catalog_name_);
  }
  FLOE_ASSIGN_OR_RETURN(
      auto rows, store_->Query("SELECT DISTINCT namespace FROM iceberg_namespace_properties "
                               "WHERE catalog_name = ? UNION SELECT DISTINCT table_namespace "
                               "FROM iceberg_tables WHERE catalog_name = ?",
                               {catalog_name_, catalog_name_}));
  std::set<Namespace> children;
  for (const auto& row : rows) {
    if (row.empty() || !row[0]) continue;
    auto ns = ParseNamespace(*row[0]);
    if (!ns.ok() || ns->size() <= parent.size()) continue;
    if (!std::equal(parent.begin(), parent.end(), ns->begin())) continue;
    children.insert(
        Namespace(ns->begin(), ns->begin() + static_cast<ptrdiff_t>(parent.size()) + 1));
  }
  return std::vector<Namespace>(children.begin(), children.end());
}

Result<bool> SqlCatalog::NamespaceExists(const Namespace& ns) {
  FLOE_RETURN_IF_ERROR(ValidateNamespace(ns));
  return NamespaceExistsIn(*store_, ns, /*exact=*/false);
}

Result<NamespaceProperties> SqlCatalog::LoadNamespaceProperties(const Namespace& ns) {
  FLOE_RETURN_IF_ERROR(ValidateNamespace(ns));
  FLOE_ASSIGN_OR_RETURN(auto rows, store_->Query("SELECT property_key, property_value FROM "
                                                 "iceberg_namespace_properties WHERE "
                                                 "catalog_name = ? AND namespace = ?",
                                                 {catalog_name_, NamespaceToString(ns)}));
  if (rows.empty()) {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExistsIn(*store_, ns, /*exact=*/false));
    if (!exists) return NoSuchNamespace(ns, catalog_name_);
  }
  NamespaceProperties out;
  for (const auto& row : rows) {
    if (row.size() != 2 || !row[0] || *row[0] == kExistsKey) continue;
    out[*row[0]] = row[1].value_or("");
  }
  return out;
}

Status SqlCatalog::UpdateNamespaceProperties(const Namespace& ns,
                                             const NamespaceProperties& updates,
                                             const std::vector<std::string>& removals) {
  FLOE_RETURN_IF_ERROR(ValidateNamespace(ns));
  for (const auto& key : removals) {
    if (updates.count(key)) {
      return Status::InvalidArgument("namespace '" + NamespaceToString(ns) + "': property '" + key +
                                     "' is both updated and removed");
    }
  }
  for (const auto& [key, value] : updates) {
    if (key.empty() || key.size() > kMaxNameBytes || value.size() > kMaxLocationBytes ||
        key == kExistsKey) {
      return Status::InvalidArgument("namespace '" + NamespaceToString(ns) + "': property '" + key +
                                     "' is reserved or has a bad length");
    }
  }
  std::string text = NamespaceToString(ns);
  return store_->Transaction([&](SqlSession& session) -> Status {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExistsIn(session, ns, /*exact=*/false));
    if (!exists) return NoSuchNamespace(ns, catalog_name_);
    for (const auto& key : removals) {
      if (key == kExistsKey) continue;
      FLOE_RETURN_IF_ERROR(session.Execute(
          "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ? "
          "AND property_key = ?",
          {catalog_name_, text, key}));
    }
    for (const auto& [key, value] : updates) {
      FLOE_RETURN_IF_ERROR(session.Execute(
          "INSERT INTO iceberg_namespace_properties "
          "(catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (catalog_name, namespace, property_key) "
          "DO UPDATE SET property_value = excluded.property_value",
          {catalog_name_, text, key, value}));
    }
    // Removing the last property must not make the namespace vanish.
    FLOE_ASSIGN_OR_RETURN(auto left, session.Query("SELECT 1 FROM iceberg_namespace_properties "
                                                   "WHERE catalog_name = ? AND namespace = ? "
                                                   "LIMIT 1",
                                                   {catalog_name_, text}));
    if (left.empty()) {
      FLOE_RETURN_IF_ERROR(session.Execute(
          "INSERT INTO iceberg_namespace_properties "
          "(catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)",
          {catalog_name_, text, std::string(kExistsKey), "true"}));
    }
    return Status::OK();
  });
}

Status SqlCatalog::DropNamespace(const Namespace& ns) {
  FLOE_RETURN_IF_ERROR(ValidateNamespace(ns));
  std::string text = NamespaceToString(ns);
  std::string below = text + ".";
  return store_->Transaction([&](SqlSession& session) -> Status {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExistsIn(session, ns, /*exact=*/false));
    if (!exists) return NoSuchNamespace(ns, catalog_name_);
    FLOE_ASSIGN_OR_RETURN(auto tables,
                          session.Query("SELECT table_name FROM iceberg_tables "
                                        "WHERE catalog_name = ? AND (table_namespace "
                                        "= ? OR substr(table_namespace, 1, ?) = ?) "
                                        "LIMIT 1",
                                        {catalog_name_, text, CharCount(below), below}));
    if (!tables.empty()) {
      return Status::Conflict("namespace '" + text + "' is not empty: it holds tables");
    }
    FLOE_ASSIGN_OR_RETURN(auto children,
                          session.Query("SELECT namespace FROM iceberg_namespace_properties "
                                        "WHERE catalog_name = ? AND substr(namespace, 1, ?) = ? "
                                        "LIMIT 1",
                                        {catalog_name_, CharCount(below), below}));
    if (!children.empty()) {
      return Status::Conflict("namespace '" + text + "' is not empty: it has child namespaces");
    }
    FLOE_RETURN_IF_ERROR(session.Execute(
        "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?",
        {catalog_name_, text}));
    return Status::OK();
  });
}

Status SqlCatalog::InsertTable(const TableIdentifier& id, const std::string& metadata_location) {
  FLOE_RETURN_IF_ERROR(ValidateTable(id));
  FLOE_RETURN_IF_ERROR(ValidateLocation(id, metadata_location));
  return store_->Transaction([&](SqlSession& session) -> Status {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExistsIn(session, id.ns, /*exact=*/false));
    if (!exists) return NoSuchNamespace(id.ns, catalog_name_);
    auto inserted = session.Execute(
        "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
        "metadata_location, previous_metadata_location, iceberg_type) "
        "VALUES (?, ?, ?, ?, NULL, 'TABLE')",
        {catalog_name_, NamespaceToString(id.ns), id.name, metadata_location});
    if (!inserted.ok() && inserted.status().kind() == ErrorKind::kAlreadyExists) {
      return Status::AlreadyExists("table '" + id.ToString() + "' already exists in catalog '" +
                                   catalog_name_ + "'");
    }
    return inserted.status();
  });
}

Status SqlCatalog::CreateTable(const TableIdentifier& id, const std::string& metadata_location) {
  return InsertTable(id, metadata_location);
}

Status SqlCatalog::RegisterTable(const TableIdentifier& id, const std::string& metadata_location) {
  return InsertTable(id, metadata_location);
}

Result<TablePointer> SqlCatalog::LoadTable(const TableIdentifier& id) {
  FLOE_RETURN_IF_ERROR(ValidateTable(id));
  FLOE_ASSIGN_OR_RETURN(auto rows,
                        store_->Query("SELECT metadata_location, previous_metadata_location FROM "
                                      "iceberg_tables WHERE catalog_name = ? AND "
                                      "table_namespace = ? AND table_name = ?" FLOE_IS_TABLE,
                                      {catalog_name_, NamespaceToString(id.ns), id.name}));
  if (rows.empty()) return NoSuchTable(id, catalog_name_);
  if (rows[0].size() != 2 || !rows[0][0]) {
    return Status::Corrupt("table '" + id.ToString() + "' in catalog '" + catalog_name_ +
                           "' has no metadata location");
  }
  return TablePointer{*rows[0][0], rows[0][1]};
}

Result<std::vector<TableIdentifier>> SqlCatalog::ListTables(const Namespace& ns) {
  FLOE_RETURN_IF_ERROR(ValidateNamespace(ns));
  FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExistsIn(*store_, ns, /*exact=*/false));
  if (!exists) return NoSuchNamespace(ns, catalog_name_);
  FLOE_ASSIGN_OR_RETURN(auto rows,
                        store_->Query("SELECT table_name FROM iceberg_tables WHERE "
                                      "catalog_name = ? AND table_namespace = ?" FLOE_IS_TABLE,
                                      {catalog_name_, NamespaceToString(ns)}));
  std::vector<TableIdentifier> out;
  for (const auto& row : rows) {
    if (!row.empty() && row[0]) out.push_back({ns, *row[0]});
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<bool> SqlCatalog::TableExists(const TableIdentifier& id) {
  auto loaded = LoadTable(id);
  if (loaded.ok()) return true;
  if (loaded.status().kind() == ErrorKind::kNotFound) return false;
  return loaded.status();
}

Status SqlCatalog::DropTable(const TableIdentifier& id) {
  FLOE_RETURN_IF_ERROR(ValidateTable(id));
  FLOE_ASSIGN_OR_RETURN(int64_t deleted,
                        store_->Execute("DELETE FROM iceberg_tables WHERE catalog_name = ? AND "
                                        "table_namespace = ? AND table_name = ?" FLOE_IS_TABLE,
                                        {catalog_name_, NamespaceToString(id.ns), id.name}));
  if (deleted == 0) return NoSuchTable(id, catalog_name_);
  return Status::OK();
}

Status SqlCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
  FLOE_RETURN_IF_ERROR(ValidateTable(from));
  FLOE_RETURN_IF_ERROR(ValidateTable(to));
  return store_->Transaction([&](SqlSession& session) -> Status {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExistsIn(session, to.ns, /*exact=*/false));
    if (!exists) return NoSuchNamespace(to.ns, catalog_name_);
    auto updated = session.Execute(
        "UPDATE iceberg_tables SET table_namespace = ?, table_name = ? WHERE catalog_name = ? "
        "AND table_namespace = ? AND table_name = ?" FLOE_IS_TABLE,
        {NamespaceToString(to.ns), to.name, catalog_name_, NamespaceToString(from.ns), from.name});
    if (!updated.ok() && updated.status().kind() == ErrorKind::kAlreadyExists) {
      return Status::AlreadyExists("cannot rename '" + from.ToString() + "': '" + to.ToString() +
                                   "' already exists in catalog '" + catalog_name_ + "'");
    }
    FLOE_RETURN_IF_ERROR(updated);
    if (*updated == 0) return NoSuchTable(from, catalog_name_);
    return Status::OK();
  });
}

Status SqlCatalog::CommitTable(const TableIdentifier& id,
                               const std::string& expected_metadata_location,
                               const std::string& new_metadata_location) {
  FLOE_RETURN_IF_ERROR(ValidateTable(id));
  FLOE_RETURN_IF_ERROR(ValidateLocation(id, new_metadata_location));
  FLOE_ASSIGN_OR_RETURN(
      int64_t updated,
      store_->Execute(
          "UPDATE iceberg_tables SET metadata_location = ?, "
          "previous_metadata_location = ? WHERE catalog_name = ? AND "
          "table_namespace = ? AND table_name = ? AND metadata_location = ?" FLOE_IS_TABLE,
          {new_metadata_location, expected_metadata_location, catalog_name_,
           NamespaceToString(id.ns), id.name, expected_metadata_location}));
  if (updated == 1) return Status::OK();
  FLOE_ASSIGN_OR_RETURN(TablePointer current, LoadTable(id));
  return Status::Conflict("commit to table '" + id.ToString() + "' expected metadata '" +
                          expected_metadata_location + "' but the current one is '" +
                          current.metadata_location + "'");
}

}  // namespace floe
