#pragma once

#include <cstdint>
#include <vector>

#include "floe/parquet/encoding/rle_decoder.h"
#include "floe/parquet/encoding/value_decoder.h"

namespace floe::parquet {

// PLAIN_DICTIONARY / RLE_DICTIONARY data pages: one byte of bit width, then hybrid runs of
// indices (no length prefix) into the chunk's dictionary, which is decoded once from the
// dictionary page and held as a ColumnVector.
class DictionaryDecoder final : public ValueDecoder {
 public:
  // `dictionary` must outlive the decoder; its values live in the member of `physical`.
  DictionaryDecoder(PhysicalType physical, const ColumnVector* dictionary);

  Status SetData(ByteView data, int64_t max_values) override;
  Status Decode(int64_t n, ColumnVector* out) override;

  // Decodes indices only (checked against the dictionary size); for callers that keep values
  // dictionary-encoded.
  Status DecodeIndices(int64_t n, uint32_t* out);

 private:
  template <typename T>
  void Gather(const std::vector<T>& dict, int64_t n, std::vector<T>* out) const;
  Status GatherBytes(int64_t n, ColumnVector* out) const;

  PhysicalType physical_;
  const ColumnVector* dictionary_;
  int64_t dictionary_size_;
  RleBitPackedDecoder indices_;
  std::vector<uint32_t> scratch_;
};

}  // namespace floe::parquet
