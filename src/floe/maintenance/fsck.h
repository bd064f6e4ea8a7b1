#pragma once

// fsck: reads everything a reader of the table depends on and reports what is wrong.
//  - metadata: required fields and ids (TableMetadata::Validate), lineage (sequence numbers grow
//    from parent to child and stay within last-sequence-number), refs, the current snapshot's
//    summary totals against the files it really has;
//  - manifest lists and manifests: present, readable to the end, lengths and per-status counts
//    equal to what the lists claim;
//  - every data and delete file a snapshot reads: present, of the recorded size; Parquet data
//    files: footer readable, row count equal to record_count, and partition values consistent
//    with the column bounds (for order-preserving transforms);
//  - orphans (unreferenced files older than the window), and files younger than it.
// Problems have a severity: "error" (a reader fails or reads wrong data), "warning" (waste:
// orphans), "info". The run fails when there is an error.
//
// Repair (explicit): removes references to missing or corrupt data files of the current snapshot
// with one delete commit — the rows they held are lost and reported — and removes orphans.
// Problems inside unreadable metadata are reported, never "repaired" by guessing.

#include <cstdint>
#include <string>
#include <vector>

#include "floe/catalog/table.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/maintenance/remove_orphans.h"
#include "floe/maintenance/run_report.h"

namespace floe::maintenance {

struct FsckOptions {
  bool repair = false;
  int64_t orphan_older_than_ms = kDefaultOrphanAgeMs;
  std::vector<std::string> other_table_locations;  // see OtherTableLocations
  bool read_data_files = true;                     // open every live Parquet file's footer
};

// details: "problems" [{severity, kind, path, detail}], "errors", "warnings", "checked"
// {snapshots, manifest_lists, manifests, data_files, delete_files}, and with repair "repaired"
// {files_removed, rows_lost, orphans_removed, snapshot_id}.
Result<RunReport> Fsck(Table* table, const FsckOptions& options, Logger* logger);

}  // namespace floe::maintenance
