// libFuzzer target for the Parquet reader: opens the input as a file held in memory and reads
// every column chunk of every row group in batches. Any outcome but a crash, a sanitizer report,
// a leak or an unbounded allocation is fine; errors are the expected result for most inputs.

#include <cstddef>
#include <cstdint>
#include <string>

#include "floe/io/file.h"
#include "floe/parquet/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace floe;
  using namespace floe::parquet;
  MemoryRandomAccessFile file("fuzz://input",
                              std::string(reinterpret_cast<const char*>(data), size));
  ReaderOptions options;
  // Keep single allocations well under libFuzzer's malloc limit.
  options.max_page_bytes = int64_t{64} << 20;
  options.max_footer_bytes = int64_t{64} << 20;
  auto reader = ParquetReader::Open(&file, options);
  if (!reader.ok()) return 0;
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
  return 0;
}
