#include "floe/catalog/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace floe {

class SqliteCatalogStore::Session final : public SqlSession {
 public:
  explicit Session(SqliteCatalogStore* store) : store_(store) {}
  Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    return store_->RunLocked(sql, params, nullptr);
  }
  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    FLOE_RETURN_IF_ERROR(store_->RunLocked(sql, params, &rows));
    return rows;
  }

 private:
  SqliteCatalogStore* store_;
};

Result<std::unique_ptr<SqliteCatalogStore>> SqliteCatalogStore::Open(
    const std::string& path, const CatalogStoreOptions& options) {
  if (path.empty()) return Status::InvalidArgument("sqlite catalog: empty database path");
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg =
        "sqlite catalog " + path + ": open: " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Status::IOError(std::move(msg));
  }
  std::unique_ptr<SqliteCatalogStore> store(new SqliteCatalogStore(path, db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::lock_guard lock(store->mu_);
  // WAL lets readers run beside the one writer; FULL makes each commit durable, which the
  // catalog needs: an acknowledged table commit must survive a power cut.
  std::vector<SqlRow> ignored;
  // Switching a fresh database to WAL needs an exclusive lock, and SQLite can answer BUSY at once
  // (without its busy handler) while another process does the same: retry for the busy timeout.
  for (int waited_ms = 0, step_ms = 2;; waited_ms += step_ms, step_ms = std::min(step_ms * 2, 50)) {
    Result<int64_t> r = store->RunLocked("PRAGMA journal_mode=WAL", {}, &ignored);
    if (r.ok()) break;
    if (r.status().kind() != ErrorKind::kUnavailable || waited_ms >= options.busy_timeout_ms) {
      return r.status();
    }
    ignored.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
  FLOE_RETURN_IF_ERROR(store->RunLocked("PRAGMA synchronous=FULL", {}, nullptr));
  return store;
}

SqliteCatalogStore::~SqliteCatalogStore() { sqlite3_close_v2(db_); }

Status SqliteCatalogStore::ErrorStatus(int rc, std::string_view sql) const {
  std::string msg = "sqlite catalog " + path_ + ": " + sqlite3_errmsg(db_) +
                    " (in: " + std::string(sql.substr(0, 120)) + ")";
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return Status::AlreadyExists(std::move(msg));
      }
      return Status::InvalidArgument(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(std::move(msg));
    default: return Status::IOError(std::move(msg));
  }
}

Result<int64_t> SqliteCatalogStore::RunLocked(std::string_view sql,
                                              const std::vector<SqlValue>& params,
                                              std::vector<SqlRow>* rows) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(sqlite3_extended_errcode(db_), sql);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);
  if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
    return Status::Internal(
        "sqlite catalog: statement wants " + std::to_string(sqlite3_bind_parameter_count(stmt)) +
        " parameters, got " + std::to_string(params.size()) + ": " + std::string(sql));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i) + 1;
    rc = params[i] ? sqlite3_bind_text64(stmt, idx, params[i]->data(), params[i]->size(),
                                         SQLITE_TRANSIENT, SQLITE_UTF8)
                   : sqlite3_bind_null(stmt, idx);
    if (rc != SQLITE_OK) return ErrorStatus(rc, sql);
  }
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (rows == nullptr) continue;
    SqlRow row;
    int columns = sqlite3_column_count(stmt);
    for (int c = 0; c < columns; ++c) {
      if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
      }
    }
    rows->push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return ErrorStatus(sqlite3_extended_errcode(db_), sql);
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

Result<int64_t> SqliteCatalogStore::Execute(std::string_view sql,
                                            const std::vector<SqlValue>& params) {
  std::lock_guard lock(mu_);
  return RunLocked(sql, params, nullptr);
}

Result<std::vector<SqlRow>> SqliteCatalogStore::Query(std::string_view sql,
                                                      const std::vector<SqlValue>& params) {
  std::lock_guard lock(mu_);
  std::vector<SqlRow> rows;
  FLOE_RETURN_IF_ERROR(RunLocked(sql, params, &rows));
  return rows;
}

Status SqliteCatalogStore::Transaction(const std::function<Status(SqlSession&)>& body) {
  std::lock_guard lock(mu_);
  FLOE_RETURN_IF_ERROR(RunLocked("BEGIN IMMEDIATE", {}, nullptr));
  Session session(this);
  Status st = body(session);
  if (st.ok()) {
    auto committed = RunLocked("COMMIT", {}, nullptr);
    if (committed.ok()) return Status::OK();
    st = committed.status();
  }
  (void)RunLocked("ROLLBACK", {}, nullptr);
  return st;
}

}  // namespace floe
