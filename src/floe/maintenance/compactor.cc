#include "floe/maintenance/compactor.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "floe/catalog/transaction.h"
#include "floe/maintenance/group_rewriter.h"

namespace floe::maintenance {

namespace {

using Json = nlohmann::json;

// Bounds the list so a table with ever more broken files cannot grow its metadata without end.
constexpr size_t kMaxQuarantined = 10000;
constexpr size_t kMaxReasonChars = 400;
// A group whose rewrite hits broken inputs one after another is given up after this many.
constexpr int kMaxRewriteAttempts = 4;
// Commit rounds (each a transaction with the table's commit.retry.* attempts) for groups whose
// inputs are still live. A writer that commits back to back (floe serve's flush under steady
// load) can win every swap of one round; a fresh round starts from the newest metadata.
constexpr int kMaxCommitRounds = 8;

Json PlanToJson(const CompactionPlan& plan, bool with_paths) {
  Json groups = Json::array();
  for (const FileGroup& g : plan.groups) {
    Json group = {{"partition", g.partition_path}, {"spec_id", g.spec_id},
                  {"files", g.inputs.size()},      {"bytes", g.input_bytes},
                  {"rows", g.input_rows},          {"reason", g.reason}};
    if (with_paths) {
      Json paths = Json::array();
      for (const LiveFile& f : g.inputs) paths.push_back(f.file.file_path);
      group["inputs"] = std::move(paths);
    }
    groups.push_back(std::move(group));
  }
  return {{"needed", plan.needed},
          {"decision", plan.decision},
          {"total_files", plan.total_files},
          {"small_files", plan.small_files},
          {"quarantined_files", plan.quarantined_files},
          {"groups", std::move(groups)}};
}

}  // namespace

std::vector<QuarantinedFile> ReadQuarantine(const std::map<std::string, std::string>& properties) {
  std::vector<QuarantinedFile> out;
  auto it = properties.find(kQuarantineProperty);
  if (it == properties.end()) return out;
  Json list = Json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  if (!list.is_array()) return out;
  for (const Json& item : list) {
    if (!item.is_object() || !item.contains("path") || !item["path"].is_string()) continue;
    QuarantinedFile f;
    f.path = item["path"].get<std::string>();
    if (item.contains("reason") && item["reason"].is_string()) {
      f.reason = item["reason"].get<std::string>();
    }
    if (item.contains("ts_ms") && item["ts_ms"].is_number_integer()) {
      f.ts_ms = item["ts_ms"].get<int64_t>();
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string QuarantineToJson(const std::vector<QuarantinedFile>& files) {
  Json list = Json::array();
  for (const QuarantinedFile& f : files) {
    list.push_back({{"path", f.path}, {"reason", f.reason}, {"ts_ms", f.ts_ms}});
  }
  return list.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string CompactionReportToJson(const CompactionReport& r, bool pretty) {
  return r.run.ToJson().dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace);
}

namespace {

// The state of one run; RunCompaction drives it.
class Run {
 public:
  Run(Table* table, const CompactionOptions& options, const CompactionRequest& request,
      const CompactionEnv& env)
      : table_(table),
        options_(options),
        request_(request),
        env_(env),
        name_(table->identifier().ToString()),
        store_(table->services().store),
        clock_(table->services().clock) {}

  Result<CompactionReport> Go();

 private:
  struct Finished {
    const FileGroup* group = nullptr;
    GroupRewrite rewrite;
  };

  void RewriteGroup(const FileGroup& group);
  Status Quarantine(const std::vector<InputProblem>& problems);
  // Commits `pending_`; false when the run must stop (commit state unknown, storage failing).
  bool CommitPending();
  void Skip(const std::string& partition, int64_t files, const std::string& reason);
  void DeleteOutputs(const GroupRewrite& rewrite);
  void Progress();
  void Finish();

  Table* table_;
  const CompactionOptions& options_;
  const CompactionRequest& request_;
  const CompactionEnv& env_;
  const std::string name_;
  ObjectStore* store_;
  const Clock* clock_;

  CompactionReport report_;
  iceberg::TableMetadata base_;  // what the plan was made from
  std::set<std::string> quarantined_;
  std::vector<Finished> pending_;
  CompactionProgress progress_;
  int64_t started_ns_ = 0;
  int64_t cpu_started_us_ = 0;
  CpuTally helper_cpu_;  // CPU of the threads the group rewrites started
  bool stop_ = false;
};

void Run::Skip(const std::string& partition, int64_t files, const std::string& reason) {
  report_.run.groups_skipped.push_back({partition, files, reason});
  env_.logger->Info(
      "compaction.skip",
      {{"table", name_}, {"partition", partition}, {"files", files}, {"reason", reason}});
}

void Run::DeleteOutputs(const GroupRewrite& rewrite) {
  std::vector<std::string> paths;
  for (const iceberg::DataFile& f : rewrite.outputs) paths.push_back(f.file_path);
  // Best effort: anything left is an unreferenced file orphan removal deletes later.
  if (!paths.empty()) (void)store_->DeleteMany(paths);
}

void Run::Progress() {
  if (env_.progress) env_.progress(progress_);
}

Status Run::Quarantine(const std::vector<InputProblem>& problems) {
  std::vector<QuarantinedFile> added;
  for (const InputProblem& p : problems) {
    if (!p.corrupt || quarantined_.count(p.path) > 0) continue;
    QuarantinedFile f{p.path, p.reason.substr(0, kMaxReasonChars), clock_->NowMillis()};
    quarantined_.insert(p.path);
    report_.quarantined.push_back(f);
    added.push_back(f);
    env_.logger->Warn("compaction.skip",
                      {{"table", name_}, {"file", p.path}, {"reason", "quarantined: " + f.reason}});
  }
  if (added.empty()) return Status::OK();
  // Merged into the list as it is now, so a restart or another node sees every entry.
  FLOE_RETURN_IF_ERROR(table_->Refresh());
  std::vector<QuarantinedFile> list = ReadQuarantine(table_->metadata().properties);
  for (QuarantinedFile& f : added) {
    const bool known = std::any_of(list.begin(), list.end(),
                                   [&](const QuarantinedFile& q) { return q.path == f.path; });
    if (!known) list.push_back(std::move(f));
  }
  if (list.size() > kMaxQuarantined) {
    list.erase(list.begin(),
               list.begin() + static_cast<std::ptrdiff_t>(list.size() - kMaxQuarantined));
  }
  Transaction txn = table_->NewTransaction();
  txn.SetProperty(kQuarantineProperty, QuarantineToJson(list));
  FLOE_ASSIGN_OR_RETURN(CommitResult committed, txn.Commit());
  report_.run.retries += committed.attempts - 1;
  report_.run.conflicts += committed.conflicts;
  return Status::OK();
}

void Run::RewriteGroup(const FileGroup& planned) {
  const int64_t group_started_ns = clock_->MonotonicNanos();
  FileGroup group = planned;
  const size_t min_inputs = planned.reason == "oversized file" ? 1 : 2;
  GroupRewriter rewriter(store_, base_, options_, [this] { return table_->NewUuid(); });
  rewriter.set_cpu_tally(&helper_cpu_);
  for (int attempt = 1;; ++attempt) {
    Result<GroupRewrite> done = rewriter.Rewrite(group, min_inputs);
    if (done.ok()) {
      Status q = Quarantine(done->excluded);
      if (!q.ok()) {
        env_.logger->Error(
            "compaction.error",
            {{"table", name_}, {"partition", group.partition_path}, {"error", q.ToString()}});
      }
      for (const InputProblem& p : done->excluded) {
        if (!p.corrupt) {
          Skip(group.partition_path, 1, "input " + p.path + " left out: " + p.reason);
        }
      }
      if (!done->skipped_reason.empty()) {
        Skip(group.partition_path, static_cast<int64_t>(group.inputs.size()), done->skipped_reason);
        return;
      }
      report_.run.peak_memory_bytes =
          std::max(report_.run.peak_memory_bytes, done->peak_memory_bytes);
      env_.logger->Info("compaction.group",
                        {{"table", name_},
                         {"partition", group.partition_path},
                         {"files_in", static_cast<int64_t>(done->inputs_used.size())},
                         {"files_out", static_cast<int64_t>(done->outputs.size())},
                         {"bytes_in", done->bytes_in},
                         {"bytes_out", done->bytes_out},
                         {"bytes_copied", done->bytes_copied},
                         {"rows_in", done->rows_in},
                         {"rows_out", done->rows_out},
                         {"sorted", done->sorted},
                         {"peak_memory_bytes", done->peak_memory_bytes},
                         {"duration_ms", (clock_->MonotonicNanos() - group_started_ns) / 1000000}});
      pending_.push_back({&planned, std::move(*done)});
      return;
    }
    const std::string& broken = rewriter.failed_input();
    const bool data_error = done.status().kind() == ErrorKind::kCorrupt ||
                            done.status().kind() == ErrorKind::kNotFound ||
                            done.status().kind() == ErrorKind::kNotSupported;
    if (broken.empty() || !data_error || attempt >= kMaxRewriteAttempts) {
      env_.logger->Error("compaction.error", {{"table", name_},
                                              {"partition", group.partition_path},
                                              {"error", done.status().ToString()}});
      Skip(group.partition_path, static_cast<int64_t>(group.inputs.size()),
           "rewrite failed: " + done.status().ToString());
      if (report_.run.error.empty()) report_.run.error = done.status().ToString();
      return;
    }
    // A page that does not decode: the file is quarantined and the group rewritten without it.
    Status q = Quarantine({InputProblem{broken, done.status().message(), true}});
    if (!q.ok()) {
      env_.logger->Error("compaction.error", {{"table", name_}, {"error", q.ToString()}});
    }
    std::erase_if(group.inputs, [&](const LiveFile& f) { return f.file.file_path == broken; });
  }
}

bool Run::CommitPending() {
  if (pending_.empty()) return true;
  std::vector<Finished> batch = std::move(pending_);
  pending_.clear();
  for (int round = 1; round <= kMaxCommitRounds && !batch.empty(); ++round) {
    std::vector<std::string> removed;
    std::vector<iceberg::DataFile> added;
    for (const Finished& f : batch) {
      removed.insert(removed.end(), f.rewrite.inputs_used.begin(), f.rewrite.inputs_used.end());
      added.insert(added.end(), f.rewrite.outputs.begin(), f.rewrite.outputs.end());
    }
    Transaction txn = table_->NewTransaction();
    txn.ReplaceFiles(removed, added).SetSummary("floe.compaction", "true");
    // Every group of the run was made from the planned snapshot: its rows carry that snapshot's
    // sequence number, so deletes committed since still apply to them.
    if (base_.CurrentSnapshot() != nullptr) {
      txn.SetStartingSequenceNumber(base_.CurrentSnapshot()->sequence_number);
    }
    Result<CommitResult> committed = txn.Commit();
    if (committed.ok()) {
      ++report_.run.commits;
      report_.run.retries += committed->attempts - 1;
      report_.run.conflicts += committed->conflicts;
      report_.run.snapshot_id = committed->snapshot_id;
      for (const Finished& f : batch) {
        ++report_.run.groups_done;
        report_.run.files_in += static_cast<int64_t>(f.rewrite.inputs_used.size());
        report_.run.files_out += static_cast<int64_t>(f.rewrite.outputs.size());
        report_.run.bytes_in += f.rewrite.bytes_in;
        report_.run.bytes_out += f.rewrite.bytes_out;
        report_.bytes_copied += f.rewrite.bytes_copied;
        report_.run.rows_in += f.rewrite.rows_in;
        report_.run.rows_out += f.rewrite.rows_out;
      }
      env_.logger->Info("compaction.commit",
                        {{"table", name_},
                         {"snapshot_id", committed->snapshot_id.value_or(-1)},
                         {"groups", static_cast<int64_t>(batch.size())},
                         {"files_removed", static_cast<int64_t>(removed.size())},
                         {"files_added", static_cast<int64_t>(added.size())},
                         {"attempts", committed->attempts},
                         {"conflicts", committed->conflicts}});
      return true;
    }
    const Status& error = committed.status();
    report_.run.retries += 1;
    if (error.kind() == ErrorKind::kCommitStateUnknown) {
      // The catalog may point at the new files: they stay, and the run stops.
      env_.logger->Error("compaction.error", {{"table", name_}, {"error", error.ToString()}});
      report_.run.error = error.ToString();
      for (const Finished& f : batch) {
        Skip(f.group->partition_path, static_cast<int64_t>(f.rewrite.inputs_used.size()),
             "commit state unknown: " + error.message());
      }
      return false;
    }
    // Not committed: find the groups whose inputs another writer removed meanwhile.
    Status refreshed = table_->Refresh();
    Result<TableFiles> live =
        refreshed.ok() ? LoadLiveFiles(store_, table_->metadata()) : Result<TableFiles>(refreshed);
    if (error.kind() != ErrorKind::kConflict || !live.ok()) {
      env_.logger->Error("compaction.error", {{"table", name_}, {"error", error.ToString()}});
      report_.run.error = error.ToString();
      for (const Finished& f : batch) {
        DeleteOutputs(f.rewrite);
        Skip(f.group->partition_path, static_cast<int64_t>(f.rewrite.inputs_used.size()),
             "commit failed: " + error.message());
      }
      return false;
    }
    // The round was lost to other commits: counted as one conflict (the transaction's own lost
    // swaps are not reported when it gives up).
    report_.run.conflicts += 1;
    env_.logger->Info("compaction.retry", {{"table", name_},
                                           {"round", round},
                                           {"groups", static_cast<int64_t>(batch.size())},
                                           {"error", error.ToString()}});
    std::set<std::string> live_paths;
    for (const LiveFile& f : live->data_files) live_paths.insert(f.file.file_path);
    std::vector<Finished> still;
    for (Finished& f : batch) {
      const bool intact = std::all_of(f.rewrite.inputs_used.begin(), f.rewrite.inputs_used.end(),
                                      [&](const std::string& p) { return live_paths.count(p); });
      if (intact && round < kMaxCommitRounds) {
        still.push_back(std::move(f));
        continue;
      }
      DeleteOutputs(f.rewrite);
      Skip(f.group->partition_path, static_cast<int64_t>(f.rewrite.inputs_used.size()),
           intact ? "commit conflict persisted: " + error.message()
                  : "inputs vanished (removed by another commit); group dropped");
    }
    batch = std::move(still);
  }
  return true;
}

void Run::Finish() {
  report_.run.duration_ms = (clock_->MonotonicNanos() - started_ns_) / 1000000;
  // This thread's CPU and its helpers' (decoding ahead, column threads); not the whole process's,
  // which in floe serve also ingests and may compact other tables at the same time.
  report_.run.cpu_ms = (ThreadCpuMicros() - cpu_started_us_ + helper_cpu_.micros()) / 1000;
  const int64_t planned = report_.groups_planned;
  if (report_.run.dry_run) {
    report_.run.status = planned > 0 ? "success" : "noop";
  } else if (planned == 0) {
    report_.run.status = report_.run.error.empty() ? "noop" : "failure";
  } else if (report_.run.groups_done == planned) {
    report_.run.status = "success";
  } else if (report_.run.groups_done > 0) {
    report_.run.status = "partial";
  } else {
    report_.run.status =
        report_.run.error.empty() && report_.quarantined.empty() ? "noop" : "failure";
  }
  Json quarantined = Json::array();
  for (const QuarantinedFile& f : report_.quarantined) {
    quarantined.push_back({{"path", f.path}, {"reason", f.reason}});
  }
  report_.run.details["groups_planned"] = report_.groups_planned;
  report_.run.details["bytes_copied"] = report_.bytes_copied;
  report_.run.details["quarantined"] = std::move(quarantined);
  report_.run.details["plan"] = PlanToJson(report_.plan, report_.run.dry_run);
  env_.logger->Info("compaction.finish",
                    {{"table", name_},
                     {"status", report_.run.status},
                     {"dry_run", report_.run.dry_run},
                     {"groups_planned", report_.groups_planned},
                     {"groups_done", report_.run.groups_done},
                     {"groups_skipped", static_cast<int64_t>(report_.run.groups_skipped.size())},
                     {"files_in", report_.run.files_in},
                     {"files_out", report_.run.files_out},
                     {"bytes_in", report_.run.bytes_in},
                     {"bytes_out", report_.run.bytes_out},
                     {"rows_in", report_.run.rows_in},
                     {"rows_out", report_.run.rows_out},
                     {"commits", report_.run.commits},
                     {"retries", report_.run.retries},
                     {"conflicts", report_.run.conflicts},
                     {"quarantined", static_cast<int64_t>(report_.quarantined.size())},
                     {"duration_ms", report_.run.duration_ms},
                     {"cpu_ms", report_.run.cpu_ms},
                     {"peak_memory_bytes", report_.run.peak_memory_bytes}});
}

Result<CompactionReport> Run::Go() {
  started_ns_ = clock_->MonotonicNanos();
  cpu_started_us_ = ThreadCpuMicros();
  report_.run.table = name_;
  report_.run.action = "compact";
  report_.run.dry_run = request_.dry_run;
  FLOE_RETURN_IF_ERROR(table_->Refresh());
  base_ = table_->metadata();
  for (const QuarantinedFile& f : ReadQuarantine(base_.properties)) quarantined_.insert(f.path);
  FLOE_ASSIGN_OR_RETURN(TableFiles files, LoadLiveFiles(store_, base_));
  FLOE_ASSIGN_OR_RETURN(report_.plan,
                        PlanCompaction(base_, files, quarantined_, options_, request_));
  const CompactionPlan& plan = report_.plan;
  report_.groups_planned = static_cast<int64_t>(plan.groups.size());
  env_.logger->Info("compaction.start",
                    {{"table", name_},
                     {"dry_run", request_.dry_run},
                     {"force", request_.force},
                     {"aggressive", request_.aggressive},
                     {"files", plan.total_files},
                     {"small_files", plan.small_files},
                     {"threshold", options_.threshold},
                     {"target_file_size_bytes", options_.target_file_size_bytes},
                     {"memory_limit_bytes", options_.memory_limit_bytes},
                     {"groups", report_.groups_planned},
                     {"decision", plan.decision}});
  for (const PlanSkip& s : plan.skipped) Skip(s.partition, s.files, s.reason);
  if (request_.dry_run || plan.groups.empty()) {
    Finish();
    return std::move(report_);
  }

  progress_.groups_total = report_.groups_planned;
  for (const FileGroup& g : plan.groups) progress_.bytes_total += g.input_bytes;
  Progress();
  for (size_t i = 0; i < plan.groups.size(); ++i) {
    const FileGroup& group = plan.groups[i];
    const int64_t elapsed_ms = (clock_->MonotonicNanos() - started_ns_) / 1000000;
    if (stop_ || (options_.time_budget_ms > 0 && elapsed_ms >= options_.time_budget_ms)) {
      Skip(group.partition_path, static_cast<int64_t>(group.inputs.size()),
           stop_ ? "run stopped: " + report_.run.error
                 : "time budget of " + std::to_string(options_.time_budget_ms) +
                       " ms used up; left for the next run");
      continue;
    }
    RewriteGroup(group);
    if (static_cast<int64_t>(pending_.size()) >= options_.max_groups_per_commit ||
        i + 1 == plan.groups.size()) {
      if (!CommitPending()) stop_ = true;
    }
    ++progress_.groups_finished;
    progress_.bytes_finished += group.input_bytes;
    Progress();
  }
  if (!CommitPending()) stop_ = true;
  Finish();
  return std::move(report_);
}

}  // namespace

Result<CompactionReport> RunCompaction(Table* table, const CompactionOptions& options,
                                       const CompactionRequest& request, const CompactionEnv& env) {
  if (env.logger == nullptr) return Status::InvalidArgument("RunCompaction needs a logger");
  FLOE_RETURN_IF_ERROR(options.Validate());
  Run run(table, options, request, env);
  return run.Go();
}

}  // namespace floe::maintenance
