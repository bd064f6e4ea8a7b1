#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "floe/common/result.h"
#include "floe/util/buffer.h"

namespace floe {

enum class CodecKind {
  kNone,
  kSnappy,      // raw snappy block (Parquet SNAPPY, Avro "snappy" adds its own CRC)
  kGzip,        // RFC 1952 gzip member (Parquet GZIP, HTTP Content-Encoding: gzip)
  kDeflate,     // raw RFC 1951 deflate (Avro "deflate")
  kZstd,        // one zstd frame
  kLz4Raw,      // LZ4 block format (Parquet LZ4_RAW)
  kLz4Hadoop,   // Parquet's deprecated LZ4: Hadoop framing (8-byte BE header per block); read only
};

std::string_view CodecKindName(CodecKind kind);
// Parses "none"/"uncompressed", "snappy", "gzip", "deflate", "zstd", "lz4_raw"/"lz4".
Result<CodecKind> ParseCodecKind(std::string_view name);

// One compression codec. Implementations are stateless apart from reusable contexts, so a codec
// is not thread-safe: use one per thread.
class Codec {
 public:
  virtual ~Codec() = default;
  virtual CodecKind kind() const = 0;

  // Appends the compressed form of `input` to `out`.
  virtual Status Compress(ByteView input, Buffer* out) = 0;

  // Decompresses `input` whose decompressed size is known (Parquet pages record it) into exactly
  // `output_size` bytes at `output`. Any other size is a kCorrupt error.
  virtual Status Decompress(ByteView input, uint8_t* output, size_t output_size) = 0;

  // Decompresses `input` of unknown decompressed size, appending to `out`; fails with
  // kResourceExhausted once the output would pass `max_output_bytes` (bombs).
  virtual Status DecompressUnbounded(ByteView input, size_t max_output_bytes, Buffer* out) = 0;
};

// `level` applies to zstd (1..22, default 3) and gzip/deflate (1..9, default 6); 0 = default.
Result<std::unique_ptr<Codec>> MakeCodec(CodecKind kind, int level = 0);

}  // namespace floe
