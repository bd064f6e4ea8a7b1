#pragma once

// TableLocks shared by every node on one catalog database (issue 9): a lease per table in the
// table `floe_leases` (created if missing; partitioned by catalog name like the JDBC tables), so
// one node at a time runs maintenance on a table and another node takes over when a holder dies.
//
// A lease row is (table, holder, node id, token, acquired, expires_at, previous_holder). Acquiring
// is one statement: insert the row, or take it over when its expiry has passed. A lease lasts
// `ttl_ms` and is renewed by a heartbeat thread every ttl/3 while its run goes on; the holder
// releases it at the end by deleting the row (by token, so a holder that lost its lease never
// removes its successor's). Expiry times are the nodes' wall clocks: they must agree to well within
// the TTL.
//
// The same SQL runs on SQLite and PostgreSQL (INSERT ... ON CONFLICT DO UPDATE ... WHERE).

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "floe/catalog/catalog_store.h"
#include "floe/common/clock.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/scheduler/table_locks.h"
#include "floe/util/uuid.h"

namespace floe::scheduler {

struct LeaseOptions {
  std::string catalog_name = "floe";
  // This node: stored with each lease so a restarted node can drop its dead predecessor's.
  std::string node_id;
  // How long a lease lasts without renewal (LEASE_TTL): how long a dead node keeps its tables.
  int64_t ttl_ms = 60'000;
};

// One lease row as the database holds it.
struct LeaseInfo {
  std::string table;
  std::string holder;
  std::string node_id;
  int64_t acquired_ms = 0;
  int64_t expires_at_ms = 0;
  std::string previous_holder;  // the holder whose expired lease this one took over, or ""
};

class LeaseTableLocks final : public TableLocks {
 public:
  // Creates the table if missing. The heartbeat does not run until StartHeartbeat().
  static Result<std::unique_ptr<LeaseTableLocks>> Make(std::unique_ptr<CatalogStore> store,
                                                       const Clock* clock, Logger* logger,
                                                       LeaseOptions options);
  ~LeaseTableLocks() override;
  LeaseTableLocks(const LeaseTableLocks&) = delete;
  LeaseTableLocks& operator=(const LeaseTableLocks&) = delete;

  // The lease lasts until min(now + ttl, expires_micros) and is renewed up to expires_micros.
  // kConflict naming the holder and its expiry when another live lease holds the table.
  Status TryLock(const std::string& table, const std::string& holder,
                 int64_t expires_micros) override;
  void Unlock(const std::string& table, const std::string& holder) override;

  // Extends every lease this object holds (the heartbeat calls it). A lease found taken over is
  // dropped and logged (lease.lost); returns how many leases are still held.
  int RenewAll();
  // Renews every ttl/3 of real time until destruction.
  void StartHeartbeat();

  // Deletes every lease of this node id: leases of an earlier process of this node that died
  // without releasing them. Only for start-up, when no run of this process holds a table (one
  // process per node id: the state folder's lock). Returns how many were deleted.
  Result<int64_t> ReleaseStaleLeases();

  // The live lease on `table`, or nullopt when it is free or its lease has expired.
  Result<std::optional<LeaseInfo>> Current(const std::string& table);

 private:
  struct Held {
    std::string token;
    int64_t cap_ms = 0;  // the caller's expires_micros, in ms
  };
  LeaseTableLocks(std::unique_ptr<CatalogStore> store, const Clock* clock, Logger* logger,
                  LeaseOptions options)
      : store_(std::move(store)),
        clock_(clock),
        logger_(logger),
        options_(std::move(options)),
        uuids_(clock) {}
  // One acquire statement; true when this holder now has the lease.
  Result<bool> Acquire(const std::string& table, const std::string& holder,
                       const std::string& token, int64_t now_ms, int64_t expires_ms);
  void HeartbeatLoop();

  std::unique_ptr<CatalogStore> store_;
  const Clock* clock_;
  Logger* logger_;
  LeaseOptions options_;

  std::mutex mu_;
  UuidGenerator uuids_;                                       // guarded by mu_
  std::map<std::pair<std::string, std::string>, Held> held_;  // (table, holder); guarded by mu_

  std::mutex heartbeat_mu_;
  std::condition_variable heartbeat_cv_;
  bool stopping_ = false;
  std::thread heartbeat_;
};

}  // namespace floe::scheduler
