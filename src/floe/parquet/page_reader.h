#pragma once

// Walks the pages of one column chunk held in memory: parses each page header, checks that the
// page lies inside the chunk, and decompresses its body into a buffer reused from page to page.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "floe/common/cpu_time.h"
#include "floe/common/result.h"
#include "floe/compression/codec.h"
#include "floe/parquet/format.h"
#include "floe/parquet/page_decompression.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

class ColumnChunkBufferPool;

struct ReaderOptions {
  // Pages declaring a larger uncompressed size are rejected before anything is allocated for
  // them (a corrupt header could otherwise ask for 2 GiB).
  int64_t max_page_bytes = int64_t{512} << 20;
  // Footers larger than this are rejected.
  int64_t max_footer_bytes = int64_t{256} << 20;
  // Threads ReadRowGroup decodes the projected columns on (the calling thread is one of them):
  // columns are handed out one at a time to whichever thread is free. Results do not depend on it.
  int threads = 1;
  // When set, the CPU time of the threads ReadRowGroup starts is added here (not the caller's).
  CpuTally* cpu_tally = nullptr;
  // When set, chunk and page buffers and decompression contexts are taken from and returned to
  // this pool (it must outlive the reader) instead of the reader's own, so that many readers in
  // turn (compaction's inputs) reuse them: a fresh zstd context and freshly faulted buffers per
  // small file were several percent of a compaction's CPU.
  ColumnChunkBufferPool* buffer_pool = nullptr;
};

struct Page {
  format::PageHeader header;
  int64_t offset = 0;  // file offset of the page header
  // Data page v1 and dictionary pages: the whole uncompressed body. Data page v2: the values
  // section only (uncompressed), with the levels in `rep_levels` and `def_levels`.
  ByteView body;
  ByteView rep_levels;
  ByteView def_levels;
};

class PageReader {
 public:
  // `chunk` starts at file offset `chunk_offset`; `codec` may be null for UNCOMPRESSED.
  // `context` prefixes every error ("file:///x.parquet: column a.b (row group 0)").
  // `page_buffer` is storage to decompress into (its capacity is reused, its contents not).
  PageReader(ByteView chunk, int64_t chunk_offset, Codec* codec, const ReaderOptions& options,
             std::string context, Buffer page_buffer = {});

  // The next page, or *end = true after the last. Pages stay valid until the next call.
  Status Next(Page* page, bool* end);

  const std::string& context() const { return context_; }

  // Hands the decompression buffer back for reuse; pages returned so far become invalid.
  Buffer ReleaseBuffer() { return std::move(decompressed_); }

  // The compressed pages of the chunk, in order, up to the first that Next would reject.
  std::vector<PageTask> DecompressionTasks() const;
  // From now on Next takes the pages that helpers of `board` decompressed (`chunk` is what
  // DecompressionBoard::Offer returned for DecompressionTasks()); null stops that.
  void ShareDecompression(DecompressionBoard* board, DecompressionBoard::Chunk* chunk) {
    board_ = board;
    shared_ = chunk;
  }

 private:
  Status Corrupt(int64_t offset, const std::string& what) const;
  // Parses and checks the page at chunk position `pos`: fills `page` but its body when that is
  // compressed; then `compressed` and `uncompressed_size` say what to decompress (else
  // `compressed` is empty with a null data()). `next_pos` receives where the next page starts.
  Status Locate(size_t pos, Page* page, ByteView* compressed, int64_t* uncompressed_size,
                size_t* next_pos) const;
  Status Decompress(ByteView in, int64_t uncompressed_size, int64_t offset, ByteView* out);

  ByteView chunk_;
  int64_t chunk_offset_;
  Codec* codec_;
  std::unique_ptr<Codec> lz4_raw_fallback_;
  ReaderOptions options_;
  std::string context_;
  size_t pos_ = 0;
  Buffer decompressed_;
  DecompressionBoard* board_ = nullptr;
  DecompressionBoard::Chunk* shared_ = nullptr;
};

}  // namespace floe::parquet
