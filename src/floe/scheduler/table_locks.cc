#include "floe/scheduler/table_locks.h"

namespace floe::scheduler {

Status InProcessTableLocks::TryLock(const std::string& table, const std::string& holder,
                                    int64_t /*expires_micros*/) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = holders_.emplace(table, holder);
  if (!inserted) {
    return Status::Conflict("table " + table + " is busy: " + it->second + " is running on it");
  }
  return Status::OK();
}

void InProcessTableLocks::Unlock(const std::string& table, const std::string& holder) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = holders_.find(table);
  if (it != holders_.end() && it->second == holder) holders_.erase(it);
}

std::string InProcessTableLocks::HolderOf(const std::string& table) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = holders_.find(table);
  return it == holders_.end() ? std::string() : it->second;
}

Result<TableLockGuard> TableLockGuard::Acquire(TableLocks* locks, std::string table,
                                               std::string holder, int64_t expires_micros) {
  FLOE_RETURN_IF_ERROR(locks->TryLock(table, holder, expires_micros));
  return TableLockGuard(locks, std::move(table), std::move(holder));
}

TableLockGuard::TableLockGuard(TableLockGuard&& other) noexcept
    : locks_(other.locks_), table_(std::move(other.table_)), holder_(std::move(other.holder_)) {
  other.locks_ = nullptr;
}

TableLockGuard::~TableLockGuard() {
  if (locks_ != nullptr) locks_->Unlock(table_, holder_);
}

}  // namespace floe::scheduler
