#pragma once

// Changes to one table committed together as one new metadata file and one catalog
// compare-and-swap, retried on a lost swap (FORMAT_NOTES §4.5): an append always re-applies; a
// replace or delete only while every file it removes is still live; schema and spec changes only
// while nobody else changed them.
//
// Retry settings come from table properties (Java's names and defaults):
// commit.retry.num-retries (4), commit.retry.min-wait-ms (100), commit.retry.max-wait-ms (60000),
// commit.retry.total-timeout-ms (1800000). Metadata logs keep
// write.metadata.previous-versions-max (100) entries; older metadata files are deleted only when
// write.metadata.delete-after-commit.enabled is "true".

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/table.h"
#include "floe/common/result.h"
#include "floe/iceberg/schema_update.h"

namespace floe {

struct CommitResult {
  std::optional<int64_t> snapshot_id;  // unset when the commit made no snapshot
  std::string metadata_location;
  int attempts = 0;   // 1 when the first compare-and-swap won
  int conflicts = 0;  // lost compare-and-swaps
  // Of the attempt that landed: manifest files read, manifests and lists written, and the
  // manifests the new snapshot lists (what a commit costs).
  int64_t manifests_read = 0;
  int64_t manifests_written = 0;
  int64_t manifest_count = 0;
};

// Built on the table's metadata at NewTransaction(); Commit() once. Errors in building are
// reported by Commit(). On success the table holds the new metadata.
class Transaction {
 public:
  explicit Transaction(Table* table);

  // Fast append: one new manifest for `files`, the parent's manifests carried over.
  Transaction& AppendFiles(std::vector<iceberg::DataFile> files);
  // Operation "replace": `removed_paths` become DELETED, `added` are ADDED with the starting
  // snapshot's data sequence number. Fails (kConflict) when a removed file is gone.
  Transaction& ReplaceFiles(std::vector<std::string> removed_paths,
                            std::vector<iceberg::DataFile> added);
  // Replace: the sequence number of the snapshot the new files were made from, when that is older
  // than the table's at NewTransaction() (compaction committing group after group of one plan).
  Transaction& SetStartingSequenceNumber(int64_t sequence_number);
  // Operation "delete" of whole files (retention).
  Transaction& DeleteFiles(std::vector<std::string> paths);
  // Operation "replace" that changes no data (rewrite of manifests): the current snapshot's
  // manifests at `replaced_paths` give way to `added`, written beforehand with every entry
  // EXISTING and no snapshot id of their own, so each attempt lists them as they are. Appends
  // committed meanwhile are kept; a replaced manifest gone from the current snapshot is kConflict
  // (and `added` are deleted), as is a different number of live files on the two sides.
  Transaction& RewriteManifests(std::vector<std::string> replaced_paths,
                                std::vector<iceberg::ManifestFile> added);
  Transaction& SetProperty(std::string key, std::string value);
  Transaction& RemoveProperty(std::string key);
  // A schema change made with iceberg::SchemaUpdate against the table's current schema and
  // last-column-id.
  Transaction& UpdateSchema(iceberg::SchemaUpdate update);
  // Makes `spec` (field ids may be 0: assigned, reusing those of equal fields) the default spec.
  Transaction& SetDefaultSpec(iceberg::PartitionSpec spec);
  // Removes snapshots from the metadata (snapshot expiry; no new snapshot). Ids already gone at
  // commit time are skipped; one that became current or is named by a ref is kConflict. The
  // snapshot log loses every entry up to the last removed one, as Java's does, so history never
  // has holes.
  Transaction& RemoveSnapshots(std::vector<int64_t> snapshot_ids);
  // An extra key of the new snapshot's summary.
  Transaction& SetSummary(std::string key, std::string value);

  // Writes and swaps in the new metadata, retrying lost swaps. kConflict: validation failed (files
  // named) or retries ran out; kCommitStateUnknown: the files of the last attempt were kept.
  Result<CommitResult> Commit();

 private:
  struct Attempt {
    iceberg::TableMetadata metadata;
    std::string location;
    std::vector<std::string> files;          // written for this attempt only
    std::vector<std::string> expired_files;  // metadata files that fell off the log
    ProducedSnapshot produced;
  };
  void SetOperation(SnapshotOperation operation);
  Status ApplyMetadataChanges(iceberg::TableMetadata* metadata) const;
  Status BuildAttempt(const iceberg::TableMetadata& base, const std::string& base_location,
                      int attempt_number, SnapshotProducer* producer, int64_t* snapshot_id,
                      Attempt* attempt);

  Table* table_;
  std::shared_ptr<const iceberg::TableMetadata> start_;
  std::string start_location_;
  Status error_;
  bool committed_ = false;
  std::optional<SnapshotOperation> operation_;
  SnapshotChanges changes_;
  std::map<std::string, std::string> set_properties_;
  std::vector<std::string> removed_properties_;
  std::optional<iceberg::SchemaUpdate> schema_update_;
  std::optional<iceberg::PartitionSpec> new_spec_;
  std::optional<int64_t> starting_sequence_override_;
  std::vector<int64_t> removed_snapshots_;
};

}  // namespace floe
