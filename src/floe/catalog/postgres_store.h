#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "floe/catalog/catalog_store.h"

struct pg_conn;

namespace floe {

// A CatalogStore on one PostgreSQL connection (libpq), serialised by a mutex. A broken connection
// is re-established at the start of the next call; the call that saw it break fails with
// kUnavailable, or kCommitStateUnknown if it was changing rows.
class PostgresCatalogStore final : public CatalogStore {
 public:
  // `conninfo` is a libpq connection string or URI ("postgresql://user:pass@host:port/db").
  static Result<std::unique_ptr<PostgresCatalogStore>> Open(const std::string& conninfo,
                                                            const CatalogStoreOptions& options);
  ~PostgresCatalogStore() override;

  Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) override;
  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override;
  Status Transaction(const std::function<Status(SqlSession&)>& body) override;
  std::string_view backend() const override { return "postgresql"; }

 private:
  class Session;
  PostgresCatalogStore(std::string conninfo, const CatalogStoreOptions& options)
      : conninfo_(std::move(conninfo)), options_(options) {}
  // REQUIRES: mu_ held.
  Status ConnectLocked();
  // REQUIRES: mu_ held. Runs one statement; collects rows if `rows` is not null.
  Result<int64_t> RunLocked(std::string_view sql, const std::vector<SqlValue>& params,
                            std::vector<SqlRow>* rows);

  std::string conninfo_;
  std::string display_name_;  // the conninfo without its password, for messages
  CatalogStoreOptions options_;
  pg_conn* conn_ = nullptr;
  std::mutex mu_;
};

// `conninfo` with connect_timeout=`seconds` added unless it sets one, so an unreachable server
// fails the call instead of hanging it (libpq waits forever by default).
std::string WithConnectTimeout(std::string_view conninfo, int seconds);

// `conninfo` with any password replaced by "***" (URI "user:pass@" or "password=...").
std::string RedactConninfo(std::string_view conninfo);

}  // namespace floe
