#pragma once

// The snapshot of one commit attempt, built on a base metadata (FORMAT_NOTES §4.2-§4.5): the
// manifests of the new files (written once, reused by every attempt since their entries inherit
// sequence numbers), the parent's manifests carried over, filtered (replace, delete) or merged
// (many small ones), the manifest list of the attempt and the snapshot with its summary.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/avro/container.h"
#include "floe/common/result.h"
#include "floe/iceberg/data_file.h"
#include "floe/iceberg/manifest_entry_decoder.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"

namespace floe {

enum class SnapshotOperation { kAppend, kReplace, kDelete };
// "append", "replace", "delete" (the summary's `operation`).
std::string_view SnapshotOperationName(SnapshotOperation operation);

struct SnapshotChanges {
  SnapshotOperation operation = SnapshotOperation::kAppend;
  // In the table's default spec; partition values in spec order.
  std::vector<iceberg::DataFile> added_files;
  // Replace and delete: files (by path) that must be live in the base; they become DELETED.
  std::vector<std::string> removed_paths;
  // Replace: the sequence number of the snapshot the new files were made from. They carry it as
  // their data sequence number so equality deletes committed meanwhile still apply to them, and
  // position deletes added after it that touch a removed file make the commit a conflict.
  int64_t starting_sequence_number = 0;
  // Added to the summary (e.g. the WAL position an ingest commit covers).
  std::map<std::string, std::string> extra_summary;
  // Manifest rewrite (operation replace, no file added or removed): the base snapshot's
  // manifests at these paths give way to `added_manifests`, written beforehand with every entry
  // EXISTING (ids and sequence numbers explicit) and unassigned sequence numbers, so every
  // attempt lists them unchanged. A replaced manifest missing from the base is kConflict.
  std::vector<std::string> replaced_manifests;
  std::vector<iceberg::ManifestFile> added_manifests;
};

// Table properties that steer manifest merging (Java's names and defaults).
struct ManifestMergePolicy {
  bool enabled = true;                  // commit.manifest-merge.enabled
  int64_t min_count_to_merge = 100;     // commit.manifest.min-count-to-merge
  int64_t target_size_bytes = 8 << 20;  // commit.manifest.target-size-bytes
  static Result<ManifestMergePolicy> FromProperties(
      const std::map<std::string, std::string>& properties);
};

struct ProducedSnapshot {
  iceberg::Snapshot snapshot;
  int64_t manifests_read = 0;     // manifest files opened (manifest lists not counted)
  int64_t manifests_written = 0;  // manifests and the manifest list written by this attempt
  int64_t manifest_count = 0;     // manifests the new manifest list holds
};

// One per commit; not thread-safe.
class SnapshotProducer {
 public:
  // `store` is not owned. `commit_uuid` names the commit's manifests and manifest lists.
  SnapshotProducer(ObjectStore* store, std::string commit_uuid, avro::RandomSource random,
                   SnapshotChanges changes);

  // Builds the snapshot `snapshot_id` on `base` (the metadata the commit will replace, with the
  // transaction's own metadata changes applied). Every file written for this attempt only is
  // added to `attempt_files` as soon as its writing starts, also when this fails, so the caller
  // can remove them. A removed file that is no longer live, or a position delete added since the
  // starting snapshot that touches one, is kConflict naming the files (not retryable).
  Result<ProducedSnapshot> Produce(const iceberg::TableMetadata& base, int64_t snapshot_id,
                                   int attempt, int64_t now_ms,
                                   std::vector<std::string>* attempt_files);

  // The manifests of new files written so far; they outlive attempts.
  const std::vector<std::string>& new_file_manifests() const { return new_file_paths_; }

 private:
  Status WriteNewFileManifests(const iceberg::TableMetadata& base, int64_t snapshot_id,
                               const std::string& metadata_dir, ProducedSnapshot* produced);
  std::string NextManifestLocation(const std::string& metadata_dir);

  ObjectStore* store_;
  std::string commit_uuid_;
  avro::RandomSource random_;
  SnapshotChanges changes_;
  int manifest_counter_ = 0;
  // The new-file manifests and the snapshot id their entries carry.
  std::vector<iceberg::ManifestFile> new_file_manifests_;
  std::vector<std::string> new_file_paths_;
  std::optional<int64_t> new_file_snapshot_id_;
};

// `<location>/metadata`, or the `write.metadata.path` property.
std::string MetadataDirectory(const iceberg::TableMetadata& metadata);

// Reads and parses a table metadata file.
Result<iceberg::TableMetadata> ReadTableMetadata(ObjectStore* store, const std::string& location);

// The manifests listed by `snapshot`'s manifest list.
Result<std::vector<iceberg::ManifestFile>> ReadManifestList(ObjectStore* store,
                                                            const iceberg::Snapshot& snapshot);

// Every entry of `manifest` (ids and sequence numbers inherited), with the column metrics `stats`
// selects.
Result<std::vector<iceberg::ManifestEntry>> ReadManifestEntries(
    ObjectStore* store, const iceberg::ManifestFile& manifest,
    iceberg::ColumnStatsSelection stats = iceberg::ColumnStatsSelection::All());

}  // namespace floe
