#pragma once

// Dictionary encoding (Encodings.md, RLE_DICTIONARY): each distinct value gets an index in
// insertion order; data pages hold indices, the dictionary page holds the distinct values PLAIN.
// One open-addressing hash table per column chunk, keyed on the value (numbers by bit pattern,
// so -0.0 and +0.0 and differently-payloaded NaNs stay distinct; bytes by XxHash3).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "floe/parquet/types.h"

#include "floe/util/buffer.h"

namespace floe::parquet {

// T is int32_t, int64_t, float or double.
template <typename T>
class NumericDictionaryEncoder {
 public:
  NumericDictionaryEncoder() { Clear(); }

  // Appends the index of each of values[0, n) to `indices`, adding new values.
  void Encode(const T* values, size_t n, std::vector<uint32_t>* indices);

  size_t size() const { return values_.size(); }
  const std::vector<T>& values() const { return values_; }
  size_t plain_bytes() const { return values_.size() * sizeof(T); }
  void WriteDictionaryPage(Buffer* out) const { out->Append(values_.data(), plain_bytes()); }
  void Clear();

 private:
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  static Bits ToBits(T v) {
    Bits b;
    std::memcpy(&b, &v, sizeof(T));
    return b;
  }
  size_t Slot(Bits b) const {
    return static_cast<size_t>((static_cast<uint64_t>(b) * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Grow();

  std::vector<T> values_;
  std::vector<uint32_t> slots_;  // index + 1; 0 = empty
  int shift_ = 0;
};

// BYTE_ARRAY (fixed_length 0) or FIXED_LEN_BYTE_ARRAY values.
class ByteArrayDictionaryEncoder {
 public:
  explicit ByteArrayDictionaryEncoder(int32_t fixed_length = 0) : fixed_length_(fixed_length) {
    Clear();
  }

  // Values [first, first + n) of a byte-array column.
  void Encode(const ByteArrayValues& values, size_t first, size_t n,
              std::vector<uint32_t>* indices);

  size_t size() const { return starts_.size() - 1; }
  std::string_view value(size_t i) const {
    return std::string_view(bytes_).substr(starts_[i], starts_[i + 1] - starts_[i]);
  }
  // The distinct values as a byte-array column: value i is bytes()[starts()[i], starts()[i+1]).
  const std::string& bytes() const { return bytes_; }
  const std::vector<uint32_t>& starts() const { return starts_; }
  // The dictionary page's size: PLAIN adds a 4-byte length to each byte array.
  size_t plain_bytes() const { return bytes_.size() + (fixed_length_ == 0 ? 4 * size() : 0); }
  void WriteDictionaryPage(Buffer* out) const;
  void Clear();

 private:
  void Grow();

  int32_t fixed_length_;
  std::string bytes_;             // the distinct values, concatenated
  std::vector<uint32_t> starts_;  // size() + 1 offsets into bytes_
  // Each slot holds the top 32 bits of the value's hash and its index + 1 (0 = empty), so a probe
  // rejects other values without touching the value storage, and Grow() needs no rehashing.
  std::vector<uint64_t> slots_;
  int log2_capacity_ = 0;
};

// The data page form of indices: one byte of bit width, then hybrid runs without length prefix.
void EncodeDictionaryIndices(const uint32_t* indices, size_t n, size_t dictionary_size,
                             Buffer* out);

}  // namespace floe::parquet
