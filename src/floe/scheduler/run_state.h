#pragma once

// What the scheduler remembers across restarts, per (table, job): from when the schedule counts
// (so a run missed while floe was down runs once at start) and the last run's result (for
// GET /admin/status and `floe status`).

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "floe/common/result.h"
#include "floe/io/object_store.h"

namespace floe::scheduler {

struct JobRunRecord {
  std::string table;
  std::string job;
  // The schedule's cron times after this one are due: the job's first registration, then the
  // start of its last run.
  int64_t schedule_from_micros = 0;
  int64_t last_started_micros = 0;   // 0: never ran
  int64_t last_finished_micros = 0;  // < last_started_micros: the run was cut short by a crash
  std::string last_result;           // success | partial | noop | failure ("" before the first)
  std::string last_message;
  bool last_over_budget = false;
};

class RunStateStore {
 public:
  virtual ~RunStateStore() = default;
  virtual Result<std::vector<JobRunRecord>> Load() = 0;
  // Inserts or replaces the record of (record.table, record.job).
  virtual Status Save(const JobRunRecord& record) = 0;
};

class MemoryRunStateStore final : public RunStateStore {
 public:
  Result<std::vector<JobRunRecord>> Load() override;
  Status Save(const JobRunRecord& record) override;

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, JobRunRecord> records_;
};

// One JSON object in an ObjectStore (the app uses a LocalStore on the state dir:
// <state-dir>/scheduler.json), rewritten whole on every save; stores write objects atomically, so a
// crash leaves the old or the new state, never a torn one.
class ObjectRunStateStore final : public RunStateStore {
 public:
  // `store` is not owned and must outlive this.
  ObjectRunStateStore(ObjectStore* store, std::string location)
      : store_(store), location_(std::move(location)) {}
  // A missing object is an empty state; an unreadable or malformed one is an error naming it.
  Result<std::vector<JobRunRecord>> Load() override;
  Status Save(const JobRunRecord& record) override;

 private:
  Status LoadLocked();
  ObjectStore* store_;
  std::string location_;
  std::mutex mu_;
  bool loaded_ = false;
  std::map<std::pair<std::string, std::string>, JobRunRecord> records_;
};

}  // namespace floe::scheduler
