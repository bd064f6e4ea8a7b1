#include "floe/parquet/column_writer.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "floe/parquet/encoding/delta_binary_packed_encoder.h"
#include "floe/parquet/encoding/plain_encoder.h"
#include "floe/parquet/encoding/rle_encoder.h"
#include "floe/util/endian.h"

namespace floe::parquet {

using format::Encoding;
using format::PageType;

namespace {

// Levels per slice: small enough that a page overshoots its target by little, large enough that
// the per-slice work (a switch, a size estimate) is noise.
constexpr size_t kSliceLevels = 2048;

Result<format::CompressionCodec> CodecId(CodecKind kind) {
  switch (kind) {
    case CodecKind::kNone: return format::CompressionCodec::kUncompressed;
    case CodecKind::kSnappy: return format::CompressionCodec::kSnappy;
    case CodecKind::kGzip: return format::CompressionCodec::kGzip;
    case CodecKind::kZstd: return format::CompressionCodec::kZstd;
    case CodecKind::kLz4Raw: return format::CompressionCodec::kLz4Raw;
    default: break;
  }
  return Status::InvalidArgument("codec " + std::string(CodecKindName(kind)) +
                                 " cannot be used for Parquet pages");
}

bool IsDeltaCandidate(const LeafColumn& leaf) {
  if (leaf.physical != PhysicalType::kInt32 && leaf.physical != PhysicalType::kInt64) return false;
  switch (leaf.type) {
    case FieldType::kInt:
    case FieldType::kLong:
    case FieldType::kDate:
    case FieldType::kTime:
    case FieldType::kTimestamp:
    case FieldType::kTimestampTz: return true;
    default: return false;
  }
}

std::string ColumnName(const LeafColumn& leaf) {
  std::string name;
  for (const auto& p : leaf.path) {
    if (!name.empty()) name += '.';
    name += p;
  }
  return name;
}

}  // namespace

void PageState::Clear() {
  def_levels.clear();
  rep_levels.clear();
  num_levels = num_values = num_rows = 0;
  indices.clear();
  values.Clear();
  bools.clear();
}

void ChunkState::Reset() {
  pages.clear();
  pages.shrink_to_fit();
  page_stored.clear();
  dictionary_page = Buffer();
  pending.clear();
  pages_bytes = 0;
  uncompressed_bytes = 0;
  num_values = 0;
  dictionary_data_pages = 0;
  encodings.clear();
  page_counts.clear();
  stats.Reset();
}

Result<std::unique_ptr<ColumnWriter>> ColumnWriter::Make(const LeafColumn& leaf,
                                                         const WriterOptions& options,
                                                         ColumnEncoding encoding, Codec* codec) {
  bool is_int = leaf.physical == PhysicalType::kInt32 || leaf.physical == PhysicalType::kInt64;
  if (encoding == ColumnEncoding::kDeltaBinaryPacked && !is_int) {
    return Status::InvalidArgument("column '" + ColumnName(leaf) +
                                   "': DELTA_BINARY_PACKED needs an INT32 or INT64 column");
  }
  if (encoding == ColumnEncoding::kDictionary && leaf.physical == PhysicalType::kBoolean) {
    return Status::InvalidArgument("column '" + ColumnName(leaf) +
                                   "': booleans are not dictionary-encoded");
  }
  if (leaf.physical == PhysicalType::kInt96) {
    return Status::NotSupported("column '" + ColumnName(leaf) + "': INT96 is not written");
  }
  FLOE_ASSIGN_OR_RETURN(auto codec_id, CodecId(options.codec));
  std::unique_ptr<ColumnWriter> w(new ColumnWriter(leaf, options, encoding, codec));
  w->codec_id_ = codec_id;
  return w;
}

ColumnWriter::ColumnWriter(const LeafColumn& leaf, const WriterOptions& options,
                           ColumnEncoding encoding, Codec* codec)
    : leaf_(leaf),
      options_(options),
      encoding_(encoding),
      default_codec_(codec),
      codec_(codec),
      codec_id_(format::CompressionCodec::kUncompressed),
      def_width_(BitWidthFor(static_cast<uint64_t>(leaf.max_def))),
      rep_width_(BitWidthFor(static_cast<uint64_t>(leaf.max_rep))),
      delta_candidate_(IsDeltaCandidate(leaf)),
      defer_compression_(options.threads > 1),
      file_stats_(StatsOrderFor(leaf)) {
  chunk_.stats = ColumnStats(StatsOrderFor(leaf));
  switch (encoding) {
    case ColumnEncoding::kAuto:
      initial_mode_ =
          leaf.physical == PhysicalType::kBoolean ? Mode::kAutoFallback : Mode::kDictionary;
      break;
    case ColumnEncoding::kPlain: initial_mode_ = Mode::kPlain; break;
    case ColumnEncoding::kDictionary: initial_mode_ = Mode::kDictionary; break;
    case ColumnEncoding::kDeltaBinaryPacked: initial_mode_ = Mode::kDelta; break;
  }
  history_ = &own_history_;
  if (options.dictionary_history != nullptr) {
    history_ = &options.dictionary_history->columns[leaf.path];
  }
  StartChunk();
}

void ColumnWriter::StartChunk() {
  mode_ = initial_mode_;
  skip_uncounted_ = false;
  if (mode_ == Mode::kDictionary && encoding_ == ColumnEncoding::kAuto &&
      history_->skips_left > 0) {
    mode_ = Mode::kAutoFallback;
    skip_uncounted_ = true;
  }
  if (mode_ == Mode::kDictionary) {
    ResetDictionary();
  } else {
    dict_i32_.reset();
    dict_i64_.reset();
    dict_f32_.reset();
    dict_f64_.reset();
    dict_bytes_.reset();
  }
}

void ColumnWriter::ResetDictionary() {
  auto reset = [](auto& p) {
    using T = typename std::decay_t<decltype(p)>::element_type;
    if (p) {
      p->Clear();
    } else {
      p = std::make_unique<T>();
    }
  };
  switch (leaf_.physical) {
    case PhysicalType::kInt32: reset(dict_i32_); break;
    case PhysicalType::kInt64: reset(dict_i64_); break;
    case PhysicalType::kFloat: reset(dict_f32_); break;
    case PhysicalType::kDouble: reset(dict_f64_); break;
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      if (dict_bytes_) {
        dict_bytes_->Clear();
      } else {
        dict_bytes_ = std::make_unique<ByteArrayDictionaryEncoder>(
            leaf_.physical == PhysicalType::kFixedLenByteArray ? leaf_.type_length : 0);
      }
      break;
    default: break;
  }
}

size_t ColumnWriter::DictionarySize() const {
  if (dict_i32_) return dict_i32_->size();
  if (dict_i64_) return dict_i64_->size();
  if (dict_f32_) return dict_f32_->size();
  if (dict_f64_) return dict_f64_->size();
  if (dict_bytes_) return dict_bytes_->size();
  return 0;
}

size_t ColumnWriter::DictionaryPlainBytes() const {
  if (dict_i32_) return dict_i32_->plain_bytes();
  if (dict_i64_) return dict_i64_->plain_bytes();
  if (dict_f32_) return dict_f32_->plain_bytes();
  if (dict_f64_) return dict_f64_->plain_bytes();
  if (dict_bytes_) return dict_bytes_->plain_bytes();
  return 0;
}

void ColumnWriter::WriteDictionaryPage(Buffer* out) const {
  if (dict_i32_) dict_i32_->WriteDictionaryPage(out);
  if (dict_i64_) dict_i64_->WriteDictionaryPage(out);
  if (dict_f32_) dict_f32_->WriteDictionaryPage(out);
  if (dict_f64_) dict_f64_->WriteDictionaryPage(out);
  if (dict_bytes_) dict_bytes_->WriteDictionaryPage(out);
}

void ColumnWriter::UpdateStats(const ColumnVector& c, size_t first, size_t n) {
  if (n == 0) return;
  ColumnStats& s = chunk_.stats;
  switch (leaf_.physical) {
    case PhysicalType::kBoolean: s.UpdateBools(c.bools.data() + first, n); break;
    case PhysicalType::kInt32: s.Update(c.i32.data() + first, n); break;
    case PhysicalType::kInt64: s.Update(c.i64.data() + first, n); break;
    case PhysicalType::kFloat: s.Update(c.f32.data() + first, n); break;
    case PhysicalType::kDouble: s.Update(c.f64.data() + first, n); break;
    default: s.UpdateBytes(ByteArrayValues(c), first, n); break;
  }
}

void ColumnWriter::AppendValues(const ColumnVector& c, size_t first, size_t n) {
  if (n == 0) return;
  bool dict = mode_ == Mode::kDictionary;
  auto& idx = page_.indices;
  switch (leaf_.physical) {
    case PhysicalType::kBoolean:
      page_.bools.insert(page_.bools.end(), c.bools.begin() + static_cast<ptrdiff_t>(first),
                         c.bools.begin() + static_cast<ptrdiff_t>(first + n));
      break;
    case PhysicalType::kInt32:
      if (dict) {
        dict_i32_->Encode(c.i32.data() + first, n, &idx);
      } else {
        PlainEncoder::PutFixed(c.i32.data() + first, n, &page_.values);
      }
      break;
    case PhysicalType::kInt64:
      if (dict) {
        dict_i64_->Encode(c.i64.data() + first, n, &idx);
      } else {
        PlainEncoder::PutFixed(c.i64.data() + first, n, &page_.values);
      }
      break;
    case PhysicalType::kFloat:
      if (dict) {
        dict_f32_->Encode(c.f32.data() + first, n, &idx);
      } else {
        PlainEncoder::PutFixed(c.f32.data() + first, n, &page_.values);
      }
      break;
    case PhysicalType::kDouble:
      if (dict) {
        dict_f64_->Encode(c.f64.data() + first, n, &idx);
      } else {
        PlainEncoder::PutFixed(c.f64.data() + first, n, &page_.values);
      }
      break;
    case PhysicalType::kByteArray:
      if (dict) {
        dict_bytes_->Encode(ByteArrayValues(c), first, n, &idx);
      } else {
        PlainEncoder::PutByteArrays(ByteArrayValues(c), first, n, &page_.values);
      }
      break;
    case PhysicalType::kFixedLenByteArray:
      if (dict) {
        dict_bytes_->Encode(ByteArrayValues(c), first, n, &idx);
      } else {
        PlainEncoder::PutFixedLenByteArrays(ByteArrayValues(c), first, n, &page_.values);
      }
      break;
    case PhysicalType::kInt96: break;
  }
}

void ColumnWriter::CountSkip() {
  if (!skip_uncounted_) return;
  --history_->skips_left;
  skip_uncounted_ = false;
}

Status ColumnWriter::Write(const ColumnVector& c, Codec* codec) {
  codec_ = codec != nullptr ? codec : default_codec_;
  CountSkip();
  const size_t n = static_cast<size_t>(c.num_levels);
  const int16_t* def = leaf_.max_def > 0 ? c.def_levels.data() : nullptr;
  const int16_t* rep = leaf_.max_rep > 0 ? c.rep_levels.data() : nullptr;
  const int16_t max_def = leaf_.max_def;
  size_t level = 0, value = 0;
  while (level < n) {
    size_t hi = std::min(n, level + kSliceLevels);
    if (rep != nullptr) {
      while (hi < n && rep[hi] != 0) ++hi;  // pages end at row boundaries
    }
    size_t count = hi - level;
    size_t values = count;
    if (def != nullptr) {
      values = 0;
      for (size_t i = level; i < hi; ++i) values += def[i] == max_def;
      page_.def_levels.insert(page_.def_levels.end(), def + level, def + hi);
    }
    size_t rows = count;
    if (rep != nullptr) {
      rows = 0;
      for (size_t i = level; i < hi; ++i) rows += rep[i] == 0;
      page_.rep_levels.insert(page_.rep_levels.end(), rep + level, rep + hi);
    }
    chunk_.stats.AddNulls(static_cast<int64_t>(count - values));
    if (mode_ == Mode::kDictionary && dict_bytes_ != nullptr) {
      // Min and max of byte arrays are those of the distinct values: only new entries count.
      size_t known = dict_bytes_->size();
      AppendValues(c, value, values);
      chunk_.stats.UpdateBytes(
          ByteArrayValues(dict_bytes_->starts().data(), dict_bytes_->bytes().data()), known,
          dict_bytes_->size() - known);
    } else {
      UpdateStats(c, value, values);
      AppendValues(c, value, values);
    }
    page_.num_levels += static_cast<int64_t>(count);
    page_.num_values += static_cast<int64_t>(values);
    page_.num_rows += static_cast<int64_t>(rows);
    value += values;
    level = hi;

    bool dictionary_full =
        mode_ == Mode::kDictionary &&
        static_cast<int64_t>(DictionaryPlainBytes()) > options_.dictionary_page_size_limit_bytes;
    if (dictionary_full || PageBytesEstimate() >= options_.page_size_bytes) {
      FLOE_RETURN_IF_ERROR(FlushPage());
      if (dictionary_full && mode_ == Mode::kDictionary) {
        mode_ = encoding_ == ColumnEncoding::kDictionary ? Mode::kPlain : Mode::kAutoFallback;
      }
    }
  }
  return Status::OK();
}

Status ColumnWriter::CopyPages(const ColumnVector& c, StoredPages pages, Codec* codec) {
  codec_ = codec != nullptr ? codec : default_codec_;
  CountSkip();
  if (pages.codec != codec_id_) {
    return Status::InvalidArgument(
        "column '" + ColumnName(leaf_) + "': stored pages compressed with codec " +
        std::to_string(static_cast<int>(pages.codec)) + ", the file's is " +
        std::to_string(static_cast<int>(codec_id_)));
  }
  if (pages.num_values != c.num_levels) {
    return Status::InvalidArgument("column '" + ColumnName(leaf_) + "': stored pages hold " +
                                   std::to_string(pages.num_values) + " values, the batch " +
                                   std::to_string(c.num_levels));
  }
  // Values written before go first, in pages of their own.
  FLOE_RETURN_IF_ERROR(FlushPage());
  for (size_t i = 0; i < chunk_.pending.size(); ++i) {
    FLOE_RETURN_IF_ERROR(CompressPendingPage(i, codec_, &compressed_));
  }
  FLOE_RETURN_IF_ERROR(CommitPendingPages());
  if (mode_ == Mode::kDictionary) {
    mode_ = encoding_ == ColumnEncoding::kDictionary ? Mode::kPlain : Mode::kAutoFallback;
  }
  chunk_.stats.AddNulls(c.num_levels - c.num_values);
  UpdateStats(c, 0, static_cast<size_t>(c.num_values));
  for (format::Encoding e : pages.encodings) NoteEncoding(e);
  for (const auto& [kind, count] : pages.page_counts) chunk_.page_counts[kind] += count;
  chunk_.num_values += pages.num_values;
  chunk_.uncompressed_bytes += pages.uncompressed_bytes;
  chunk_.pages_bytes += static_cast<int64_t>(pages.bytes.size());
  chunk_.pages.push_back(std::move(pages.bytes));
  chunk_.page_stored.push_back(true);
  return Status::OK();
}

int64_t ColumnWriter::PageBytesEstimate() const {
  int64_t bits = static_cast<int64_t>(page_.def_levels.size()) * def_width_ +
                 static_cast<int64_t>(page_.rep_levels.size()) * rep_width_;
  if (mode_ == Mode::kDictionary) {
    bits += static_cast<int64_t>(page_.indices.size()) * BitWidthFor(DictionarySize());
  } else {
    bits +=
        static_cast<int64_t>(page_.values.size()) * 8 + static_cast<int64_t>(page_.bools.size());
  }
  return bits / 8;
}

int64_t ColumnWriter::buffered_uncompressed_bytes() const {
  return chunk_.uncompressed_bytes + PageBytesEstimate() +
         (mode_ == Mode::kDictionary ? static_cast<int64_t>(DictionaryPlainBytes()) : 0);
}

int64_t ColumnWriter::buffered_file_bytes() const {
  return chunk_.pages_bytes + PageBytesEstimate() + static_cast<int64_t>(DictionaryPlainBytes());
}

bool ColumnWriter::DictionaryPays() const {
  size_t n = page_.indices.size();
  size_t plain = 0;
  switch (leaf_.physical) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: plain = 4 * n; break;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: plain = 8 * n; break;
    case PhysicalType::kFixedLenByteArray:
      plain = n * static_cast<size_t>(leaf_.type_length);
      break;
    case PhysicalType::kByteArray:
      for (uint32_t i : page_.indices) plain += 4 + dict_bytes_->value(i).size();
      break;
    default: return true;
  }
  size_t encoded = n * static_cast<size_t>(BitWidthFor(DictionarySize())) / 8 + 1;
  return encoded + DictionaryPlainBytes() < plain;
}

void ColumnWriter::MaterializeDictionaryPage() {
  Buffer& out = page_.values;
  out.Clear();
  const auto& idx = page_.indices;
  auto gather = [&](const auto& values) {
    using T = typename std::decay_t<decltype(values)>::value_type;
    auto* p = reinterpret_cast<T*>(out.EnsureTail(idx.size() * sizeof(T)));
    for (size_t i = 0; i < idx.size(); ++i) std::memcpy(p + i, &values[idx[i]], sizeof(T));
    out.Resize(idx.size() * sizeof(T));
  };
  switch (leaf_.physical) {
    case PhysicalType::kInt32: gather(dict_i32_->values()); break;
    case PhysicalType::kInt64: gather(dict_i64_->values()); break;
    case PhysicalType::kFloat: gather(dict_f32_->values()); break;
    case PhysicalType::kDouble: gather(dict_f64_->values()); break;
    case PhysicalType::kByteArray:
      for (uint32_t i : idx) {
        std::string_view v = dict_bytes_->value(i);
        uint8_t len[4];
        StoreLE<uint32_t>(len, static_cast<uint32_t>(v.size()));
        out.Append(len, 4);
        out.Append(v);
      }
      break;
    case PhysicalType::kFixedLenByteArray:
      for (uint32_t i : idx) out.Append(dict_bytes_->value(i));
      break;
    default: break;
  }
  page_.indices.clear();
}

Status ColumnWriter::EncodeValues(Encoding* encoding, ByteView* values) {
  encoded_.Clear();
  *values = encoded_.view();
  // A page of nulls only needs no dictionary (and an empty dictionary page confuses readers).
  if (mode_ == Mode::kDictionary && !page_.indices.empty()) {
    EncodeDictionaryIndices(page_.indices.data(), page_.indices.size(), DictionarySize(),
                            &encoded_);
    *encoding = Encoding::kRleDictionary;
    *values = encoded_.view();
    return Status::OK();
  }
  if (mode_ == Mode::kDictionary) {
    *encoding = Encoding::kPlain;
    return Status::OK();
  }
  if (leaf_.physical == PhysicalType::kBoolean) {
    PlainEncoder::PutBooleans(page_.bools.data(), page_.bools.size(), &encoded_);
    *encoding = Encoding::kPlain;
    *values = encoded_.view();
    return Status::OK();
  }
  if (mode_ == Mode::kDelta || (mode_ == Mode::kAutoFallback && delta_candidate_)) {
    // page_.values holds the raw little-endian array (malloc-aligned, written in whole values).
    if (leaf_.physical == PhysicalType::kInt32) {
      DeltaBinaryPackedEncoder::Encode(reinterpret_cast<const int32_t*>(page_.values.data()),
                                       page_.values.size() / 4, &encoded_);
    } else {
      DeltaBinaryPackedEncoder::Encode(reinterpret_cast<const int64_t*>(page_.values.data()),
                                       page_.values.size() / 8, &encoded_);
    }
    if (mode_ == Mode::kDelta || encoded_.size() < page_.values.size()) {
      *encoding = Encoding::kDeltaBinaryPacked;
      *values = encoded_.view();
      return Status::OK();
    }
  }
  *encoding = Encoding::kPlain;
  *values = page_.values.view();
  return Status::OK();
}

void ColumnWriter::NoteEncoding(Encoding e) {
  if (std::find(chunk_.encodings.begin(), chunk_.encodings.end(), e) == chunk_.encodings.end()) {
    chunk_.encodings.push_back(e);
  }
}

Status ColumnWriter::FramePage(format::PageHeader header, ByteView levels, ByteView body,
                               Codec* codec, Buffer* compressed, Buffer* framed,
                               int64_t* uncompressed_bytes) const {
  ByteView stored_body = body;
  if (options_.codec != CodecKind::kNone) {
    compressed->Clear();
    FLOE_RETURN_IF_ERROR(codec->Compress(body, compressed));
    stored_body = compressed->view();
  }
  size_t uncompressed = levels.size() + body.size();
  size_t stored = levels.size() + stored_body.size();
  if (uncompressed > INT32_MAX || stored > INT32_MAX) {
    return Status::ResourceExhausted("column '" + ColumnName(leaf_) + "': a page of " +
                                     std::to_string(uncompressed) + " bytes exceeds 2 GiB");
  }
  header.uncompressed_page_size = static_cast<int32_t>(uncompressed);
  header.compressed_page_size = static_cast<int32_t>(stored);
  std::string header_bytes;
  format::SerializeTo(header, &header_bytes);
  framed->Clear();
  framed->Reserve(header_bytes.size() + stored);
  framed->Append(header_bytes);
  framed->Append(levels);
  framed->Append(stored_body);
  *uncompressed_bytes = static_cast<int64_t>(header_bytes.size() + uncompressed);
  return Status::OK();
}

void ColumnWriter::AddFramedPage(PageType type, Encoding encoding, Buffer framed,
                                 int64_t uncompressed_bytes) {
  chunk_.uncompressed_bytes += uncompressed_bytes;
  ++chunk_.page_counts[{type, encoding}];
  if (type == PageType::kDictionaryPage) {
    chunk_.dictionary_page = std::move(framed);
    return;
  }
  chunk_.pages_bytes += static_cast<int64_t>(framed.size());
  chunk_.pages.push_back(std::move(framed));
  chunk_.page_stored.push_back(false);
}

Status ColumnWriter::AppendPage(PageType type, const format::PageHeader& header_template,
                                ByteView levels, ByteView values, Encoding encoding) {
  format::PageHeader header = header_template;
  header.type = type;
  bool v2 = type == PageType::kDataPageV2;
  // Noted now, not when the page is committed, so that the order is the same with deferral.
  if (type != PageType::kDictionaryPage) NoteEncoding(encoding);
  if (defer_compression_) {
    PendingPage p;
    p.header = std::move(header);
    p.encoding = encoding;
    // The buffers are handed out here, on the column's thread; the compressing thread only
    // fills them, and CommitPendingPages gives them back.
    p.body = TakeSpare(&spare_raw_);
    p.framed = TakeSpare(&spare_framed_);
    if (v2) {
      p.levels = TakeSpare(&spare_raw_);
      p.levels.Append(levels);
    } else {
      p.body.Reserve(levels.size() + values.size());
      p.body.Append(levels);
    }
    p.body.Append(values);
    chunk_.pending.push_back(std::move(p));
    return Status::OK();
  }
  ByteView body = values;
  if (!v2 && !levels.empty()) {
    // v1 and dictionary pages compress levels and values together.
    body_.Clear();
    body_.Append(levels);
    body_.Append(values);
    body = body_.view();
  }
  Buffer framed = TakeSpare(&spare_framed_);
  int64_t uncompressed = 0;
  FLOE_RETURN_IF_ERROR(FramePage(std::move(header), v2 ? levels : ByteView(), body, codec_,
                                 &compressed_, &framed, &uncompressed));
  AddFramedPage(type, encoding, std::move(framed), uncompressed);
  return Status::OK();
}

Status ColumnWriter::CompressPendingPage(size_t index, Codec* codec, Buffer* scratch) {
  PendingPage& p = chunk_.pending[index];
  p.status = FramePage(p.header, p.levels.view(), p.body.view(), codec, scratch, &p.framed,
                       &p.uncompressed_bytes);
  return p.status;
}

Status ColumnWriter::CommitPendingPages() {
  Status status;
  for (PendingPage& p : chunk_.pending) {
    if (status.ok()) status = p.status;
    ReturnSpare(&spare_raw_, std::move(p.levels));
    ReturnSpare(&spare_raw_, std::move(p.body));
    if (status.ok()) {
      AddFramedPage(p.header.type, p.encoding, std::move(p.framed), p.uncompressed_bytes);
    }
  }
  chunk_.pending.clear();
  return status;
}

Buffer ColumnWriter::TakeSpare(std::vector<Buffer>* spare) {
  if (spare->empty()) return Buffer();
  Buffer b = std::move(spare->back());
  spare->pop_back();
  return b;
}

void ColumnWriter::ReturnSpare(std::vector<Buffer>* spare, Buffer b) {
  // As many as a row group of a wide column has pages; beyond that the memory goes back.
  constexpr size_t kMaxSpare = 256;
  if (b.capacity() == 0 || spare->size() >= kMaxSpare) return;
  b.Clear();
  spare->push_back(std::move(b));
}

Status ColumnWriter::FlushPage() {
  if (page_.num_levels == 0) return Status::OK();
  if (mode_ == Mode::kDictionary && chunk_.dictionary_data_pages == 0 &&
      encoding_ == ColumnEncoding::kAuto && !DictionaryPays()) {
    MaterializeDictionaryPage();
    ResetDictionary();
    mode_ = Mode::kAutoFallback;
    // Hashing every value of a unique column (ids, payloads) into a dictionary that is then
    // thrown away was a tenth of a compaction's CPU: later row groups (and, with a
    // DictionaryHistory, later files) skip the attempt, retried ever more rarely while it keeps
    // failing, in case the values change.
    history_->misses = std::min(history_->misses + 1, 4);
    history_->skips_left = 1 << (history_->misses - 1);
  } else if (mode_ == Mode::kDictionary && chunk_.dictionary_data_pages == 0) {
    history_->misses = 0;
  }
  bool v2 = options_.data_page_version == DataPageVersion::kV2;
  levels_.Clear();
  size_t rep_bytes = 0;
  if (leaf_.max_rep > 0) {
    if (v2) {
      RleBitPackedEncoder::Encode(page_.rep_levels.data(), page_.rep_levels.size(), rep_width_,
                                  &levels_);
    } else {
      RleBitPackedEncoder::EncodeWithLengthPrefix(page_.rep_levels.data(), page_.rep_levels.size(),
                                                  rep_width_, &levels_);
    }
    rep_bytes = levels_.size();
  }
  if (leaf_.max_def > 0) {
    if (v2) {
      RleBitPackedEncoder::Encode(page_.def_levels.data(), page_.def_levels.size(), def_width_,
                                  &levels_);
    } else {
      RleBitPackedEncoder::EncodeWithLengthPrefix(page_.def_levels.data(), page_.def_levels.size(),
                                                  def_width_, &levels_);
    }
  }
  size_t def_bytes = levels_.size() - rep_bytes;
  Encoding encoding;
  ByteView values;
  FLOE_RETURN_IF_ERROR(EncodeValues(&encoding, &values));
  if (page_.num_levels > INT32_MAX) {
    return Status::ResourceExhausted("column '" + ColumnName(leaf_) + "': page of " +
                                     std::to_string(page_.num_levels) + " levels");
  }

  format::PageHeader header;
  PageType type;
  if (v2) {
    type = PageType::kDataPageV2;
    format::DataPageHeaderV2 h;
    h.num_values = static_cast<int32_t>(page_.num_levels);
    h.num_nulls = static_cast<int32_t>(page_.num_levels - page_.num_values);
    h.num_rows = static_cast<int32_t>(page_.num_rows);
    h.encoding = encoding;
    h.definition_levels_byte_length = static_cast<int32_t>(def_bytes);
    h.repetition_levels_byte_length = static_cast<int32_t>(rep_bytes);
    if (options_.codec == CodecKind::kNone) h.is_compressed = false;
    header.data_page_header_v2 = h;
  } else {
    type = PageType::kDataPage;
    format::DataPageHeader h;
    h.num_values = static_cast<int32_t>(page_.num_levels);
    h.encoding = encoding;
    header.data_page_header = h;
  }
  FLOE_RETURN_IF_ERROR(AppendPage(type, header, levels_.view(), values, encoding));
  if (leaf_.max_def > 0 || leaf_.max_rep > 0) NoteEncoding(Encoding::kRle);
  if (encoding == Encoding::kRleDictionary) ++chunk_.dictionary_data_pages;
  chunk_.num_values += page_.num_levels;
  page_.Clear();
  return Status::OK();
}

Status ColumnWriter::SealChunk(Codec* codec) {
  codec_ = codec != nullptr ? codec : default_codec_;
  FLOE_RETURN_IF_ERROR(FlushPage());
  if (chunk_.dictionary_data_pages == 0) return Status::OK();
  // The dictionary page must come first; it is built now, after the data pages that use it.
  encoded_.Clear();
  WriteDictionaryPage(&encoded_);
  format::PageHeader header;
  format::DictionaryPageHeader dh;
  dh.num_values = static_cast<int32_t>(DictionarySize());
  dh.encoding = Encoding::kPlain;
  header.dictionary_page_header = dh;
  return AppendPage(PageType::kDictionaryPage, header, ByteView(), encoded_.view(),
                    Encoding::kPlain);
}

Status ColumnWriter::FinishChunk(int64_t file_offset, OutputStream* sink, format::ColumnChunk* out,
                                 int64_t* bytes_written) {
  FLOE_RETURN_IF_ERROR(SealChunk());
  for (size_t i = 0; i < num_pending_pages(); ++i) {
    FLOE_RETURN_IF_ERROR(CompressPendingPage(i, codec_, &compressed_));
  }
  FLOE_RETURN_IF_ERROR(CommitPendingPages());
  return WriteChunk(file_offset, sink, out, bytes_written);
}

Status ColumnWriter::WriteChunk(int64_t file_offset, OutputStream* sink, format::ColumnChunk* out,
                                int64_t* bytes_written) {
  format::ColumnMetaData md;
  md.type = leaf_.physical;
  md.path_in_schema = leaf_.path;
  md.codec = codec_id_;
  md.num_values = chunk_.num_values;
  int64_t pos = file_offset;
  // Headers and uncompressed bodies of all pages, the dictionary page included.
  int64_t uncompressed = chunk_.uncompressed_bytes;
  std::vector<Encoding> encodings;
  std::vector<format::PageEncodingStats> page_stats;

  if (chunk_.dictionary_data_pages > 0) {
    const Buffer& dictionary_page = chunk_.dictionary_page;
    md.dictionary_page_offset = pos;
    FLOE_RETURN_IF_ERROR(sink->Append(dictionary_page.view()));
    pos += static_cast<int64_t>(dictionary_page.size());
    encodings.push_back(Encoding::kPlain);
    page_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
  }
  md.data_page_offset = pos;
  for (const Buffer& page : chunk_.pages) {
    FLOE_RETURN_IF_ERROR(sink->Append(page.view()));
    pos += static_cast<int64_t>(page.size());
  }
  // Copied pages are not recycled: they are no framed page's size, and there may be many.
  for (size_t i = 0; i < chunk_.pages.size(); ++i) {
    if (!chunk_.page_stored[i]) ReturnSpare(&spare_framed_, std::move(chunk_.pages[i]));
  }
  ReturnSpare(&spare_framed_, std::move(chunk_.dictionary_page));

  for (Encoding e : chunk_.encodings) {
    if (std::find(encodings.begin(), encodings.end(), e) == encodings.end()) {
      encodings.push_back(e);
    }
  }
  for (const auto& [key, count] : chunk_.page_counts) {
    if (key.first == PageType::kDictionaryPage) continue;
    page_stats.push_back({key.first, key.second, count});
  }
  md.encodings = std::move(encodings);
  md.encoding_stats = std::move(page_stats);
  md.total_uncompressed_size = uncompressed;
  md.total_compressed_size = pos - file_offset;

  const ColumnStats& s = chunk_.stats;
  format::Statistics st;
  st.null_count = s.null_count();
  if (leaf_.physical == PhysicalType::kFloat || leaf_.physical == PhysicalType::kDouble) {
    st.nan_count = s.nan_count();
  }
  if (s.has_min_max()) {
    std::string lo = s.min_bytes(), hi = s.max_bytes();
    if (leaf_.physical == PhysicalType::kByteArray) {
      auto limit = static_cast<size_t>(options_.statistics_truncate_length);
      bool utf8 = leaf_.type == FieldType::kString;
      std::string tlo = TruncateLowerBound(lo, SIZE_MAX, limit, utf8);
      std::optional<std::string> thi = TruncateUpperBound(hi, SIZE_MAX, limit, utf8);
      st.is_min_value_exact = tlo.size() == lo.size();
      st.min_value = std::move(tlo);
      if (thi.has_value()) {
        st.is_max_value_exact = *thi == hi;
        st.max_value = std::move(*thi);
      }
    } else {
      st.min_value = std::move(lo);
      st.max_value = std::move(hi);
      st.is_min_value_exact = true;
      st.is_max_value_exact = true;
    }
  }
  md.statistics = std::move(st);

  out->file_path.reset();
  out->file_offset = md.dictionary_page_offset.value_or(md.data_page_offset);
  out->meta_data = std::move(md);
  *bytes_written = pos - file_offset;

  file_stats_.Merge(chunk_.stats);
  file_compressed_bytes_ += pos - file_offset;
  file_num_values_ += chunk_.num_values;
  chunk_.Reset();
  StartChunk();
  return Status::OK();
}

}  // namespace floe::parquet
