#include "floe/avro/container.h"

#include <algorithm>
#include <cstring>

#include "floe/util/crc32c.h"
#include "floe/util/endian.h"

namespace floe::avro {

std::string_view ContainerCodecName(ContainerCodec codec) {
  switch (codec) {
    case ContainerCodec::kNull: return "null";
    case ContainerCodec::kDeflate: return "deflate";
    case ContainerCodec::kSnappy: return "snappy";
    case ContainerCodec::kZstandard: return "zstandard";
  }
  return "?";
}

Result<ContainerCodec> ParseContainerCodec(std::string_view name) {
  if (name == "null") return ContainerCodec::kNull;
  if (name == "deflate") return ContainerCodec::kDeflate;
  if (name == "snappy") return ContainerCodec::kSnappy;
  if (name == "zstandard") return ContainerCodec::kZstandard;
  if (name == "bzip2" || name == "xz") {
    return Status::NotSupported("avro: codec \"" + std::string(name) + "\" is not supported");
  }
  return Status::InvalidArgument("avro: unknown codec \"" + std::string(name).substr(0, 100) +
                                 "\"");
}

namespace {

Result<std::unique_ptr<Codec>> MakeBlockCodec(ContainerCodec codec, int level) {
  switch (codec) {
    case ContainerCodec::kNull: return std::unique_ptr<Codec>();
    case ContainerCodec::kDeflate: return MakeCodec(CodecKind::kDeflate, level);
    case ContainerCodec::kSnappy: return MakeCodec(CodecKind::kSnappy, level);
    case ContainerCodec::kZstandard: return MakeCodec(CodecKind::kZstd, level);
  }
  return Status::Internal("avro: bad codec");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Writer

Result<std::unique_ptr<ContainerWriter>> ContainerWriter::Make(OutputStream* out,
                                                               const Schema& schema,
                                                               const RandomSource& random,
                                                               WriterOptions options) {
  if (out == nullptr || !random) {
    return Status::InvalidArgument("avro writer: needs an output stream and a random source");
  }
  for (const auto& [key, value] : options.metadata) {
    if (key.rfind("avro.", 0) == 0) {
      return Status::InvalidArgument("avro writer: metadata key \"" + key +
                                     "\" is reserved (keys starting \"avro.\")");
    }
  }
  std::unique_ptr<ContainerWriter> w(new ContainerWriter());
  w->out_ = out;
  w->schema_ = schema;
  FLOE_ASSIGN_OR_RETURN(w->codec_, MakeBlockCodec(options.codec, options.compression_level));
  if (options.block_size_bytes == 0) options.block_size_bytes = 1;
  w->options_ = std::move(options);
  for (size_t i = 0; i < kSyncSize; i += 8) StoreLE<uint64_t>(w->sync_.data() + i, random());

  Buffer header;
  header.Append(kMagic, sizeof(kMagic));
  const auto& user = w->options_.metadata;
  WriteLong(&header, static_cast<int64_t>(2 + user.size()));
  WriteBytes(&header, "avro.schema");
  WriteBytes(&header, schema.ToString());
  WriteBytes(&header, "avro.codec");
  WriteBytes(&header, ContainerCodecName(w->options_.codec));
  for (const auto& [key, value] : user) {
    WriteBytes(&header, key);
    WriteBytes(&header, value);
  }
  WriteLong(&header, 0);
  header.Append(w->sync_.data(), kSyncSize);
  Status st = out->Append(header.view());
  if (!st.ok()) return st.WithContext("avro writer: " + out->location() + ": header");
  return w;
}

Status ContainerWriter::Append(const Value& value) {
  if (closed_) return Status::InvalidArgument("avro writer: " + out_->location() + " is closed");
  size_t before = block_.size();
  Status st = EncodeValue(schema_.root(), value, &block_);
  if (!st.ok()) {
    block_.Resize(before);
    return st.WithContext("avro writer: " + out_->location() + ": record " +
                          std::to_string(records_written_));
  }
  ++block_records_;
  ++records_written_;
  if (block_.size() >= options_.block_size_bytes) return Flush();
  return Status::OK();
}

Status ContainerWriter::Flush() {
  if (block_records_ == 0) return Status::OK();
  ByteView payload = block_.view();
  if (codec_) {
    compressed_.Clear();
    FLOE_RETURN_IF_ERROR(codec_->Compress(block_.view(), &compressed_));
    if (options_.codec == ContainerCodec::kSnappy) {
      uint8_t crc[4];
      StoreBE32(crc, Crc32(block_.data(), block_.size()));
      compressed_.Append(crc, 4);
    }
    payload = compressed_.view();
  }
  Buffer head;
  WriteLong(&head, block_records_);
  WriteLong(&head, static_cast<int64_t>(payload.size()));
  Status st = out_->Append(head.view());
  if (st.ok()) st = out_->Append(payload);
  if (st.ok()) st = out_->Append(ByteView(sync_.data(), kSyncSize));
  if (!st.ok()) {
    return st.WithContext("avro writer: " + out_->location() + ": block " +
                          std::to_string(blocks_written_));
  }
  ++blocks_written_;
  block_records_ = 0;
  block_.Clear();
  return Status::OK();
}

Status ContainerWriter::Close() {
  if (closed_) return Status::OK();
  FLOE_RETURN_IF_ERROR(Flush());
  closed_ = true;
  return out_->Close();
}

// ---------------------------------------------------------------------------------------------
// Reader

namespace {
constexpr size_t kWindowBytes = 64 << 10;
}  // namespace

Status ContainerReader::FileError(const Status& st, int64_t offset) const {
  return st.WithContext("avro: " + file_->location() + ": offset " + std::to_string(offset));
}

namespace {

// Inner messages start with their own "avro: "; one in front is enough.
Status WithoutPrefix(const Status& st) {
  std::string_view inner = st.message();
  if (inner.rfind("avro: ", 0) == 0) inner.remove_prefix(6);
  return Status(st.kind(), std::string(inner));
}

}  // namespace

Status ContainerReader::BlockError(const Status& st) const {
  return WithoutPrefix(st).WithContext("avro: " + file_->location() + ": block " +
                                       std::to_string(block_index_) + " at offset " +
                                       std::to_string(block_offset_));
}

Status ContainerReader::ReadExact(size_t n, uint8_t* out) {
  if (static_cast<uint64_t>(n) > static_cast<uint64_t>(file_size_ - pos_)) {
    return Status::Corrupt("avro: " + file_->location() + ": " + std::to_string(n) +
                           " bytes at offset " + std::to_string(pos_) + " run past the end (" +
                           std::to_string(file_size_) + " bytes)");
  }
  while (n > 0) {
    int64_t window_end = window_start_ + static_cast<int64_t>(window_.size());
    if (pos_ >= window_start_ && pos_ < window_end) {
      size_t take = std::min(n, static_cast<size_t>(window_end - pos_));
      std::memcpy(out, window_.data() + (pos_ - window_start_), take);
      out += take;
      n -= take;
      pos_ += static_cast<int64_t>(take);
      continue;
    }
    if (n >= kWindowBytes) {
      FLOE_RETURN_IF_ERROR(file_->ReadAt(pos_, static_cast<int64_t>(n), out));
      pos_ += static_cast<int64_t>(n);
      return Status::OK();
    }
    size_t len = static_cast<size_t>(std::min<int64_t>(kWindowBytes, file_size_ - pos_));
    window_.Resize(len);
    window_start_ = pos_;
    Status st = file_->ReadAt(pos_, static_cast<int64_t>(len), window_.data());
    if (!st.ok()) {
      window_.Clear();
      return st;
    }
  }
  return Status::OK();
}

Result<int64_t> ContainerReader::ReadLong() {
  uint64_t v = 0;
  int64_t at = pos_;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= file_size_) {
      return Status::Corrupt("avro: " + file_->location() + ": truncated varint at offset " +
                             std::to_string(at));
    }
    uint8_t b;
    FLOE_RETURN_IF_ERROR(ReadExact(1, &b));
    if (shift == 63 && b > 1) break;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  return Status::Corrupt("avro: " + file_->location() + ": varint overflows 64 bits at offset " +
                         std::to_string(at));
}

Result<std::unique_ptr<ContainerReader>> ContainerReader::Open(RandomAccessFile* file,
                                                               ReaderOptions options) {
  if (file == nullptr) return Status::InvalidArgument("avro reader: no file");
  std::unique_ptr<ContainerReader> r(new ContainerReader());
  r->file_ = file;
  r->options_ = std::move(options);
  FLOE_ASSIGN_OR_RETURN(r->file_size_, file->Size());
  FLOE_RETURN_IF_ERROR(r->ReadHeader());
  return r;
}

Status ContainerReader::ReadHeader() {
  uint8_t magic[4];
  if (file_size_ < 4 + 1 + static_cast<int64_t>(kSyncSize)) {
    return Status::Corrupt("avro: " + file_->location() + ": " + std::to_string(file_size_) +
                           " bytes is too short for an Avro container file");
  }
  FLOE_RETURN_IF_ERROR(ReadExact(4, magic));
  if (std::memcmp(magic, kMagic, 4) != 0) {
    return Status::Corrupt("avro: " + file_->location() +
                           ": not an Avro container file (bad magic)");
  }
  const int64_t header_limit = static_cast<int64_t>(options_.max_header_bytes);
  while (true) {
    int64_t at = pos_;
    FLOE_ASSIGN_OR_RETURN(int64_t count, ReadLong());
    if (count == 0) break;
    if (count < 0) {
      if (count == INT64_MIN)
        return FileError(Status::Corrupt("avro: bad metadata block count"), at);
      count = -count;
      FLOE_RETURN_IF_ERROR(ReadLong().status());  // byte size, not needed
    }
    // Each entry takes at least two bytes (two empty strings).
    if (count > (file_size_ - pos_) / 2) {
      return FileError(Status::Corrupt("avro: metadata block count " + std::to_string(count) +
                                       " exceeds the file"),
                       at);
    }
    for (int64_t i = 0; i < count; ++i) {
      std::string kv[2];
      for (std::string& s : kv) {
        int64_t len_at = pos_;
        FLOE_ASSIGN_OR_RETURN(int64_t len, ReadLong());
        if (len < 0 || len > file_size_ - pos_ || pos_ + len > header_limit) {
          return FileError(
              Status::Corrupt("avro: metadata string length " + std::to_string(len) +
                              " out of bounds (file " + std::to_string(file_size_) +
                              " bytes, header limit " + std::to_string(header_limit) + ")"),
              len_at);
        }
        s.resize(static_cast<size_t>(len));
        FLOE_RETURN_IF_ERROR(ReadExact(s.size(), reinterpret_cast<uint8_t*>(s.data())));
      }
      metadata_.emplace_back(std::move(kv[0]), std::move(kv[1]));
    }
    if (pos_ > header_limit) {
      return FileError(
          Status::ResourceExhausted("avro: header over " + std::to_string(header_limit) + " bytes"),
          at);
    }
  }
  FLOE_RETURN_IF_ERROR(ReadExact(kSyncSize, sync_.data()));

  auto schema_text = Metadata("avro.schema");
  if (!schema_text) {
    return Status::Corrupt("avro: " + file_->location() + ": header has no avro.schema");
  }
  auto schema = Schema::Parse(*schema_text, options_.schema_limits);
  if (!schema.ok()) {
    return Status(ErrorKind::kCorrupt, schema.status().message())
        .WithContext("avro: " + file_->location() + ": avro.schema");
  }
  writer_schema_ = std::move(*schema);
  auto codec_name = Metadata("avro.codec");
  auto codec = ParseContainerCodec(codec_name ? *codec_name : "null");
  if (!codec.ok()) return codec.status().WithContext("avro: " + file_->location());
  codec_kind_ = *codec;
  FLOE_ASSIGN_OR_RETURN(codec_, MakeBlockCodec(codec_kind_, 0));
  if (!options_.reader_schema) {
    reader_schema_ = writer_schema_;
    return Status::OK();
  }
  reader_schema_ = *options_.reader_schema;
  auto datum_reader = DatumReader::Make(writer_schema_, reader_schema_, options_.max_depth);
  if (!datum_reader.ok()) {
    return datum_reader.status().WithContext("avro: " + file_->location() +
                                             ": reader schema does not match the writer schema");
  }
  datum_reader_.emplace(std::move(*datum_reader));
  return Status::OK();
}

std::optional<std::string_view> ContainerReader::Metadata(std::string_view key) const {
  for (const auto& [k, v] : metadata_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

Result<bool> ContainerReader::NextBlock() {
  if (pos_ >= file_size_) return false;
  ++block_index_;
  block_offset_ = pos_;
  auto count = ReadLong();
  if (!count.ok()) return BlockError(count.status());
  auto size = ReadLong();
  if (!size.ok()) return BlockError(size.status());
  if (*count < 0 || *count > options_.max_block_records) {
    return BlockError(Status::Corrupt("avro: record count " + std::to_string(*count) +
                                      " out of range [0, " +
                                      std::to_string(options_.max_block_records) + "]"));
  }
  int64_t room = file_size_ - pos_ - static_cast<int64_t>(kSyncSize);
  if (*size < 0 || *size > room || static_cast<uint64_t>(*size) > options_.max_block_bytes) {
    return BlockError(Status::Corrupt(
        "avro: block size " + std::to_string(*size) + " out of range (" +
        std::to_string(std::max<int64_t>(room, 0)) + " bytes left before the sync marker, limit " +
        std::to_string(options_.max_block_bytes) + ")"));
  }
  payload_.Resize(static_cast<size_t>(*size));
  Status st = ReadExact(payload_.size(), payload_.data());
  if (!st.ok()) return BlockError(st);
  uint8_t sync[kSyncSize];
  st = ReadExact(kSyncSize, sync);
  if (!st.ok()) return BlockError(st);
  if (std::memcmp(sync, sync_.data(), kSyncSize) != 0) {
    return BlockError(Status::Corrupt("avro: sync marker after the block (offset " +
                                      std::to_string(pos_ - static_cast<int64_t>(kSyncSize)) +
                                      ") does not match the header's"));
  }
  const size_t limit = options_.max_decompressed_block_bytes;
  switch (codec_kind_) {
    case ContainerCodec::kNull: block_data_ = payload_.view(); break;
    case ContainerCodec::kDeflate:
    case ContainerCodec::kZstandard:
      decompressed_.Clear();
      st = codec_->DecompressUnbounded(payload_.view(), limit, &decompressed_);
      if (!st.ok()) return BlockError(st);
      block_data_ = decompressed_.view();
      break;
    case ContainerCodec::kSnappy: {
      if (payload_.size() < 4) {
        return BlockError(Status::Corrupt("avro: snappy block of " +
                                          std::to_string(payload_.size()) + " bytes has no CRC"));
      }
      decompressed_.Clear();
      st = codec_->DecompressUnbounded(payload_.view().first(payload_.size() - 4), limit,
                                       &decompressed_);
      if (!st.ok()) return BlockError(st);
      uint32_t want = LoadBE32(payload_.data() + payload_.size() - 4);
      uint32_t got = Crc32(decompressed_.data(), decompressed_.size());
      if (want != got) {
        return BlockError(Status::Corrupt("avro: snappy block CRC32 mismatch"));
      }
      block_data_ = decompressed_.view();
      break;
    }
  }
  block_pos_ = 0;
  block_records_left_ = *count;
  return true;
}

namespace {

// Next(Value*) through the generic datum reader.
class ValueDecoder final : public RecordDecoder {
 public:
  ValueDecoder(const DatumReader* reader, Value* out) : reader_(reader), out_(out) {}
  Status Decode(BinaryReader* in) override {
    FLOE_ASSIGN_OR_RETURN(*out_, reader_->Read(in));
    return Status::OK();
  }

 private:
  const DatumReader* reader_;
  Value* out_;
};

}  // namespace

Result<bool> ContainerReader::Next(Value* out) {
  if (!datum_reader_) {
    // Read as written: identity resolution of a schema that parsed does not fail.
    auto datum_reader = DatumReader::Make(writer_schema_, options_.max_depth);
    if (!datum_reader.ok()) return datum_reader.status().WithContext("avro: " + file_->location());
    datum_reader_.emplace(std::move(*datum_reader));
  }
  ValueDecoder decoder(&*datum_reader_, out);
  return Next(&decoder);
}

Result<bool> ContainerReader::Next(RecordDecoder* decoder) {
  if (!error_.ok()) return error_;
  while (block_records_left_ == 0) {
    if (done_) return false;
    if (block_pos_ != block_data_.size()) {
      error_ =
          BlockError(Status::Corrupt("avro: " + std::to_string(block_data_.size() - block_pos_) +
                                     " bytes left after the block's last record"));
      return error_;
    }
    auto more = NextBlock();
    if (!more.ok()) {
      error_ = more.status();
      return error_;
    }
    if (!*more) {
      done_ = true;
      return false;
    }
  }
  BinaryReader in(block_data_);
  FLOE_RETURN_IF_ERROR(in.Skip(block_pos_));
  Status st = decoder->Decode(&in);
  if (!st.ok()) {
    error_ = BlockError(WithoutPrefix(st).WithContext("record " + std::to_string(records_read_) +
                                                      " (byte " + std::to_string(block_pos_) +
                                                      " of the decompressed block)"));
    return error_;
  }
  block_pos_ = in.position();
  --block_records_left_;
  ++records_read_;
  return true;
}

}  // namespace floe::avro
