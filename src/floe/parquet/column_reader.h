#pragma once

// Reads one column chunk: fetched with a single ranged read, then decoded page by page into
// ColumnVector batches (levels and values straight into the vectors).

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "floe/common/result.h"
#include "floe/compression/codec.h"
#include "floe/io/file.h"
#include "floe/parquet/encoding/byte_stream_split_decoder.h"
#include "floe/parquet/encoding/delta_binary_packed_decoder.h"
#include "floe/parquet/encoding/delta_byte_array_decoder.h"
#include "floe/parquet/encoding/delta_length_byte_array_decoder.h"
#include "floe/parquet/encoding/dictionary_decoder.h"
#include "floe/parquet/encoding/plain_decoder.h"
#include "floe/parquet/encoding/rle_decoder.h"
#include "floe/parquet/format.h"
#include "floe/parquet/page_reader.h"
#include "floe/parquet/types.h"

namespace floe::parquet {

// Storage a column chunk reader fills: the chunk's bytes, one decompressed page, and the codec
// with its contexts (zstd's window buffers are large). Passing it from one reader to the next
// saves allocating (and faulting in) fresh memory per chunk.
struct ColumnChunkBuffers {
  Buffer chunk;
  Buffer page;
  std::unique_ptr<Codec> codec;
};

// Buffers kept for reuse between column chunk reads, one set per concurrent reader; thread-safe.
class ColumnChunkBufferPool {
 public:
  std::unique_ptr<ColumnChunkBuffers> Take();
  void Return(std::unique_ptr<ColumnChunkBuffers> buffers);

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<ColumnChunkBuffers>> free_;  // guarded by mu_
};

class ColumnChunkReader {
 public:
  // Reads [chunk_offset, chunk_offset + chunk_length) of `file` (already validated against the
  // file size by the caller). `leaf` and `meta` must outlive the reader. `row_group_rows` is the
  // row group's row count (checked against flat columns' level count).
  static Result<std::unique_ptr<ColumnChunkReader>> Open(
      RandomAccessFile* file, const LeafColumn& leaf, const format::ColumnMetaData& meta,
      int64_t chunk_offset, int64_t chunk_length, int64_t row_group_rows,
      const ReaderOptions& options, std::string context, ColumnChunkBuffers* reuse = nullptr);

  ~ColumnChunkReader();
  ColumnChunkReader(const ColumnChunkReader&) = delete;
  ColumnChunkReader& operator=(const ColumnChunkReader&) = delete;

  // Gives the reader's storage back for the next reader; this reader is unusable afterwards.
  void ReleaseBuffers(ColumnChunkBuffers* into);

  // Lets the helpers of `board` decompress this chunk's pages ahead of ReadBatch. A chunk of
  // fewer than two compressed pages is not shared: the reader would wait for its only page.
  void ShareDecompression(DecompressionBoard* board);

  // Appends up to `max_levels` level entries (and their defined values) to `out`; fewer only at
  // the end of the chunk. Once the chunk is done it appends nothing and returns OK.
  Status ReadBatch(int64_t max_levels, ColumnVector* out);

  // All level entries of the chunk have been read.
  bool done() const { return done_; }
  // Level entries not yet read, as the column metadata announces them.
  int64_t levels_left() const { return meta_.num_values - levels_read_; }

  const std::string& context() const { return pages_->context(); }

 private:
  ColumnChunkReader(const LeafColumn& leaf, const format::ColumnMetaData& meta,
                    const ReaderOptions& options);
  Status NextDataPage(bool* end);
  Status ReadDictionary(const Page& page);
  Status StartDataPage(const Page& page);
  Result<ValueDecoder*> DecoderFor(format::Encoding encoding, int64_t offset);
  Status PageError(const Status& s, const char* what) const;

  const LeafColumn& leaf_;
  const format::ColumnMetaData& meta_;
  ReaderOptions options_;
  Buffer chunk_;
  std::unique_ptr<Codec> codec_;
  std::unique_ptr<PageReader> pages_;
  DecompressionBoard* board_ = nullptr;
  DecompressionBoard::Chunk* shared_ = nullptr;  // withdrawn before chunk_ is freed
  Page page_;
  bool done_ = false;
  bool seen_data_page_ = false;
  int64_t levels_read_ = 0;
  int64_t page_levels_left_ = 0;
  int64_t page_offset_ = 0;
  RleBitPackedDecoder def_levels_;
  RleBitPackedDecoder rep_levels_;
  int def_bit_width_ = 0;
  int rep_bit_width_ = 0;

  ColumnVector dictionary_;
  bool has_dictionary_ = false;
  ValueDecoder* values_ = nullptr;
  std::unique_ptr<PlainDecoder> plain_;
  std::unique_ptr<DictionaryDecoder> dict_;
  std::unique_ptr<RleBooleanDecoder> rle_bool_;
  std::unique_ptr<DeltaBinaryPackedDecoder> delta_;
  std::unique_ptr<DeltaLengthByteArrayDecoder> delta_length_;
  std::unique_ptr<DeltaByteArrayDecoder> delta_bytes_;
  std::unique_ptr<ByteStreamSplitDecoder> split_;
};

// Maps the file's codec to floe's; LZO and BROTLI are kNotSupported.
Result<CodecKind> CodecKindOf(format::CompressionCodec codec);

}  // namespace floe::parquet
