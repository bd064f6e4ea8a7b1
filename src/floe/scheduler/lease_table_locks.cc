#include "floe/scheduler/lease_table_locks.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <vector>

namespace floe::scheduler {
namespace {

int64_t ToInt(const SqlValue& v) {
  int64_t out = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

std::string FormatMillis(int64_t ms) { return FormatTimestampMicros(ms * 1000); }

}  // namespace

Result<std::unique_ptr<LeaseTableLocks>> LeaseTableLocks::Make(std::unique_ptr<CatalogStore> store,
                                                               const Clock* clock, Logger* logger,
                                                               LeaseOptions options) {
  if (options.ttl_ms < 1000) {
    return Status::InvalidArgument("lease TTL " + std::to_string(options.ttl_ms) +
                                   " ms is below the minimum of 1 s");
  }
  FLOE_RETURN_IF_ERROR(
      store
          ->Execute("CREATE TABLE IF NOT EXISTS floe_leases ("
                    "catalog_name VARCHAR(255) NOT NULL, "
                    "table_identifier VARCHAR(1024) NOT NULL, "
                    "holder VARCHAR(1024) NOT NULL, node_id VARCHAR(255) NOT NULL, "
                    "token VARCHAR(64) NOT NULL, "
                    "acquired_ms BIGINT NOT NULL, expires_at_ms BIGINT NOT NULL, "
                    "previous_holder VARCHAR(1024), "
                    "PRIMARY KEY (catalog_name, table_identifier))",
                    {})
          .status()
          .WithContext("creating floe_leases"));
  return std::unique_ptr<LeaseTableLocks>(
      new LeaseTableLocks(std::move(store), clock, logger, std::move(options)));
}

LeaseTableLocks::~LeaseTableLocks() {
  {
    std::lock_guard<std::mutex> lock(heartbeat_mu_);
    stopping_ = true;
  }
  heartbeat_cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

Result<bool> LeaseTableLocks::Acquire(const std::string& table, const std::string& holder,
                                      const std::string& token, int64_t now_ms,
                                      int64_t expires_ms) {
  // Inserts the lease, or takes over the row when its lease has lapsed, in one statement: the
  // database decides between racing nodes (PostgreSQL re-checks the WHERE on the row it locked).
  FLOE_ASSIGN_OR_RETURN(
      int64_t changed,
      store_->Execute(
          "INSERT INTO floe_leases (catalog_name, table_identifier, holder, node_id, token, "
          "acquired_ms, expires_at_ms, previous_holder) VALUES (?, ?, ?, ?, ?, ?, ?, NULL) "
          "ON CONFLICT (catalog_name, table_identifier) DO UPDATE SET holder = excluded.holder, "
          "node_id = excluded.node_id, token = excluded.token, "
          "acquired_ms = excluded.acquired_ms, "
          "expires_at_ms = excluded.expires_at_ms, previous_holder = floe_leases.holder "
          "WHERE floe_leases.expires_at_ms <= ?",
          {options_.catalog_name, table, holder, options_.node_id, token, std::to_string(now_ms),
           std::to_string(expires_ms), std::to_string(now_ms)}));
  return changed == 1;
}

Status LeaseTableLocks::TryLock(const std::string& table, const std::string& holder,
                                int64_t expires_micros) {
  const int64_t now_ms = clock_->NowMillis();
  const int64_t cap_ms = expires_micros / 1000;
  if (cap_ms <= now_ms) {
    return Status::InvalidArgument("lease on table " + table + " for " + holder +
                                   " would expire before it starts");
  }
  const int64_t expires_ms = std::min(now_ms + options_.ttl_ms, cap_ms);
  std::string token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    token = uuids_.NewV4().ToString();
  }
  // A lease released between a lost acquire and the look at its holder: try again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    FLOE_ASSIGN_OR_RETURN(bool acquired, Acquire(table, holder, token, now_ms, expires_ms));
    if (acquired) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        held_[{table, holder}] = Held{token, cap_ms};
      }
      if (logger_ != nullptr) {
        // Only for the log: the row says whose expired lease this one replaced.
        Result<std::optional<LeaseInfo>> mine = Current(table);
        const std::string previous = mine.ok() && *mine ? (*mine)->previous_holder : std::string();
        if (!previous.empty()) {
          logger_->Warn("lease.taken_over", {{"table", table},
                                             {"holder", holder},
                                             {"previous_holder", previous},
                                             {"expires_at", FormatMillis(expires_ms)}});
        } else {
          logger_->Debug(
              "lease.acquired",
              {{"table", table}, {"holder", holder}, {"expires_at", FormatMillis(expires_ms)}});
        }
      }
      return Status::OK();
    }
    FLOE_ASSIGN_OR_RETURN(std::optional<LeaseInfo> current, Current(table));
    if (current) {
      return Status::Conflict("table " + table + " is busy: " + current->holder +
                              " holds its lease until " + FormatMillis(current->expires_at_ms));
    }
  }
  return Status::Unavailable("table " + table + "'s lease changed hands three times while " +
                             holder + " tried to acquire it");
}

void LeaseTableLocks::Unlock(const std::string& table, const std::string& holder) {
  std::string token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find({table, holder});
    if (it == held_.end()) return;
    token = it->second.token;
    held_.erase(it);
  }
  Result<int64_t> deleted = store_->Execute(
      "DELETE FROM floe_leases WHERE catalog_name = ? AND table_identifier = ? AND token = ?",
      {options_.catalog_name, table, token});
  // A lease that cannot be deleted lapses at its expiry; a lost one belongs to someone else.
  if (logger_ != nullptr && !deleted.ok()) {
    logger_->Warn("lease.release_failed",
                  {{"table", table}, {"holder", holder}, {"error", deleted.status().ToString()}});
  }
}

int LeaseTableLocks::RenewAll() {
  std::vector<std::pair<std::pair<std::string, std::string>, Held>> leases;
  {
    std::lock_guard<std::mutex> lock(mu_);
    leases.assign(held_.begin(), held_.end());
  }
  const int64_t now_ms = clock_->NowMillis();
  int still_held = 0;
  for (const auto& [key, held] : leases) {
    const auto& [table, holder] = key;
    // Past the caller's deadline the lease is left to lapse: a run stuck that long frees the
    // table for the other nodes.
    if (now_ms >= held.cap_ms) {
      ++still_held;
      continue;
    }
    const int64_t expires_ms = std::min(now_ms + options_.ttl_ms, held.cap_ms);
    Result<int64_t> renewed = store_->Execute(
        "UPDATE floe_leases SET expires_at_ms = ? WHERE catalog_name = ? AND "
        "table_identifier = ? AND token = ?",
        {std::to_string(expires_ms), options_.catalog_name, table, held.token});
    if (!renewed.ok()) {
      // The database is unreachable: the lease may lapse; the next beat tries again.
      if (logger_ != nullptr) {
        logger_->Warn(
            "lease.renew_failed",
            {{"table", table}, {"holder", holder}, {"error", renewed.status().ToString()}});
      }
      ++still_held;
      continue;
    }
    if (*renewed == 1) {
      ++still_held;
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = held_.find(key);
      if (it != held_.end() && it->second.token == held.token) held_.erase(it);
    }
    if (logger_ != nullptr) {
      logger_->Error("lease.lost", {{"table", table},
                                    {"holder", holder},
                                    {"reason", "the lease expired and another holder took it"}});
    }
  }
  return still_held;
}

void LeaseTableLocks::StartHeartbeat() {
  if (heartbeat_.joinable()) return;
  heartbeat_ = std::thread([this] { HeartbeatLoop(); });
}

void LeaseTableLocks::HeartbeatLoop() {
  const auto period = std::chrono::milliseconds(std::max<int64_t>(options_.ttl_ms / 3, 100));
  std::unique_lock<std::mutex> lock(heartbeat_mu_);
  while (!stopping_) {
    // Real time between beats (a FakeClock in tests does not drive this loop; tests call
    // RenewAll()).
    if (heartbeat_cv_.wait_for(lock, period, [this] { return stopping_; })) break;
    lock.unlock();
    RenewAll();
    lock.lock();
  }
}

Result<int64_t> LeaseTableLocks::ReleaseStaleLeases() {
  FLOE_ASSIGN_OR_RETURN(int64_t deleted,
                        store_->Execute("DELETE FROM floe_leases WHERE catalog_name = ? AND "
                                        "node_id = ?",
                                        {options_.catalog_name, options_.node_id}));
  if (deleted > 0 && logger_ != nullptr) {
    logger_->Warn("lease.released_stale", {{"node_id", options_.node_id}, {"leases", deleted}});
  }
  return deleted;
}

Result<std::optional<LeaseInfo>> LeaseTableLocks::Current(const std::string& table) {
  FLOE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      store_->Query("SELECT holder, node_id, acquired_ms, expires_at_ms, previous_holder FROM "
                    "floe_leases "
                    "WHERE catalog_name = ? AND table_identifier = ? AND expires_at_ms > ?",
                    {options_.catalog_name, table, std::to_string(clock_->NowMillis())}));
  if (rows.empty()) return std::optional<LeaseInfo>();
  const SqlRow& r = rows[0];
  return std::optional<LeaseInfo>(LeaseInfo{table, r[0].value_or(""), r[1].value_or(""),
                                            ToInt(r[2]), ToInt(r[3]), r[4].value_or("")});
}

}  // namespace floe::scheduler
