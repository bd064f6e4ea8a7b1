#pragma once

// The compaction settings shared by `floe compact` and `floe serve` (its admin API and schedule):
// the seed's COMPACTION_THRESHOLD and TARGET_FILE_SIZE_MB, a profile, and the limits of a run.

#include "floe/cli/settings.h"
#include "floe/common/result.h"
#include "floe/maintenance/compaction_options.h"

namespace floe::cli {

inline constexpr Setting kCompactionProfileSetting{"profile", "FLOE_COMPACTION_PROFILE",
                                                   "compaction.profile"};
inline constexpr Setting kCompactionThresholdSetting{"compaction-threshold", "COMPACTION_THRESHOLD",
                                                     "compaction.threshold"};
inline constexpr Setting kTargetFileSizeMbSetting{"target-file-size-mb", "TARGET_FILE_SIZE_MB",
                                                  "compaction.target_file_size_mb"};
inline constexpr Setting kCompactionMemoryLimitMbSetting{
    "memory-limit-mb", "FLOE_COMPACTION_MEMORY_LIMIT_MB", "compaction.memory_limit_mb"};
inline constexpr Setting kCompactionMinInputFilesSetting{
    "min-input-files", "FLOE_COMPACTION_MIN_INPUT_FILES", "compaction.min_input_files"};
inline constexpr Setting kCompactionMaxFilesPerGroupSetting{
    "max-files-per-group", "FLOE_COMPACTION_MAX_FILES_PER_GROUP", "compaction.max_files_per_group"};
inline constexpr Setting kCompactionMaxGroupsPerCommitSetting{
    "max-groups-per-commit", "FLOE_COMPACTION_MAX_GROUPS_PER_COMMIT",
    "compaction.max_groups_per_commit"};
inline constexpr Setting kCompactionTimeBudgetSetting{"time-budget", "FLOE_COMPACTION_TIME_BUDGET",
                                                      "compaction.time_budget"};
inline constexpr Setting kCompactionParallelismSetting{
    "compaction-parallelism", "FLOE_COMPACTION_PARALLELISM", "compaction.parallelism"};

// The profile first (balanced by default), then each explicit setting over it. Errors name the
// setting, where its value came from, and the allowed range.
Result<maintenance::CompactionOptions> CompactionOptionsFromSettings(const Settings& settings);

}  // namespace floe::cli
