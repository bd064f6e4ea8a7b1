#pragma once

// The buffered events of one partition of one table, held as Parquet column vectors (one per
// top-level column) from the start: a row costs its values and a definition level, not a
// Literal per value, and a flush sorts an index and gathers, with no conversion. The vectors come
// in chunks: a body mapped into a buffer of its own is adopted whole (Adopt), not copied, and the
// flush's gather reads every chunk.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/values.h"
#include "floe/ingest/event_mapper.h"
#include "floe/parquet/types.h"

namespace floe::parquet {
class ParquetWriter;
}

namespace floe::ingest {

// One key of the order rows are written in: a top-level column (its leaf index).
struct SortKey {
  size_t column = 0;
  bool descending = false;
  bool nulls_first = true;
};

class PartitionBuffer {
 public:
  // `leaves` (not owned, outlives the buffer): the file schema's leaf columns, one per
  // top-level column of the table (nested columns are never buffered).
  // `expected_rows`: about how many rows AppendRow will add (a body's events), so that the
  // column vectors are sized once, from the first rows' sizes, instead of growing row by row.
  PartitionBuffer(const std::vector<parquet::LeafColumn>* leaves,
                  std::vector<iceberg::Literal> partition, std::string partition_path,
                  int64_t expected_rows = 0);

  // Appends one row: one value per leaf, of the leaf's type (what EventMapper gives for this
  // schema). A null in a required column or a value of another type is kInternal and appends
  // nothing.
  Status AppendRow(const MappedRow& row);
  // Appends rows `rows` (ascending) of `from`, a buffer of the same leaves.
  void AppendRows(const PartitionBuffer& from, std::span<const uint32_t> rows);
  // Takes every row of `from`, a buffer of the same leaves, without copying values: its chunks
  // become this buffer's. `from` is left empty.
  void Adopt(PartitionBuffer&& from);

  int64_t rows() const { return rows_; }
  // Memory the values take (what buffer limits count).
  int64_t bytes() const;
  const std::vector<iceberg::Literal>& partition() const { return partition_; }
  const std::string& partition_path() const { return partition_path_; }

  // Writes every row to `writer` ordered by `keys` (stable: rows equal on the keys keep their
  // arrival order), in batches of at most `batch_rows`.
  Status WriteSorted(const std::vector<SortKey>& keys, parquet::ParquetWriter* writer,
                     int64_t batch_rows) const;

 private:
  const std::vector<parquet::LeafColumn>* leaves_;
  std::vector<iceberg::Literal> partition_;
  std::string partition_path_;
  // Rows in column vectors, one per leaf.
  struct Chunk {
    std::vector<parquet::ColumnVector> columns;
    int64_t rows = 0;
  };
  std::vector<Chunk> chunks_;
  Chunk& Tail();  // the chunk rows are appended to (made when there is none)
  // Column `column`'s vector in each chunk.
  std::vector<const parquet::ColumnVector*> ColumnChunks(size_t column) const;
  int64_t TailBytes() const;  // held by the tail chunk's columns
  void ReserveExpected();     // sizes the tail's columns for expected_rows_
  // Sets *order (every row) to the rows ordered by `keys` through integer images of their
  // values; false (order untouched) when a key column has nulls or floating-point values.
  bool SortByOrdinals(const std::vector<SortKey>& keys, std::vector<uint32_t>* order) const;

  // A body's buffer sizes its columns from its first kSampleRows rows.
  static constexpr int64_t kSampleRows = 32;
  int64_t rows_ = 0;
  int64_t sealed_bytes_ = 0;  // held by the chunks before the tail
  int64_t expected_rows_ = 0;
};

}  // namespace floe::ingest
