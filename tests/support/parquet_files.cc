#include "support/parquet_files.h"

#include <cstring>

#include "floe/io/file.h"

namespace floe::testing {

using parquet::ColumnVector;
using parquet::RowBatch;

Result<WrittenParquet> WriteParquet(const parquet::Schema& schema, const std::vector<Row>& rows,
                                    const parquet::WriterOptions& options, size_t batch_rows) {
  MemoryOutputStream sink("memory:test.parquet");
  FLOE_ASSIGN_OR_RETURN(auto writer, parquet::ParquetWriter::Make(&sink, schema, options));
  WrittenParquet out;
  out.leaves = writer->leaf_columns();
  for (size_t start = 0; start < rows.size() || (start == 0 && rows.empty()); start += batch_rows) {
    if (rows.empty()) break;
    std::vector<Row> chunk(rows.begin() + static_cast<long>(start),
                           rows.begin() + static_cast<long>(std::min(rows.size(), start + batch_rows)));
    FLOE_ASSIGN_OR_RETURN(RowBatch batch, Shred(schema, chunk));
    FLOE_RETURN_IF_ERROR(writer->WriteBatch(batch));
  }
  FLOE_ASSIGN_OR_RETURN(out.metrics, writer->Close());
  out.bytes = sink.Release();
  return out;
}

void AppendColumn(const ColumnVector& from, ColumnVector* to) {
  to->num_levels += from.num_levels;
  to->num_values += from.num_values;
  to->def_levels.insert(to->def_levels.end(), from.def_levels.begin(), from.def_levels.end());
  to->rep_levels.insert(to->rep_levels.end(), from.rep_levels.begin(), from.rep_levels.end());
  to->bools.insert(to->bools.end(), from.bools.begin(), from.bools.end());
  to->i32.insert(to->i32.end(), from.i32.begin(), from.i32.end());
  to->i64.insert(to->i64.end(), from.i64.begin(), from.i64.end());
  to->f32.insert(to->f32.end(), from.f32.begin(), from.f32.end());
  to->f64.insert(to->f64.end(), from.f64.begin(), from.f64.end());
  if (!from.offsets.empty()) {
    if (to->offsets.empty()) to->offsets.push_back(0);
    uint32_t base = static_cast<uint32_t>(to->bytes.size());
    for (size_t i = 1; i < from.offsets.size(); ++i) {
      to->offsets.push_back(base + from.offsets[i] - from.offsets[0]);
    }
    to->bytes.append(from.bytes, from.offsets[0], from.offsets.back() - from.offsets[0]);
  }
}

Result<RowBatch> ReadAllColumns(parquet::ParquetReader* reader) {
  RowBatch all;
  size_t n = reader->leaf_columns().size();
  all.columns.resize(n);
  std::vector<int> leaves;
  for (size_t i = 0; i < n; ++i) leaves.push_back(static_cast<int>(i));
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    RowBatch batch;
    FLOE_RETURN_IF_ERROR(reader->ReadRowGroup(rg, leaves, &batch));
    for (size_t i = 0; i < n; ++i) AppendColumn(batch.columns[i], &all.columns[i]);
    all.num_rows += reader->row_group_num_rows(rg);
  }
  return all;
}

namespace {
template <typename T>
std::string DiffVector(const char* name, const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) {
    return std::string(name) + " size " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) return std::string(name) + " differ at " + std::to_string(i);
  }
  return "";
}
}  // namespace

std::string DiffColumns(const ColumnVector& e, const ColumnVector& a) {
  if (e.num_levels != a.num_levels) {
    return "num_levels " + std::to_string(e.num_levels) + " vs " + std::to_string(a.num_levels);
  }
  if (e.num_values != a.num_values) {
    return "num_values " + std::to_string(e.num_values) + " vs " + std::to_string(a.num_values);
  }
  for (const std::string& d :
       {DiffVector("def_levels", e.def_levels, a.def_levels), DiffVector("rep_levels", e.rep_levels, a.rep_levels),
        DiffVector("bools", e.bools, a.bools), DiffVector("i32", e.i32, a.i32), DiffVector("i64", e.i64, a.i64),
        DiffVector("f32", e.f32, a.f32), DiffVector("f64", e.f64, a.f64)}) {
    if (!d.empty()) return d;
  }
  // Byte values: compare value by value (offsets may start anywhere).
  size_t ne = e.offsets.empty() ? 0 : e.offsets.size() - 1;
  size_t na = a.offsets.empty() ? 0 : a.offsets.size() - 1;
  if (ne != na) return "byte values " + std::to_string(ne) + " vs " + std::to_string(na);
  for (size_t i = 0; i < ne; ++i) {
    std::string_view ve(e.bytes.data() + e.offsets[i], e.offsets[i + 1] - e.offsets[i]);
    std::string_view va(a.bytes.data() + a.offsets[i], a.offsets[i + 1] - a.offsets[i]);
    if (ve != va) return "byte value " + std::to_string(i) + " differs";
  }
  return "";
}

}  // namespace floe::testing
