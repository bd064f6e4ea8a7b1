#pragma once

// Avro object container files: the format of Iceberg manifests and manifest lists.
//
// Writing a manifest (the caller owns and closes nothing but `out`'s lifetime; Close() closes it):
//
//   avro::WriterOptions options;                 // codec deflate, blocks of ~64 KiB
//   options.metadata = {{"schema", table_schema_json}, {"schema-id", "0"},
//                       {"partition-spec", spec_json}, {"partition-spec-id", "0"},
//                       {"format-version", "2"}, {"content", "data"}};
//   std::mt19937_64 rng(seed);
//   FLOE_ASSIGN_OR_RETURN(auto writer, avro::ContainerWriter::Make(
//       out.get(), manifest_entry_schema, [&rng] { return rng(); }, options));
//   for (const avro::Value& entry : entries) FLOE_RETURN_IF_ERROR(writer->Append(entry));
//   FLOE_RETURN_IF_ERROR(writer->Close());
//   int64_t manifest_length = out->Tell();
//
// Reading one, resolved against the schema floe expects (by field id, so files of other writers
// with other field names read the same):
//
//   avro::ReaderOptions options;
//   options.reader_schema = expected_schema;     // optional; default: the writer's schema
//   FLOE_ASSIGN_OR_RETURN(auto reader, avro::ContainerReader::Open(file.get(), options));
//   std::optional<std::string_view> spec = reader->Metadata("partition-spec");
//   avro::Value record;
//   while (true) {
//     FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(&record));
//     if (!more) break;
//     ... record.FieldById(0)->int_value() ...
//   }
//
// The reader keeps one block in memory at a time. Errors name the file, the block number and
// the file offset of the block.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/avro/binary.h"
#include "floe/avro/datum_reader.h"
#include "floe/avro/schema.h"
#include "floe/avro/value.h"
#include "floe/common/result.h"
#include "floe/compression/codec.h"
#include "floe/io/file.h"

namespace floe::avro {

inline constexpr uint8_t kMagic[4] = {'O', 'b', 'j', 1};
inline constexpr size_t kSyncSize = 16;

// Block codecs, by their "avro.codec" names.
enum class ContainerCodec { kNull, kDeflate, kSnappy, kZstandard };
std::string_view ContainerCodecName(ContainerCodec codec);  // "null", "deflate", ...
// Accepts the Avro names; "bzip2" and "xz" are kNotSupported, others kInvalidArgument.
Result<ContainerCodec> ParseContainerCodec(std::string_view name);

// 64 random bits per call; the writer draws its sync marker from it.
using RandomSource = std::function<uint64_t()>;

struct WriterOptions {
  ContainerCodec codec = ContainerCodec::kDeflate;
  int compression_level = 0;           // 0: the codec's default
  size_t block_size_bytes = 64 << 10;  // a block ends once its encoded records reach this
  // User metadata, written after avro.schema and avro.codec. Keys starting "avro." are reserved.
  std::vector<std::pair<std::string, std::string>> metadata;
};

class ContainerWriter {
 public:
  // Writes the header to `out` (not owned; must outlive the writer).
  static Result<std::unique_ptr<ContainerWriter>> Make(OutputStream* out, const Schema& schema,
                                                       const RandomSource& random,
                                                       WriterOptions options = {});

  // Encodes one value of the schema (a record for Iceberg). A value that does not fit the schema
  // is rejected and leaves the file as it was.
  Status Append(const Value& value);
  // Ends the current block (if it holds anything).
  Status Flush();
  // Flushes and closes the stream; the writer takes no more values.
  Status Close();

  int64_t records_written() const { return records_written_; }
  int64_t blocks_written() const { return blocks_written_; }
  const std::array<uint8_t, kSyncSize>& sync_marker() const { return sync_; }
  const Schema& schema() const { return schema_; }

 private:
  ContainerWriter() = default;
  OutputStream* out_ = nullptr;
  Schema schema_;
  WriterOptions options_;
  std::unique_ptr<Codec> codec_;
  std::array<uint8_t, kSyncSize> sync_{};
  Buffer block_;
  Buffer compressed_;
  int64_t block_records_ = 0;
  int64_t records_written_ = 0;
  int64_t blocks_written_ = 0;
  bool closed_ = false;
};

// Decodes records without generic Values (Iceberg's manifest entry decoder). Decode() reads
// exactly one record written as the file's writer schema.
class RecordDecoder {
 public:
  virtual ~RecordDecoder() = default;
  virtual Status Decode(BinaryReader* in) = 0;
};

struct ReaderOptions {
  // Read records as this schema (see datum_reader.h); unset: as written.
  std::optional<Schema> reader_schema;
  SchemaLimits schema_limits;
  size_t max_header_bytes = 16 << 20;
  size_t max_block_bytes = 64 << 20;  // compressed payload
  size_t max_decompressed_block_bytes = 256 << 20;
  int64_t max_block_records = int64_t{1} << 24;
  int max_depth = 64;
};

class ContainerReader {
 public:
  // Reads and checks the header of `file` (not owned; must outlive the reader).
  static Result<std::unique_ptr<ContainerReader>> Open(RandomAccessFile* file,
                                                       ReaderOptions options = {});

  const Schema& writer_schema() const { return writer_schema_; }
  // The schema records are read as.
  const Schema& schema() const { return reader_schema_; }
  ContainerCodec codec() const { return codec_kind_; }
  const std::array<uint8_t, kSyncSize>& sync_marker() const { return sync_; }
  // All header metadata, avro.* keys included, in file order.
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }
  std::optional<std::string_view> Metadata(std::string_view key) const;

  // The next record into `*out`: true, or false at the end of the file.
  Result<bool> Next(Value* out);
  // The next record through `decoder` (which sees the writer's encoding; no reader schema
  // applies): true, or false at the end of the file.
  Result<bool> Next(RecordDecoder* decoder);

  // Blocks begun so far (the current one included) and the file offset of the current one.
  int64_t block_index() const { return block_index_; }
  int64_t block_offset() const { return block_offset_; }
  int64_t records_read() const { return records_read_; }

 private:
  ContainerReader() = default;
  Status ReadHeader();
  // Loads the next block; false at the end of the file.
  Result<bool> NextBlock();
  Status BlockError(const Status& st) const;
  Status FileError(const Status& st, int64_t offset) const;
  // Reads `n` bytes at the cursor.
  Status ReadExact(size_t n, uint8_t* out);
  Result<int64_t> ReadLong();

  RandomAccessFile* file_ = nullptr;
  ReaderOptions options_;
  int64_t file_size_ = 0;
  int64_t pos_ = 0;  // file cursor
  Buffer window_;    // bytes [window_start_, window_start_ + window_.size())
  int64_t window_start_ = 0;
  Schema writer_schema_;
  Schema reader_schema_;
  // Built at Open() for a reader schema, else on the first Next(Value*).
  std::optional<DatumReader> datum_reader_;
  ContainerCodec codec_kind_ = ContainerCodec::kNull;
  std::unique_ptr<Codec> codec_;
  std::array<uint8_t, kSyncSize> sync_{};
  std::vector<std::pair<std::string, std::string>> metadata_;
  Buffer payload_;
  Buffer decompressed_;
  ByteView block_data_;
  size_t block_pos_ = 0;
  int64_t block_records_left_ = 0;
  int64_t block_index_ = 0;
  int64_t block_offset_ = 0;
  int64_t records_read_ = 0;
  bool done_ = false;
  Status error_;  // sticky: a reader that failed keeps failing
};

}  // namespace floe::avro
