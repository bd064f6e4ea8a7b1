#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"

namespace floe {

// A statement parameter or a result cell; nullopt is SQL NULL. Everything travels as text, which
// is all the catalog tables hold.
using SqlValue = std::optional<std::string>;
using SqlRow = std::vector<SqlValue>;

// Runs SQL statements on one connection. Statements use '?' placeholders (translated for
// backends that number them).
//
// Errors: kAlreadyExists for a unique or primary-key violation, kUnavailable when the database is
// busy, locked or unreachable (the statement did not run), kCommitStateUnknown when the connection
// broke while a change was in flight (it may or may not have been applied), kIOError otherwise.
class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // A statement that changes rows; returns how many it changed.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            const std::vector<SqlValue>& params) = 0;
};

// Row storage of the SQL catalog: a database connection (or a few) with the dialect details, so
// SqlCatalog holds the catalog logic once for SQLite and PostgreSQL. Execute() and Query() on the
// store itself run in autocommit mode; Transaction() runs a body atomically.
class CatalogStore : public SqlSession {
 public:
  // Runs `body` in one transaction, committed if it returns ok and rolled back otherwise. The
  // session passed in is valid only during the call. Transactions take the write lock up front
  // (SQLite BEGIN IMMEDIATE), so bodies can read then write without deadlocking each other.
  virtual Status Transaction(const std::function<Status(SqlSession&)>& body) = 0;
  // "sqlite" or "postgresql", for messages and the few places SQL differs.
  virtual std::string_view backend() const = 0;
};

struct CatalogStoreOptions {
  // How long a statement waits for another writer's lock before kUnavailable.
  int busy_timeout_ms = 30000;
  // How long connecting to a database server may take (PostgreSQL), unless the URI says.
  int connect_timeout_s = 10;
};

// Opens the store a catalog URI names: "sqlite:PATH" (a file, created if missing; "sqlite::memory:"
// for a private in-memory database) or "postgresql://user:pass@host:port/db" / "postgres://..."
// (any libpq connection URI).
Result<std::unique_ptr<CatalogStore>> OpenCatalogStore(std::string_view uri,
                                                       const CatalogStoreOptions& options = {});

}  // namespace floe
