#include "floe/scheduler/scheduler.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace floe::scheduler {

namespace {

constexpr int64_t kMinute = 60 * 1000;  // ms
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
// How often a job blocked by a table held elsewhere (another node's lease) tries again; a table
// freed in this process wakes the loop at once.
constexpr int64_t kBlockedRetryMicros = 30 * 1000000LL;
// The longest the loop sleeps, so a wall clock that jumps is noticed.
constexpr int64_t kMaxSleepMicros = 60 * 1000000LL;

double Seconds(int64_t micros) { return static_cast<double>(micros) / 1e6; }

struct DuePlan {
  int64_t due_micros;
  bool late;  // missed while floe was down, or cut short by a crash: due at once
};

// When a job is due at start, from its persisted record (null: never scheduled before).
DuePlan PlanRun(const CronExpression& cron, const JobRunRecord* record, int64_t now,
                int32_t utc_offset_minutes) {
  if (record == nullptr) return {cron.NextAfter(now, utc_offset_minutes).value_or(kNever), false};
  if (record->last_started_micros > record->last_finished_micros) return {now, true};
  int64_t next = cron.NextAfter(record->schedule_from_micros, utc_offset_minutes).value_or(kNever);
  return {next, next <= now};
}

}  // namespace

std::vector<JobSpec> DefaultJobs(const std::string& table) {
  return {
      {"compact-check", table, "*/5 * * * *", std::string(kKindCompactIfNeeded), 30 * kMinute},
      {"compact-daily", table, "0 2 * * *", std::string(kKindCompact), 120 * kMinute},
      {"compact-weekly", table, "0 3 * * 0", std::string(kKindCompactAggressive), 240 * kMinute},
      {"expire-snapshots", table, "0 4 * * *", std::string(kKindExpireSnapshots), 30 * kMinute},
      {"remove-orphans", table, "0 5 * * 0", std::string(kKindRemoveOrphans), 60 * kMinute},
      {"rewrite-manifests", table, "0 6 * * *", std::string(kKindRewriteManifests), 30 * kMinute},
  };
}

Result<std::vector<JobSpec>> ScheduledJobs(const std::vector<std::string>& tables,
                                           const ScheduleOverrides& overrides) {
  std::set<std::string> known;
  for (const JobSpec& spec : DefaultJobs("")) known.insert(spec.name);
  auto check_name = [&](const std::string& name) -> Status {
    if (known.count(name) > 0) return Status::OK();
    std::string names;
    for (const std::string& k : known) names += (names.empty() ? "" : ", ") + k;
    return Status::InvalidArgument("schedule job \"" + name + "\" does not exist (jobs: " + names +
                                   ")");
  };
  for (const auto& [name, cron] : overrides.cron_by_job) FLOE_RETURN_IF_ERROR(check_name(name));
  for (const auto& [name, budget] : overrides.budget_ms_by_job) {
    FLOE_RETURN_IF_ERROR(check_name(name));
  }
  std::vector<JobSpec> out;
  for (const std::string& table : tables) {
    for (JobSpec spec : DefaultJobs(table)) {
      if (auto it = overrides.cron_by_job.find(spec.name); it != overrides.cron_by_job.end()) {
        if (it->second == "off") continue;
        spec.cron = it->second;
      }
      if (auto it = overrides.budget_ms_by_job.find(spec.name);
          it != overrides.budget_ms_by_job.end()) {
        spec.budget_ms = it->second;
      }
      FLOE_RETURN_IF_ERROR(ValidateJobSpec(spec));
      out.push_back(std::move(spec));
    }
  }
  return out;
}

Result<std::vector<JobStatus>> PlannedStatus(const std::vector<JobSpec>& jobs, RunStateStore* state,
                                             int64_t now_micros, int32_t utc_offset_minutes) {
  FLOE_ASSIGN_OR_RETURN(std::vector<JobRunRecord> records, state->Load());
  std::vector<JobStatus> out;
  for (const JobSpec& spec : jobs) {
    FLOE_RETURN_IF_ERROR(ValidateJobSpec(spec));
    CronExpression cron = *CronExpression::Parse(spec.cron);
    const JobRunRecord* record = nullptr;
    for (const JobRunRecord& r : records) {
      if (r.table == spec.table && r.job == spec.name) record = &r;
    }
    JobStatus status;
    status.spec = spec;
    status.next_run_micros = PlanRun(cron, record, now_micros, utc_offset_minutes).due_micros;
    if (record != nullptr) {
      status.last = *record;
      status.running = record->last_started_micros > record->last_finished_micros;
    } else {
      status.last.table = spec.table;
      status.last.job = spec.name;
    }
    out.push_back(std::move(status));
  }
  return out;
}

Status ValidateJobSpec(const JobSpec& spec) {
  std::string where = "schedule job \"" + spec.name + "\" on table \"" + spec.table + "\"";
  if (spec.name.empty()) return Status::InvalidArgument(where + ": the job has no name");
  if (spec.table.empty()) return Status::InvalidArgument(where + ": the job has no table");
  if (spec.kind.empty()) return Status::InvalidArgument(where + ": the job has no kind");
  if (spec.budget_ms <= 0) {
    return Status::InvalidArgument(where + ": time budget " + std::to_string(spec.budget_ms) +
                                   " ms must be positive");
  }
  Result<CronExpression> cron = CronExpression::Parse(spec.cron);
  if (!cron.ok()) return cron.status().WithContext(where);
  return Status::OK();
}

std::string_view RunResultName(RunResult result) {
  switch (result) {
    case RunResult::kSuccess: return "success";
    case RunResult::kPartial: return "partial";
    case RunResult::kNoop: return "noop";
    case RunResult::kFailure: return "failure";
  }
  return "failure";
}

std::string StatusToJson(const std::vector<JobStatus>& jobs) {
  using Json = nlohmann::ordered_json;
  auto time = [](int64_t micros) -> Json {
    if (micros <= 0 || micros == kNever) return nullptr;
    return FormatTimestampMicros(micros);
  };
  Json list = Json::array();
  for (const JobStatus& s : jobs) {
    Json last = nullptr;
    if (s.last.last_started_micros > 0) {
      bool finished = s.last.last_finished_micros >= s.last.last_started_micros;
      last =
          Json{{"started", time(s.last.last_started_micros)},
               {"finished", finished ? time(s.last.last_finished_micros) : Json(nullptr)},
               {"result", finished ? Json(s.last.last_result) : Json(nullptr)},
               {"message", s.last.last_message},
               {"duration_ms",
                finished ? Json((s.last.last_finished_micros - s.last.last_started_micros) / 1000)
                         : Json(nullptr)},
               {"over_budget", s.last.last_over_budget}};
    }
    list.push_back(Json{{"table", s.spec.table},
                        {"job", s.spec.name},
                        {"kind", s.spec.kind},
                        {"cron", s.spec.cron},
                        {"budget_ms", s.spec.budget_ms},
                        {"next_run", time(s.next_run_micros)},
                        {"running", s.running},
                        {"waiting_for_table", s.waiting_for_table},
                        {"last_run", std::move(last)}});
  }
  return Json{{"jobs", std::move(list)}}.dump();
}

Scheduler::Scheduler(const Clock* clock, TableLocks* locks, RunStateStore* state, Logger* logger,
                     const metrics::FloeMetrics* metrics, SchedulerOptions options)
    : clock_(clock),
      locks_(locks),
      state_(state),
      logger_(logger),
      metrics_(metrics),
      options_(std::move(options)) {}

Result<std::unique_ptr<Scheduler>> Scheduler::Make(std::vector<JobSpec> jobs,
                                                   std::map<std::string, JobFunction> functions,
                                                   const Clock* clock, TableLocks* locks,
                                                   RunStateStore* state, Logger* logger,
                                                   const metrics::FloeMetrics* metrics,
                                                   SchedulerOptions options) {
  if (options.max_concurrent_runs < 1) {
    return Status::InvalidArgument("scheduler: max concurrent runs " +
                                   std::to_string(options.max_concurrent_runs) +
                                   " must be at least 1");
  }
  std::unique_ptr<Scheduler> s(
      new Scheduler(clock, locks, state, logger, metrics, std::move(options)));
  std::set<std::pair<std::string, std::string>> seen;
  for (JobSpec& spec : jobs) {
    FLOE_RETURN_IF_ERROR(ValidateJobSpec(spec));
    if (!seen.emplace(spec.table, spec.name).second) {
      return Status::InvalidArgument("schedule job \"" + spec.name + "\" on table \"" + spec.table +
                                     "\" is defined twice");
    }
    auto fn = functions.find(spec.kind);
    if (fn == functions.end() || !fn->second) {
      return Status::InvalidArgument("schedule job \"" + spec.name + "\" on table \"" + spec.table +
                                     "\": unknown kind \"" + spec.kind + "\"");
    }
    auto job = std::make_unique<Job>(Job{spec, *CronExpression::Parse(spec.cron), fn->second, 0,
                                         false, false, false, JobRunRecord{}});
    job->record.table = spec.table;
    job->record.job = spec.name;
    s->jobs_.push_back(std::move(job));
  }

  auto loaded = state->Load();
  if (!loaded.ok()) return loaded.status().WithContext("scheduler: loading run state");
  std::map<std::pair<std::string, std::string>, JobRunRecord> records;
  for (JobRunRecord& r : *loaded) records[{r.table, r.job}] = std::move(r);

  const int64_t now = clock->NowMicros();
  const int32_t offset = s->options_.utc_offset_minutes;
  for (auto& job : s->jobs_) {
    auto it = records.find({job->spec.table, job->spec.name});
    const JobRunRecord* record = it == records.end() ? nullptr : &it->second;
    DuePlan plan = PlanRun(job->cron, record, now, offset);
    job->due_micros = plan.due_micros;
    job->late = plan.late;
    if (record != nullptr) {
      job->record = *record;
    } else {
      // First time this job is scheduled: its schedule counts from now, and that is remembered
      // so that a cron time missed during a later downtime is still noticed.
      job->record.schedule_from_micros = now;
      s->SaveRecord(job->record);
    }
  }
  for (const auto& job : s->jobs_) {
    if (job->late && logger) {
      logger->Info("scheduler.missed_run", {{"table", job->spec.table},
                                            {"job", job->spec.name},
                                            {"due", FormatTimestampMicros(job->due_micros)}});
    }
    if (metrics) {
      metrics->scheduler_next_run_time->Labels({job->spec.table, job->spec.name})
          .Set(Seconds(job->due_micros));
      metrics->scheduler_running->Labels({job->spec.table, job->spec.name}).Set(0);
      if (job->record.last_started_micros > 0) {
        metrics->scheduler_last_run_time->Labels({job->spec.table, job->spec.name})
            .Set(Seconds(job->record.last_started_micros));
      }
    }
  }
  return s;
}

Scheduler::~Scheduler() { Stop(); }

std::string Scheduler::HolderName(const Job& job) const {
  return options_.holder + "/" + job.spec.name;
}

void Scheduler::SaveRecord(const JobRunRecord& record) {
  Status st = state_->Save(record);
  if (!st.ok() && logger_) {
    logger_->Warn("scheduler.state_save_failed",
                  {{"table", record.table}, {"job", record.job}, {"error", st.ToString()}});
  }
}

void Scheduler::SaveJobRecord(Job* job) {
  // Saves are serialized and each writes the record as it is when its turn comes, so a start
  // record saved late can never overwrite the record of the run's end.
  std::lock_guard<std::mutex> save_lock(save_mu_);
  JobRunRecord record;
  {
    std::lock_guard<std::mutex> lock(mu_);
    record = job->record;
  }
  SaveRecord(record);
}

void Scheduler::ReapWorkersLocked() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

int Scheduler::RunDue() {
  std::vector<Job*> to_save;
  int started = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ReapWorkersLocked();
    if (stop_) return 0;
    const int64_t now = clock_->NowMicros();
    std::vector<Job*> due;
    for (auto& job : jobs_) {
      if (!job->running && job->due_micros <= now) due.push_back(job.get());
    }
    // Longest-waiting first; ties keep the configured order.
    std::stable_sort(due.begin(), due.end(),
                     [](const Job* a, const Job* b) { return a->due_micros < b->due_micros; });
    for (Job* job : due) {
      if (running_ >= options_.max_concurrent_runs) break;
      const int64_t budget_micros = job->spec.budget_ms * 1000;
      Status locked = locks_->TryLock(job->spec.table, HolderName(*job),
                                      now + budget_micros + options_.lease_grace_ms * 1000);
      if (!locked.ok()) {
        if (!job->waiting_for_table && logger_) {
          logger_->Log(
              locked.kind() == ErrorKind::kConflict ? LogLevel::kInfo : LogLevel::kWarn,
              "scheduler.job_waiting",
              {{"table", job->spec.table}, {"job", job->spec.name}, {"reason", locked.ToString()}});
        }
        job->waiting_for_table = true;
        continue;
      }
      JobContext context{job->spec.table,     job->spec.name, job->spec.kind, job->due_micros, now,
                         now + budget_micros, job->late,      clock_};
      job->waiting_for_table = false;
      job->running = true;
      job->late = false;
      job->record.schedule_from_micros = now;
      job->record.last_started_micros = now;
      job->due_micros = job->cron.NextAfter(now, options_.utc_offset_minutes).value_or(kNever);
      to_save.push_back(job);
      ++running_;
      ++started;
      if (metrics_) {
        metrics_->scheduler_running->Labels({job->spec.table, job->spec.name}).Set(1);
        metrics_->scheduler_last_run_time->Labels({job->spec.table, job->spec.name})
            .Set(Seconds(now));
        metrics_->scheduler_next_run_time->Labels({job->spec.table, job->spec.name})
            .Set(Seconds(job->due_micros));
      }
      if (logger_) {
        logger_->Info("scheduler.job_start",
                      {{"table", job->spec.table},
                       {"job", job->spec.name},
                       {"kind", job->spec.kind},
                       {"scheduled", FormatTimestampMicros(context.scheduled_micros)},
                       {"deadline", FormatTimestampMicros(context.deadline_micros)},
                       {"late", context.late}});
      }
      Worker& worker = workers_.emplace_back();
      worker.thread = std::thread(&Scheduler::Execute, this, job, std::move(context), &worker);
    }
  }
  for (Job* job : to_save) SaveJobRecord(job);
  return started;
}

void Scheduler::Execute(Job* job, JobContext context, Worker* worker) {
  JobResult result;
  // Callbacks report failure through JobResult; anything thrown is still a failed run, not a
  // dead scheduler.
  try {
    result = job->function(context);
  } catch (const std::exception& e) {
    result = {RunResult::kFailure, std::string("the job threw: ") + e.what()};
  } catch (...) {
    result = {RunResult::kFailure, "the job threw an unknown exception"};
  }
  const int64_t finished = clock_->NowMicros();
  const bool over_budget = finished > context.deadline_micros;
  locks_->Unlock(context.table, HolderName(*job));

  {
    std::lock_guard<std::mutex> lock(mu_);
    job->record.last_finished_micros = std::max(finished, context.started_micros);
    job->record.last_result = std::string(RunResultName(result.result));
    job->record.last_message = result.message;
    job->record.last_over_budget = over_budget;
  }
  SaveJobRecord(job);
  if (metrics_) {
    metrics_->scheduler_runs
        ->Labels({context.table, context.job, std::string(RunResultName(result.result))})
        .Increment();
    metrics_->scheduler_running->Labels({context.table, context.job}).Set(0);
    if (over_budget) {
      metrics_->scheduler_budget_exceeded->Labels({context.table, context.job}).Increment();
    }
  }
  if (logger_) {
    logger_->Log(result.result == RunResult::kFailure ? LogLevel::kError : LogLevel::kInfo,
                 "scheduler.job_done",
                 {{"table", context.table},
                  {"job", context.job},
                  {"kind", context.kind},
                  {"result", std::string(RunResultName(result.result))},
                  {"message", result.message},
                  {"duration_ms", (finished - context.started_micros) / 1000},
                  {"over_budget", over_budget}});
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    job->running = false;
    --running_;
    worker->done = true;
    wake_ = true;
  }
  cv_.notify_all();
}

void Scheduler::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return running_ == 0; });
  ReapWorkersLocked();
}

int64_t Scheduler::NextDueLocked() const {
  int64_t next = kNever;
  for (const auto& job : jobs_) {
    if (!job->running) next = std::min(next, job->due_micros);
  }
  return next;
}

int64_t Scheduler::NextDueMicros() const {
  std::lock_guard<std::mutex> lock(mu_);
  return NextDueLocked();
}

void Scheduler::Loop() {
  while (true) {
    RunDue();
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return;
    if (!wake_) {
      const int64_t now = clock_->NowMicros();
      int64_t wait = kMaxSleepMicros;
      for (const auto& job : jobs_) {
        if (job->running) continue;
        // A due job that did not start is blocked: retry it later, do not spin.
        if (job->due_micros == kNever) continue;
        int64_t until = job->due_micros <= now ? kBlockedRetryMicros : job->due_micros - now;
        wait = std::min(wait, until);
      }
      cv_.wait_for(lock, std::chrono::microseconds(wait), [&] { return stop_ || wake_; });
    }
    wake_ = false;
  }
}

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_.joinable() || stop_) return;
  loop_ = std::thread(&Scheduler::Loop, this);
}

void Scheduler::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  WaitIdle();
}

std::vector<JobStatus> Scheduler::JobStatuses() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobStatus> out;
  for (const auto& job : jobs_) {
    out.push_back(
        JobStatus{job->spec, job->due_micros, job->running, job->waiting_for_table, job->record});
  }
  return out;
}

}  // namespace floe::scheduler
