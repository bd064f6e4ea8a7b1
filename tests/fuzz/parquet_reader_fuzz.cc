// libFuzzer target for the Parquet reader. Inputs starting with "PAR1" are opened as a file held
// in memory and every column chunk of every row group is read in batches; other inputs go to one
// value decoder directly (the first byte picks the encoding and physical type), which reaches the
// decoders' corner cases faster than through whole files. Any outcome but a crash, a sanitizer
// report, a leak or an unbounded allocation is fine; errors are the expected result for most.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "floe/io/file.h"
#include "floe/parquet/encoding/byte_stream_split_decoder.h"
#include "floe/parquet/encoding/delta_binary_packed_decoder.h"
#include "floe/parquet/encoding/delta_byte_array_decoder.h"
#include "floe/parquet/encoding/delta_length_byte_array_decoder.h"
#include "floe/parquet/encoding/dictionary_decoder.h"
#include "floe/parquet/encoding/plain_decoder.h"
#include "floe/parquet/encoding/rle_decoder.h"
#include "floe/parquet/reader.h"

namespace {

using namespace floe;
using namespace floe::parquet;

void FuzzFile(const uint8_t* data, size_t size) {
  MemoryRandomAccessFile file("fuzz://input",
                              std::string(reinterpret_cast<const char*>(data), size));
  ReaderOptions options;
  // Keep single allocations well under libFuzzer's malloc limit.
  options.max_page_bytes = int64_t{64} << 20;
  options.max_footer_bytes = int64_t{64} << 20;
  auto reader = ParquetReader::Open(&file, options);
  if (!reader.ok()) return;
  const ParquetReader& r = **reader;
  // RLE runs let a tiny page announce billions of null levels; the harness stops reading a
  // column after this many (the reader itself has no such limit).
  constexpr int64_t kMaxLevelsPerColumn = int64_t{1} << 20;
  for (int g = 0; g < r.num_row_groups(); ++g) {
    for (int c = 0; c < static_cast<int>(r.leaf_columns().size()); ++c) {
      auto column = r.OpenColumnChunk(g, c);
      if (!column.ok()) continue;
      ColumnVector batch;
      int64_t levels = 0;
      while (!(*column)->done() && levels < kMaxLevelsPerColumn) {
        batch.Clear();
        if (!(*column)->ReadBatch(4096, &batch).ok()) break;
        levels += batch.num_levels;
        if (batch.num_levels == 0 && !(*column)->done()) break;
      }
    }
  }
}

void FuzzDecoder(const uint8_t* data, size_t size) {
  if (size < 2) return;
  const uint8_t selector = data[0];
  const auto physical = static_cast<PhysicalType>(selector % 8);
  const int32_t type_length = 1 + (data[1] % 20);
  ByteView input(data + 2, size - 2);
  ColumnVector dictionary;
  dictionary.num_values = 3;
  dictionary.i32 = {1, 2, 3};
  dictionary.bytes = "abcdef";
  dictionary.offsets = {0, 1, 3, 6};
  std::unique_ptr<ValueDecoder> decoder;
  switch ((selector / 8) % 8) {
    case 0: decoder = std::make_unique<PlainDecoder>(physical, type_length); break;
    case 1:
      decoder = std::make_unique<DictionaryDecoder>(
          physical == PhysicalType::kInt32 ? PhysicalType::kInt32 : PhysicalType::kByteArray,
          &dictionary);
      break;
    case 2: decoder = std::make_unique<RleBooleanDecoder>(); break;
    case 3:
      decoder = std::make_unique<DeltaBinaryPackedDecoder>(selector & 0x40 ? PhysicalType::kInt64
                                                                           : PhysicalType::kInt32);
      break;
    case 4: decoder = std::make_unique<DeltaLengthByteArrayDecoder>(); break;
    case 5:
      decoder = std::make_unique<DeltaByteArrayDecoder>(
          selector & 0x40 ? PhysicalType::kFixedLenByteArray : PhysicalType::kByteArray,
          type_length);
      break;
    case 6: {
      static const PhysicalType kSplit[] = {PhysicalType::kFloat, PhysicalType::kDouble,
                                            PhysicalType::kInt32, PhysicalType::kInt64,
                                            PhysicalType::kFixedLenByteArray};
      decoder = std::make_unique<ByteStreamSplitDecoder>(kSplit[selector % 5], type_length);
      break;
    }
    default: {
      RleBitPackedDecoder levels;
      if (!levels.Reset(input, data[1] % 33).ok()) return;
      uint32_t out[300];
      for (int i = 0; i < 64; ++i) {
        if (!levels.Get(out, 1 + (i * 37) % 300).ok()) return;
      }
      return;
    }
  }
  if (!decoder->SetData(input, 1 << 16).ok()) return;
  ColumnVector out;
  for (int i = 0; i < 64; ++i) {
    if (!decoder->Decode(1 + (i * 53) % 700, &out).ok()) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 4 && std::memcmp(data, "PAR1", 4) == 0) {
    FuzzFile(data, size);
  } else {
    FuzzDecoder(data, size);
  }
  return 0;
}
