#include "floe/parquet/encoding/value_decoder.h"

#include <limits>
#include <string>

namespace floe::parquet {

Status CheckByteCapacity(const ColumnVector& out, uint64_t more_bytes) {
  if (out.bytes.size() + more_bytes > std::numeric_limits<uint32_t>::max()) {
    return Status::ResourceExhausted("byte-array values of one batch exceed 4 GiB (" +
                                     std::to_string(out.bytes.size() + more_bytes) +
                                     " bytes); read smaller batches");
  }
  return Status::OK();
}

}  // namespace floe::parquet
