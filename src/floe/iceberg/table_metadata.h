#pragma once

// Table metadata (spec "Table Metadata", "Snapshots", "Snapshot References"; FORMAT_NOTES §1):
// the struct, reading v1/v2 (and v3 as far as these fields go) plain or gzipped with validation,
// writing it back as Java does, metadata file names, and the metadata of a new table.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/partition_spec.h"
#include "floe/iceberg/types.h"
#include "floe/util/uuid.h"

namespace floe::iceberg {

constexpr int kMinFormatVersion = 1;
// v3 metadata is read (the fields below; the rest is kept verbatim) but floe writes v2 tables.
constexpr int kMaxReadFormatVersion = 3;
constexpr int kDefaultFormatVersion = 2;

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;  // 0 in v1 tables
  int64_t timestamp_ms = 0;
  std::string manifest_list;           // empty only in v1 snapshots that list manifests
  std::vector<std::string> manifests;  // v1 only
  // Includes "operation". All values are strings.
  std::map<std::string, std::string> summary;
  std::optional<int32_t> schema_id;
  // Members floe does not model (e.g. v3 "first-row-id"), as a compact JSON object; "" if none.
  std::string extra_json;

  // summary["operation"], or "" when absent.
  std::string operation() const;

  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

enum class SnapshotRefType { kBranch, kTag };

struct SnapshotRef {
  int64_t snapshot_id = 0;
  SnapshotRefType type = SnapshotRefType::kBranch;
  std::optional<int32_t> min_snapshots_to_keep;  // branches
  std::optional<int64_t> max_snapshot_age_ms;    // branches
  std::optional<int64_t> max_ref_age_ms;

  friend bool operator==(const SnapshotRef&, const SnapshotRef&) = default;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
  friend bool operator==(const SnapshotLogEntry&, const SnapshotLogEntry&) = default;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
  friend bool operator==(const MetadataLogEntry&, const MetadataLogEntry&) = default;
};

struct TableMetadata {
  int format_version = kDefaultFormatVersion;
  std::string table_uuid;  // lower case; may be empty only in old v1 files
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<Schema> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> partition_specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = kFirstPartitionFieldId - 1;
  std::vector<SortOrder> sort_orders;
  int32_t default_sort_order_id = 0;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;  // none: written as -1 (v1/v2) or null (v3)
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::map<std::string, SnapshotRef> refs;
  // Kept as raw compact JSON arrays (written even when empty, as Java does).
  std::string statistics_json = "[]";
  std::string partition_statistics_json = "[]";
  // Top-level members floe does not model, as a compact JSON object ("" if none); written back
  // unchanged, except v3-only members when writing a v1/v2 file.
  std::string extra_json;

  const Schema* SchemaById(int32_t schema_id) const;
  const Schema& CurrentSchema() const;  // REQUIRES: validated metadata
  const PartitionSpec* SpecById(int32_t spec_id) const;
  const PartitionSpec& DefaultSpec() const;  // REQUIRES: validated metadata
  const SortOrder* SortOrderById(int32_t order_id) const;
  const Snapshot* SnapshotById(int64_t snapshot_id) const;
  // nullptr when the table has no current snapshot.
  const Snapshot* CurrentSnapshot() const;

  // The consistency rules a reader checks: ids referenced exist, snapshot ids unique, sequence
  // numbers not past last-sequence-number (v2+), main ref equals current-snapshot-id, ... Errors
  // name the field.
  Status Validate() const;

  friend bool operator==(const TableMetadata&, const TableMetadata&) = default;
};

// Parses metadata JSON text. `where` (a file name or URI) prefixes error messages.
Result<TableMetadata> ParseTableMetadata(std::string_view json_text, std::string_view where);

// Parses the bytes of a metadata file, gunzipping them when they start with the gzip magic (as
// files named "*.gz.metadata.json" or "*.metadata.json.gz" do). `max_json_bytes` bounds the
// (decompressed) JSON size; `name` prefixes error messages.
Result<TableMetadata> ReadTableMetadataFile(std::string_view file_bytes, std::string_view name,
                                            size_t max_json_bytes = size_t{256} << 20);

// The encoded JSON of the snapshots of the metadata written last, so that writing the next
// metadata of the table (every snapshot again, plus one) encodes only what changed. An entry is
// used only for a snapshot equal to the one it was made from. Not thread-safe.
class MetadataJsonCache {
 private:
  friend std::string TableMetadataToJson(const TableMetadata&, bool, MetadataJsonCache*);
  struct Entry {
    Snapshot snapshot;
    int format_version = 0;
    std::string json;
  };
  std::unordered_map<int64_t, Entry> snapshots_;  // by snapshot id
};

// The JSON text of `metadata` in its format version, with Java's key order; `pretty` indents
// like Java's writer does. `cache` (compact text only) holds the snapshots' texts from one call to
// the next; the text is the same with or without it.
std::string TableMetadataToJson(const TableMetadata& metadata, bool pretty = false,
                                MetadataJsonCache* cache = nullptr);

// The bytes of a metadata file: the JSON, gzipped when `gzip`.
Result<std::string> EncodeTableMetadataFile(const TableMetadata& metadata, bool gzip,
                                            MetadataJsonCache* cache = nullptr);

// "00003-<uuid>.metadata.json" (".gz.metadata.json" when gzip).
std::string MetadataFileName(int64_t version, const Uuid& uuid, bool gzip = false);
// The version of a metadata file name or path: "00003-<uuid>.metadata.json" → 3,
// "v3.metadata.json" / "v3.gz.metadata.json" → 3; nullopt when the name has no version.
std::optional<int64_t> ParseMetadataFileVersion(std::string_view name_or_path);

// What a new table is made from. Field ids in the schema, spec and sort order are only used to
// match columns; the metadata gets fresh ones as Java assigns them.
struct NewTableRequest {
  std::string location;
  Schema schema;
  PartitionSpec spec;    // source ids refer to `schema`; field ids may be 0 (assigned)
  SortOrder sort_order;  // source ids refer to `schema`
  std::map<std::string, std::string> properties;
  Uuid table_uuid;
  int64_t now_ms = 0;
  int format_version = kDefaultFormatVersion;
};

// The first metadata of a table: schema 0 with field ids renumbered from 1, spec 0 with partition
// field ids from 1000 (default names where empty), sort order 1 (0 when unsorted), no snapshot.
Result<TableMetadata> NewTableMetadata(const NewTableRequest& request);

}  // namespace floe::iceberg
