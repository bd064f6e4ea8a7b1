#include "floe/parquet/page_reader.h"

#include <cstring>
#include <string>

namespace floe::parquet {

PageReader::PageReader(ByteView chunk, int64_t chunk_offset, Codec* codec,
                       const ReaderOptions& options, std::string context, Buffer page_buffer)
    : chunk_(chunk),
      chunk_offset_(chunk_offset),
      codec_(codec),
      options_(options),
      context_(std::move(context)),
      decompressed_(std::move(page_buffer)) {}

Status PageReader::Corrupt(int64_t offset, const std::string& what) const {
  return Status::Corrupt(context_ + ": page at offset " + std::to_string(offset) + ": " + what);
}

Status PageReader::Decompress(ByteView in, int64_t uncompressed_size, int64_t offset,
                              ByteView* out) {
  if (codec_ == nullptr) {
    *out = in;
    return Status::OK();
  }
  if (uncompressed_size == 0) {
    // Nothing to decode (an all-null page); writers differ in what they store for it.
    *out = {};
    return Status::OK();
  }
  decompressed_.Resize(static_cast<size_t>(uncompressed_size));
  Status s = codec_->Decompress(in, decompressed_.data(), static_cast<size_t>(uncompressed_size));
  if (!s.ok() && codec_->kind() == CodecKind::kLz4Hadoop) {
    // Some writers put raw LZ4 blocks under the deprecated LZ4 codec id.
    if (lz4_raw_fallback_ == nullptr) {
      auto raw = MakeCodec(CodecKind::kLz4Raw);
      if (raw.ok()) lz4_raw_fallback_ = std::move(raw).value();
    }
    if (lz4_raw_fallback_ != nullptr) {
      Status raw_status = lz4_raw_fallback_->Decompress(in, decompressed_.data(),
                                                        static_cast<size_t>(uncompressed_size));
      if (raw_status.ok()) s = raw_status;
    }
  }
  if (!s.ok()) {
    return Corrupt(offset, "decompressing " + std::to_string(in.size()) + " bytes (" +
                               std::string(CodecKindName(codec_->kind())) + ") to " +
                               std::to_string(uncompressed_size) + " failed: " + s.message());
  }
  *out = decompressed_.view();
  return Status::OK();
}

Status PageReader::Locate(size_t pos, Page* page, ByteView* compressed, int64_t* uncompressed_size,
                          size_t* next_pos) const {
  const int64_t offset = chunk_offset_ + static_cast<int64_t>(pos);
  size_t header_len = 0;
  auto header = format::PageHeader::Parse(chunk_.subspan(pos), &header_len, offset);
  if (!header.ok()) {
    return Status(ErrorKind::kCorrupt, context_ + ": page header at offset " +
                                           std::to_string(offset) + ": " +
                                           header.status().message());
  }
  page->header = std::move(header).value();
  page->offset = offset;
  const format::PageHeader& h = page->header;
  const size_t remaining = chunk_.size() - pos - header_len;
  if (h.compressed_page_size < 0 || static_cast<size_t>(h.compressed_page_size) > remaining) {
    return Corrupt(offset, "compressed page size " + std::to_string(h.compressed_page_size) +
                               " runs past the end of the column chunk (" +
                               std::to_string(remaining) + " bytes remain after the header)");
  }
  if (h.uncompressed_page_size < 0 || h.uncompressed_page_size > options_.max_page_bytes) {
    return Corrupt(offset, "uncompressed page size " + std::to_string(h.uncompressed_page_size) +
                               " is negative or above the limit of " +
                               std::to_string(options_.max_page_bytes) + " bytes");
  }
  ByteView raw = chunk_.subspan(pos + header_len, static_cast<size_t>(h.compressed_page_size));
  *next_pos = pos + header_len + static_cast<size_t>(h.compressed_page_size);
  page->rep_levels = {};
  page->def_levels = {};
  page->body = {};
  *compressed = {};
  *uncompressed_size = 0;

  switch (h.type) {
    case format::PageType::kDataPage:
      if (!h.data_page_header) return Corrupt(offset, "DATA_PAGE without data_page_header");
      break;
    case format::PageType::kDictionaryPage:
      if (!h.dictionary_page_header) {
        return Corrupt(offset, "DICTIONARY_PAGE without dictionary_page_header");
      }
      break;
    case format::PageType::kDataPageV2: {
      if (!h.data_page_header_v2) return Corrupt(offset, "DATA_PAGE_V2 without its header");
      const format::DataPageHeaderV2& v2 = *h.data_page_header_v2;
      const int64_t rep_len = v2.repetition_levels_byte_length;
      const int64_t def_len = v2.definition_levels_byte_length;
      if (rep_len < 0 || def_len < 0 || rep_len + def_len > h.compressed_page_size ||
          rep_len + def_len > h.uncompressed_page_size) {
        return Corrupt(offset, "level lengths (repetition " + std::to_string(rep_len) +
                                   ", definition " + std::to_string(def_len) +
                                   ") exceed the page (" + std::to_string(h.compressed_page_size) +
                                   " bytes compressed, " +
                                   std::to_string(h.uncompressed_page_size) + " uncompressed)");
      }
      page->rep_levels = raw.subspan(0, static_cast<size_t>(rep_len));
      page->def_levels = raw.subspan(static_cast<size_t>(rep_len), static_cast<size_t>(def_len));
      ByteView values = raw.subspan(static_cast<size_t>(rep_len + def_len));
      if (!v2.is_compressed.value_or(true) || codec_ == nullptr) {
        page->body = values;
      } else {
        *compressed = values;
        *uncompressed_size = h.uncompressed_page_size - rep_len - def_len;
      }
      return Status::OK();
    }
    default:
      // Index pages and page types of newer writers carry nothing a reader of values needs.
      return Status::OK();
  }
  if (codec_ == nullptr) {
    page->body = raw;
  } else {
    *compressed = raw;
    *uncompressed_size = h.uncompressed_page_size;
  }
  return Status::OK();
}

Status PageReader::Next(Page* page, bool* end) {
  *end = false;
  if (pos_ >= chunk_.size()) {
    *end = true;
    return Status::OK();
  }
  ByteView compressed;
  int64_t uncompressed_size = 0;
  size_t next_pos = 0;
  FLOE_RETURN_IF_ERROR(Locate(pos_, page, &compressed, &uncompressed_size, &next_pos));
  pos_ = next_pos;
  if (compressed.data() == nullptr) return Status::OK();
  if (shared_ != nullptr && uncompressed_size > 0 &&
      board_->Take(shared_, compressed.data(), codec_, &page->body)) {
    return Status::OK();
  }
  return Decompress(compressed, uncompressed_size, page->offset, &page->body);
}

std::vector<PageTask> PageReader::DecompressionTasks() const {
  std::vector<PageTask> tasks;
  Page page;
  for (size_t pos = 0; pos < chunk_.size();) {
    ByteView compressed;
    int64_t size = 0;
    if (!Locate(pos, &page, &compressed, &size, &pos).ok()) break;
    if (compressed.data() != nullptr && size > 0) {
      tasks.push_back({compressed, static_cast<size_t>(size)});
    }
  }
  return tasks;
}

}  // namespace floe::parquet
