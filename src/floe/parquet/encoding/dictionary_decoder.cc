#include "floe/parquet/encoding/dictionary_decoder.h"

#include <cstring>
#include <string>

namespace floe::parquet {

DictionaryDecoder::DictionaryDecoder(PhysicalType physical, const ColumnVector* dictionary)
    : physical_(physical), dictionary_(dictionary), dictionary_size_(dictionary->num_values) {}

Status DictionaryDecoder::SetData(ByteView data, int64_t /*max_values*/) {
  if (data.empty()) {
    // A page without values (all null) may end before the bit width.
    return indices_.Reset(data, 0);
  }
  const int bit_width = data[0];
  if (bit_width > 32) {
    return Status::Corrupt("dictionary indices: bit width " + std::to_string(bit_width) +
                           " exceeds 32");
  }
  return indices_.Reset(data.subspan(1), bit_width);
}

Status DictionaryDecoder::DecodeIndices(int64_t n, uint32_t* out) {
  FLOE_RETURN_IF_ERROR(indices_.Get(out, n).WithContext("dictionary indices"));
  uint32_t max_index = 0;
  for (int64_t i = 0; i < n; ++i) max_index = out[i] > max_index ? out[i] : max_index;
  if (n > 0 && static_cast<int64_t>(max_index) >= dictionary_size_) {
    for (int64_t i = 0; i < n; ++i) {
      if (out[i] == max_index) {
        return Status::Corrupt("dictionary index " + std::to_string(max_index) +
                               " out of range: the dictionary has " +
                               std::to_string(dictionary_size_) + " values (value " +
                               std::to_string(i) + " of the batch)");
      }
    }
  }
  return Status::OK();
}

template <typename T>
void DictionaryDecoder::Gather(const std::vector<T>& dict, int64_t n, std::vector<T>* out) const {
  const size_t old = out->size();
  out->resize(old + static_cast<size_t>(n));
  T* dst = out->data() + old;
  const T* src = dict.data();
  const uint32_t* idx = scratch_.data();
  for (int64_t i = 0; i < n; ++i) dst[i] = src[idx[i]];
}

Status DictionaryDecoder::GatherBytes(int64_t n, ColumnVector* out) const {
  const uint32_t* idx = scratch_.data();
  const uint32_t* dict_offsets = dictionary_->offsets.data();
  uint64_t total = 0;
  for (int64_t i = 0; i < n; ++i) total += dict_offsets[idx[i] + 1] - dict_offsets[idx[i]];
  FLOE_RETURN_IF_ERROR(CheckByteCapacity(*out, total));
  StartOffsets(out);
  const size_t old_offsets = out->offsets.size();
  out->offsets.resize(old_offsets + static_cast<size_t>(n));
  size_t pos = out->bytes.size();
  out->bytes.resize(pos + total);
  char* dst = out->bytes.data();
  const char* src = dictionary_->bytes.data();
  uint32_t* offsets = out->offsets.data() + old_offsets;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t begin = dict_offsets[idx[i]];
    const uint32_t len = dict_offsets[idx[i] + 1] - begin;
    std::memcpy(dst + pos, src + begin, len);
    pos += len;
    offsets[i] = static_cast<uint32_t>(pos);
  }
  return Status::OK();
}

Status DictionaryDecoder::Decode(int64_t n, ColumnVector* out) {
  if (n <= 0) return Status::OK();
  if (scratch_.size() < static_cast<size_t>(n)) scratch_.resize(static_cast<size_t>(n));
  FLOE_RETURN_IF_ERROR(DecodeIndices(n, scratch_.data()));
  switch (physical_) {
    case PhysicalType::kBoolean: Gather(dictionary_->bools, n, &out->bools); break;
    case PhysicalType::kInt32: Gather(dictionary_->i32, n, &out->i32); break;
    case PhysicalType::kInt64: Gather(dictionary_->i64, n, &out->i64); break;
    case PhysicalType::kFloat: Gather(dictionary_->f32, n, &out->f32); break;
    case PhysicalType::kDouble: Gather(dictionary_->f64, n, &out->f64); break;
    case PhysicalType::kInt96:
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray: return GatherBytes(n, out);
  }
  return Status::OK();
}

}  // namespace floe::parquet
