#pragma once

// Snapshot expiry: removes old snapshots from a table's metadata (one metadata-only commit), then
// deletes the manifest lists, manifests and data/delete files that only the removed snapshots
// read — and nothing else. What is kept follows Java's ExpireSnapshots: every ref keeps its
// snapshot; a branch also keeps its newest ancestors, at least `retain_last` of them and every one
// younger than `older_than`; snapshots outside every branch's history are kept while younger.

#include <cstdint>
#include <optional>

#include "floe/catalog/table.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/maintenance/reachable.h"
#include "floe/maintenance/run_report.h"

namespace floe::maintenance {

struct ExpireOptions {
  // Snapshots older than this are candidates. Default: the table property
  // history.expire.max-snapshot-age-ms, else 5 days (Java's default).
  std::optional<int64_t> older_than_ms;
  // Each branch keeps at least this many of its newest snapshots. Default: the table property
  // history.expire.min-snapshots-to-keep, else 1.
  std::optional<int64_t> retain_last;
  bool dry_run = false;
  // Optional: "reading" manifests, then "deleting" files (the CLI's progress bar).
  ProgressCallback progress;
};

// The report's details: "snapshots_expired" (ids), "deleted" (counts of manifest_lists,
// manifests, files and their bytes), "paths" (the files deleted, or that would be in a dry run).
// `logger` may be null.
Result<RunReport> ExpireSnapshots(Table* table, const ExpireOptions& options, Logger* logger);

}  // namespace floe::maintenance
