#pragma once

// floe's Parquet file writer: an Iceberg-style Schema in, a Parquet file out (FORMAT_NOTES 7),
// with the per-column metrics an Iceberg manifest needs.
//
//   auto w = ParquetWriter::Make(sink, schema, options);   // writes "PAR1"
//   w->WriteBatch(batch);  ...                             // any number of times
//   FileMetrics m = w->Close();                            // footer; the sink is closed too
//
// Memory: one row group of encoded (compressed) pages per column plus the page being filled;
// a row group is written to the sink, and its buffers freed, once its uncompressed size reaches
// WriterOptions::row_group_size_bytes (checked after each batch).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "floe/common/cpu_time.h"
#include "floe/common/result.h"
#include "floe/compression/codec.h"
#include "floe/io/file.h"
#include "floe/parquet/stored_pages.h"
#include "floe/parquet/types.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

enum class DataPageVersion { kV1, kV2 };

enum class ColumnEncoding {
  // Dictionary while it pays (its first page is smaller than PLAIN) and stays under the
  // dictionary page limit; then PLAIN, or DELTA_BINARY_PACKED for int/long/date/time/timestamp
  // pages where that is smaller. Booleans: PLAIN.
  kAuto,
  kPlain,
  kDictionary,         // dictionary until the limit, then PLAIN (not for booleans)
  kDeltaBinaryPacked,  // INT32 / INT64 columns only
};

// What the columns of one series of files learned about dictionaries (the row groups in a row
// whose first page did not pay for one, see ColumnWriter::FlushPage), carried from each file to
// the next. Within a file a column whose dictionary did not pay starts its next row groups
// without one, retried ever more rarely; a caller that writes many files of like rows (the
// collector's flushes of a table, each a file per partition) passes the same history to every
// writer, so that ids and payloads are not hashed into a dictionary again at the start of every
// file. Keyed by the leaf's path (LeafColumn::path). Used by one writer at a time.
struct DictionaryHistory {
  struct Column {
    int misses = 0;      // row groups in a row whose dictionary did not pay (at most 4)
    int skips_left = 0;  // row groups still to start without a dictionary
  };
  std::map<std::vector<std::string>, Column> columns;
};

struct WriterOptions {
  CodecKind codec = CodecKind::kZstd;  // kNone, kSnappy, kGzip, kZstd, kLz4Raw
  // zstd 1..22, gzip 1..9; 0 = the codec's default. zstd level 1, as Arrow C++ (and so PyIceberg)
  // writes by default, not 3 (DuckDB's, parquet-java's): on event rows level 1 costs about a
  // quarter less CPU and writes smaller files, because the random-looking id columns compress
  // better with its longer minimum match (bench/README.md, Parquet).
  int codec_level = 1;
  int64_t page_size_bytes = 1 << 20;
  int64_t row_group_size_bytes = int64_t{128} << 20;  // uncompressed
  int64_t dictionary_page_size_limit_bytes = 1 << 20;
  DataPageVersion data_page_version = DataPageVersion::kV1;
  // Applies to the columns that can take it (others get kAuto); an entry in column_encodings
  // (by leaf field id) overrides it and must fit the column's type.
  ColumnEncoding default_encoding = ColumnEncoding::kAuto;
  std::map<int32_t, ColumnEncoding> column_encodings;
  // Footer Statistics of BYTE_ARRAY columns are cut to this many bytes (upper bound rounded up).
  int32_t statistics_truncate_length = 64;
  // Iceberg's default metrics mode truncate(16): string bounds in code points, binary in bytes.
  int32_t metrics_truncate_length = 16;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;  // e.g. iceberg.schema
  // Threads that encode the columns of a batch concurrently and then compress their pages
  // concurrently (the caller's thread is one of them; each has its own codec). The file is
  // byte-identical whatever the count; values < 1 are rejected. With more than one, a batch's
  // pages are held uncompressed until the end of WriteBatch (memory: about one batch, raw).
  int threads = 1;
  // When set, the columns start from what earlier files taught (see DictionaryHistory) and
  // leave what this one taught. Not owned; outlives the writer.
  DictionaryHistory* dictionary_history = nullptr;
  // When set, the CPU time of the writer's pool threads is added here as each ends (when the
  // writer is destroyed); the calling thread's own time is the caller's to count.
  CpuTally* cpu_tally = nullptr;
  // parquet-java parses this as "<app> version <x.y.z> (build <hash>)".
  std::string created_by = "floe version 0.1.0 (build floe)";
};

class ColumnWriter;
class ColumnTaskPool;

class ParquetWriter {
 public:
  // kInvalidArgument for an unusable schema (see BuildFileSchema) or options (sizes < 1, a codec
  // Parquet has no id for, an encoding the column's type cannot take); errors of the sink.
  static Result<std::unique_ptr<ParquetWriter>> Make(OutputStream* sink, Schema schema,
                                                     WriterOptions options = {});
  ~ParquetWriter();
  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  // One ColumnVector per leaf column, in leaf order. Validated before anything is written:
  // kInvalidArgument naming the column and index when level counts, value counts, level ranges
  // or byte offsets do not match the leaf and num_rows. After a sink error the writer is failed.
  Status WriteBatch(const RowBatch& batch);
  // The batches one after the other, as if concatenated into one, without copying them into one
  // (pages may be cut at other rows than after a copy). One pass of the column tasks and of page
  // compression for all of them, so small batches still give the threads enough to share.
  Status WriteBatches(const std::vector<const RowBatch*>& batches);
  // The same, but where (*stored)[b][i] is not empty, column i of batch b is not encoded: those
  // pages, read from another file (ParquetReader::ReadStoredPages), are copied into the file as
  // they are, and the batch's values of the column, which must be the pages' values decoded,
  // give only its statistics and metrics. (*stored)[b] may be empty (nothing copied from batch
  // b) or has one entry per column; the entries used are moved from. The pages must have the
  // writer's codec (else kInvalidArgument) and the column's physical type and levels (the
  // caller's promise: the writer does not read their bodies).
  Status WriteBatches(const std::vector<const RowBatch*>& batches,
                      std::vector<std::vector<StoredPages>>* stored);

  // `num_rows` rows whose columns are made as they are written: fill(i, &column) sets leaf i's
  // values for them (each call gets column i of `columns`, the caller's scratch, one per leaf,
  // reused from call to call), and the column is validated as WriteBatch validates it and
  // encoded in the same column task, so the filling (a gather, say) runs on the writer's threads
  // too. Calls for different columns may run at once. A fill error or an invalid column fails
  // the writer (other columns may have been written).
  Status WriteColumns(int64_t num_rows,
                      const std::function<Status(size_t column, ColumnVector* out)>& fill,
                      std::vector<ColumnVector>* columns);

  // Writes the last row group and the footer, closes the sink.
  Result<FileMetrics> Close();

  // Bytes the file would have if closed now (written + buffered pages + footer estimate).
  int64_t EstimatedFileSize() const;

  const std::vector<LeafColumn>& leaf_columns() const { return leaves_; }
  const Schema& schema() const { return schema_; }
  int64_t num_rows() const { return num_rows_; }

 private:
  ParquetWriter() = default;
  Status FlushRowGroup();
  Status Append(std::string_view bytes);
  // Runs fn(column index, codec) for every column, on the pool when there is one; the first
  // error in leaf order, if any, fails the writer.
  Status ForEachColumn(const std::function<Status(size_t, Codec*)>& fn);
  // threads > 1: compresses the pages the columns queued, on the pool, and commits them.
  Status CompressPendingPages();
  // After the columns of `rows` rows were written: pages compressed, counts, row group cut.
  Status FinishRows(int64_t rows);

  OutputStream* sink_ = nullptr;
  Schema schema_;
  WriterOptions options_;
  std::vector<LeafColumn> leaves_;
  std::vector<std::unique_ptr<ColumnWriter>> columns_;
  std::unique_ptr<Codec> codec_;
  std::vector<std::unique_ptr<Codec>> thread_codecs_;  // slot 1.. of the pool (0 is codec_)
  std::vector<Buffer> thread_scratch_;                 // per pool slot: compression output
  std::unique_ptr<ColumnTaskPool> pool_;               // only when options.threads > 1
  struct Footer;
  std::unique_ptr<Footer> footer_;
  int64_t position_ = 0;
  int64_t num_rows_ = 0;
  int64_t row_group_rows_ = 0;
  Status failed_;
  bool closed_ = false;
};

// Checks one column of a batch against its leaf (exposed for tests and callers that build
// batches column by column).
Status ValidateColumnVector(const LeafColumn& leaf, const ColumnVector& column, int64_t num_rows,
                            size_t column_index);

}  // namespace floe::parquet
