#include "floe/scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "floe/iceberg/datetime.h"
#include "floe/io/local_store.h"
#include "support/temp_dir.h"

namespace floe::scheduler {
namespace {

int64_t Utc(const std::string& text) {
  return iceberg::ParseTimestamp(text, /*with_zone=*/false).value();
}
std::string Show(int64_t micros) { return iceberg::FormatTimestamp(micros, false); }

constexpr int64_t kMinuteMicros = 60 * 1000000LL;
const std::string kTable = "analytics.events";

// What the callbacks saw, in start order.
struct SeenRun {
  std::string table;
  std::string job;
  std::string kind;
  int64_t scheduled;
  int64_t started;
  int64_t deadline;
  bool late;
};

class RunLog {
 public:
  JobFunction Record(RunResult result = RunResult::kSuccess) {
    return [this, result](const JobContext& c) {
      std::lock_guard<std::mutex> lock(mu_);
      runs_.push_back({c.table, c.job, c.kind, c.scheduled_micros, c.started_micros,
                       c.deadline_micros, c.late});
      return JobResult{result, "did " + c.kind};
    };
  }
  std::vector<SeenRun> runs() {
    std::lock_guard<std::mutex> lock(mu_);
    return runs_;
  }
  // "job@time" of every run, for compact comparisons.
  std::vector<std::string> Starts() {
    std::vector<std::string> out;
    for (const SeenRun& r : runs()) out.push_back(r.job + "@" + Show(r.started));
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<SeenRun> runs_;
};

std::map<std::string, JobFunction> AllKinds(RunLog* log) {
  std::map<std::string, JobFunction> fns;
  for (auto kind : {kKindCompactIfNeeded, kKindCompact, kKindCompactAggressive,
                    kKindExpireSnapshots, kKindRemoveOrphans, kKindRewriteManifests}) {
    fns[std::string(kind)] = log->Record();
  }
  return fns;
}

// Starts everything due now, lets it finish, and repeats until nothing more is due (jobs that
// waited for their table run in the same minute).
void RunAllDue(Scheduler* s) {
  while (s->RunDue() > 0) s->WaitIdle();
}

struct Fixture {
  FakeClock clock;
  InProcessTableLocks locks;
  MemoryRunStateStore state;
  Logger logger{&clock, LogLevel::kError, [](std::string_view) {}};
  metrics::Registry registry;
  metrics::FloeMetrics metrics = metrics::FloeMetrics::Register(&registry);
  RunLog log;

  explicit Fixture(const std::string& start) : clock(Utc(start)) {}
  std::unique_ptr<Scheduler> Make(std::vector<JobSpec> jobs, SchedulerOptions options = {}) {
    auto s = Scheduler::Make(std::move(jobs), AllKinds(&log), &clock, &locks, &state, &logger,
                             &metrics, options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
};

TEST(SchedulerTest, DefaultJobsFireAtTheirTimes) {
  // Saturday 2026-11-28 00:00 to Monday 2026-12-07 00:00, minute by minute.
  Fixture f("2026-11-28T00:00:00");
  auto s = f.Make(DefaultJobs(kTable));
  const int64_t end = Utc("2026-12-07T00:00:00");
  while (f.clock.NowMicros() < end) {
    f.clock.AdvanceMicros(kMinuteMicros);
    RunAllDue(s.get());
  }
  std::map<std::string, std::vector<std::string>> by_job;
  for (const SeenRun& r : f.log.runs()) {
    EXPECT_EQ(r.table, kTable);
    EXPECT_FALSE(r.late);
    EXPECT_EQ(r.scheduled, r.started) << r.job;  // nothing was kept waiting past its minute
    by_job[r.job].push_back(Show(r.started));
  }
  EXPECT_EQ(by_job["compact-daily"],
            (std::vector<std::string>{
                "2026-11-28T02:00:00", "2026-11-29T02:00:00", "2026-11-30T02:00:00",
                "2026-12-01T02:00:00", "2026-12-02T02:00:00", "2026-12-03T02:00:00",
                "2026-12-04T02:00:00", "2026-12-05T02:00:00", "2026-12-06T02:00:00"}));
  EXPECT_EQ(by_job["compact-weekly"],
            (std::vector<std::string>{"2026-11-29T03:00:00", "2026-12-06T03:00:00"}));
  EXPECT_EQ(by_job["remove-orphans"],
            (std::vector<std::string>{"2026-11-29T05:00:00", "2026-12-06T05:00:00"}));
  ASSERT_EQ(by_job["rewrite-manifests"].size(), 9u);
  EXPECT_EQ(by_job["rewrite-manifests"].front(), "2026-11-28T06:00:00");
  ASSERT_EQ(by_job["expire-snapshots"].size(), 9u);
  EXPECT_EQ(by_job["expire-snapshots"].front(), "2026-11-28T04:00:00");
  EXPECT_EQ(by_job["expire-snapshots"].back(), "2026-12-06T04:00:00");
  // Every 5 minutes for 9 days: 12 * 24 * 9 runs, the first at 00:05.
  ASSERT_EQ(by_job["compact-check"].size(), 12u * 24 * 9);
  EXPECT_EQ(by_job["compact-check"].front(), "2026-11-28T00:05:00");
  EXPECT_EQ(by_job["compact-check"].back(), "2026-12-07T00:00:00");
  for (const std::string& t : by_job["compact-check"]) {
    EXPECT_EQ((Utc(t) / kMinuteMicros) % 5, 0) << t;
  }
  // Deadlines are start + budget.
  for (const SeenRun& r : f.log.runs()) {
    if (r.job == "compact-daily") {
      EXPECT_EQ(r.deadline - r.started, 2 * 3600 * 1000000LL);
    }
  }
  EXPECT_EQ(f.metrics.scheduler_runs->Labels({kTable, "compact-daily", "success"}).Value(), 9);
}

TEST(SchedulerTest, MissedRunsRunOnceAtStart) {
  Fixture f("2026-11-30T01:00:00");  // Monday
  {
    auto s = f.Make(DefaultJobs(kTable));
    f.clock.SetMicros(Utc("2026-11-30T01:30:00"));
    RunAllDue(s.get());  // compact-check at 01:05 .. 01:30 folds into one run
  }
  EXPECT_EQ(f.log.Starts(), (std::vector<std::string>{"compact-check@2026-11-30T01:30:00"}));

  // Down until Wednesday 10:00: the daily compactions and expiries of Monday and Tuesday were
  // missed (the first scheduler stopped before Monday's 02:00).
  f.clock.SetMicros(Utc("2026-12-02T10:00:00"));
  auto s = f.Make(DefaultJobs(kTable));
  RunAllDue(s.get());
  std::vector<SeenRun> runs = f.log.runs();
  ASSERT_EQ(runs.size(), 5u);
  std::map<std::string, SeenRun> late;
  for (size_t i = 1; i < runs.size(); ++i) late[runs[i].job] = runs[i];
  ASSERT_EQ(late.size(), 4u);
  EXPECT_EQ(Show(late["rewrite-manifests"].scheduled), "2026-11-30T06:00:00");
  EXPECT_EQ(Show(late["compact-check"].scheduled), "2026-11-30T01:35:00");
  EXPECT_EQ(Show(late["compact-daily"].scheduled), "2026-11-30T02:00:00");
  EXPECT_EQ(Show(late["expire-snapshots"].scheduled), "2026-11-30T04:00:00");
  for (auto& [job, run] : late) {
    EXPECT_TRUE(run.late) << job;
    EXPECT_EQ(Show(run.started), "2026-12-02T10:00:00");
  }
  // Once, not once per missed time; the schedule resumes.
  RunAllDue(s.get());
  EXPECT_EQ(f.log.runs().size(), 5u);
  for (const JobStatus& st : s->JobStatuses()) {
    std::string next = Show(st.next_run_micros);
    if (st.spec.name == "compact-daily") {
      EXPECT_EQ(next, "2026-12-03T02:00:00");
    } else if (st.spec.name == "compact-check") {
      EXPECT_EQ(next, "2026-12-02T10:05:00");
    } else if (st.spec.name == "remove-orphans") {
      EXPECT_EQ(next, "2026-12-06T05:00:00");
    }
  }
}

TEST(SchedulerTest, PlannedStatusReadsTheStateWithoutAScheduler) {
  Fixture f("2026-11-30T01:00:00");
  {
    auto s = f.Make({{"compact-daily", kTable, "0 2 * * *", "compact", 60000},
                     {"compact-check", kTable, "*/5 * * * *", "compact-if-needed", 60000}});
    f.clock.SetMicros(Utc("2026-11-30T02:00:00"));
    RunAllDue(s.get());
  }
  std::vector<JobSpec> jobs = {{"compact-daily", kTable, "0 2 * * *", "compact", 60000},
                               {"expire-snapshots", kTable, "0 4 * * *", "expire-snapshots", 1}};
  auto planned = PlannedStatus(jobs, &f.state, Utc("2026-11-30T03:00:00"));
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  ASSERT_EQ(planned->size(), 2u);
  EXPECT_EQ(Show((*planned)[0].next_run_micros), "2026-12-01T02:00:00");
  EXPECT_EQ((*planned)[0].last.last_result, "success");
  EXPECT_EQ(Show((*planned)[0].last.last_started_micros), "2026-11-30T02:00:00");
  EXPECT_FALSE((*planned)[0].running);
  EXPECT_EQ(Show((*planned)[1].next_run_micros), "2026-11-30T04:00:00");  // never scheduled
  EXPECT_EQ((*planned)[1].last.last_started_micros, 0);
  // Two days later, compact-daily's missed run is due now.
  auto later = PlannedStatus(jobs, &f.state, Utc("2026-12-02T03:00:00"));
  EXPECT_EQ(Show((*later)[0].next_run_micros), "2026-12-01T02:00:00");
}

// Saves of a start record wait until the job body has returned and then give other threads a
// chance to run, which opens the window for the end record to be saved first.
class SlowStartSaves final : public RunStateStore {
 public:
  Result<std::vector<JobRunRecord>> Load() override { return inner_.Load(); }
  Status Save(const JobRunRecord& record) override {
    if (record.last_started_micros > record.last_finished_micros) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return body_returned_; });
      lock.unlock();
      for (int i = 0; i < 1000; ++i) std::this_thread::yield();
    }
    return inner_.Save(record);
  }
  void BodyReturned() {
    std::lock_guard<std::mutex> lock(mu_);
    body_returned_ = true;
    cv_.notify_all();
  }

 private:
  MemoryRunStateStore inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool body_returned_ = false;
};

TEST(SchedulerTest, TheEndOfARunIsTheLastRecordSaved) {
  // The start record is saved by RunDue's thread, the end record by the run's thread; a start
  // record saved last would make the next start rerun the job as "cut short by a crash".
  for (int i = 0; i < 20; ++i) {
    FakeClock clock(Utc("2026-11-30T01:59:00"));
    InProcessTableLocks locks;
    SlowStartSaves state;
    std::map<std::string, JobFunction> fns;
    fns["compact"] = [&](const JobContext&) {
      state.BodyReturned();
      return JobResult{};
    };
    auto s = Scheduler::Make({{"compact-daily", kTable, "0 2 * * *", "compact", 60000}}, fns,
                             &clock, &locks, &state, nullptr, nullptr);
    ASSERT_TRUE(s.ok());
    clock.SetMicros(Utc("2026-11-30T02:00:00"));
    RunAllDue(s->get());
    auto records = state.Load();
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 1u);
    ASSERT_GE((*records)[0].last_finished_micros, (*records)[0].last_started_micros) << i;
    ASSERT_EQ((*records)[0].last_result, "success") << i;
  }
}

TEST(SchedulerTest, FirstStartDoesNotRunPastTimes) {
  Fixture f("2026-11-28T18:00:00");
  auto s = f.Make(DefaultJobs(kTable));
  EXPECT_EQ(s->RunDue(), 0);
  EXPECT_EQ(Show(s->NextDueMicros()), "2026-11-28T18:05:00");
}

TEST(SchedulerTest, RunCutShortByACrashRunsAgainAtStart) {
  Fixture f("2026-11-28T18:00:00");
  JobRunRecord crashed;
  crashed.table = kTable;
  crashed.job = "compact-daily";
  crashed.schedule_from_micros = Utc("2026-11-28T02:00:00");
  crashed.last_started_micros = Utc("2026-11-28T02:00:00");
  crashed.last_finished_micros = Utc("2026-11-27T02:10:00");  // the run before
  ASSERT_TRUE(f.state.Save(crashed).ok());
  auto s = f.Make({{"compact-daily", kTable, "0 2 * * *", "compact", 60000}});
  RunAllDue(s.get());
  ASSERT_EQ(f.log.runs().size(), 1u);
  EXPECT_TRUE(f.log.runs()[0].late);
}

// A job body that holds its table until the test releases it.
class Gate {
 public:
  JobFunction Hold(std::atomic<int>* active, std::atomic<int>* max_active) {
    return [this, active, max_active](const JobContext&) {
      int now = ++*active;
      int seen = max_active->load();
      while (now > seen && !max_active->compare_exchange_weak(seen, now)) {
      }
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++entered_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return open_; });
      }
      --*active;
      return JobResult{RunResult::kSuccess, ""};
    };
  }
  void WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

TEST(SchedulerTest, JobsOnOneTableNeverOverlap) {
  FakeClock clock(Utc("2026-11-29T01:59:00"));
  InProcessTableLocks locks;
  MemoryRunStateStore state;
  Gate gate;
  std::map<std::string, std::atomic<int>> active;  // per table
  std::map<std::string, std::atomic<int>> max_active;
  for (const char* t : {"a.t", "b.t"}) {
    active[t] = 0;
    max_active[t] = 0;
  }
  // Kinds named after their table, so each body counts on the right table.
  std::map<std::string, JobFunction> fns = {
      {"on-a", gate.Hold(&active["a.t"], &max_active["a.t"])},
      {"on-b", gate.Hold(&active["b.t"], &max_active["b.t"])},
  };
  std::vector<JobSpec> jobs = {
      {"compact-daily", "a.t", "0 2 * * *", "on-a", 3600000},
      {"compact-weekly", "a.t", "0 2 * * 0", "on-a", 3600000},
      {"expire-snapshots", "a.t", "0 2 * * *", "on-a", 3600000},
      {"compact-daily", "b.t", "0 2 * * *", "on-b", 3600000},
  };
  auto made = Scheduler::Make(jobs, fns, &clock, &locks, &state, nullptr, nullptr,
                              SchedulerOptions{.max_concurrent_runs = 4});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto& s = *made;

  clock.SetMicros(Utc("2026-11-29T02:00:00"));
  EXPECT_EQ(s->RunDue(), 2);  // one job of a.t, and b.t
  gate.WaitEntered(2);
  EXPECT_EQ(s->RunDue(), 0);
  int running = 0, waiting = 0;
  for (const JobStatus& st : s->JobStatuses()) {
    running += st.running;
    waiting += st.waiting_for_table;
    if (st.waiting_for_table) {
      EXPECT_EQ(st.spec.table, "a.t");
    }
  }
  EXPECT_EQ(running, 2);
  EXPECT_EQ(waiting, 2);
  // The admin API and the CLI take the same lock: they see the table busy (HTTP 409).
  auto guard = TableLockGuard::Acquire(&locks, "a.t", "admin", 0);
  ASSERT_FALSE(guard.ok());
  EXPECT_EQ(guard.status().kind(), ErrorKind::kConflict);
  EXPECT_EQ(guard.status().message(),
            "table a.t is busy: scheduler/compact-daily is running on it");

  gate.Open();
  s->WaitIdle();
  RunAllDue(s.get());
  EXPECT_EQ(max_active["a.t"].load(), 1);
  EXPECT_EQ(max_active["b.t"].load(), 1);
  for (const JobStatus& st : s->JobStatuses()) {
    EXPECT_EQ(st.last.last_result, "success") << st.spec.name;
    EXPECT_FALSE(st.waiting_for_table);
  }
}

TEST(SchedulerTest, ATableHeldOutsideTheSchedulerDelaysTheJob) {
  Fixture f("2026-11-29T01:59:00");
  auto s = f.Make({{"compact-daily", kTable, "0 2 * * *", "compact", 60000}});
  {
    auto guard = TableLockGuard::Acquire(&f.locks, kTable, "admin/compact", 0);
    ASSERT_TRUE(guard.ok());
    f.clock.SetMicros(Utc("2026-11-29T02:00:00"));
    EXPECT_EQ(s->RunDue(), 0);
    EXPECT_TRUE(s->JobStatuses()[0].waiting_for_table);
    f.clock.SetMicros(Utc("2026-11-29T02:07:00"));
  }
  EXPECT_EQ(s->RunDue(), 1);
  s->WaitIdle();
  ASSERT_EQ(f.log.runs().size(), 1u);
  EXPECT_EQ(Show(f.log.runs()[0].scheduled), "2026-11-29T02:00:00");
  EXPECT_EQ(Show(f.log.runs()[0].started), "2026-11-29T02:07:00");
  EXPECT_EQ(Show(s->NextDueMicros()), "2026-11-30T02:00:00");
}

TEST(SchedulerTest, ConcurrencyLimitHoldsBackOtherTables) {
  Fixture f("2026-11-29T01:59:00");
  std::vector<JobSpec> jobs;
  for (const char* t : {"a.t", "b.t", "c.t"})
    jobs.push_back({"daily", t, "0 2 * * *", "compact", 1000});
  auto s = f.Make(jobs, SchedulerOptions{.max_concurrent_runs = 1});
  f.clock.SetMicros(Utc("2026-11-29T02:00:00"));
  int started = 0;
  while (int n = s->RunDue()) {
    EXPECT_EQ(n, 1);
    started += n;
    s->WaitIdle();
  }
  EXPECT_EQ(started, 3);
}

TEST(SchedulerTest, BudgetIsADeadlineAndOverrunsAreRecorded) {
  Fixture f("2026-11-29T01:59:00");
  std::map<std::string, JobFunction> fns;
  int64_t seen_remaining = 0;
  fns["compact"] = [&](const JobContext& c) {
    seen_remaining = c.RemainingMicros();
    EXPECT_FALSE(c.DeadlinePassed());
    f.clock.AdvanceMicros(90 * 1000000LL);  // the job takes 90 s of a 60 s budget
    EXPECT_TRUE(c.DeadlinePassed());
    return JobResult{RunResult::kPartial, "2 of 3 groups"};
  };
  auto made = Scheduler::Make({{"compact-daily", kTable, "0 2 * * *", "compact", 60000}}, fns,
                              &f.clock, &f.locks, &f.state, &f.logger, &f.metrics);
  ASSERT_TRUE(made.ok());
  f.clock.SetMicros(Utc("2026-11-29T02:00:00"));
  RunAllDue(made->get());
  EXPECT_EQ(seen_remaining, 60 * 1000000LL);
  JobStatus st = (*made)->JobStatuses()[0];
  EXPECT_EQ(st.last.last_result, "partial");
  EXPECT_EQ(st.last.last_message, "2 of 3 groups");
  EXPECT_TRUE(st.last.last_over_budget);
  EXPECT_EQ(f.metrics.scheduler_budget_exceeded->Labels({kTable, "compact-daily"}).Value(), 1);
  EXPECT_EQ(f.metrics.scheduler_runs->Labels({kTable, "compact-daily", "partial"}).Value(), 1);

  auto json = nlohmann::json::parse(StatusToJson((*made)->JobStatuses()));
  const auto& job = json["jobs"][0];
  EXPECT_EQ(job["table"], kTable);
  EXPECT_EQ(job["job"], "compact-daily");
  EXPECT_EQ(job["cron"], "0 2 * * *");
  EXPECT_EQ(job["budget_ms"], 60000);
  EXPECT_EQ(job["next_run"], "2026-11-30T02:00:00.000000Z");
  EXPECT_EQ(job["running"], false);
  EXPECT_EQ(job["last_run"]["started"], "2026-11-29T02:00:00.000000Z");
  EXPECT_EQ(job["last_run"]["finished"], "2026-11-29T02:01:30.000000Z");
  EXPECT_EQ(job["last_run"]["result"], "partial");
  EXPECT_EQ(job["last_run"]["duration_ms"], 90000);
  EXPECT_EQ(job["last_run"]["over_budget"], true);
}

TEST(SchedulerTest, AThrowingJobIsAFailedRun) {
  Fixture f("2026-11-29T01:59:00");
  std::map<std::string, JobFunction> fns;
  fns["compact"] = [](const JobContext&) -> JobResult { throw std::runtime_error("boom"); };
  auto made = Scheduler::Make({{"compact-daily", kTable, "0 2 * * *", "compact", 60000}}, fns,
                              &f.clock, &f.locks, &f.state, &f.logger, &f.metrics);
  ASSERT_TRUE(made.ok());
  f.clock.SetMicros(Utc("2026-11-29T02:00:00"));
  RunAllDue(made->get());
  JobStatus st = (*made)->JobStatuses()[0];
  EXPECT_EQ(st.last.last_result, "failure");
  EXPECT_EQ(st.last.last_message, "the job threw: boom");
  EXPECT_EQ(f.locks.HolderOf(kTable), "");
  EXPECT_EQ(f.metrics.scheduler_runs->Labels({kTable, "compact-daily", "failure"}).Value(), 1);
}

TEST(SchedulerTest, InvalidJobsStopStartUpNamingTheJob) {
  FakeClock clock(0);
  InProcessTableLocks locks;
  MemoryRunStateStore state;
  RunLog log;
  auto make = [&](std::vector<JobSpec> jobs) {
    return Scheduler::Make(std::move(jobs), AllKinds(&log), &clock, &locks, &state, nullptr,
                           nullptr);
  };
  auto bad_cron = make({{"compact-daily", kTable, "0 2 * * 8", "compact", 1000}});
  ASSERT_FALSE(bad_cron.ok());
  EXPECT_EQ(bad_cron.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad_cron.status().message(),
            "schedule job \"compact-daily\" on table \"analytics.events\": cron \"0 2 * * 8\": "
            "field 5 (day of week) value 8 at column 9 is out of range 0-7");
  auto bad_kind = make({{"x", kTable, "@daily", "defrag", 1000}});
  EXPECT_EQ(bad_kind.status().message(),
            "schedule job \"x\" on table \"analytics.events\": unknown kind \"defrag\"");
  auto twice =
      make({{"x", kTable, "@daily", "compact", 1000}, {"x", kTable, "@hourly", "compact", 1}});
  EXPECT_EQ(twice.status().message(),
            "schedule job \"x\" on table \"analytics.events\" is defined twice");
  auto no_budget = make({{"x", kTable, "@daily", "compact", 0}});
  EXPECT_EQ(no_budget.status().message(),
            "schedule job \"x\" on table \"analytics.events\": time budget 0 ms must be positive");
  for (const JobSpec& spec : DefaultJobs(kTable)) EXPECT_TRUE(ValidateJobSpec(spec).ok());
}

TEST(SchedulerTest, ScheduleSettingsOverrideDefaultsAndAreValidated) {
  ScheduleOverrides o;
  o.cron_by_job["compact-daily"] = "30 1 * * MON-FRI";
  o.cron_by_job["remove-orphans"] = "off";
  o.budget_ms_by_job["compact-check"] = 120000;
  auto jobs = ScheduledJobs({"a.t", "b.t"}, o);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  ASSERT_EQ(jobs->size(), 10u);  // 5 jobs on each of 2 tables
  for (const JobSpec& j : *jobs) {
    EXPECT_NE(j.name, "remove-orphans");
    if (j.name == "compact-daily") {
      EXPECT_EQ(j.cron, "30 1 * * MON-FRI");
    } else if (j.name == "compact-check") {
      EXPECT_EQ(j.budget_ms, 120000);
    }
  }

  ScheduleOverrides bad;
  bad.cron_by_job["compact-weekly"] = "0 3 * * SUNDAY";
  auto err = ScheduledJobs({"a.t"}, bad);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().message(),
            "schedule job \"compact-weekly\" on table \"a.t\": cron \"0 3 * * SUNDAY\": field 5 "
            "(day of week) name \"SUNDAY\" at column 9 is unknown (use SUN-SAT)");
  ScheduleOverrides typo;
  typo.cron_by_job["compact-nightly"] = "0 1 * * *";
  EXPECT_EQ(ScheduledJobs({"a.t"}, typo).status().message(),
            "schedule job \"compact-nightly\" does not exist (jobs: compact-check, compact-daily, "
            "compact-weekly, expire-snapshots, remove-orphans, rewrite-manifests)");
  ScheduleOverrides zero;
  zero.budget_ms_by_job["compact-daily"] = 0;
  EXPECT_FALSE(ScheduledJobs({"a.t"}, zero).ok());
}

TEST(SchedulerTest, BackgroundLoopRunsJobsWhenWoken) {
  Fixture f("2026-11-29T01:59:00");
  std::promise<std::string> ran;
  std::map<std::string, JobFunction> fns;
  fns["compact"] = [&](const JobContext& c) {
    ran.set_value(Show(c.started_micros));
    return JobResult{};
  };
  auto made = Scheduler::Make({{"compact-daily", kTable, "0 2 * * *", "compact", 60000}}, fns,
                              &f.clock, &f.locks, &f.state, &f.logger, &f.metrics);
  ASSERT_TRUE(made.ok());
  (*made)->Start();
  f.clock.SetMicros(Utc("2026-11-29T02:00:00"));
  (*made)->Wake();
  EXPECT_EQ(ran.get_future().get(), "2026-11-29T02:00:00");
  (*made)->Stop();
  EXPECT_EQ((*made)->JobStatuses()[0].last.last_result, "success");
}

TEST(RunStateStoreTest, FileStateSurvivesReopenAndRejectsGarbage) {
  testing::TempDir dir("floe-sched");
  auto store = LocalStore::Make(dir.path());
  ASSERT_TRUE(store.ok());
  const std::string location = (*store)->root_location() + "/scheduler.json";
  {
    ObjectRunStateStore state(store->get(), location);
    auto empty = state.Load();
    ASSERT_TRUE(empty.ok()) << empty.status().ToString();
    EXPECT_TRUE(empty->empty());
    JobRunRecord r{kTable, "compact-daily", 5, 6, 7, "success", "msg \"quoted\"", true};
    ASSERT_TRUE(state.Save(r).ok());
    r.job = "expire-snapshots";
    r.last_result = "failure";
    ASSERT_TRUE(state.Save(r).ok());
    r.last_result = "noop";  // replaces the record of the same job
    ASSERT_TRUE(state.Save(r).ok());
  }
  ObjectRunStateStore reopened(store->get(), location);
  auto records = reopened.Load();
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].job, "compact-daily");
  EXPECT_EQ((*records)[0].schedule_from_micros, 5);
  EXPECT_EQ((*records)[0].last_started_micros, 6);
  EXPECT_EQ((*records)[0].last_finished_micros, 7);
  EXPECT_EQ((*records)[0].last_message, "msg \"quoted\"");
  EXPECT_TRUE((*records)[0].last_over_budget);
  EXPECT_EQ((*records)[1].last_result, "noop");

  for (const char* garbage : {"not json", "{\"version\":2,\"jobs\":[]}", "{\"version\":1}",
                              "{\"version\":1,\"jobs\":[{\"table\":\"t\"}]}"}) {
    ASSERT_TRUE((*store)->Put(location, garbage).ok());
    auto bad = ObjectRunStateStore(store->get(), location).Load();
    ASSERT_FALSE(bad.ok()) << garbage;
    EXPECT_EQ(bad.status().kind(), ErrorKind::kCorrupt);
    EXPECT_NE(bad.status().message().find(location), std::string::npos);
  }
}

TEST(RunStateStoreTest, SchedulerStateSurvivesARestartThroughTheFile) {
  testing::TempDir dir("floe-sched");
  auto store = LocalStore::Make(dir.path());
  ASSERT_TRUE(store.ok());
  ObjectRunStateStore state(store->get(), (*store)->root_location() + "/scheduler.json");
  FakeClock clock(Utc("2026-11-29T01:00:00"));
  InProcessTableLocks locks;
  RunLog log;
  std::vector<JobSpec> jobs = {{"compact-daily", kTable, "0 2 * * *", "compact", 60000}};
  {
    auto s = Scheduler::Make(jobs, AllKinds(&log), &clock, &locks, &state, nullptr, nullptr);
    ASSERT_TRUE(s.ok());
  }
  clock.SetMicros(Utc("2026-11-29T03:00:00"));
  ObjectRunStateStore reopened(store->get(), (*store)->root_location() + "/scheduler.json");
  auto s = Scheduler::Make(jobs, AllKinds(&log), &clock, &locks, &reopened, nullptr, nullptr);
  ASSERT_TRUE(s.ok());
  RunAllDue(s->get());
  ASSERT_EQ(log.runs().size(), 1u);
  EXPECT_TRUE(log.runs()[0].late);
  EXPECT_EQ(Show(log.runs()[0].scheduled), "2026-11-29T02:00:00");
}

}  // namespace
}  // namespace floe::scheduler
