#include "floe/parquet/column_reader.h"

#include <algorithm>
#include <string>

namespace floe::parquet {

namespace {

int BitWidth(int16_t max_level) {
  int w = 0;
  while (w < 16 && (max_level >> w) != 0) ++w;
  return w;
}

// Checks levels against their maximum and counts those equal to it.
int64_t CountAtMax(const int16_t* levels, int64_t n, int16_t max_level, bool* above) {
  int64_t count = 0;
  int16_t highest = 0;
  for (int64_t i = 0; i < n; ++i) {
    count += levels[i] == max_level;
    highest = std::max(highest, levels[i]);
  }
  *above = highest > max_level;
  return count;
}

}  // namespace

Result<CodecKind> CodecKindOf(format::CompressionCodec codec) {
  switch (codec) {
    case format::CompressionCodec::kUncompressed: return CodecKind::kNone;
    case format::CompressionCodec::kSnappy: return CodecKind::kSnappy;
    case format::CompressionCodec::kGzip: return CodecKind::kGzip;
    case format::CompressionCodec::kZstd: return CodecKind::kZstd;
    case format::CompressionCodec::kLz4: return CodecKind::kLz4Hadoop;
    case format::CompressionCodec::kLz4Raw: return CodecKind::kLz4Raw;
    case format::CompressionCodec::kLzo: return Status::NotSupported("codec LZO is not supported");
    case format::CompressionCodec::kBrotli:
      return Status::NotSupported("codec BROTLI is not supported");
  }
  return Status::Corrupt("unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

std::unique_ptr<ColumnChunkBuffers> ColumnChunkBufferPool::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.empty()) return std::make_unique<ColumnChunkBuffers>();
  std::unique_ptr<ColumnChunkBuffers> b = std::move(free_.back());
  free_.pop_back();
  return b;
}

void ColumnChunkBufferPool::Return(std::unique_ptr<ColumnChunkBuffers> buffers) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(buffers));
}

ColumnChunkReader::ColumnChunkReader(const LeafColumn& leaf, const format::ColumnMetaData& meta,
                                     const ReaderOptions& options)
    : leaf_(leaf), meta_(meta), options_(options) {}

Result<std::unique_ptr<ColumnChunkReader>> ColumnChunkReader::Open(
    RandomAccessFile* file, const LeafColumn& leaf, const format::ColumnMetaData& meta,
    int64_t chunk_offset, int64_t chunk_length, int64_t row_group_rows,
    const ReaderOptions& options, std::string context, ColumnChunkBuffers* reuse) {
  std::unique_ptr<ColumnChunkReader> r(new ColumnChunkReader(leaf, meta, options));
  Buffer page_buffer;
  if (reuse != nullptr) {
    r->chunk_ = std::move(reuse->chunk);
    page_buffer = std::move(reuse->page);
  }
  if (meta.num_values < 0 || (leaf.max_rep == 0 && meta.num_values != row_group_rows)) {
    return Status::Corrupt(context + ": column metadata announces " +
                           std::to_string(meta.num_values) + " values, expected " +
                           (leaf.max_rep == 0 ? "the row group's " + std::to_string(row_group_rows)
                                              : std::string("a non-negative count")));
  }
  auto kind = CodecKindOf(meta.codec);
  if (!kind.ok()) return kind.status().WithContext(context);
  if (*kind != CodecKind::kNone) {
    if (reuse != nullptr && reuse->codec != nullptr && reuse->codec->kind() == *kind) {
      r->codec_ = std::move(reuse->codec);
    } else {
      auto codec = MakeCodec(*kind);
      if (!codec.ok()) return codec.status().WithContext(context);
      r->codec_ = std::move(codec).value();
    }
  }
  r->chunk_.Resize(static_cast<size_t>(chunk_length));
  if (chunk_length > 0) {
    FLOE_RETURN_IF_ERROR(file->ReadAt(chunk_offset, chunk_length, r->chunk_.data())
                             .WithContext(context + ": reading the column chunk"));
  }
  r->def_bit_width_ = BitWidth(leaf.max_def);
  r->rep_bit_width_ = BitWidth(leaf.max_rep);
  r->pages_ = std::make_unique<PageReader>(r->chunk_.view(), chunk_offset, r->codec_.get(), options,
                                           std::move(context), std::move(page_buffer));
  return r;
}

ColumnChunkReader::~ColumnChunkReader() {
  if (shared_ != nullptr) board_->Withdraw(shared_);
}

void ColumnChunkReader::ShareDecompression(DecompressionBoard* board) {
  if (codec_ == nullptr || shared_ != nullptr) return;
  std::vector<PageTask> tasks = pages_->DecompressionTasks();
  if (tasks.size() < 2) return;
  board_ = board;
  shared_ = board->Offer(std::move(tasks), codec_->kind());
  pages_->ShareDecompression(board_, shared_);
}

void ColumnChunkReader::ReleaseBuffers(ColumnChunkBuffers* into) {
  if (shared_ != nullptr) {
    board_->Withdraw(shared_);
    shared_ = nullptr;
    pages_->ShareDecompression(nullptr, nullptr);
  }
  into->chunk = std::move(chunk_);
  into->page = pages_->ReleaseBuffer();
  if (codec_ != nullptr) into->codec = std::move(codec_);
  done_ = true;
}

Status ColumnChunkReader::PageError(const Status& s, const char* what) const {
  return Status(s.kind(), context() + ": page at offset " + std::to_string(page_offset_) + ": " +
                              what + ": " + s.message());
}

Status ColumnChunkReader::ReadDictionary(const Page& page) {
  page_offset_ = page.offset;
  const format::DictionaryPageHeader& dh = *page.header.dictionary_page_header;
  if (seen_data_page_ || has_dictionary_) {
    return PageError(Status::Corrupt("a dictionary page must come first and only once"),
                     "dictionary");
  }
  if (dh.num_values < 0) {
    return PageError(Status::Corrupt("negative value count " + std::to_string(dh.num_values)),
                     "dictionary");
  }
  if (dh.encoding != format::Encoding::kPlain &&
      dh.encoding != format::Encoding::kPlainDictionary) {
    return PageError(Status::NotSupported("dictionary page encoding " +
                                          format::EncodingName(dh.encoding) + " (expected PLAIN)"),
                     "dictionary");
  }
  PlainDecoder plain(leaf_.physical, leaf_.type_length);
  dictionary_.Clear();
  Status s = plain.SetData(page.body, dh.num_values);
  if (s.ok()) s = plain.Decode(dh.num_values, &dictionary_);
  if (!s.ok()) return PageError(s, "dictionary");
  dictionary_.num_values = dh.num_values;
  has_dictionary_ = true;
  return Status::OK();
}

Result<ValueDecoder*> ColumnChunkReader::DecoderFor(format::Encoding encoding, int64_t /*offset*/) {
  const PhysicalType t = leaf_.physical;
  auto unsupported = [&]() {
    return Status::Corrupt("encoding " + format::EncodingName(encoding) +
                           " is not defined for this column's physical type");
  };
  switch (encoding) {
    case format::Encoding::kPlain:
      if (!plain_) plain_ = std::make_unique<PlainDecoder>(t, leaf_.type_length);
      return plain_.get();
    case format::Encoding::kPlainDictionary:
    case format::Encoding::kRleDictionary:
      if (!has_dictionary_) {
        return Status::Corrupt("dictionary-encoded page, but the chunk has no dictionary page");
      }
      if (!dict_) dict_ = std::make_unique<DictionaryDecoder>(t, &dictionary_);
      return dict_.get();
    case format::Encoding::kRle:
      if (t != PhysicalType::kBoolean) return unsupported();
      if (!rle_bool_) rle_bool_ = std::make_unique<RleBooleanDecoder>();
      return rle_bool_.get();
    case format::Encoding::kDeltaBinaryPacked:
      if (t != PhysicalType::kInt32 && t != PhysicalType::kInt64) return unsupported();
      if (!delta_) delta_ = std::make_unique<DeltaBinaryPackedDecoder>(t);
      return delta_.get();
    case format::Encoding::kDeltaLengthByteArray:
      if (t != PhysicalType::kByteArray) return unsupported();
      if (!delta_length_) delta_length_ = std::make_unique<DeltaLengthByteArrayDecoder>();
      return delta_length_.get();
    case format::Encoding::kDeltaByteArray:
      if (t != PhysicalType::kByteArray && t != PhysicalType::kFixedLenByteArray) {
        return unsupported();
      }
      if (!delta_bytes_) {
        delta_bytes_ = std::make_unique<DeltaByteArrayDecoder>(t, leaf_.type_length);
      }
      return delta_bytes_.get();
    case format::Encoding::kByteStreamSplit:
      if (t == PhysicalType::kBoolean || t == PhysicalType::kByteArray ||
          t == PhysicalType::kInt96) {
        return unsupported();
      }
      if (!split_) split_ = std::make_unique<ByteStreamSplitDecoder>(t, leaf_.type_length);
      return split_.get();
    case format::Encoding::kBitPacked:
      return Status::NotSupported("BIT_PACKED values are deprecated and not supported");
  }
  return Status::Corrupt("unknown value encoding " +
                         std::to_string(static_cast<int32_t>(encoding)));
}

Status ColumnChunkReader::StartDataPage(const Page& page) {
  page_offset_ = page.offset;
  seen_data_page_ = true;
  const bool v2 = page.header.type == format::PageType::kDataPageV2;
  const int64_t num_values =
      v2 ? page.header.data_page_header_v2->num_values : page.header.data_page_header->num_values;
  const format::Encoding encoding =
      v2 ? page.header.data_page_header_v2->encoding : page.header.data_page_header->encoding;
  if (num_values < 0 || num_values > meta_.num_values - levels_read_) {
    return PageError(
        Status::Corrupt("the page holds " + std::to_string(num_values) + " values, but only " +
                        std::to_string(meta_.num_values - levels_read_) + " of the chunk's " +
                        std::to_string(meta_.num_values) + " remain"),
        "levels");
  }
  page_levels_left_ = num_values;
  if (num_values == 0) return Status::OK();
  ByteView values = page.body;
  if (v2) {
    if (leaf_.max_rep > 0) {
      FLOE_RETURN_IF_ERROR(rep_levels_.Reset(page.rep_levels, rep_bit_width_));
    }
    if (leaf_.max_def > 0) {
      FLOE_RETURN_IF_ERROR(def_levels_.Reset(page.def_levels, def_bit_width_));
    }
  } else {
    const format::DataPageHeader& h = *page.header.data_page_header;
    size_t pos = 0;
    if (leaf_.max_rep > 0) {
      if (h.repetition_level_encoding != format::Encoding::kRle) {
        return PageError(Status::NotSupported("repetition levels in " +
                                              format::EncodingName(h.repetition_level_encoding)),
                         "levels");
      }
      size_t consumed = 0;
      Status s = rep_levels_.ResetWithLengthPrefix(values, rep_bit_width_, &consumed);
      if (!s.ok()) return PageError(s, "repetition levels");
      pos += consumed;
    }
    if (leaf_.max_def > 0) {
      if (h.definition_level_encoding != format::Encoding::kRle) {
        return PageError(Status::NotSupported("definition levels in " +
                                              format::EncodingName(h.definition_level_encoding)),
                         "levels");
      }
      size_t consumed = 0;
      Status s = def_levels_.ResetWithLengthPrefix(values.subspan(pos), def_bit_width_, &consumed);
      if (!s.ok()) return PageError(s, "definition levels");
      pos += consumed;
    }
    values = values.subspan(pos);
  }
  auto decoder = DecoderFor(encoding, page.offset);
  if (!decoder.ok()) return PageError(decoder.status(), "values");
  values_ = *decoder;
  Status s = values_->SetData(values, num_values);
  if (!s.ok()) return PageError(s, ("values (" + format::EncodingName(encoding) + ")").c_str());
  return Status::OK();
}

Status ColumnChunkReader::NextDataPage(bool* end) {
  for (;;) {
    bool chunk_end = false;
    FLOE_RETURN_IF_ERROR(pages_->Next(&page_, &chunk_end));
    if (chunk_end) {
      *end = true;
      return Status::OK();
    }
    switch (page_.header.type) {
      case format::PageType::kDictionaryPage: FLOE_RETURN_IF_ERROR(ReadDictionary(page_)); break;
      case format::PageType::kDataPage:
      case format::PageType::kDataPageV2:
        FLOE_RETURN_IF_ERROR(StartDataPage(page_));
        if (page_levels_left_ > 0) {
          *end = false;
          return Status::OK();
        }
        break;
      default: break;
    }
  }
}

Status ColumnChunkReader::ReadBatch(int64_t max_levels, ColumnVector* out) {
  int64_t appended = 0;
  while (!done_ && appended < max_levels) {
    if (page_levels_left_ == 0) {
      bool end = false;
      FLOE_RETURN_IF_ERROR(NextDataPage(&end));
      if (end) {
        if (levels_read_ != meta_.num_values) {
          return Status::Corrupt(
              context() + ": the column chunk ended after " + std::to_string(levels_read_) +
              " of the " + std::to_string(meta_.num_values) + " values its metadata announces");
        }
        done_ = true;
      }
      continue;
    }
    const int64_t k = std::min(max_levels - appended, page_levels_left_);
    int64_t defined = k;
    if (leaf_.max_rep > 0) {
      const size_t old = out->rep_levels.size();
      out->rep_levels.resize(old + static_cast<size_t>(k));
      int16_t* levels = out->rep_levels.data() + old;
      Status s = rep_levels_.Get(levels, k);
      if (!s.ok()) return PageError(s, "repetition levels");
      bool above = false;
      CountAtMax(levels, k, leaf_.max_rep, &above);
      if (above) {
        return PageError(Status::Corrupt("a repetition level exceeds the column's maximum " +
                                         std::to_string(leaf_.max_rep)),
                         "repetition levels");
      }
    }
    if (leaf_.max_def > 0) {
      const size_t old = out->def_levels.size();
      out->def_levels.resize(old + static_cast<size_t>(k));
      int16_t* levels = out->def_levels.data() + old;
      Status s = def_levels_.Get(levels, k);
      if (!s.ok()) return PageError(s, "definition levels");
      bool above = false;
      defined = CountAtMax(levels, k, leaf_.max_def, &above);
      if (above) {
        return PageError(Status::Corrupt("a definition level exceeds the column's maximum " +
                                         std::to_string(leaf_.max_def)),
                         "definition levels");
      }
    }
    Status s = values_->Decode(defined, out);
    if (!s.ok()) return PageError(s, "values");
    out->num_levels += k;
    out->num_values += defined;
    page_levels_left_ -= k;
    levels_read_ += k;
    appended += k;
  }
  return Status::OK();
}

}  // namespace floe::parquet
