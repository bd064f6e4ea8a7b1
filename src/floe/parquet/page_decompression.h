#pragma once

// Page decompression shared by the threads of one ParquetReader::ReadRowGroup call.
//
// ReadRowGroup hands out whole columns to its threads. Once none is left, a free thread would idle
// while another still decodes a large chunk (in the events table one column is about 70 % of a
// row group). Decompressing a page is most of its decode time with zstd and does not depend on the
// other pages, so a free thread decompresses the pages just ahead of a chunk's reader into a few
// buffers, and the reader takes them in order. Values are still decoded by the chunk's reader
// alone, in page order, straight into its column vector; errors are still found and reported by
// it (a helper that fails leaves the page to the reader).
//
//   DecompressionBoard board(columns, /*window=*/4);
//   reader thread:  chunk = board.Offer(tasks, kind); ... board.Take(chunk, page, codec, &body)
//                   ...; board.Withdraw(chunk); board.ColumnFinished();
//   free thread:    board.Help(&codec);  // returns when every column is finished
//
// One mutex guards everything; it is taken a few times per page (about 1 MB of values), never per
// value.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "floe/compression/codec.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

// One page's compressed bytes (a view into its column chunk) and their uncompressed size.
struct PageTask {
  ByteView compressed;
  size_t uncompressed_size = 0;
};

class DecompressionBoard {
 public:
  struct Chunk;

  // `columns`: how many columns the call reads (Help returns once as many ColumnFinished calls
  // were made). `window`: pages of one chunk held decompressed at a time, at least 1.
  DecompressionBoard(size_t columns, size_t window);
  ~DecompressionBoard();
  DecompressionBoard(const DecompressionBoard&) = delete;
  DecompressionBoard& operator=(const DecompressionBoard&) = delete;

  // Reader side. Offers one chunk's pages (in chunk order; their bytes must stay alive until
  // Withdraw) to helpers. They are decompressed into buffers of the chunk's own, freed by Withdraw:
  // kept between calls, they would add the window's pages to every open reader's memory.
  Chunk* Offer(std::vector<PageTask> tasks, CodecKind kind);

  // Reader side. True when a helper took the page whose compressed bytes start at `compressed`:
  // waits for it (decompressing later pages of the chunk with `codec` meanwhile) and sets `*body`,
  // valid until the next Take or Withdraw for this chunk. False when no helper took the page or a
  // helper could not decompress it: the reader decompresses it itself; no helper touches it then.
  bool Take(Chunk* chunk, const uint8_t* compressed, Codec* codec, ByteView* body);

  // Reader side. Ends the sharing of a chunk: waits until no helper works on it.
  void Withdraw(Chunk* chunk);

  // A column of the call is done (read or failed, shared or not).
  void ColumnFinished();

  // Helper side: decompresses pages of offered chunks until every column is finished. `codec`
  // is the helper's own, replaced when a chunk needs another kind.
  void Help(std::unique_ptr<Codec>* codec);

 private:
  // Claims the next page of `chunk` into a free slot and decompresses it with `codec` (made or
  // replaced when null or of another kind; null when none can be used) with the lock released.
  // False when the chunk has no page left to claim or no free slot.
  bool DecompressNext(Chunk* chunk, std::unique_ptr<Codec>* own_codec, Codec* codec,
                      std::unique_lock<std::mutex>* lock);

  const size_t columns_;
  const size_t window_;
  std::mutex mu_;
  std::condition_variable changed_;
  size_t finished_ = 0;                         // guarded by mu_
  std::vector<std::unique_ptr<Chunk>> chunks_;  // guarded by mu_
};

}  // namespace floe::parquet
