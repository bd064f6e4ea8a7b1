#include "floe/parquet/writer.h"

#include <algorithm>
#include <cstring>

#include "floe/parquet/column_task_pool.h"
#include "floe/parquet/column_writer.h"
#include "floe/parquet/format.h"
#include "floe/parquet/schema.h"
#include "floe/util/endian.h"

namespace floe::parquet {

struct ParquetWriter::Footer {
  std::vector<format::SchemaElement> elements;
  std::vector<format::RowGroup> row_groups;
  std::vector<int64_t> split_offsets;
};

namespace {

constexpr std::string_view kMagic = "PAR1";

std::string ColumnLabel(const LeafColumn& leaf, size_t index) {
  std::string name;
  for (const auto& p : leaf.path) {
    if (!name.empty()) name += '.';
    name += p;
  }
  return "column " + std::to_string(index) + " ('" + name + "')";
}

}  // namespace

Status ValidateColumnVector(const LeafColumn& leaf, const ColumnVector& c, int64_t num_rows,
                            size_t column_index) {
  auto bad = [&](const std::string& msg) {
    return Status::InvalidArgument(ColumnLabel(leaf, column_index) + ": " + msg);
  };
  if (c.num_levels < 0 || c.num_values < 0) return bad("negative level or value count");
  if (leaf.max_rep == 0 && c.num_levels != num_rows) {
    return bad(std::to_string(c.num_levels) + " levels for " + std::to_string(num_rows) + " rows");
  }
  auto levels = static_cast<size_t>(c.num_levels);
  if (leaf.max_def > 0 ? c.def_levels.size() != levels : !c.def_levels.empty()) {
    return bad(std::to_string(c.def_levels.size()) + " definition levels, expected " +
               std::to_string(leaf.max_def > 0 ? levels : 0));
  }
  if (leaf.max_rep > 0 ? c.rep_levels.size() != levels : !c.rep_levels.empty()) {
    return bad(std::to_string(c.rep_levels.size()) + " repetition levels, expected " +
               std::to_string(leaf.max_rep > 0 ? levels : 0));
  }
  int64_t defined = c.num_levels;
  if (leaf.max_def > 0) {
    defined = 0;
    for (size_t i = 0; i < levels; ++i) {
      int16_t d = c.def_levels[i];
      if (d < 0 || d > leaf.max_def) {
        return bad("definition level " + std::to_string(d) + " at index " + std::to_string(i) +
                   " is outside 0.." + std::to_string(leaf.max_def));
      }
      defined += d == leaf.max_def;
    }
  }
  if (leaf.max_rep > 0) {
    int64_t rows = 0;
    for (size_t i = 0; i < levels; ++i) {
      int16_t r = c.rep_levels[i];
      if (r < 0 || r > leaf.max_rep) {
        return bad("repetition level " + std::to_string(r) + " at index " + std::to_string(i) +
                   " is outside 0.." + std::to_string(leaf.max_rep));
      }
      if (i == 0 && r != 0) return bad("the first repetition level is not 0");
      rows += r == 0;
    }
    if (rows != num_rows) {
      return bad(std::to_string(rows) + " rows in the repetition levels, batch has " +
                 std::to_string(num_rows));
    }
  }
  if (c.num_values != defined) {
    return bad("num_values " + std::to_string(c.num_values) + " but " + std::to_string(defined) +
               " levels are defined");
  }
  auto values = static_cast<size_t>(defined);
  auto check_size = [&](size_t have, const char* member) -> Status {
    if (have == values) return Status::OK();
    return bad(std::string(member) + " holds " + std::to_string(have) + " values, expected " +
               std::to_string(values));
  };
  switch (leaf.physical) {
    case PhysicalType::kBoolean: return check_size(c.bools.size(), "bools");
    case PhysicalType::kInt32: return check_size(c.i32.size(), "i32");
    case PhysicalType::kInt64: return check_size(c.i64.size(), "i64");
    case PhysicalType::kFloat: return check_size(c.f32.size(), "f32");
    case PhysicalType::kDouble: return check_size(c.f64.size(), "f64");
    default: break;
  }
  if (values == 0) return Status::OK();
  if (!c.views.empty()) {
    if (c.views.size() != values) return check_size(c.views.size(), "views");
  } else {
    if (c.offsets.size() != values + 1) {
      return bad("offsets holds " + std::to_string(c.offsets.size()) + " entries, expected " +
                 std::to_string(values + 1));
    }
    for (size_t i = 0; i < values; ++i) {
      if (c.offsets[i + 1] < c.offsets[i]) {
        return bad("offsets decrease at value " + std::to_string(i));
      }
    }
    if (c.offsets[values] > c.bytes.size()) {
      return bad("offsets end at " + std::to_string(c.offsets[values]) + " past the " +
                 std::to_string(c.bytes.size()) + " bytes");
    }
  }
  if (leaf.physical == PhysicalType::kFixedLenByteArray) {
    const ByteArrayValues byte_arrays(c);
    for (size_t i = 0; i < values; ++i) {
      if (byte_arrays[i].size() != static_cast<size_t>(leaf.type_length)) {
        return bad("value " + std::to_string(i) + " has " + std::to_string(byte_arrays[i].size()) +
                   " bytes, the column's width is " + std::to_string(leaf.type_length));
      }
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Make(OutputStream* sink, Schema schema,
                                                           WriterOptions options) {
  if (sink == nullptr) return Status::InvalidArgument("parquet writer: no output stream");
  if (options.page_size_bytes < 1 || options.row_group_size_bytes < 1 ||
      options.dictionary_page_size_limit_bytes < 0 || options.statistics_truncate_length < 1 ||
      options.metrics_truncate_length < 1 || options.threads < 1) {
    return Status::InvalidArgument(
        "parquet writer options: page size, row group size, truncation lengths and threads must "
        "be >= 1, the dictionary limit >= 0");
  }
  FLOE_ASSIGN_OR_RETURN(FileSchema fs, BuildFileSchema(schema));
  std::unique_ptr<ParquetWriter> w(new ParquetWriter());
  w->sink_ = sink;
  w->schema_ = std::move(schema);
  w->options_ = std::move(options);
  w->leaves_ = std::move(fs.leaves);
  w->footer_ = std::make_unique<Footer>();
  w->footer_->elements = std::move(fs.elements);
  FLOE_ASSIGN_OR_RETURN(w->codec_, MakeCodec(w->options_.codec, w->options_.codec_level));
  int threads = w->options_.threads;
  if (threads > 1) {
    for (int slot = 1; slot < threads; ++slot) {
      FLOE_ASSIGN_OR_RETURN(auto codec, MakeCodec(w->options_.codec, w->options_.codec_level));
      w->thread_codecs_.push_back(std::move(codec));
    }
    w->pool_ = std::make_unique<ColumnTaskPool>(threads, w->options_.cpu_tally);
    w->thread_scratch_.resize(static_cast<size_t>(threads));
  }
  for (const LeafColumn& leaf : w->leaves_) {
    ColumnEncoding enc = w->options_.default_encoding;
    // The default applies where the type can take it; an explicit per-column choice must fit.
    bool is_int = leaf.physical == PhysicalType::kInt32 || leaf.physical == PhysicalType::kInt64;
    if ((enc == ColumnEncoding::kDeltaBinaryPacked && !is_int) ||
        (enc == ColumnEncoding::kDictionary && leaf.physical == PhysicalType::kBoolean)) {
      enc = ColumnEncoding::kAuto;
    }
    auto it = w->options_.column_encodings.find(leaf.field_id);
    if (it != w->options_.column_encodings.end()) enc = it->second;
    FLOE_ASSIGN_OR_RETURN(auto cw, ColumnWriter::Make(leaf, w->options_, enc, w->codec_.get()));
    w->columns_.push_back(std::move(cw));
  }
  FLOE_RETURN_IF_ERROR(w->Append(kMagic));
  return w;
}

ParquetWriter::~ParquetWriter() = default;

Status ParquetWriter::Append(std::string_view bytes) {
  Status s = sink_->Append(AsBytes(bytes));
  if (!s.ok()) {
    failed_ = s;
    return s;
  }
  position_ += static_cast<int64_t>(bytes.size());
  return Status::OK();
}

Status ParquetWriter::WriteBatch(const RowBatch& batch) { return WriteBatches({&batch}); }

Status ParquetWriter::WriteBatches(const std::vector<const RowBatch*>& batches) {
  return WriteBatches(batches, nullptr);
}

Status ParquetWriter::WriteBatches(const std::vector<const RowBatch*>& batches,
                                   std::vector<std::vector<StoredPages>>* stored) {
  if (!failed_.ok()) return failed_;
  if (stored != nullptr) {
    if (stored->size() != batches.size()) {
      return Status::InvalidArgument("parquet writer: stored pages for " +
                                     std::to_string(stored->size()) + " batches, " +
                                     std::to_string(batches.size()) + " batches");
    }
    for (const auto& s : *stored) {
      if (!s.empty() && s.size() != leaves_.size()) {
        return Status::InvalidArgument("parquet writer: stored pages for " +
                                       std::to_string(s.size()) + " columns, schema has " +
                                       std::to_string(leaves_.size()) + " leaf columns");
      }
    }
  }
  if (closed_) return Status::InvalidArgument("parquet writer: WriteBatch after Close");
  int64_t rows = 0;
  for (const RowBatch* batch : batches) {
    if (batch->num_rows < 0) return Status::InvalidArgument("parquet writer: negative num_rows");
    if (batch->columns.size() != leaves_.size()) {
      return Status::InvalidArgument(
          "parquet writer: batch has " + std::to_string(batch->columns.size()) +
          " columns, schema has " + std::to_string(leaves_.size()) + " leaf columns");
    }
    for (size_t i = 0; i < leaves_.size(); ++i) {
      FLOE_RETURN_IF_ERROR(ValidateColumnVector(leaves_[i], batch->columns[i], batch->num_rows, i));
    }
    rows += batch->num_rows;
  }
  FLOE_RETURN_IF_ERROR(ForEachColumn([&](size_t i, Codec* codec) {
    for (size_t b = 0; b < batches.size(); ++b) {
      const ColumnVector& column = batches[b]->columns[i];
      if (stored != nullptr && !(*stored)[b].empty() && !(*stored)[b][i].empty()) {
        FLOE_RETURN_IF_ERROR(columns_[i]->CopyPages(column, std::move((*stored)[b][i]), codec));
      } else {
        FLOE_RETURN_IF_ERROR(columns_[i]->Write(column, codec));
      }
    }
    return Status::OK();
  }));
  return FinishRows(rows);
}

Status ParquetWriter::WriteColumns(int64_t num_rows,
                                   const std::function<Status(size_t, ColumnVector*)>& fill,
                                   std::vector<ColumnVector>* columns) {
  if (!failed_.ok()) return failed_;
  if (closed_) return Status::InvalidArgument("parquet writer: WriteColumns after Close");
  if (num_rows < 0) return Status::InvalidArgument("parquet writer: negative num_rows");
  columns->resize(leaves_.size());
  FLOE_RETURN_IF_ERROR(ForEachColumn([&](size_t i, Codec* codec) {
    ColumnVector& column = (*columns)[i];
    FLOE_RETURN_IF_ERROR(fill(i, &column));
    FLOE_RETURN_IF_ERROR(ValidateColumnVector(leaves_[i], column, num_rows, i));
    return columns_[i]->Write(column, codec);
  }));
  return FinishRows(num_rows);
}

Status ParquetWriter::FinishRows(int64_t rows) {
  FLOE_RETURN_IF_ERROR(CompressPendingPages());
  num_rows_ += rows;
  row_group_rows_ += rows;
  int64_t buffered = 0;
  for (const auto& c : columns_) buffered += c->buffered_uncompressed_bytes();
  if (buffered >= options_.row_group_size_bytes) return FlushRowGroup();
  return Status::OK();
}

Status ParquetWriter::ForEachColumn(const std::function<Status(size_t, Codec*)>& fn) {
  std::vector<Status> results(columns_.size());
  if (pool_ == nullptr) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      results[i] = fn(i, codec_.get());
      if (!results[i].ok()) break;
    }
  } else {
    pool_->Run(columns_.size(), [&](size_t i, int slot) {
      Codec* codec = slot == 0 ? codec_.get() : thread_codecs_[static_cast<size_t>(slot - 1)].get();
      results[i] = fn(i, codec);
    });
  }
  for (Status& s : results) {
    if (!s.ok()) {
      failed_ = s;
      return s;
    }
  }
  return Status::OK();
}

Status ParquetWriter::CompressPendingPages() {
  if (pool_ == nullptr) return Status::OK();
  // Pages, not columns, are the unit of work: one wide column (JSON text, say) would otherwise
  // keep one thread busy while the other idles.
  std::vector<std::pair<size_t, size_t>> pages;
  for (size_t c = 0; c < columns_.size(); ++c) {
    for (size_t p = 0; p < columns_[c]->num_pending_pages(); ++p) pages.emplace_back(c, p);
  }
  pool_->Run(pages.size(), [&](size_t i, int slot) {
    Codec* codec = slot == 0 ? codec_.get() : thread_codecs_[static_cast<size_t>(slot - 1)].get();
    // The status is kept in the page and reported by CommitPendingPages.
    (void)columns_[pages[i].first]->CompressPendingPage(
        pages[i].second, codec, &thread_scratch_[static_cast<size_t>(slot)]);
  });
  for (auto& c : columns_) {
    Status s = c->CommitPendingPages();
    if (!s.ok()) {
      failed_ = s;
      return s;
    }
  }
  return Status::OK();
}

Status ParquetWriter::FlushRowGroup() {
  if (row_group_rows_ == 0) return Status::OK();
  // Pages and dictionary pages are finished concurrently, then written in leaf order.
  FLOE_RETURN_IF_ERROR(
      ForEachColumn([&](size_t i, Codec* codec) { return columns_[i]->SealChunk(codec); }));
  FLOE_RETURN_IF_ERROR(CompressPendingPages());
  format::RowGroup rg;
  rg.num_rows = row_group_rows_;
  int64_t start = position_;
  for (auto& c : columns_) {
    format::ColumnChunk chunk;
    int64_t written = 0;
    Status s = c->WriteChunk(position_, sink_, &chunk, &written);
    if (!s.ok()) {
      failed_ = s;
      return s;
    }
    position_ += written;
    rg.total_byte_size += chunk.meta_data->total_uncompressed_size;
    rg.columns.push_back(std::move(chunk));
  }
  rg.file_offset = start;
  rg.total_compressed_size = position_ - start;
  if (footer_->row_groups.size() <= INT16_MAX) {
    rg.ordinal = static_cast<int16_t>(footer_->row_groups.size());
  }
  footer_->split_offsets.push_back(start);
  footer_->row_groups.push_back(std::move(rg));
  row_group_rows_ = 0;
  return Status::OK();
}

int64_t ParquetWriter::EstimatedFileSize() const {
  int64_t size = position_;
  for (const auto& c : columns_) size += c->buffered_file_bytes();
  // Footer: roughly 100 bytes per column chunk plus the schema; the 8 trailing bytes.
  size += static_cast<int64_t>(columns_.size()) *
              (100 * static_cast<int64_t>(footer_->row_groups.size() + 1) + 40) +
          8;
  return size;
}

Result<FileMetrics> ParquetWriter::Close() {
  if (!failed_.ok()) return failed_;
  if (closed_) return Status::InvalidArgument("parquet writer: Close called twice");
  FLOE_RETURN_IF_ERROR(FlushRowGroup());
  format::FileMetaData md;
  md.version = 1;
  md.schema = std::move(footer_->elements);
  md.num_rows = num_rows_;
  md.row_groups = std::move(footer_->row_groups);
  if (!options_.key_value_metadata.empty()) {
    std::vector<format::KeyValue> kvs;
    for (const auto& [k, v] : options_.key_value_metadata) kvs.push_back({k, v});
    md.key_value_metadata = std::move(kvs);
  }
  md.created_by = options_.created_by;
  md.column_orders = std::vector<format::ColumnOrder>(leaves_.size());
  std::string footer = format::Serialize(md);
  char len[4];
  StoreLE<uint32_t>(len, static_cast<uint32_t>(footer.size()));
  footer.append(len, 4);
  footer.append(kMagic);
  FLOE_RETURN_IF_ERROR(Append(footer));
  Status s = sink_->Close();
  if (!s.ok()) {
    failed_ = s;
    return s;
  }
  closed_ = true;

  FileMetrics m;
  m.file_size = position_;
  m.record_count = num_rows_;
  m.split_offsets = std::move(footer_->split_offsets);
  auto limit = static_cast<size_t>(options_.metrics_truncate_length);
  for (const auto& c : columns_) {
    const LeafColumn& leaf = c->leaf();
    const ColumnStats& st = c->file_stats();
    ColumnMetrics cm;
    cm.field_id = leaf.field_id;
    cm.compressed_size = c->file_compressed_bytes();
    cm.value_count = c->file_num_values();
    cm.null_count = st.null_count();
    cm.nan_count = st.nan_count();
    if (st.has_min_max()) {
      std::string lo = st.min_bytes(), hi = st.max_bytes();
      if (leaf.type == FieldType::kString || leaf.type == FieldType::kBinary) {
        bool utf8 = leaf.type == FieldType::kString;
        cm.lower_bound = TruncateLowerBound(lo, limit, SIZE_MAX, utf8);
        cm.upper_bound = TruncateUpperBound(hi, limit, SIZE_MAX, utf8);
      } else {
        cm.lower_bound = std::move(lo);
        cm.upper_bound = std::move(hi);
      }
    }
    m.columns.push_back(std::move(cm));
  }
  return m;
}

}  // namespace floe::parquet
