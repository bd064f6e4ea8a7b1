#pragma once

// One compaction run over one table: plan, rewrite group by group, commit as groups finish
// (partial progress), quarantine corrupt inputs, report.
//
// One run per table at a time: callers hold the table's scheduler::TableLocks lock around it
// (the scheduler, the admin API and the CLI share that lock).
//
//   CompactionEnv env;
//   env.logger = &logger;
//   FLOE_ASSIGN_OR_RETURN(CompactionReport report,
//                         RunCompaction(table.get(), options, request, env));
//   std::cout << CompactionReportToJson(report);

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "floe/catalog/table.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/maintenance/compaction_options.h"
#include "floe/maintenance/compaction_plan.h"
#include "floe/maintenance/run_report.h"

namespace floe::maintenance {

// Corrupt inputs are listed in this table property (a JSON array of {"path","reason","ts_ms"}):
// it lives with the table, so it survives restarts, is seen by every node sharing the catalog,
// needs no extra file to clean up, and changes by the same compare-and-swap as everything else.
inline constexpr const char* kQuarantineProperty = "floe.compaction.quarantine";

struct QuarantinedFile {
  std::string path;
  std::string reason;
  int64_t ts_ms = 0;
};

// The list in `properties` (empty when absent or unreadable: a broken list never stops a run).
std::vector<QuarantinedFile> ReadQuarantine(const std::map<std::string, std::string>& properties);
std::string QuarantineToJson(const std::vector<QuarantinedFile>& files);

// The run's report: DESIGN.md's fields in `run` (action "compact"; its details hold
// "groups_planned", "quarantined" and "plan", input paths listed in dry runs), and the same
// typed.
struct CompactionReport {
  RunReport run;
  int64_t groups_planned = 0;
  // Of the committed groups' inputs: page bytes copied into the outputs without compressing them
  // again (GroupRewrite::bytes_copied).
  int64_t bytes_copied = 0;
  std::vector<QuarantinedFile> quarantined;  // found by this run
  CompactionPlan plan;
};

// report.run.ToJson() as text.
std::string CompactionReportToJson(const CompactionReport& report, bool pretty = false);

struct CompactionProgress {
  int64_t groups_total = 0;
  int64_t groups_finished = 0;  // done or skipped
  int64_t bytes_total = 0;
  int64_t bytes_finished = 0;
};

struct CompactionEnv {
  Logger* logger = nullptr;                                 // required
  std::function<void(const CompactionProgress&)> progress;  // optional
};

// Runs one compaction of `table` (refreshed first). Errors before any work (invalid options or
// request: kInvalidArgument; the table cannot be read) are returned as a Status; problems during
// the run end up in the report (status partial or failure, `error`).
Result<CompactionReport> RunCompaction(Table* table, const CompactionOptions& options,
                                       const CompactionRequest& request, const CompactionEnv& env);

}  // namespace floe::maintenance
