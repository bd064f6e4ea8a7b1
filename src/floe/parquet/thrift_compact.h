#pragma once

// Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md), only as much as
// Parquet's footer and page headers need. The writer appends to a std::string; the reader checks
// every byte against the end of its input and reports errors with the absolute offset, so a
// corrupt footer is named, never trusted.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

// Compact-protocol type codes (the low nibble of a field header, list element types).
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class ThriftWriter {
 public:
  explicit ThriftWriter(std::string* out) : out_(out) { last_ids_.reserve(8); }

  // Field writers: a field header (short form when the id delta is 1..15) then the value.
  void WriteBoolField(int16_t id, bool v);
  void WriteI8Field(int16_t id, int8_t v);
  void WriteI16Field(int16_t id, int16_t v);
  void WriteI32Field(int16_t id, int32_t v);
  void WriteI64Field(int16_t id, int64_t v);
  void WriteDoubleField(int16_t id, double v);
  void WriteBinaryField(int16_t id, std::string_view v);
  // A list field: header, then the caller writes `size` elements of `elem`.
  void WriteListField(int16_t id, ThriftType elem, size_t size);
  // A struct (or union) field's header; the struct follows (StructBegin ... StructEnd).
  void WriteStructFieldHeader(int16_t id) { FieldHeader(id, ThriftType::kStruct); }

  // Starts a struct's field-id scope (top level, field or list element).
  void StructBegin();
  // Writes the stop byte and leaves the struct's id scope.
  void StructEnd();

  // Bare values (list elements).
  void WriteBool(bool v) { out_->push_back(static_cast<char>(v ? 1 : 2)); }
  void WriteI32(int32_t v);
  void WriteI64(int64_t v);
  void WriteBinary(std::string_view v);
  void WriteListHeader(ThriftType elem, size_t size);

 private:
  void FieldHeader(int16_t id, ThriftType type);

  std::string* out_;
  int16_t last_id_ = 0;
  std::vector<int16_t> last_ids_;  // enclosing structs' last ids
};

struct ThriftFieldHeader {
  ThriftType type = ThriftType::kStop;  // kStop: end of struct
  int16_t id = 0;
};

struct ThriftListHeader {
  ThriftType elem = ThriftType::kStop;
  int64_t size = 0;
};

class ThriftReader {
 public:
  static constexpr int kDefaultMaxDepth = 64;

  // `base_offset` is the position of data[0] in its file, so errors name file offsets;
  // `what` names the thing being decoded ("footer of s3://b/f.parquet", "page header").
  ThriftReader(ByteView data, int64_t base_offset = 0, std::string_view what = "thrift",
               int max_depth = kDefaultMaxDepth)
      : data_(data), base_offset_(base_offset), what_(what), max_depth_(max_depth) {}

  // Struct scope: StructBegin() before the first field header of a struct (top-level, field or
  // element); StructEnd() after ReadFieldHeader() returned kStop.
  Status StructBegin();
  void StructEnd();
  Status ReadFieldHeader(ThriftFieldHeader* header);

  // A bool field's value is its header type; elements of a bool list are one byte each.
  static bool BoolFieldValue(const ThriftFieldHeader& h) { return h.type == ThriftType::kBoolTrue; }
  Status ReadBoolElement(bool* v);
  Status ReadI8(int8_t* v);
  Status ReadI16(int16_t* v);
  Status ReadI32(int32_t* v);
  Status ReadI64(int64_t* v);
  Status ReadDouble(double* v);
  Status ReadBinary(std::string* v);
  // The list size is bounded by the bytes left (every element takes at least one byte).
  Status ReadListHeader(ThriftListHeader* header);

  // Skips one value of `type` (a field of unknown id, from a newer writer), at any nesting.
  Status Skip(ThriftType type);

  // Checks that a field's wire type is the one the schema expects.
  Status ExpectType(const ThriftFieldHeader& h, ThriftType want, std::string_view field);
  Status ExpectListOf(const ThriftListHeader& h, ThriftType want, std::string_view field);

  Status Error(std::string_view msg) const;  // kCorrupt naming `what` and the current offset
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  int64_t offset() const { return base_offset_ + static_cast<int64_t>(pos_); }

 private:
  Status ReadVarint(uint64_t* v);
  Status SkipValue(ThriftType type, int depth);

  ByteView data_;
  size_t pos_ = 0;
  int64_t base_offset_;
  std::string what_;
  int max_depth_;
  int16_t last_id_ = 0;
  std::vector<int16_t> last_ids_;
};

}  // namespace floe::parquet
