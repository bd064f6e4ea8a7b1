#include "floe/catalog/postgres_store.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

namespace floe {
namespace {

// '?' placeholders become PostgreSQL's $1, $2, ... (the catalog's SQL has no '?' in literals).
std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

bool IsTransient(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "53300" ||
         sqlstate == "57P01" || sqlstate == "57P03" || sqlstate.substr(0, 2) == "08";
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

std::string WithConnectTimeout(std::string_view conninfo, int seconds) {
  std::string out(conninfo);
  if (out.find("connect_timeout") != std::string::npos) return out;
  std::string setting = "connect_timeout=" + std::to_string(seconds);
  if (out.find("://") == std::string::npos) return out + " " + setting;
  return out + (out.find('?') == std::string::npos ? "?" : "&") + setting;
}

std::string RedactConninfo(std::string_view conninfo) {
  std::string out(conninfo);
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t at = out.find('@', scheme + 3);
    size_t slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      size_t colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (const char* key : {"password=", "password ="}) {
    size_t pos = out.find(key);
    if (pos == std::string::npos) continue;
    size_t start = pos + std::strlen(key);
    size_t end = out.find_first_of(" &", start);
    out.replace(start, end == std::string::npos ? std::string::npos : end - start, "***");
  }
  return out;
}

class PostgresCatalogStore::Session final : public SqlSession {
 public:
  explicit Session(PostgresCatalogStore* store) : store_(store) {}
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
  PostgresCatalogStore* store_;
};

Result<std::unique_ptr<PostgresCatalogStore>> PostgresCatalogStore::Open(
    const std::string& conninfo, const CatalogStoreOptions& options) {
  std::unique_ptr<PostgresCatalogStore> store(
      new PostgresCatalogStore(WithConnectTimeout(conninfo, options.connect_timeout_s), options));
  store->display_name_ = RedactConninfo(conninfo);
  std::lock_guard lock(store->mu_);
  FLOE_RETURN_IF_ERROR(store->ConnectLocked());
  return store;
}

PostgresCatalogStore::~PostgresCatalogStore() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Status PostgresCatalogStore::ConnectLocked() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return Status::OK();
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  conn_ = PQconnectdb(conninfo_.c_str());
  if (conn_ == nullptr) return Status::Unavailable("postgresql catalog: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    return Status::Unavailable("postgresql catalog " + display_name_ + ": connect: " + msg);
  }
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  // A statement waiting on another transaction's row lock gives up like SQLite's busy timeout.
  std::string timeout = "SET lock_timeout = " + std::to_string(options_.busy_timeout_ms);
  PGresult* res = PQexec(conn_, timeout.c_str());
  PQclear(res);
  return Status::OK();
}

Result<int64_t> PostgresCatalogStore::RunLocked(std::string_view sql,
                                                const std::vector<SqlValue>& params,
                                                std::vector<SqlRow>* rows) {
  FLOE_RETURN_IF_ERROR(ConnectLocked());
  std::string text = NumberPlaceholders(sql);
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const auto& p : params) {
    values.push_back(p ? p->c_str() : nullptr);
    lengths.push_back(p ? static_cast<int>(p->size()) : 0);
  }
  PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                               values.data(), lengths.data(), nullptr, 0);
  std::unique_ptr<PGresult, void (*)(PGresult*)> guard(res, PQclear);
  ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    if (rows != nullptr && status == PGRES_TUPLES_OK) {
      int n = PQntuples(res), columns = PQnfields(res);
      for (int r = 0; r < n; ++r) {
        SqlRow row;
        for (int c = 0; c < columns; ++c) {
          if (PQgetisnull(res, r, c)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(
                std::string(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c))));
          }
        }
        rows->push_back(std::move(row));
      }
    }
    const char* affected = PQcmdTuples(res);
    return static_cast<int64_t>(affected && *affected ? std::atoll(affected) : 0);
  }
  std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  msg = "postgresql catalog " + display_name_ + ": " + msg +
        " (in: " + std::string(sql.substr(0, 120)) + ")";
  if (PQstatus(conn_) != CONNECTION_OK) {
    // The server may have applied the change before the connection broke.
    if (rows == nullptr) return Status::CommitStateUnknown(std::move(msg));
    return Status::Unavailable(std::move(msg));
  }
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view sqlstate = state ? state : "";
  if (sqlstate == "23505") return Status::AlreadyExists(std::move(msg));
  if (IsTransient(sqlstate)) return Status::Unavailable(std::move(msg));
  return Status::IOError(std::move(msg));
}

Result<int64_t> PostgresCatalogStore::Execute(std::string_view sql,
                                              const std::vector<SqlValue>& params) {
  std::lock_guard lock(mu_);
  return RunLocked(sql, params, nullptr);
}

Result<std::vector<SqlRow>> PostgresCatalogStore::Query(std::string_view sql,
                                                        const std::vector<SqlValue>& params) {
  std::lock_guard lock(mu_);
  std::vector<SqlRow> rows;
  auto ran = RunLocked(sql, params, &rows);
  if (!ran.ok() && conn_ != nullptr && PQstatus(conn_) != CONNECTION_OK) {
    // A read is safe to repeat: the server dropped us (restart, idle timeout, failover), so
    // reconnect once before giving up.
    rows.clear();
    ran = RunLocked(sql, params, &rows);
  }
  FLOE_RETURN_IF_ERROR(ran);
  return rows;
}

Status PostgresCatalogStore::Transaction(const std::function<Status(SqlSession&)>& body) {
  std::lock_guard lock(mu_);
  auto begun = RunLocked("BEGIN", {}, nullptr);
  if (!begun.ok()) {
    // Nothing ran yet, so a broken connection here is only unavailability.
    Status st = begun.status();
    if (st.kind() == ErrorKind::kCommitStateUnknown) return Status::Unavailable(st.message());
    return st;
  }
  Session session(this);
  Status st = body(session);
  if (st.kind() == ErrorKind::kCommitStateUnknown) {
    // Before COMMIT a broken connection means the server rolled the transaction back.
    st = Status::Unavailable(st.message());
  }
  if (st.ok()) {
    auto committed = RunLocked("COMMIT", {}, nullptr);
    if (committed.ok()) return Status::OK();
    st = committed.status();
  }
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) {
    PGresult* res = PQexec(conn_, "ROLLBACK");
    PQclear(res);
  }
  return st;
}

}  // namespace floe
