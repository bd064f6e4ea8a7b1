#pragma once

// Retention: removes whole partitions whose time range ended more than `max_age` ago, with one
// delete commit (operation "delete"). The decision is per partition — every file of a partition
// shares its time range — so a partition is never cut in part; partitions without a time field
// are never touched. The data files stay on storage until snapshot expiry removes the snapshots
// that still read them (time travel keeps working until then).

#include <cstdint>

#include "floe/catalog/table.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/maintenance/run_report.h"

namespace floe::maintenance {

struct RetentionOptions {
  int64_t max_age_ms = 0;
  bool dry_run = false;
};

// details: "cutoff" (RFC 3339), "partitions" (paths removed or that would be), "delete_files"
// (delete files of those partitions removed with them). files_in/rows_in/bytes_in: the data
// removed.
Result<RunReport> ApplyRetention(Table* table, const RetentionOptions& options, Logger* logger);

}  // namespace floe::maintenance
