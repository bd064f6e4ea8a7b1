#pragma once

// Rewrite of manifests (Iceberg's RewriteManifests): the data manifests of the current snapshot
// are rewritten, per partition spec, into manifests near a target size, their entries sorted by
// partition so each new manifest covers a narrow range of partitions (readers prune whole
// manifests by their partition summaries). Entries are carried as EXISTING with their original
// snapshot id and data and file sequence numbers, so nothing a reader sees changes: same files,
// same rows, same delete semantics; time travel to older snapshots is untouched (their manifest
// lists still name the old manifests until expiry removes them). Delete manifests are kept as
// they are. One commit, operation "replace", with Java's summary keys (manifests-created,
// -kept, -replaced, entries-processed) and the totals of the parent.
//
// A spec is rewritten when it has at least two manifests under half the target, one over twice
// the target, or one without live entries; so a second run right after a first is a no-op. The
// new manifests are filled to the target by an estimate of bytes per entry taken from the old
// ones (header excluded), the last one of a spec holding the rest.
//
// Memory: the live entries of one spec are held at once (about 1 KB per data file).

#include <cstdint>
#include <optional>

#include "floe/catalog/table.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/maintenance/run_report.h"

namespace floe::maintenance {

// The scheduled job's default threshold: data manifests of the current snapshot before a run
// rewrites anything.
inline constexpr int64_t kDefaultManifestThreshold = 50;

struct RewriteManifestsOptions {
  // Unset: the table property commit.manifest.target-size-bytes, else 8 MB (Java's default).
  std::optional<int64_t> target_size_bytes;
  // Nothing is rewritten while the current snapshot has fewer data manifests than this.
  int64_t min_manifests = 0;
  bool dry_run = false;
};

// files_in/files_out: manifests replaced/written (bytes_* their sizes); rows_in/rows_out: the
// records of the data files they list (equal). details: "target_size_bytes", "manifests_before"
// and "manifests_after" (all manifests of the current snapshot, delete manifests included),
// "delete_manifests" (kept as they are), "entries" (live entries rewritten), "specs"
// [{spec_id, manifests, bytes, live_entries, rewrite, reason, manifests_after}], "replaced" and
// "created" (paths), and "reason" when nothing is done. A dry run reads only the manifest list
// and estimates manifests_after. `logger` may be null.
Result<RunReport> RewriteManifests(Table* table, const RewriteManifestsOptions& options,
                                   Logger* logger);

}  // namespace floe::maintenance
