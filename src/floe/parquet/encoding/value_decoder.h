#pragma once

// The common shape of floe's Parquet value decoders: one object per column chunk and encoding,
// pointed at one page's values section after another, appending values in batches straight into
// the ColumnVector member of the column's physical type. The virtual call is per batch, never per
// value.

#include <cstdint>

#include "floe/common/result.h"
#include "floe/parquet/types.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

class ValueDecoder {
 public:
  virtual ~ValueDecoder() = default;

  // Starts on one page's values section. `max_values` is the page's level count (v1 pages count
  // nulls, so fewer values may be present); decoders use it to bound what they accept.
  virtual Status SetData(ByteView data, int64_t max_values) = 0;

  // Appends the next `n` values to `out`. Asking for more values than the data holds is kCorrupt.
  virtual Status Decode(int64_t n, ColumnVector* out) = 0;
};

// Appends the first offset of a byte-array ColumnVector if it has none yet, so that value i is
// always bytes[offsets[i], offsets[i+1]).
inline void StartOffsets(ColumnVector* out) {
  if (out->offsets.empty()) out->offsets.push_back(static_cast<uint32_t>(out->bytes.size()));
}

// Byte-array values are addressed with 32-bit offsets; a ColumnVector holding 4 GiB or more of
// them cannot be represented.
Status CheckByteCapacity(const ColumnVector& out, uint64_t more_bytes);

}  // namespace floe::parquet
