#pragma once

// floe's Parquet file reader: opens a file through RandomAccessFile (local, S3, memory), checks
// the footer and the layout it describes against the file, and reads column chunks in batches.
//
//   FLOE_ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(file.get()));
//   FLOE_ASSIGN_OR_RETURN(auto column, reader->OpenColumnChunk(/*row_group=*/0, /*leaf=*/2));
//   ColumnVector batch;
//   while (!column->done()) { batch.Clear(); FLOE_RETURN_IF_ERROR(column->ReadBatch(4096, &batch));
//   }

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/io/file.h"
#include "floe/parquet/column_reader.h"
#include "floe/parquet/format.h"
#include "floe/parquet/page_reader.h"
#include "floe/parquet/stored_pages.h"
#include "floe/parquet/types.h"

namespace floe::parquet {

// After Open, the const methods may be called from several threads at once (for example one row
// group per thread) when the RandomAccessFile allows concurrent reads; a ColumnChunkReader
// belongs to one thread.
class ParquetReader {
 public:
  // Reads and validates the footer. `file` must outlive the reader. Corrupt files (bad magic,
  // footer length beyond the file, Thrift garbage, column chunks outside the data area, schema
  // and row groups that disagree) are kCorrupt naming the location and offset.
  static Result<std::unique_ptr<ParquetReader>> Open(RandomAccessFile* file,
                                                     ReaderOptions options = {});

  const format::FileMetaData& metadata() const { return metadata_; }
  const std::vector<LeafColumn>& leaf_columns() const { return leaves_; }
  const std::string& location() const { return file_->location(); }
  int64_t file_size() const { return file_size_; }
  int64_t num_rows() const { return metadata_.num_rows; }
  int num_row_groups() const { return static_cast<int>(metadata_.row_groups.size()); }
  int64_t row_group_num_rows(int row_group) const {
    return metadata_.row_groups[static_cast<size_t>(row_group)].num_rows;
  }
  // Empty when the file does not say.
  const std::string& created_by() const { return created_by_; }
  const std::vector<format::KeyValue>& key_value_metadata() const { return key_values_; }
  // The value of one key-value metadata entry, if present.
  std::optional<std::string> FindKeyValue(std::string_view key) const;

  // The index of the leaf column with this field id, or -1.
  int FindLeafByFieldId(int32_t field_id) const;
  // The index of the leaf column at this path ({"tags", "list", "element"}) or dotted path
  // ("tags.list.element"), or -1. For files without field ids.
  int FindLeafByPath(const std::vector<std::string>& path) const;
  int FindLeafByPath(std::string_view dotted_path) const;

  const format::ColumnMetaData& column_metadata(int row_group, int leaf) const {
    return *metadata_.row_groups[static_cast<size_t>(row_group)]
                .columns[static_cast<size_t>(leaf)]
                .meta_data;
  }

  // A reader of one column chunk; it fetches the chunk with one ranged read.
  Result<std::unique_ptr<ColumnChunkReader>> OpenColumnChunk(int row_group, int leaf) const;

  // Reads every row of a row group for the leaf columns `leaves` (indexes into leaf_columns(), in
  // the order wanted): out->columns[i] holds leaves[i]. Holds one column chunk at a time. The
  // vectors of `out` are cleared but keep their capacity, so reusing one RowBatch across row
  // groups saves allocations.
  Status ReadRowGroup(int row_group, const std::vector<int>& leaves, RowBatch* out) const;

  // The pages of one column chunk as stored, for copying into another file (stored_pages.h). The
  // page headers are checked (sizes within the chunk, value counts adding up to the footer's),
  // the bodies are not: decode the chunk as well to know that they are sound. kNotSupported when
  // a page is a dictionary page or dictionary-encoded (a chunk has one dictionary, so such pages
  // cannot join another chunk); kCorrupt for headers that do not add up.
  Result<StoredPages> ReadStoredPages(int row_group, int leaf) const;

 private:
  ParquetReader(RandomAccessFile* file, ReaderOptions options) : file_(file), options_(options) {}
  Status ReadFooter();
  Status Validate();
  std::string ColumnContext(int row_group, int leaf) const;
  // kInvalidArgument unless the file has this row group and leaf column.
  Status CheckChunkIndex(int row_group, int leaf) const;
  // `board`: shares the chunk's page decompression with ReadRowGroup's free threads (may be null).
  Status ReadColumn(int row_group, int leaf, ColumnChunkBuffers* buffers, DecompressionBoard* board,
                    ColumnVector* out) const;
  std::unique_ptr<ColumnChunkBuffers> TakeBuffers() const;
  void ReturnBuffers(std::unique_ptr<ColumnChunkBuffers> buffers) const;

  RandomAccessFile* file_;
  ReaderOptions options_;
  int64_t file_size_ = 0;
  int64_t footer_offset_ = 0;  // where FileMetaData starts; column data ends before it
  format::FileMetaData metadata_;
  std::vector<LeafColumn> leaves_;
  std::string created_by_;
  std::vector<format::KeyValue> key_values_;
  // Per row group and leaf: [offset, offset + length) of the column chunk.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> chunk_ranges_;
  // Chunk and page buffers (and codecs) kept between ReadRowGroup calls, one set per concurrent
  // caller, so reading row group after row group does not fault in fresh memory each time; used
  // unless ReaderOptions::buffer_pool is set.
  mutable ColumnChunkBufferPool own_buffers_;
};

// "a.b.c" for a path.
std::string JoinPath(const std::vector<std::string>& path);

}  // namespace floe::parquet
