// libFuzzer target for the Parquet reader. Inputs starting with "PAR1" are opened as a file held
// in memory and every column chunk of every row group is read in batches; other inputs go to one
// value decoder directly (the first byte picks the encoding and physical type), which reaches the
// decoders' corner cases faster than through whole files. Any outcome but a crash, a sanitizer
// report, a leak or an unbounded allocation is fine; errors are the expected result for most.
// Each chunk's pages are also walked as compaction copies them (ParquetReader::ReadStoredPages).
//
// Files are also read through ReadRowGroup with threads = 2 (columns handed out to two threads,
// the free one decompressing pages ahead of the other: DecompressionBoard), and the result must
// be exactly the single-threaded one, values and error alike; a difference aborts.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

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

// RLE runs let a tiny page announce billions of null levels; the harness stops reading a column
// after this many (the reader itself has no such limit).
constexpr int64_t kMaxLevelsPerColumn = int64_t{1} << 20;

template <typename T>
bool SameBits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// The first member in which two column vectors differ (floats bitwise), or null when equal.
const char* FirstDifference(const ColumnVector& a, const ColumnVector& b) {
  if (a.num_levels != b.num_levels) return "num_levels";
  if (a.num_values != b.num_values) return "num_values";
  if (a.def_levels != b.def_levels) return "def_levels";
  if (a.rep_levels != b.rep_levels) return "rep_levels";
  if (a.bools != b.bools) return "bools";
  if (a.i32 != b.i32) return "i32";
  if (a.i64 != b.i64) return "i64";
  if (!SameBits(a.f32, b.f32)) return "f32";
  if (!SameBits(a.f64, b.f64)) return "f64";
  if (a.offsets != b.offsets) return "offsets";
  if (a.bytes != b.bytes) return "bytes";
  return nullptr;
}

bool SameStatus(const Status& a, const Status& b) {
  return a.ok() == b.ok() && (a.ok() || (a.kind() == b.kind() && a.message() == b.message()));
}

[[noreturn]] void Mismatch(const std::string& what, const Status& single, const Status& threaded) {
  std::fprintf(stderr,
               "threaded read differs from the single-threaded one: %s\n  single:   %s\n"
               "  threaded: %s\n",
               what.c_str(), single.ToString().c_str(), threaded.ToString().c_str());
  std::abort();
}

// Reads row group `g` with `single` (threads 1) and `threaded` (threads 2): each leaf alone on
// both, then all leaves at once on the threaded one into `all` (reused across row groups, as
// callers do). Everything must equal the single-threaded leaf-by-leaf reads.
void CompareThreadedRowGroup(const ParquetReader& single, const ParquetReader& threaded, int g,
                             RowBatch* all) {
  const int leaves = static_cast<int>(single.leaf_columns().size());
  int64_t levels = 0;
  for (int c = 0; c < leaves; ++c) {
    const int64_t n = single.column_metadata(g, c).num_values;
    if (n > kMaxLevelsPerColumn) return;
    levels += n;
  }
  if (levels > kMaxLevelsPerColumn) return;
  std::vector<ColumnVector> expected(static_cast<size_t>(leaves));
  Status first_error;
  RowBatch one;
  RowBatch one_threaded;
  for (int c = 0; c < leaves; ++c) {
    const Status s = single.ReadRowGroup(g, {c}, &one);
    const Status t = threaded.ReadRowGroup(g, {c}, &one_threaded);
    const std::string where = "row group " + std::to_string(g) + ", leaf " + std::to_string(c);
    if (!SameStatus(s, t)) Mismatch(where + ": status", s, t);
    if (one.num_rows != one_threaded.num_rows) Mismatch(where + ": num_rows", s, t);
    if (const char* d = FirstDifference(one.columns[0], one_threaded.columns[0])) {
      Mismatch(where + ": " + d, s, t);
    }
    if (first_error.ok()) first_error = s;
    expected[static_cast<size_t>(c)] = std::move(one.columns[0]);
  }
  std::vector<int> every(static_cast<size_t>(leaves));
  for (int c = 0; c < leaves; ++c) every[static_cast<size_t>(c)] = c;
  const Status t = threaded.ReadRowGroup(g, every, all);
  const std::string where = "row group " + std::to_string(g) + ", all leaves";
  if (!SameStatus(first_error, t)) Mismatch(where + ": status", first_error, t);
  for (int c = 0; c < leaves; ++c) {
    if (const char* d = FirstDifference(expected[static_cast<size_t>(c)],
                                        all->columns[static_cast<size_t>(c)])) {
      Mismatch(where + ": leaf " + std::to_string(c) + ": " + d, first_error, t);
    }
  }
}

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
  for (int g = 0; g < r.num_row_groups(); ++g) {
    for (int c = 0; c < static_cast<int>(r.leaf_columns().size()); ++c) {
      // The page walk compaction uses to copy stored pages: headers only, same bounds.
      auto stored = r.ReadStoredPages(g, c);
      if (stored.ok() && stored->num_values != r.column_metadata(g, c).num_values) {
        std::fprintf(stderr, "stored pages of leaf %d hold %lld values, the footer says %lld\n", c,
                     static_cast<long long>(stored->num_values),
                     static_cast<long long>(r.column_metadata(g, c).num_values));
        std::abort();
      }
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
  options.threads = 2;
  auto threaded = ParquetReader::Open(&file, options);
  if (!threaded.ok()) Mismatch("open", Status::OK(), threaded.status());
  RowBatch all;
  for (int g = 0; g < r.num_row_groups(); ++g) CompareThreadedRowGroup(r, **threaded, g, &all);
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
