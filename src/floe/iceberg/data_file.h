#pragma once

// The records Iceberg's manifests and manifest lists carry (spec "Manifests", "Manifest Lists";
// FORMAT_NOTES §2-§4): DataFile, ManifestEntry, ManifestFile, and the conversion of the Parquet
// writer's FileMetrics into a DataFile.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/types.h"
#include "floe/iceberg/values.h"
#include "floe/parquet/types.h"

namespace floe::iceberg {

enum class DataFileContent : int32_t { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };

enum class FileFormat { kParquet, kAvro, kOrc, kPuffin };
// "PARQUET", "AVRO", "ORC", "PUFFIN" (Java writes upper case).
std::string_view FileFormatName(FileFormat format);
// Case-insensitive, as readers must be.
Result<FileFormat> ParseFileFormat(std::string_view name);

// One data or delete file as a manifest describes it. Metric maps are keyed by field id; bounds
// are in the single-value binary form (values.h SerializeValue). Empty maps and lists are written
// as null, which readers treat the same as empty.
struct DataFile {
  DataFileContent content = DataFileContent::kData;
  std::string file_path;
  FileFormat file_format = FileFormat::kParquet;
  std::vector<Literal> partition;  // one value per partition field, in spec order
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, int64_t> nan_value_counts;
  std::map<int32_t, std::string> lower_bounds;
  std::map<int32_t, std::string> upper_bounds;
  std::optional<std::string> key_metadata;
  std::vector<int64_t> split_offsets;
  std::vector<int32_t> equality_ids;  // equality delete files only
  std::optional<int32_t> sort_order_id;
  std::optional<std::string> referenced_data_file;  // position delete files only

  friend bool operator==(const DataFile&, const DataFile&) = default;
};

enum class ManifestEntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };

// A file's entry in a manifest. Unset ids and sequence numbers are inherited from the manifest's
// ManifestFile when read (FORMAT_NOTES §4.1).
struct ManifestEntry {
  ManifestEntryStatus status = ManifestEntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> sequence_number;       // data sequence number
  std::optional<int64_t> file_sequence_number;  // sequence number of the commit that added it
  DataFile data_file;

  bool is_live() const { return status != ManifestEntryStatus::kDeleted; }

  friend bool operator==(const ManifestEntry&, const ManifestEntry&) = default;
};

enum class ManifestContent : int32_t { kData = 0, kDeletes = 1 };

// A manifest's summary of one partition field over all its entries.
struct PartitionFieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // single-value form of the partition field's type
  std::optional<std::string> upper_bound;

  friend bool operator==(const PartitionFieldSummary&, const PartitionFieldSummary&) = default;
};

// A manifest written by a manifest writer has no sequence number yet; the manifest list writer
// gives it the commit's (so a manifest survives commit retries unchanged).
constexpr int64_t kUnassignedSequenceNumber = -1;

// A manifest list record. Counts are unset only in v1 lists that did not record them, which means
// "unknown": assume there may be such files.
struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  ManifestContent content = ManifestContent::kData;
  int64_t sequence_number = 0;      // 0 for v1 lists
  int64_t min_sequence_number = 0;  // 0 for v1 lists
  int64_t added_snapshot_id = -1;   // -1 when a v1 list left it null
  std::optional<int32_t> added_files_count;
  std::optional<int32_t> existing_files_count;
  std::optional<int32_t> deleted_files_count;
  std::optional<int64_t> added_rows_count;
  std::optional<int64_t> existing_rows_count;
  std::optional<int64_t> deleted_rows_count;
  std::vector<PartitionFieldSummary> partitions;  // one per partition field of the spec
  std::optional<std::string> key_metadata;

  bool has_added_files() const { return !added_files_count || *added_files_count > 0; }
  bool has_existing_files() const { return !existing_files_count || *existing_files_count > 0; }
  bool has_deleted_files() const { return !deleted_files_count || *deleted_files_count > 0; }

  friend bool operator==(const ManifestFile&, const ManifestFile&) = default;
};

// The DataFile of a Parquet file floe wrote: sizes, counts and bounds by field id from the
// writer's metrics. Leaves inside lists and maps get only a column size (as Java keeps them);
// NaN counts only for float and double columns; bounds converted from Parquet PLAIN to the
// single-value form. `partition` holds the file's partition values in spec order.
Result<DataFile> DataFileFromParquet(std::string path, FileFormat file_format,
                                     const parquet::FileMetrics& metrics,
                                     std::vector<Literal> partition, const Schema& schema);

// The Parquet physical type floe's writer uses for a primitive Iceberg type.
parquet::PhysicalType ParquetPhysicalType(const Type& type);

}  // namespace floe::iceberg
