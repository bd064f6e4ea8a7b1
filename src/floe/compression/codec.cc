#include "floe/compression/codec.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <string>

#include "floe/util/endian.h"

namespace floe {
namespace {

class NoneCodec final : public Codec {
 public:
  CodecKind kind() const override { return CodecKind::kNone; }
  Status Compress(ByteView input, Buffer* out) override {
    out->Append(input);
    return Status::OK();
  }
  Status Decompress(ByteView input, uint8_t* output, size_t output_size) override {
    if (input.size() != output_size) {
      return Status::Corrupt("uncompressed page holds " + std::to_string(input.size()) +
                             " bytes, header says " + std::to_string(output_size));
    }
    if (output_size) std::memcpy(output, input.data(), output_size);
    return Status::OK();
  }
  Status DecompressUnbounded(ByteView input, size_t max_output_bytes, Buffer* out) override {
    if (input.size() > max_output_bytes) return Status::ResourceExhausted("data over the size limit");
    out->Append(input);
    return Status::OK();
  }
};

class SnappyCodec final : public Codec {
 public:
  CodecKind kind() const override { return CodecKind::kSnappy; }
  Status Compress(ByteView input, Buffer* out) override {
    size_t max = snappy::MaxCompressedLength(input.size());
    uint8_t* dst = out->EnsureTail(max);
    size_t n = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(input.data()), input.size(),
                        reinterpret_cast<char*>(dst), &n);
    out->Resize(out->size() + n);
    return Status::OK();
  }
  Status Decompress(ByteView input, uint8_t* output, size_t output_size) override {
    size_t n = 0;
    const char* src = reinterpret_cast<const char*>(input.data());
    if (!snappy::GetUncompressedLength(src, input.size(), &n)) {
      return Status::Corrupt("snappy: bad length header");
    }
    if (n != output_size) {
      return Status::Corrupt("snappy: decompresses to " + std::to_string(n) + " bytes, expected " +
                             std::to_string(output_size));
    }
    if (!snappy::RawUncompress(src, input.size(), reinterpret_cast<char*>(output))) {
      return Status::Corrupt("snappy: corrupt input");
    }
    return Status::OK();
  }
  Status DecompressUnbounded(ByteView input, size_t max_output_bytes, Buffer* out) override {
    size_t n = 0;
    const char* src = reinterpret_cast<const char*>(input.data());
    if (!snappy::GetUncompressedLength(src, input.size(), &n)) {
      return Status::Corrupt("snappy: bad length header");
    }
    if (n > max_output_bytes) return Status::ResourceExhausted("snappy: output over the size limit");
    size_t base = out->size();
    out->Resize(base + n);
    if (!snappy::RawUncompress(src, input.size(), reinterpret_cast<char*>(out->data() + base))) {
      out->Resize(base);
      return Status::Corrupt("snappy: corrupt input");
    }
    return Status::OK();
  }
};

// gzip (window bits 16+15) and raw deflate (-15) share zlib's stream code.
class ZlibCodec final : public Codec {
 public:
  ZlibCodec(CodecKind kind, int level) : kind_(kind), level_(level ? level : 6) {}
  CodecKind kind() const override { return kind_; }
  int window_bits() const { return kind_ == CodecKind::kGzip ? 16 + 15 : -15; }
  const char* name() const { return kind_ == CodecKind::kGzip ? "gzip" : "deflate"; }

  Status Compress(ByteView input, Buffer* out) override {
    z_stream zs{};
    if (deflateInit2(&zs, level_, Z_DEFLATED, window_bits(), 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal(std::string(name()) + ": deflateInit2 failed");
    }
    size_t bound = deflateBound(&zs, static_cast<uLong>(input.size()));
    uint8_t* dst = out->EnsureTail(bound);
    zs.next_in = const_cast<Bytef*>(input.data());
    zs.avail_in = static_cast<uInt>(input.size());
    zs.next_out = dst;
    zs.avail_out = static_cast<uInt>(bound);
    int rc = deflate(&zs, Z_FINISH);
    size_t produced = bound - zs.avail_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) return Status::Internal(std::string(name()) + ": deflate failed");
    out->Resize(out->size() + produced);
    return Status::OK();
  }

  Status Decompress(ByteView input, uint8_t* output, size_t output_size) override {
    // Route through the bounded path so concatenated gzip members work too.
    FLOE_RETURN_IF_ERROR(DecompressInto(input, output, output_size, nullptr));
    return Status::OK();
  }

  Status DecompressUnbounded(ByteView input, size_t max_output_bytes, Buffer* out) override {
    return DecompressInto(input, nullptr, max_output_bytes, out);
  }

 private:
  // With `out` null: into the fixed region [output, output+size) and exactly that many bytes.
  // Otherwise: appending to `out`, at most `size` bytes.
  Status DecompressInto(ByteView input, uint8_t* output, size_t size, Buffer* out) {
    z_stream zs{};
    if (inflateInit2(&zs, window_bits()) != Z_OK) {
      return Status::Internal(std::string(name()) + ": inflateInit2 failed");
    }
    zs.next_in = const_cast<Bytef*>(input.data());
    zs.avail_in = static_cast<uInt>(input.size());
    size_t produced = 0;
    Status status;
    while (true) {
      uint8_t* dst;
      size_t room;
      if (out == nullptr) {
        dst = output + produced;
        room = size - produced;
      } else {
        size_t chunk = 64 * 1024;
        dst = out->EnsureTail(chunk);
        room = chunk;
      }
      // One byte past the limit tells "exactly full" from "more to come".
      uint8_t overflow_probe;
      if (room == 0) {
        dst = &overflow_probe;
        room = 1;
      }
      zs.next_out = dst;
      zs.avail_out = static_cast<uInt>(room);
      int rc = inflate(&zs, Z_NO_FLUSH);
      size_t got = room - zs.avail_out;
      if (dst == &overflow_probe) {
        if (got > 0) {
          status = out ? Status::ResourceExhausted(std::string(name()) + ": output over the size limit of " + std::to_string(size) + " bytes")
                       : Status::Corrupt(std::string(name()) + ": decompresses to more than the expected " + std::to_string(size) + " bytes");
          break;
        }
      } else {
        produced += got;
        if (out) {
          out->Resize(out->size() + got);
          if (produced > size) {
            status = Status::ResourceExhausted(std::string(name()) + ": output over the size limit of " + std::to_string(size) + " bytes");
            break;
          }
        }
      }
      if (rc == Z_STREAM_END) {
        // gzip allows concatenated members.
        if (kind_ == CodecKind::kGzip && zs.avail_in > 0) {
          if (inflateReset(&zs) != Z_OK) {
            status = Status::Internal("gzip: inflateReset failed");
            break;
          }
          continue;
        }
        break;
      }
      if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
        status = Status::Corrupt(std::string(name()) + ": truncated input");
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        status = Status::Corrupt(std::string(name()) + ": " + (zs.msg ? zs.msg : "corrupt input"));
        break;
      }
    }
    inflateEnd(&zs);
    if (status.ok() && out == nullptr && produced != size) {
      status = Status::Corrupt(std::string(name()) + ": decompresses to " + std::to_string(produced) +
                               " bytes, expected " + std::to_string(size));
    }
    return status;
  }

  CodecKind kind_;
  int level_;
};

class ZstdCodec final : public Codec {
 public:
  explicit ZstdCodec(int level) : level_(level ? level : 3) {}
  ~ZstdCodec() override {
    ZSTD_freeCCtx(cctx_);
    ZSTD_freeDCtx(dctx_);
  }
  CodecKind kind() const override { return CodecKind::kZstd; }

  Status Compress(ByteView input, Buffer* out) override {
    if (cctx_ == nullptr) cctx_ = ZSTD_createCCtx();
    size_t bound = ZSTD_compressBound(input.size());
    uint8_t* dst = out->EnsureTail(bound);
    size_t n = ZSTD_compressCCtx(cctx_, dst, bound, input.data(), input.size(), level_);
    if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
    out->Resize(out->size() + n);
    return Status::OK();
  }

  Status Decompress(ByteView input, uint8_t* output, size_t output_size) override {
    if (dctx_ == nullptr) dctx_ = ZSTD_createDCtx();
    size_t n = ZSTD_decompressDCtx(dctx_, output, output_size, input.data(), input.size());
    if (ZSTD_isError(n)) return Status::Corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
    if (n != output_size) {
      return Status::Corrupt("zstd: decompresses to " + std::to_string(n) + " bytes, expected " +
                             std::to_string(output_size));
    }
    return Status::OK();
  }

  Status DecompressUnbounded(ByteView input, size_t max_output_bytes, Buffer* out) override {
    if (dctx_ == nullptr) dctx_ = ZSTD_createDCtx();
    ZSTD_DCtx_reset(dctx_, ZSTD_reset_session_only);
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    size_t produced = 0;
    while (true) {
      size_t chunk = 64 * 1024;
      uint8_t* dst = out->EnsureTail(chunk);
      ZSTD_outBuffer ob{dst, chunk, 0};
      size_t rc = ZSTD_decompressStream(dctx_, &ob, &in);
      if (ZSTD_isError(rc)) return Status::Corrupt(std::string("zstd: ") + ZSTD_getErrorName(rc));
      out->Resize(out->size() + ob.pos);
      produced += ob.pos;
      if (produced > max_output_bytes) {
        return Status::ResourceExhausted("zstd: output over the size limit of " +
                                         std::to_string(max_output_bytes) + " bytes");
      }
      if (rc == 0 && in.pos == in.size) return Status::OK();
      if (in.pos == in.size && ob.pos < ob.size) return Status::Corrupt("zstd: truncated input");
    }
  }

 private:
  int level_;
  ZSTD_CCtx* cctx_ = nullptr;
  ZSTD_DCtx* dctx_ = nullptr;
};

class Lz4RawCodec final : public Codec {
 public:
  CodecKind kind() const override { return CodecKind::kLz4Raw; }
  Status Compress(ByteView input, Buffer* out) override {
    if (input.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
      return Status::InvalidArgument("lz4: input too large");
    }
    int bound = LZ4_compressBound(static_cast<int>(input.size()));
    uint8_t* dst = out->EnsureTail(static_cast<size_t>(bound));
    int n = LZ4_compress_default(reinterpret_cast<const char*>(input.data()),
                                 reinterpret_cast<char*>(dst), static_cast<int>(input.size()), bound);
    if (n <= 0 && !input.empty()) return Status::Internal("lz4: compression failed");
    out->Resize(out->size() + static_cast<size_t>(n));
    return Status::OK();
  }
  Status Decompress(ByteView input, uint8_t* output, size_t output_size) override {
    if (input.size() > static_cast<size_t>(INT32_MAX) || output_size > static_cast<size_t>(INT32_MAX)) {
      return Status::Corrupt("lz4: block too large");
    }
    int n = LZ4_decompress_safe(reinterpret_cast<const char*>(input.data()),
                                reinterpret_cast<char*>(output), static_cast<int>(input.size()),
                                static_cast<int>(output_size));
    if (n < 0 || static_cast<size_t>(n) != output_size) {
      return Status::Corrupt("lz4: corrupt input or size mismatch (expected " +
                             std::to_string(output_size) + " bytes)");
    }
    return Status::OK();
  }
  Status DecompressUnbounded(ByteView, size_t, Buffer*) override {
    return Status::NotSupported("lz4 raw blocks need a known output size");
  }
};

// Hadoop's LZ4 framing: repeated [4-byte BE decompressed size][4-byte BE compressed size][block].
class Lz4HadoopCodec final : public Codec {
 public:
  CodecKind kind() const override { return CodecKind::kLz4Hadoop; }
  Status Compress(ByteView, Buffer*) override {
    return Status::NotSupported("the deprecated Hadoop LZ4 framing is read only; use lz4_raw");
  }
  Status Decompress(ByteView input, uint8_t* output, size_t output_size) override {
    const uint8_t* p = input.data();
    const uint8_t* end = p + input.size();
    size_t produced = 0;
    while (p < end) {
      if (end - p < 8) return Status::Corrupt("lz4 (hadoop): truncated block header");
      uint32_t raw = LoadBE32(p), comp = LoadBE32(p + 4);
      p += 8;
      if (comp > static_cast<size_t>(end - p) || raw > output_size - produced) {
        return Status::Corrupt("lz4 (hadoop): block larger than its page");
      }
      int n = LZ4_decompress_safe(reinterpret_cast<const char*>(p),
                                  reinterpret_cast<char*>(output + produced), static_cast<int>(comp),
                                  static_cast<int>(raw));
      if (n < 0 || static_cast<uint32_t>(n) != raw) return Status::Corrupt("lz4 (hadoop): corrupt block");
      produced += raw;
      p += comp;
    }
    if (produced != output_size) return Status::Corrupt("lz4 (hadoop): size mismatch");
    return Status::OK();
  }
  Status DecompressUnbounded(ByteView, size_t, Buffer*) override {
    return Status::NotSupported("lz4 (hadoop) needs a known output size");
  }
};

}  // namespace

std::string_view CodecKindName(CodecKind kind) {
  switch (kind) {
    case CodecKind::kNone: return "none";
    case CodecKind::kSnappy: return "snappy";
    case CodecKind::kGzip: return "gzip";
    case CodecKind::kDeflate: return "deflate";
    case CodecKind::kZstd: return "zstd";
    case CodecKind::kLz4Raw: return "lz4_raw";
    case CodecKind::kLz4Hadoop: return "lz4";
  }
  return "none";
}

Result<CodecKind> ParseCodecKind(std::string_view name) {
  if (name == "none" || name == "uncompressed") return CodecKind::kNone;
  if (name == "snappy") return CodecKind::kSnappy;
  if (name == "gzip") return CodecKind::kGzip;
  if (name == "deflate") return CodecKind::kDeflate;
  if (name == "zstd") return CodecKind::kZstd;
  if (name == "lz4_raw" || name == "lz4") return CodecKind::kLz4Raw;
  return Status::InvalidArgument("unknown codec '" + std::string(name) +
                                 "' (allowed: none, snappy, gzip, deflate, zstd, lz4_raw)");
}

Result<std::unique_ptr<Codec>> MakeCodec(CodecKind kind, int level) {
  switch (kind) {
    case CodecKind::kNone: return std::unique_ptr<Codec>(new NoneCodec());
    case CodecKind::kSnappy: return std::unique_ptr<Codec>(new SnappyCodec());
    case CodecKind::kGzip:
    case CodecKind::kDeflate:
      if (level < 0 || level > 9) return Status::InvalidArgument("gzip/deflate level must be 1..9");
      return std::unique_ptr<Codec>(new ZlibCodec(kind, level));
    case CodecKind::kZstd:
      if (level < 0 || level > ZSTD_maxCLevel()) {
        return Status::InvalidArgument("zstd level must be 1.." + std::to_string(ZSTD_maxCLevel()));
      }
      return std::unique_ptr<Codec>(new ZstdCodec(level));
    case CodecKind::kLz4Raw: return std::unique_ptr<Codec>(new Lz4RawCodec());
    case CodecKind::kLz4Hadoop: return std::unique_ptr<Codec>(new Lz4HadoopCodec());
  }
  return Status::InvalidArgument("unknown codec");
}

}  // namespace floe
