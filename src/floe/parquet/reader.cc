#include "floe/parquet/reader.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <thread>

#include "floe/parquet/schema.h"
#include "floe/util/endian.h"

namespace floe::parquet {

namespace {
constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
constexpr char kEncryptedMagic[4] = {'P', 'A', 'R', 'E'};
// One read from the end usually fetches the whole footer (a round trip matters on S3).
constexpr int64_t kTailReadBytes = 64 * 1024;
}  // namespace

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += '.';
    out += path[i];
  }
  return out;
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(RandomAccessFile* file,
                                                           ReaderOptions options) {
  std::unique_ptr<ParquetReader> r(new ParquetReader(file, options));
  FLOE_RETURN_IF_ERROR(r->ReadFooter());
  FLOE_RETURN_IF_ERROR(r->Validate());
  return r;
}

Status ParquetReader::ReadFooter() {
  const std::string& where = file_->location();
  FLOE_ASSIGN_OR_RETURN(file_size_, file_->Size());
  if (file_size_ < 12) {
    return Status::Corrupt(where + ": " + std::to_string(file_size_) +
                           " bytes is too small for a Parquet file (at least 12: magic, footer "
                           "length, magic)");
  }
  const int64_t tail_size = std::min(file_size_, kTailReadBytes);
  const int64_t tail_offset = file_size_ - tail_size;
  Buffer tail(static_cast<size_t>(tail_size));
  tail.Resize(static_cast<size_t>(tail_size));
  FLOE_RETURN_IF_ERROR(file_->ReadAt(tail_offset, tail_size, tail.data()));
  const uint8_t* end = tail.data() + tail_size;
  if (std::memcmp(end - 4, kMagic, 4) != 0) {
    if (std::memcmp(end - 4, kEncryptedMagic, 4) == 0) {
      return Status::NotSupported(where + ": encrypted Parquet footers (PARE) are not supported");
    }
    return Status::Corrupt(where + ": no \"PAR1\" magic at the end (offset " +
                           std::to_string(file_size_ - 4) + "); not a Parquet file or truncated");
  }
  uint8_t head[4];
  if (tail_offset == 0) {
    std::memcpy(head, tail.data(), 4);
  } else {
    FLOE_RETURN_IF_ERROR(file_->ReadAt(0, 4, head));
  }
  if (std::memcmp(head, kMagic, 4) != 0) {
    return Status::Corrupt(where + ": no \"PAR1\" magic at offset 0; not a Parquet file");
  }
  const uint32_t footer_len = LoadLE<uint32_t>(end - 8);
  if (footer_len > static_cast<uint64_t>(file_size_ - 12)) {
    return Status::Corrupt(where + ": footer length " + std::to_string(footer_len) + " at offset " +
                           std::to_string(file_size_ - 8) + " exceeds the " +
                           std::to_string(file_size_ - 12) +
                           " bytes between the magic numbers (truncated file?)");
  }
  if (footer_len > options_.max_footer_bytes) {
    return Status::Corrupt(where + ": footer length " + std::to_string(footer_len) +
                           " exceeds the limit of " + std::to_string(options_.max_footer_bytes));
  }
  footer_offset_ = file_size_ - 8 - footer_len;
  Buffer separate;
  ByteView footer;
  if (footer_offset_ >= tail_offset) {
    footer = ByteView(tail.data() + (footer_offset_ - tail_offset), footer_len);
  } else {
    separate.Resize(footer_len);
    FLOE_RETURN_IF_ERROR(file_->ReadAt(footer_offset_, footer_len, separate.data()));
    footer = separate.view();
  }
  auto parsed =
      format::ParseStruct<format::FileMetaData>(footer, nullptr, footer_offset_, "FileMetaData");
  if (!parsed.ok()) {
    return Status::Corrupt(where + ": footer (FileMetaData at offset " +
                           std::to_string(footer_offset_) + ", " + std::to_string(footer_len) +
                           " bytes): " + parsed.status().message());
  }
  metadata_ = std::move(parsed).value();
  return Status::OK();
}

Status ParquetReader::Validate() {
  const std::string& where = file_->location();
  auto leaves = LeafColumnsFromElements(metadata_.schema);
  if (!leaves.ok()) {
    return Status(leaves.status().kind(), where + ": schema: " + leaves.status().message());
  }
  leaves_ = std::move(leaves).value();
  created_by_ = metadata_.created_by.value_or("");
  key_values_ = metadata_.key_value_metadata.value_or(std::vector<format::KeyValue>{});
  if (metadata_.num_rows < 0) {
    return Status::Corrupt(where + ": negative row count " + std::to_string(metadata_.num_rows));
  }
  chunk_ranges_.resize(metadata_.row_groups.size());
  for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
    const format::RowGroup& rg = metadata_.row_groups[g];
    const std::string group = where + ": row group " + std::to_string(g);
    if (rg.num_rows < 0) {
      return Status::Corrupt(group + ": negative row count " + std::to_string(rg.num_rows));
    }
    if (rg.columns.size() != leaves_.size()) {
      return Status::Corrupt(group + " has " + std::to_string(rg.columns.size()) +
                             " column chunks, the schema " + std::to_string(leaves_.size()) +
                             " leaf columns");
    }
    chunk_ranges_[g].resize(leaves_.size());
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const format::ColumnChunk& chunk = rg.columns[c];
      const std::string column = group + ", column '" + JoinPath(leaves_[c].path) + "'";
      if (chunk.file_path && !chunk.file_path->empty()) {
        return Status::NotSupported(column + ": column data in another file (" + *chunk.file_path +
                                    ")");
      }
      if (!chunk.meta_data) return Status::Corrupt(column + ": no column metadata");
      const format::ColumnMetaData& meta = *chunk.meta_data;
      if (meta.type != leaves_[c].physical) {
        return Status::Corrupt(
            column + ": physical type " + std::to_string(static_cast<int>(meta.type)) +
            " differs from the schema's " + std::to_string(static_cast<int>(leaves_[c].physical)));
      }
      int64_t start = meta.data_page_offset;
      if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
          *meta.dictionary_page_offset < start) {
        start = *meta.dictionary_page_offset;
      }
      const int64_t length = meta.total_compressed_size;
      if (start < 4 || length < 0 || start > footer_offset_ || length > footer_offset_ - start) {
        return Status::Corrupt(column + ": chunk [" + std::to_string(start) + ", +" +
                               std::to_string(length) + ") lies outside the file's data area [4, " +
                               std::to_string(footer_offset_) + ")");
      }
      chunk_ranges_[g][c] = {start, length};
    }
  }
  return Status::OK();
}

std::optional<std::string> ParquetReader::FindKeyValue(std::string_view key) const {
  for (const auto& kv : key_values_) {
    if (kv.key == key) return kv.value.value_or("");
  }
  return std::nullopt;
}

int ParquetReader::FindLeafByFieldId(int32_t field_id) const {
  if (field_id < 0) return -1;
  for (size_t i = 0; i < leaves_.size(); ++i) {
    if (leaves_[i].field_id == field_id) return static_cast<int>(i);
  }
  return -1;
}

int ParquetReader::FindLeafByPath(const std::vector<std::string>& path) const {
  for (size_t i = 0; i < leaves_.size(); ++i) {
    if (leaves_[i].path == path) return static_cast<int>(i);
  }
  return -1;
}

int ParquetReader::FindLeafByPath(std::string_view dotted_path) const {
  for (size_t i = 0; i < leaves_.size(); ++i) {
    if (JoinPath(leaves_[i].path) == dotted_path) return static_cast<int>(i);
  }
  return -1;
}

std::string ParquetReader::ColumnContext(int row_group, int leaf) const {
  return file_->location() + ": column '" + JoinPath(leaves_[static_cast<size_t>(leaf)].path) +
         "' (row group " + std::to_string(row_group) + ")";
}

Status ParquetReader::CheckChunkIndex(int row_group, int leaf) const {
  if (row_group < 0 || row_group >= num_row_groups() || leaf < 0 ||
      leaf >= static_cast<int>(leaves_.size())) {
    return Status::InvalidArgument(file_->location() + ": no row group " +
                                   std::to_string(row_group) + " / leaf column " +
                                   std::to_string(leaf));
  }
  return Status::OK();
}

Result<std::unique_ptr<ColumnChunkReader>> ParquetReader::OpenColumnChunk(int row_group,
                                                                          int leaf) const {
  FLOE_RETURN_IF_ERROR(CheckChunkIndex(row_group, leaf));
  const auto [offset, length] =
      chunk_ranges_[static_cast<size_t>(row_group)][static_cast<size_t>(leaf)];
  return ColumnChunkReader::Open(
      file_, leaves_[static_cast<size_t>(leaf)], column_metadata(row_group, leaf), offset, length,
      row_group_num_rows(row_group), options_, ColumnContext(row_group, leaf));
}

Status ParquetReader::ReadRowGroup(int row_group, const std::vector<int>& leaves,
                                   RowBatch* out) const {
  out->columns.resize(leaves.size());
  for (ColumnVector& c : out->columns) c.Clear();
  out->num_rows = 0;
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument(file_->location() + ": no row group " +
                                   std::to_string(row_group));
  }
  for (int leaf : leaves) {
    if (leaf < 0 || leaf >= static_cast<int>(leaves_.size())) {
      return Status::InvalidArgument(file_->location() + ": no leaf column " +
                                     std::to_string(leaf));
    }
  }
  out->num_rows = row_group_num_rows(row_group);

  // Columns are claimed one at a time from a shared counter, largest first, so a thread that drew
  // a small column moves on while another decodes a large one; a thread that finds none left
  // decompresses pages of the chunks still being decoded (DecompressionBoard). Each column has
  // its own output vector; errors are kept per column and the first in column order is returned,
  // as one thread would.
  std::vector<Status> errors(leaves.size());
  const size_t threads =
      std::min(leaves.size() + 1, static_cast<size_t>(std::max(options_.threads, 1)));
  if (threads <= 1) {
    std::unique_ptr<ColumnChunkBuffers> buffers = TakeBuffers();
    for (size_t i = 0; i < leaves.size(); ++i) {
      errors[i] = ReadColumn(row_group, leaves[i], buffers.get(), nullptr, &out->columns[i]);
    }
    ReturnBuffers(std::move(buffers));
  } else {
    std::vector<size_t> order(leaves.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return column_metadata(row_group, leaves[a]).total_uncompressed_size >
             column_metadata(row_group, leaves[b]).total_uncompressed_size;
    });
    // Two pages per thread ahead of a reader keep a helper busy while the reader decodes.
    DecompressionBoard board(leaves.size(), 2 * threads);
    std::atomic<size_t> next{0};
    auto work = [&] {
      std::unique_ptr<ColumnChunkBuffers> buffers = TakeBuffers();
      for (size_t k = next++; k < leaves.size(); k = next++) {
        const size_t i = order[k];
        errors[i] = ReadColumn(row_group, leaves[i], buffers.get(), &board, &out->columns[i]);
        board.ColumnFinished();
      }
      board.Help(&buffers->codec);
      ReturnBuffers(std::move(buffers));
    };
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t) {
      helpers.emplace_back([&] {
        ThreadCpuToTally count(options_.cpu_tally);
        work();
      });
    }
    work();
    for (std::thread& t : helpers) t.join();
  }
  for (Status& s : errors) {
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Result<StoredPages> ParquetReader::ReadStoredPages(int row_group, int leaf) const {
  FLOE_RETURN_IF_ERROR(CheckChunkIndex(row_group, leaf));
  const auto [offset, length] =
      chunk_ranges_[static_cast<size_t>(row_group)][static_cast<size_t>(leaf)];
  const LeafColumn& column = leaves_[static_cast<size_t>(leaf)];
  const format::ColumnMetaData& md = column_metadata(row_group, leaf);
  const std::string context = ColumnContext(row_group, leaf);
  StoredPages out;
  out.codec = md.codec;
  out.bytes.Resize(static_cast<size_t>(length));
  FLOE_RETURN_IF_ERROR(file_->ReadAt(offset, length, out.bytes.data()));
  auto note = [&](format::Encoding e) {
    if (std::find(out.encodings.begin(), out.encodings.end(), e) == out.encodings.end()) {
      out.encodings.push_back(e);
    }
  };
  const ByteView chunk = out.bytes.view();
  size_t pos = 0;
  while (pos < chunk.size()) {
    const int64_t at = offset + static_cast<int64_t>(pos);
    size_t header_len = 0;
    auto parsed = format::PageHeader::Parse(chunk.subspan(pos), &header_len, at);
    if (!parsed.ok()) {
      return Status(ErrorKind::kCorrupt, context + ": page header at offset " + std::to_string(at) +
                                             ": " + parsed.status().message());
    }
    const format::PageHeader& h = *parsed;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
        static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos - header_len) {
      return Status(ErrorKind::kCorrupt, context + ": the page at offset " + std::to_string(at) +
                                             " declares " + std::to_string(h.compressed_page_size) +
                                             " stored bytes, more than the column chunk has left");
    }
    format::Encoding encoding;
    int64_t values = 0;
    if (h.type == format::PageType::kDataPage && h.data_page_header) {
      encoding = h.data_page_header->encoding;
      values = h.data_page_header->num_values;
      if (column.max_rep > 0) note(h.data_page_header->repetition_level_encoding);
      if (column.max_def > 0) note(h.data_page_header->definition_level_encoding);
    } else if (h.type == format::PageType::kDataPageV2 && h.data_page_header_v2) {
      encoding = h.data_page_header_v2->encoding;
      values = h.data_page_header_v2->num_values;
      if (column.max_rep > 0 || column.max_def > 0) note(format::Encoding::kRle);
    } else if (h.type == format::PageType::kDictionaryPage ||
               h.type == format::PageType::kDataPage || h.type == format::PageType::kDataPageV2) {
      return Status::NotSupported(context + ": the page at offset " + std::to_string(at) +
                                  " is a dictionary page or lacks its header; not copied");
    } else {
      return Status::NotSupported(context + ": the page at offset " + std::to_string(at) +
                                  " is of type " + std::to_string(static_cast<int>(h.type)) +
                                  "; not copied");
    }
    if (encoding == format::Encoding::kPlainDictionary ||
        encoding == format::Encoding::kRleDictionary) {
      return Status::NotSupported(context + ": the page at offset " + std::to_string(at) +
                                  " is dictionary-encoded; not copied");
    }
    if (values < 0) {
      return Status(ErrorKind::kCorrupt, context + ": the page at offset " + std::to_string(at) +
                                             " has " + std::to_string(values) + " values");
    }
    note(encoding);
    ++out.page_counts[{h.type, encoding}];
    out.num_values += values;
    out.uncompressed_bytes += static_cast<int64_t>(header_len) + h.uncompressed_page_size;
    pos += header_len + static_cast<size_t>(h.compressed_page_size);
  }
  if (out.num_values != md.num_values) {
    return Status(ErrorKind::kCorrupt,
                  context + ": its pages hold " + std::to_string(out.num_values) +
                      " values, the footer says " + std::to_string(md.num_values));
  }
  return out;
}

std::unique_ptr<ColumnChunkBuffers> ParquetReader::TakeBuffers() const {
  return (options_.buffer_pool != nullptr ? *options_.buffer_pool : own_buffers_).Take();
}

void ParquetReader::ReturnBuffers(std::unique_ptr<ColumnChunkBuffers> buffers) const {
  (options_.buffer_pool != nullptr ? *options_.buffer_pool : own_buffers_)
      .Return(std::move(buffers));
}

Status ParquetReader::ReadColumn(int row_group, int leaf, ColumnChunkBuffers* buffers,
                                 DecompressionBoard* board, ColumnVector* out) const {
  constexpr int64_t kBatchLevels = 1 << 16;
  const auto [offset, length] =
      chunk_ranges_[static_cast<size_t>(row_group)][static_cast<size_t>(leaf)];
  const LeafColumn& leaf_column = leaves_[static_cast<size_t>(leaf)];
  if (leaf_column.physical == PhysicalType::kByteArray ||
      leaf_column.physical == PhysicalType::kFixedLenByteArray) {
    // Growing the value bytes by doubling copied them and faulted fresh memory for each step
    // (most of the decode time of a large PLAIN column). The chunk's uncompressed size bounds
    // its PLAIN values; the footer is not trusted beyond 64 times the chunk's real length.
    constexpr int64_t kMaxRatio = 64;
    const int64_t claimed = column_metadata(row_group, leaf).total_uncompressed_size;
    const int64_t estimate = std::clamp<int64_t>(claimed, 0, length * kMaxRatio);
    // Rounded up by at most 1/16 so that the next row group's chunk, often a little larger,
    // fits too: a reserve beyond the capacity doubles it and faults in fresh memory again.
    const size_t granule = std::max<size_t>(std::bit_floor(static_cast<size_t>(estimate)) / 16, 1);
    const size_t want =
        out->bytes.size() + (static_cast<size_t>(estimate) + granule - 1) / granule * granule;
    if (want <= std::numeric_limits<uint32_t>::max() && out->bytes.capacity() < want) {
      out->bytes.reserve(want);
    }
  }
  FLOE_ASSIGN_OR_RETURN(auto column,
                        ColumnChunkReader::Open(file_, leaves_[static_cast<size_t>(leaf)],
                                                column_metadata(row_group, leaf), offset, length,
                                                row_group_num_rows(row_group), options_,
                                                ColumnContext(row_group, leaf), buffers));
  if (board != nullptr) column->ShareDecompression(board);
  while (!column->done()) {
    FLOE_RETURN_IF_ERROR(column->ReadBatch(kBatchLevels, out));
  }
  column->ReleaseBuffers(buffers);
  return Status::OK();
}

}  // namespace floe::parquet
