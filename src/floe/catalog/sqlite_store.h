#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "floe/catalog/catalog_store.h"

struct sqlite3;

namespace floe {

// A CatalogStore on one SQLite connection, serialised by a mutex. The database runs in WAL mode
// with synchronous=FULL (a committed pointer survives power loss) and a busy timeout, so many
// threads (each through its own or a shared store) and many processes can use one file.
class SqliteCatalogStore final : public CatalogStore {
 public:
  static Result<std::unique_ptr<SqliteCatalogStore>> Open(const std::string& path,
                                                          const CatalogStoreOptions& options);
  ~SqliteCatalogStore() override;

  Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) override;
  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override;
  Status Transaction(const std::function<Status(SqlSession&)>& body) override;
  std::string_view backend() const override { return "sqlite"; }

 private:
  class Session;
  SqliteCatalogStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  // REQUIRES: mu_ held. Runs one statement; collects rows if `rows` is not null.
  Result<int64_t> RunLocked(std::string_view sql, const std::vector<SqlValue>& params,
                            std::vector<SqlRow>* rows);
  Status ErrorStatus(int rc, std::string_view sql) const;

  std::string path_;
  sqlite3* db_;
  std::mutex mu_;
};

}  // namespace floe
