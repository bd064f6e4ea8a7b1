#pragma once

// The vocabulary shared by floe's Parquet writer and reader: the Iceberg-style schema a writer is
// given, the leaf columns a file has, and the column vectors values travel in. Both directions use
// the same ColumnVector, so compaction moves decoded pages into encoders without conversion.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floe::parquet {

// parquet.thrift `Type`.
enum class PhysicalType : int8_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,  // read only (legacy Spark/Impala timestamps); values travel as 12-byte fixed
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

// The Iceberg type of a schema node.
enum class FieldType {
  kBoolean, kInt, kLong, kFloat, kDouble, kDate, kTime, kTimestamp, kTimestampTz,
  kString, kUuid, kBinary, kFixed, kDecimal,
  kStruct, kList, kMap,
};

enum class TimeUnit : int8_t { kMillis, kMicros, kNanos };

// One node of an Iceberg-style schema. Every node has a field id (list elements and map keys and
// values too). Lists have one child (the element), maps two (key, then value), structs any number.
struct Field {
  int32_t field_id = -1;
  std::string name;
  bool required = false;
  FieldType type = FieldType::kString;
  int32_t fixed_length = 0;           // kFixed
  int32_t decimal_precision = 0;      // kDecimal
  int32_t decimal_scale = 0;          // kDecimal
  std::vector<Field> children;
};

struct Schema {
  std::vector<Field> fields;  // top-level columns, in order
};

// A primitive column of a Parquet file: one per leaf of the schema, in depth-first order.
struct LeafColumn {
  std::vector<std::string> path;       // names below the root, e.g. {"tags", "list", "element"}
  int32_t field_id = -1;               // -1 when the file carries none (names then)
  PhysicalType physical = PhysicalType::kByteArray;
  int32_t type_length = 0;             // FIXED_LEN_BYTE_ARRAY width (12 for INT96)
  int16_t max_def = 0;
  int16_t max_rep = 0;
  // What the values mean. For files floe did not write this is inferred from the logical and
  // converted types; a column without annotations gets the natural type of its physical type.
  FieldType type = FieldType::kBinary;
  int32_t decimal_precision = 0;
  int32_t decimal_scale = 0;
  TimeUnit time_unit = TimeUnit::kMicros;  // kTime / kTimestamp / kTimestampTz
};

// The values of one leaf column for a run of rows, in Parquet's shredded form.
//
// - `def_levels` has one entry per level entry when max_def > 0 (empty otherwise, meaning every
//   entry is defined); `rep_levels` likewise when max_rep > 0. `num_levels` counts level entries
//   (for a flat column: rows).
// - Only defined values (def == max_def) are stored, in order, in the one member that fits the
//   physical type: `bools` (0/1), `i32`, `i64`, `f32`, `f64`; BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY
//   and INT96 values in `bytes` with `offsets` (value i is bytes[offsets[i], offsets[i+1]),
//   offsets.size() == num_values + 1 when num_values > 0).
// - For the writer, byte arrays may come as `views` instead (one per defined value; `offsets` and
//   `bytes` then unused): bytes held elsewhere, which the caller keeps alive until the write
//   returns. The writer copies what it keeps, so values gathered from many places (a sorted
//   flush) are not copied into one buffer first. Readers never fill `views`.
struct ColumnVector {
  int64_t num_levels = 0;
  int64_t num_values = 0;
  std::vector<int16_t> def_levels;
  std::vector<int16_t> rep_levels;
  std::vector<uint8_t> bools;
  std::vector<int32_t> i32;
  std::vector<int64_t> i64;
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<uint32_t> offsets;
  std::string bytes;
  std::vector<std::string_view> views;

  void Clear() {
    num_levels = num_values = 0;
    def_levels.clear();
    rep_levels.clear();
    bools.clear();
    i32.clear();
    i64.clear();
    f32.clear();
    f64.clear();
    offsets.clear();
    bytes.clear();
    views.clear();
  }
};

// The byte-array values of a ColumnVector as the writer reads them: its `views` when it has them,
// else `offsets` into `bytes`.
class ByteArrayValues {
 public:
  explicit ByteArrayValues(const ColumnVector& c)
      : offsets_(c.offsets.data()),
        bytes_(c.bytes.data()),
        views_(c.views.empty() ? nullptr : c.views.data()) {}
  ByteArrayValues(const uint32_t* offsets, const char* bytes) : offsets_(offsets), bytes_(bytes) {}

  std::string_view operator[](size_t i) const {
    if (views_ != nullptr) return views_[i];
    return {bytes_ + offsets_[i], offsets_[i + 1] - offsets_[i]};
  }
  // The bytes of values [first, first + n).
  size_t TotalBytes(size_t first, size_t n) const {
    if (views_ == nullptr) return offsets_[first + n] - offsets_[first];
    size_t total = 0;
    for (size_t i = first; i < first + n; ++i) total += views_[i].size();
    return total;
  }

 private:
  const uint32_t* offsets_ = nullptr;
  const char* bytes_ = nullptr;
  const std::string_view* views_ = nullptr;
};

// A run of rows: one ColumnVector per leaf column, in leaf order.
struct RowBatch {
  int64_t num_rows = 0;
  std::vector<ColumnVector> columns;
};

// What Iceberg's manifest needs of each leaf column after a file is written (or read back).
// Bounds are Parquet PLAIN encodings without length prefix (strings truncated to the writer's
// bound, the upper one rounded up); absent when the column has no non-null (non-NaN) value.
struct ColumnMetrics {
  int32_t field_id = -1;
  int64_t compressed_size = 0;  // bytes of this column's chunks in the file, headers included
  int64_t value_count = 0;      // level entries, nulls included
  int64_t null_count = 0;
  int64_t nan_count = 0;        // float and double only
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
};

struct FileMetrics {
  int64_t file_size = 0;
  int64_t record_count = 0;
  std::vector<int64_t> split_offsets;  // the first page offset of each row group
  std::vector<ColumnMetrics> columns;  // one per leaf column, in leaf order
};

}  // namespace floe::parquet
