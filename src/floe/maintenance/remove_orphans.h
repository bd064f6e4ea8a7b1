#pragma once

// Orphan removal: deletes files under a table's location that the table does not reference.
// A file is an orphan only if
//  - no snapshot's manifest list, no manifest and no data or delete file entry (any status) names
//    it, it is not the current metadata file nor one in the metadata log, nor version-hint.text;
//  - it is older than the window (default 3 days), so files being written right now — a flush
//    of the collector, a compaction's outputs, a commit in flight — are never touched;
//  - it does not lie under the location of another table of the catalog (locations can nest).
// Paths are compared after normalising scheme and authority.

#include <cstdint>
#include <string>
#include <vector>

#include "floe/catalog/table.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/maintenance/reachable.h"
#include "floe/maintenance/run_report.h"

namespace floe::maintenance {

inline constexpr int64_t kDefaultOrphanAgeMs = 3LL * 24 * 3600 * 1000;

struct OrphanOptions {
  int64_t older_than_ms = kDefaultOrphanAgeMs;
  bool dry_run = false;
  // Locations of the other tables in the catalog; files under them are never orphans of this one.
  std::vector<std::string> other_table_locations;
  // Dry runs only (fsck): skip unreadable manifests instead of failing; the files they name are
  // unknown, so the orphans found are unverified ("unreadable_manifests" in the details).
  bool tolerate_unreadable_manifests = false;
  // Optional: "listing" the location, "reading" manifests, then "deleting" orphans (the CLI's
  // progress bar).
  ProgressCallback progress;
};

// The report's details: "orphans" (paths), "orphan_bytes", "listed" (files under the location),
// "referenced", "too_young" (unreferenced but inside the window), "other_tables" (files skipped
// because another table owns them). `logger` may be null.
Result<RunReport> RemoveOrphans(Table* table, const OrphanOptions& options, Logger* logger);

// Locations of every table of `catalog` except `self` (for OrphanOptions).
Result<std::vector<std::string>> OtherTableLocations(const TableServices& services,
                                                     const TableIdentifier& self);

}  // namespace floe::maintenance
