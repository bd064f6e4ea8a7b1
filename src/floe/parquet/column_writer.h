#pragma once

// Writes one leaf column, in phases like DuckDB's column writers: values of a batch are sliced
// at row boundaries into the page being filled (PageState); a full page is encoded, compressed
// and appended to the column chunk of the current row group (ChunkState); at the end of the row
// group the chunk (dictionary page first) goes to the sink and its state is reset. Statistics
// for the footer live per chunk, the Iceberg metrics per file.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "floe/common/result.h"
#include "floe/compression/codec.h"
#include "floe/io/file.h"
#include "floe/parquet/column_writer_stats.h"
#include "floe/parquet/encoding/dictionary_encoder.h"
#include "floe/parquet/format.h"
#include "floe/parquet/stored_pages.h"
#include "floe/parquet/types.h"
#include "floe/parquet/writer.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

// The page being filled: levels and values as they arrive, encoded when the page is flushed.
struct PageState {
  std::vector<int16_t> def_levels;
  std::vector<int16_t> rep_levels;
  int64_t num_levels = 0;
  int64_t num_values = 0;
  int64_t num_rows = 0;
  std::vector<uint32_t> indices;  // dictionary mode
  Buffer values;                  // otherwise: PLAIN (fixed-width: the raw array)
  std::vector<uint8_t> bools;     // BOOLEAN columns

  void Clear();
};

// A page encoded but not yet compressed. With WriterOptions::threads > 1 the column writers queue
// their pages like this and the ParquetWriter compresses the pages of all columns on its pool
// (one column's pages would otherwise be compressed by one thread), then commits them in order.
struct PendingPage {
  format::PageHeader header;  // sizes are filled in when it is compressed
  format::Encoding encoding = format::Encoding::kPlain;
  Buffer levels;  // data page v2: the levels, stored uncompressed before the values
  Buffer body;    // v1 and dictionary pages: levels + values; v2: the values
  Buffer framed;  // header + stored bytes, once compressed
  int64_t uncompressed_bytes = 0;  // header + uncompressed levels and values
  Status status;
};

// The column chunk of the current row group: encoded pages and their bookkeeping.
struct ChunkState {
  std::vector<Buffer> pages;         // data pages, header + body each (no reallocation)
  std::vector<bool> page_stored;     // per entry of `pages`: copied StoredPages (not recycled)
  Buffer dictionary_page;            // header + body, built by SealChunk; empty without dictionary
  std::vector<PendingPage> pending;  // queued, in page order (threads > 1)
  int64_t pages_bytes = 0;
  int64_t uncompressed_bytes = 0;     // headers + uncompressed bodies
  int64_t num_values = 0;             // level entries
  int64_t dictionary_data_pages = 0;  // data pages that refer to the dictionary
  std::vector<format::Encoding> encodings;
  std::map<std::pair<format::PageType, format::Encoding>, int32_t> page_counts;
  ColumnStats stats;

  void Reset();
};

class ColumnWriter {
 public:
  static Result<std::unique_ptr<ColumnWriter>> Make(const LeafColumn& leaf,
                                                    const WriterOptions& options,
                                                    ColumnEncoding encoding, Codec* codec);

  // Appends a validated column of a batch. `codec` (null: the one given to Make) compresses the
  // pages this call fills; a writer running columns on several threads passes the running
  // thread's own codec, as codec contexts are not thread-safe. The bytes do not depend on it.
  Status Write(const ColumnVector& column, Codec* codec = nullptr);

  // Appends pages encoded and compressed elsewhere (see stored_pages.h) after the values written
  // so far, instead of encoding `column`, which holds the same values (decoded from `pages`): they
  // give the statistics. kInvalidArgument when the pages' codec is not this file's or their value
  // count is not the column's. Later values are not dictionary-encoded in this chunk, so that
  // dictionary pages never follow copied ones. `codec` as for Write.
  Status CopyPages(const ColumnVector& column, StoredPages pages, Codec* codec = nullptr);

  // Ends the chunk in two phases, so that the CPU work of many columns can run concurrently and
  // the writes stay in leaf order: SealChunk flushes the page and builds the dictionary page;
  // WriteChunk writes dictionary page and data pages to `sink` starting at file offset
  // `file_offset`, fills `out`, and resets for the next row group.
  Status SealChunk(Codec* codec = nullptr);
  Status WriteChunk(int64_t file_offset, OutputStream* sink, format::ColumnChunk* out,
                    int64_t* bytes_written);
  // Both phases.
  Status FinishChunk(int64_t file_offset, OutputStream* sink, format::ColumnChunk* out,
                     int64_t* bytes_written);

  // Pages queued by Write / SealChunk when WriterOptions::threads > 1. CompressPendingPage may
  // run concurrently for different pages (of this or other columns), each with its own codec;
  // CommitPendingPages then adds them to the chunk in order (before the next Write/WriteChunk).
  // `scratch` is the compressing thread's own buffer.
  size_t num_pending_pages() const { return chunk_.pending.size(); }
  Status CompressPendingPage(size_t index, Codec* codec, Buffer* scratch);
  Status CommitPendingPages();

  // Uncompressed bytes buffered for the row group (pages done + the page being filled).
  int64_t buffered_uncompressed_bytes() const;
  // Bytes the buffered pages will take in the file (the page being filled counted raw).
  int64_t buffered_file_bytes() const;

  const LeafColumn& leaf() const { return leaf_; }
  const ColumnStats& file_stats() const { return file_stats_; }
  int64_t file_compressed_bytes() const { return file_compressed_bytes_; }
  int64_t file_num_values() const { return file_num_values_; }

 private:
  enum class Mode { kDictionary, kPlain, kDelta, kAutoFallback };

  ColumnWriter(const LeafColumn& leaf, const WriterOptions& options, ColumnEncoding encoding,
               Codec* codec);
  // The mode a row group's chunk starts in: initial_mode_, or no dictionary while history_
  // says to skip it. The skip counts once the chunk gets values (CountSkip): the chunk started
  // after a file's last row group never does, and its skip is the next file's.
  void StartChunk();
  void CountSkip();
  void ResetDictionary();
  size_t DictionarySize() const;
  size_t DictionaryPlainBytes() const;
  void WriteDictionaryPage(Buffer* out) const;
  void AppendValues(const ColumnVector& c, size_t first, size_t n);
  void UpdateStats(const ColumnVector& c, size_t first, size_t n);
  void MaterializeDictionaryPage();
  bool DictionaryPays() const;
  int64_t PageBytesEstimate() const;
  Status FlushPage();
  // The page's values section; `values` points into encoded_ or page_.values.
  Status EncodeValues(format::Encoding* encoding, ByteView* values);
  Status AppendPage(format::PageType type, const format::PageHeader& header_template,
                    ByteView uncompressed_levels, ByteView values, format::Encoding encoding);
  void NoteEncoding(format::Encoding e);
  // Compresses `body` (v1: levels + values) and frames it after `header` and `levels` (v2).
  Status FramePage(format::PageHeader header, ByteView levels, ByteView body, Codec* codec,
                   Buffer* compressed, Buffer* framed, int64_t* uncompressed_bytes) const;
  void AddFramedPage(format::PageType type, format::Encoding encoding, Buffer framed,
                     int64_t uncompressed_bytes);
  // Page buffers are recycled within the column: allocating a fresh megabyte for every page
  // made the kernel zero new memory (page faults) for each of them. Raw (uncompressed) and
  // framed (compressed) buffers are kept apart so that a small framed page does not sit in a
  // megabyte the raw page had touched.
  static Buffer TakeSpare(std::vector<Buffer>* spare);
  static void ReturnSpare(std::vector<Buffer>* spare, Buffer b);

  LeafColumn leaf_;
  const WriterOptions& options_;
  ColumnEncoding encoding_;
  Codec* default_codec_;
  Codec* codec_;  // the codec of the current Write / SealChunk call
  format::CompressionCodec codec_id_;
  int def_width_;
  int rep_width_;
  Mode initial_mode_;
  Mode mode_;
  bool delta_candidate_;  // int/long/date/time/timestamp: auto fallback may pick DELTA
  // kAuto: row groups in a row whose first page did not pay for its dictionary, and the row
  // groups still to start without one (see FlushPage): options_.dictionary_history's entry for
  // this column when there is one, else own_history_.
  DictionaryHistory::Column own_history_;
  DictionaryHistory::Column* history_;
  bool skip_uncounted_ = false;  // this chunk skips its dictionary; not yet counted

  std::unique_ptr<NumericDictionaryEncoder<int32_t>> dict_i32_;
  std::unique_ptr<NumericDictionaryEncoder<int64_t>> dict_i64_;
  std::unique_ptr<NumericDictionaryEncoder<float>> dict_f32_;
  std::unique_ptr<NumericDictionaryEncoder<double>> dict_f64_;
  std::unique_ptr<ByteArrayDictionaryEncoder> dict_bytes_;

  PageState page_;
  ChunkState chunk_;
  Buffer levels_;                     // scratch: encoded levels of a page
  Buffer encoded_;                    // scratch: encoded values of a page
  Buffer body_;                       // scratch: uncompressed v1 body
  Buffer compressed_;                 // scratch
  bool defer_compression_;            // threads > 1: pages go to chunk_.pending
  std::vector<Buffer> spare_raw_;     // empty buffers with capacity, see TakeSpare
  std::vector<Buffer> spare_framed_;  // likewise, for framed pages

  ColumnStats file_stats_;
  int64_t file_compressed_bytes_ = 0;
  int64_t file_num_values_ = 0;
};

}  // namespace floe::parquet
