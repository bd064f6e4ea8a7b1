#pragma once

// PLAIN values (Encodings.md): fixed-width numbers little-endian, BYTE_ARRAY as a 4-byte
// little-endian length then the bytes, FIXED_LEN_BYTE_ARRAY as the bytes, BOOLEAN bit-packed
// LSB-first. Whole runs of values at a time, straight from a ColumnVector's arrays.

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "floe/parquet/types.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

class PlainEncoder {
 public:
  // INT32, INT64, FLOAT, DOUBLE: the in-memory little-endian array is the encoding.
  template <typename T>
  static void PutFixed(const T* values, size_t n, Buffer* out) {
    out->Append(values, n * sizeof(T));
  }

  // Values [first, first + n) of a byte-array column.
  static void PutByteArrays(const ByteArrayValues& values, size_t first, size_t n, Buffer* out);

  // Values [first, first + n) of a FIXED_LEN_BYTE_ARRAY column: their bytes one after another.
  static void PutFixedLenByteArrays(const ByteArrayValues& values, size_t first, size_t n,
                                    Buffer* out);

  // Booleans (0 false, anything else true) packed 8 to a byte, the last byte zero-padded.
  static void PutBooleans(const uint8_t* values, size_t n, Buffer* out);
};

}  // namespace floe::parquet
