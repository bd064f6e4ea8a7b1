#pragma once

// Writing and reading whole Parquet files in memory, for tests.

#include <string>
#include <vector>

#include "floe/parquet/reader.h"
#include "floe/parquet/writer.h"
#include "support/rows.h"

namespace floe::testing {

struct WrittenParquet {
  std::string bytes;
  parquet::FileMetrics metrics;
  std::vector<parquet::LeafColumn> leaves;
};

// Writes `rows` (shredded by the test model) in batches of `batch_rows`.
Result<WrittenParquet> WriteParquet(const parquet::Schema& schema, const std::vector<Row>& rows,
                                    const parquet::WriterOptions& options, size_t batch_rows = 1000);

// Reads every leaf column of every row group, concatenated into one RowBatch.
Result<parquet::RowBatch> ReadAllColumns(parquet::ParquetReader* reader);

// Appends `from` to `to` (same leaf).
void AppendColumn(const parquet::ColumnVector& from, parquet::ColumnVector* to);

// Describes the first difference between two column vectors, or "" when equal (floats bitwise).
std::string DiffColumns(const parquet::ColumnVector& expected, const parquet::ColumnVector& actual);

}  // namespace floe::testing
