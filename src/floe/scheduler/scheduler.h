#pragma once

// Runs maintenance jobs on cron schedules inside `floe serve`.
//
// A job is (name, table, cron, kind, time budget). The work itself is a callback per kind (the
// compaction and maintenance code): the scheduler decides when, makes sure that one run at a time
// holds a table (TableLocks), passes a deadline, records results (RunStateStore) and exports
// them (metrics, logs, JobStatuses()).
//
// Timing rules:
// - A job is due at each time its cron expression matches (UTC unless an offset is configured).
// - A due job whose table is busy waits and runs when the table is free; occurrences that pass
//   meanwhile fold into that one run. The same holds for a job still running at its next time.
// - A run missed while floe was down (its cron time passed since the job's last run, or since it
//   was first scheduled) runs once at start; so does a run cut short by a crash.
// - The budget is a deadline in the callback's JobContext: the job stops starting new work past
//   it. A run that ends after its deadline is recorded as over budget.
//
// All times come from the injected Clock. Tests drive a FakeClock and call RunDue() and
// WaitIdle() by hand; `floe serve` calls Start(), whose thread sleeps until the next due time, or
// until Wake() or a finished run.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "floe/common/clock.h"
#include "floe/common/logger.h"
#include "floe/common/metrics_floe.h"
#include "floe/common/result.h"
#include "floe/scheduler/cron.h"
#include "floe/scheduler/run_state.h"
#include "floe/scheduler/table_locks.h"

namespace floe::scheduler {

// Job kinds of the default jobs (the app maps each to a callback).
inline constexpr std::string_view kKindCompactIfNeeded = "compact-if-needed";
inline constexpr std::string_view kKindCompact = "compact";
inline constexpr std::string_view kKindCompactAggressive = "compact-aggressive";
inline constexpr std::string_view kKindExpireSnapshots = "expire-snapshots";
inline constexpr std::string_view kKindRemoveOrphans = "remove-orphans";
inline constexpr std::string_view kKindRewriteManifests = "rewrite-manifests";

struct JobSpec {
  std::string name;   // unique per table: "compact-daily"
  std::string table;  // "analytics.events"
  std::string cron;   // "0 2 * * *"
  std::string kind;   // selects the callback: "compact"
  int64_t budget_ms = 0;
};

// The default schedule of one table (docs/scheduling.md):
//   compact-check      */5 * * * *  compact-if-needed   30 min  (compacts when over threshold)
//   compact-daily      0 2 * * *    compact              2 h
//   compact-weekly     0 3 * * 0    compact-aggressive   4 h
//   expire-snapshots   0 4 * * *    expire-snapshots    30 min
//   remove-orphans     0 5 * * 0    remove-orphans       1 h
//   rewrite-manifests  0 6 * * *    rewrite-manifests   30 min  (when manifests pass a threshold)
std::vector<JobSpec> DefaultJobs(const std::string& table);

// Settings applied to the default jobs of every table (docs/scheduling.md): per job name, a cron
// expression or "off" (the job is dropped), and a time budget. The app reads them from the
// config file, environment and flags; a name that is not a default job is an error, so a typo
// does not silently leave the default in place.
struct ScheduleOverrides {
  std::map<std::string, std::string> cron_by_job;
  std::map<std::string, int64_t> budget_ms_by_job;
};
// DefaultJobs() of each table with `overrides` applied, validated: the first error names the job
// and, for a bad cron expression, the field and column.
Result<std::vector<JobSpec>> ScheduledJobs(const std::vector<std::string>& tables,
                                           const ScheduleOverrides& overrides);

// kInvalidArgument naming the job when a field is empty, the cron expression does not parse (the
// cron error, with its column, follows) or the budget is not positive.
Status ValidateJobSpec(const JobSpec& spec);

// DESIGN.md's run statuses.
enum class RunResult { kSuccess, kPartial, kNoop, kFailure };
std::string_view RunResultName(RunResult result);

struct JobContext {
  std::string table;
  std::string job;
  std::string kind;
  int64_t scheduled_micros = 0;  // the cron time this run stands for
  int64_t started_micros = 0;
  int64_t deadline_micros = 0;  // started + budget
  bool late = false;            // missed while floe was down (or interrupted), run at start
  const Clock* clock = nullptr;

  bool DeadlinePassed() const { return clock->NowMicros() >= deadline_micros; }
  int64_t RemainingMicros() const { return deadline_micros - clock->NowMicros(); }
};

struct JobResult {
  RunResult result = RunResult::kSuccess;
  std::string message;  // one line for status and logs
};

using JobFunction = std::function<JobResult(const JobContext&)>;

// One job as GET /admin/status and `floe status` show it.
struct JobStatus {
  JobSpec spec;
  int64_t next_run_micros = 0;  // may lie in the past while the job waits for its table
  bool running = false;
  bool waiting_for_table = false;  // due, but another run holds the table
  JobRunRecord last;               // last_started_micros == 0: never ran
};

// {"jobs":[{"table":..,"job":..,"kind":..,"cron":..,"budget_ms":..,"next_run":"<RFC 3339>",
//  "running":..,"waiting_for_table":..,"last_run":null | {"started":..,"finished":..|null,
//  "result":..,"message":..,"duration_ms":..,"over_budget":..}}]}
std::string StatusToJson(const std::vector<JobStatus>& jobs);

// The status a scheduler started now would report, from the persisted run state alone: for
// `floe status` without a server. A run in progress elsewhere (or cut short by a crash) shows as
// running; waiting_for_table is unknown and false.
Result<std::vector<JobStatus>> PlannedStatus(const std::vector<JobSpec>& jobs, RunStateStore* state,
                                             int64_t now_micros, int32_t utc_offset_minutes = 0);

struct SchedulerOptions {
  int max_concurrent_runs = 2;  // runs on different tables at once
  int32_t utc_offset_minutes = 0;
  std::string holder = "scheduler";  // lock holder name prefix (node id when shared)
  // How long past its deadline a run's table lease lasts (a crashed node's lease lapses then).
  int64_t lease_grace_ms = 10 * 60 * 1000;
};

class Scheduler {
 public:
  // Validates the jobs (unique (table, name), a function for every kind) and loads the run state:
  // jobs that missed a run while floe was down are due at once. Pointers are not owned and must
  // outlive the scheduler; `metrics` may be null.
  static Result<std::unique_ptr<Scheduler>> Make(std::vector<JobSpec> jobs,
                                                 std::map<std::string, JobFunction> functions,
                                                 const Clock* clock, TableLocks* locks,
                                                 RunStateStore* state, Logger* logger,
                                                 const metrics::FloeMetrics* metrics,
                                                 SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts every due job whose table is free (up to max_concurrent_runs), each on its own
  // thread. Returns how many started.
  int RunDue();
  // Blocks until no run is in progress.
  void WaitIdle();
  // The background loop of `floe serve`.
  void Start();
  // Stops the loop and waits for running jobs to finish (they see their deadlines, not a stop).
  void Stop();
  // Makes the loop look at the clock again now (after a FakeClock moved, or a config change).
  void Wake();

  std::vector<JobStatus> JobStatuses() const;
  // The earliest next run among jobs not running (INT64_MAX when there is none).
  int64_t NextDueMicros() const;

 private:
  struct Job {
    JobSpec spec;
    CronExpression cron;
    JobFunction function;
    int64_t due_micros = 0;
    bool late = false;
    bool running = false;
    bool waiting_for_table = false;
    JobRunRecord record;
  };
  struct Worker {
    std::thread thread;
    bool done = false;
  };

  Scheduler(const Clock* clock, TableLocks* locks, RunStateStore* state, Logger* logger,
            const metrics::FloeMetrics* metrics, SchedulerOptions options);
  void Execute(Job* job, JobContext context, Worker* worker);
  void SaveRecord(const JobRunRecord& record);
  void SaveJobRecord(Job* job);
  void ReapWorkersLocked();
  void Loop();
  int64_t NextDueLocked() const;
  std::string HolderName(const Job& job) const;

  const Clock* clock_;
  TableLocks* locks_;
  RunStateStore* state_;
  Logger* logger_;
  const metrics::FloeMetrics* metrics_;
  SchedulerOptions options_;

  std::mutex save_mu_;  // taken before mu_, never while holding it
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Job>> jobs_;
  std::list<Worker> workers_;
  int running_ = 0;
  bool stop_ = false;
  bool wake_ = false;
  std::thread loop_;
};

}  // namespace floe::scheduler
