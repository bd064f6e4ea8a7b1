#pragma once

// The Thrift structures of a Parquet file (apache/parquet-format src/main/thrift/parquet.thrift),
// as plain structs with the same field ids. Serialize() writes the compact protocol; Parse() /
// Deserialize() read it, skipping fields they do not know (newer writers) and failing with
// kCorrupt, naming the struct, field and offset, when a required field is missing or a value has
// the wrong wire type. Enums keep unknown values as they are: readers decide what to reject.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "floe/common/result.h"
#include "floe/parquet/thrift_compact.h"
#include "floe/parquet/types.h"
#include "floe/util/buffer.h"

namespace floe::parquet::format {

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3,
};

// LogicalType is a union; `kind` is the id of its one set field. Parameters live beside it.
struct LogicalType {
  enum class Kind : int16_t {
    kString = 1,
    kMap = 2,
    kList = 3,
    kEnum = 4,
    kDecimal = 5,
    kDate = 6,
    kTime = 7,
    kTimestamp = 8,
    kInteger = 10,
    kUnknown = 11,
    kJson = 12,
    kBson = 13,
    kUuid = 14,
    kFloat16 = 15,
    kVariant = 16,
    kGeometry = 17,
    kGeography = 18,
  };
  Kind kind = Kind::kString;          // may hold an id this list lacks (a newer writer's type)
  int32_t scale = 0;                  // kDecimal
  int32_t precision = 0;              // kDecimal
  bool is_adjusted_to_utc = false;    // kTime, kTimestamp
  TimeUnit unit = TimeUnit::kMicros;  // kTime, kTimestamp
  int8_t bit_width = 0;               // kInteger
  bool is_signed = true;              // kInteger

  static LogicalType Of(Kind k) {
    LogicalType t;
    t.kind = k;
    return t;
  }
  static LogicalType Decimal(int32_t scale, int32_t precision);
  static LogicalType Time(bool utc, TimeUnit unit);
  static LogicalType Timestamp(bool utc, TimeUnit unit);
  static LogicalType Integer(int8_t bit_width, bool is_signed);

  // Variant/geometry/geography parameters are skipped when read and not written back.
  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  bool operator==(const LogicalType&) const = default;
};

struct SchemaElement {
  std::optional<PhysicalType> type;
  std::optional<int32_t> type_length;
  std::optional<Repetition> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<SchemaElement> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const SchemaElement&) const = default;
};

struct Statistics {
  std::optional<std::string> max;  // deprecated signed-byte-order fields
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  std::optional<int64_t> nan_count;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<Statistics> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const Statistics&) const = default;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<KeyValue> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const KeyValue&) const = default;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<PageEncodingStats> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const PageEncodingStats&) const = default;
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false;
  bool nulls_first = false;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<SortingColumn> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const SortingColumn&) const = default;
};

// A union: TYPE_ORDER (1), IEEE_754_TOTAL_ORDER (2), INT96_TIMESTAMP_ORDER (3) or a newer id.
struct ColumnOrder {
  static constexpr int16_t kTypeOrder = 1;
  static constexpr int16_t kIeee754TotalOrder = 2;
  static constexpr int16_t kInt96TimestampOrder = 3;
  int16_t kind = kTypeOrder;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<ColumnOrder> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const ColumnOrder&) const = default;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kInt32;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::optional<std::vector<KeyValue>> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::optional<std::vector<PageEncodingStats>> encoding_stats;
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<ColumnMetaData> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const ColumnMetaData&) const = default;
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<ColumnChunk> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const ColumnChunk&) const = default;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<std::vector<SortingColumn>> sorting_columns;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<RowGroup> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const RowGroup&) const = default;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::optional<std::vector<KeyValue>> key_value_metadata;
  std::optional<std::string> created_by;
  std::optional<std::vector<ColumnOrder>> column_orders;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<FileMetaData> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const FileMetaData&) const = default;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<DataPageHeader> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const DataPageHeader&) const = default;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  std::optional<bool> is_compressed;  // absent means true
  std::optional<Statistics> statistics;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<DataPageHeaderV2> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const DataPageHeaderV2&) const = default;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  static Result<DictionaryPageHeader> Parse(ByteView data, size_t* bytes_read = nullptr);
  bool operator==(const DictionaryPageHeader&) const = default;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;

  void Serialize(ThriftWriter* w) const;
  Status Deserialize(ThriftReader* r);
  // `base_offset` is where `data` starts in the file, for error messages; `bytes_read` receives
  // the header's length (the page body follows it).
  static Result<PageHeader> Parse(ByteView data, size_t* bytes_read = nullptr,
                                  int64_t base_offset = 0);
  bool operator==(const PageHeader&) const = default;
};

// Appends the compact-protocol encoding of a struct to `out`.
template <typename T>
void SerializeTo(const T& value, std::string* out) {
  ThriftWriter w(out);
  value.Serialize(&w);
}

template <typename T>
std::string Serialize(const T& value) {
  std::string out;
  SerializeTo(value, &out);
  return out;
}

// Reads one struct of type T from the start of `data` (`base_offset`: its position in the file).
template <typename T>
Result<T> ParseStruct(ByteView data, size_t* bytes_read, int64_t base_offset,
                      std::string_view what) {
  ThriftReader r(data, base_offset, what);
  T value;
  FLOE_RETURN_IF_ERROR(value.Deserialize(&r));
  if (bytes_read != nullptr) *bytes_read = r.position();
  return value;
}

// Names as parquet.thrift spells them ("BYTE_ARRAY", "RLE_DICTIONARY", "ZSTD"), for messages
// and `floe parquet-inspect`; an unknown value prints as its number.
std::string PhysicalTypeName(PhysicalType type);
std::string EncodingName(Encoding encoding);
std::string CodecName(CompressionCodec codec);

}  // namespace floe::parquet::format
