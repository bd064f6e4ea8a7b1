#pragma once

// Avro binary encoding: primitives, and whole values against a schema.

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/avro/schema.h"
#include "floe/avro/value.h"
#include "floe/common/result.h"
#include "floe/util/buffer.h"

namespace floe::avro {

void WriteLong(Buffer* out, int64_t v);  // zigzag + ULEB128; ints use it too
void WriteFloat(Buffer* out, float v);
void WriteDouble(Buffer* out, double v);
void WriteBytes(Buffer* out, std::string_view bytes);  // long length, then the bytes

// Reads primitives from a span. Every read is bounded by the bytes that remain; errors are
// kCorrupt and name the offset within the span.
class BinaryReader {
 public:
  explicit BinaryReader(ByteView data) : data_(data) {}

  Result<int64_t> ReadLong() {
    // One-byte varints (small numbers, lengths, counts, union branches) are most of what
    // manifests hold; they skip the general decoder.
    if (pos_ < data_.size() && data_[pos_] < 0x80) {
      const uint8_t b = data_[pos_++];
      return static_cast<int64_t>(b >> 1) ^ -static_cast<int64_t>(b & 1);
    }
    return ReadLongSlow();
  }
  Result<int32_t> ReadInt() {
    if (pos_ < data_.size() && data_[pos_] < 0x80) {
      const uint8_t b = data_[pos_++];
      return static_cast<int32_t>(b >> 1) ^ -static_cast<int32_t>(b & 1);
    }
    return ReadIntSlow();
  }
  Result<bool> ReadBoolean();
  Result<float> ReadFloat();
  Result<double> ReadDouble();
  // A length-prefixed byte string; the view points into the span.
  Result<std::string_view> ReadBytes();
  Result<std::string_view> ReadFixed(size_t n);
  Status Skip(size_t n);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  Result<int64_t> ReadLongSlow();
  Result<int32_t> ReadIntSlow();
  Status Truncated(const char* what, size_t need) const;
  ByteView data_;
  size_t pos_ = 0;
};

// Appends the encoding of `value` as `schema` to `out`. A value for a union may carry its branch
// (Value::union_branch) or not, in which case the first branch that fits its kind is used. An
// int value is accepted for long, float and double, a long value for int when it fits, a float
// for double. On error `out` may hold a partial encoding; the caller truncates it.
Status EncodeValue(const Node& schema, const Value& value, Buffer* out, int max_depth = 64);

// The fewest bytes a value of `schema` encodes to (0 for null and empty records).
size_t MinEncodedSize(const Node& schema);

// Checks an array or map block count read at `offset` against the bytes that remain.
constexpr uint64_t kMaxZeroSizeItems = 1 << 20;
Status CheckBlockCount(const Node& item, bool is_map, int64_t count, size_t remaining,
                       size_t offset);

// Skips one value written as `schema`.
Status SkipValue(const Node& schema, BinaryReader* in, int max_depth = 64);

}  // namespace floe::avro
