#pragma once

// One maintenance run per table at a time (DESIGN.md: 409 when a run already holds the table).
// The scheduler, the admin API and the CLI take the same lock. In-process locks serve one node;
// a lease in the catalog database (issue 9) implements the same interface for many nodes.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "floe/common/result.h"

namespace floe::scheduler {

class TableLocks {
 public:
  virtual ~TableLocks() = default;
  // Takes `table` for `holder` until `expires_micros` (a lease: a holder that dies without
  // unlocking loses the table at that time, where the implementation can tell). kConflict naming
  // the current holder when someone else holds it; other kinds when the lock store failed.
  virtual Status TryLock(const std::string& table, const std::string& holder,
                         int64_t expires_micros) = 0;
  // Releases `table` if `holder` holds it.
  virtual void Unlock(const std::string& table, const std::string& holder) = 0;
};

// Locks of one process. Leases do not lapse: a holder is a thread of this process, and the process
// ending releases everything.
class InProcessTableLocks final : public TableLocks {
 public:
  Status TryLock(const std::string& table, const std::string& holder,
                 int64_t expires_micros) override;
  void Unlock(const std::string& table, const std::string& holder) override;
  // The holder of `table`, or "" when free.
  std::string HolderOf(const std::string& table) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> holders_;
};

// Holds a table lock for a scope (admin API and CLI runs).
class TableLockGuard {
 public:
  static Result<TableLockGuard> Acquire(TableLocks* locks, std::string table, std::string holder,
                                        int64_t expires_micros);
  TableLockGuard(TableLockGuard&& other) noexcept;
  TableLockGuard& operator=(TableLockGuard&&) = delete;
  TableLockGuard(const TableLockGuard&) = delete;
  ~TableLockGuard();

 private:
  TableLockGuard(TableLocks* locks, std::string table, std::string holder)
      : locks_(locks), table_(std::move(table)), holder_(std::move(holder)) {}
  TableLocks* locks_;
  std::string table_;
  std::string holder_;
};

}  // namespace floe::scheduler
