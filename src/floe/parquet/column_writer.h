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

// The column chunk of the current row group: encoded pages and their bookkeeping.
struct ChunkState {
  std::vector<Buffer> pages;  // data pages, header + body each (no reallocation)
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

  // Appends a validated column of a batch.
  Status Write(const ColumnVector& column);

  // Ends the chunk: flushes the page, writes dictionary page and data pages to `sink` starting
  // at file offset `file_offset`, fills `out`, and resets for the next row group.
  Status FinishChunk(int64_t file_offset, OutputStream* sink, format::ColumnChunk* out,
                     int64_t* bytes_written);

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

  LeafColumn leaf_;
  const WriterOptions& options_;
  ColumnEncoding encoding_;
  Codec* codec_;
  format::CompressionCodec codec_id_;
  int def_width_;
  int rep_width_;
  Mode initial_mode_;
  Mode mode_;
  bool delta_candidate_;  // int/long/date/time/timestamp: auto fallback may pick DELTA

  std::unique_ptr<NumericDictionaryEncoder<int32_t>> dict_i32_;
  std::unique_ptr<NumericDictionaryEncoder<int64_t>> dict_i64_;
  std::unique_ptr<NumericDictionaryEncoder<float>> dict_f32_;
  std::unique_ptr<NumericDictionaryEncoder<double>> dict_f64_;
  std::unique_ptr<ByteArrayDictionaryEncoder> dict_bytes_;

  PageState page_;
  ChunkState chunk_;
  Buffer levels_;      // scratch: encoded levels of a page
  Buffer encoded_;     // scratch: encoded values of a page
  Buffer body_;        // scratch: uncompressed v1 body
  Buffer compressed_;  // scratch
  std::string header_;

  ColumnStats file_stats_;
  int64_t file_compressed_bytes_ = 0;
  int64_t file_num_values_ = 0;
};

}  // namespace floe::parquet
