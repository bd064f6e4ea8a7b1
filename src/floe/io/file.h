#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "floe/common/result.h"
#include "floe/util/buffer.h"

namespace floe {

// A readable object of known size: a local file, an S3 object, or memory. Readers ask for the size
// from the object itself (never trust a size recorded elsewhere) and read ranges.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Where the object lives, for error messages ("file:///..." or "s3://...").
  virtual const std::string& location() const = 0;
  virtual Result<int64_t> Size() = 0;
  // Reads exactly `n` bytes at `offset` into `out`; reading past the end is a kCorrupt error
  // that names the location, the range and the size.
  virtual Status ReadAt(int64_t offset, int64_t n, uint8_t* out) = 0;
};

// A sequential writer of one new object. Nothing is visible under the final name until Close()
// succeeds; an object abandoned without Close() (or after Abort()) leaves nothing behind.
class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual const std::string& location() const = 0;
  virtual Status Append(ByteView data) = 0;
  // Bytes appended so far.
  virtual int64_t Tell() const = 0;
  virtual Status Close() = 0;
  virtual void Abort() = 0;
};

// In memory, for tests and fuzzing.
class MemoryRandomAccessFile final : public RandomAccessFile {
 public:
  MemoryRandomAccessFile(std::string location, std::string data)
      : location_(std::move(location)), data_(std::move(data)) {}
  const std::string& location() const override { return location_; }
  Result<int64_t> Size() override { return static_cast<int64_t>(data_.size()); }
  Status ReadAt(int64_t offset, int64_t n, uint8_t* out) override;

 private:
  std::string location_;
  std::string data_;
};

class MemoryOutputStream final : public OutputStream {
 public:
  explicit MemoryOutputStream(std::string location = "memory:") : location_(std::move(location)) {}
  const std::string& location() const override { return location_; }
  Status Append(ByteView data) override {
    data_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return Status::OK();
  }
  int64_t Tell() const override { return static_cast<int64_t>(data_.size()); }
  Status Close() override { return Status::OK(); }
  void Abort() override { data_.clear(); }
  const std::string& data() const { return data_; }
  std::string Release() { return std::move(data_); }

 private:
  std::string location_;
  std::string data_;
};

// A local file opened for reading with pread.
Result<std::unique_ptr<RandomAccessFile>> OpenLocalFile(const std::string& path);

// A new local file written to "<path>.tmp-<random>", fsynced and renamed over `path` on Close().
Result<std::unique_ptr<OutputStream>> CreateLocalFile(const std::string& path);

// Reads a whole file (tests, small metadata files).
Result<std::string> ReadWholeFile(RandomAccessFile* file);

}  // namespace floe
