#pragma once

// The data pages of one column chunk as a file stores them (headers and compressed bodies), read
// from one file to be copied into another without decompressing and compressing them again:
// ParquetReader::ReadStoredPages makes them, ParquetWriter::WriteBatches copies them. Compaction
// uses this for columns whose pages are already large (a JSON payload column is most of an event
// table's bytes and of its compression work).

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "floe/parquet/format.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

struct StoredPages {
  Buffer bytes;  // the pages, each header + stored body, in order; never a dictionary page
  format::CompressionCodec codec = format::CompressionCodec::kUncompressed;
  int64_t num_values = 0;          // level entries of all pages (nulls included)
  int64_t uncompressed_bytes = 0;  // headers + uncompressed bodies, as ColumnMetaData counts
  std::vector<format::Encoding> encodings;  // of values and levels, in order of appearance
  std::map<std::pair<format::PageType, format::Encoding>, int32_t> page_counts;

  bool empty() const { return bytes.empty(); }
};

}  // namespace floe::parquet
