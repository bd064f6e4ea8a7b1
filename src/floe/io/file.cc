#include "floe/io/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace floe {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

Status RangeError(const std::string& location, int64_t offset, int64_t n, int64_t size) {
  return Status::Corrupt(location + ": read of " + std::to_string(n) + " bytes at offset " +
                         std::to_string(offset) + " is beyond the end of the " +
                         std::to_string(size) + "-byte object");
}

class LocalRandomAccessFile final : public RandomAccessFile {
 public:
  LocalRandomAccessFile(std::string location, int fd) : location_(std::move(location)), fd_(fd) {}
  ~LocalRandomAccessFile() override { ::close(fd_); }
  const std::string& location() const override { return location_; }
  Result<int64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::IOError(location_ + ": stat: " + ErrnoText(errno));
    return static_cast<int64_t>(st.st_size);
  }
  Status ReadAt(int64_t offset, int64_t n, uint8_t* out) override {
    if (offset < 0 || n < 0) return RangeError(location_, offset, n, -1);
    int64_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out + done, static_cast<size_t>(n - done), offset + done);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(location_ + ": read at offset " + std::to_string(offset + done) +
                               ": " + ErrnoText(errno));
      }
      if (r == 0) {
        auto size = Size();
        return RangeError(location_, offset, n, size.ok() ? *size : -1);
      }
      done += r;
    }
    return Status::OK();
  }

 private:
  std::string location_;
  int fd_;
};

class LocalOutputStream final : public OutputStream {
 public:
  LocalOutputStream(std::string path, std::string tmp_path, int fd)
      : path_(std::move(path)), tmp_path_(std::move(tmp_path)), fd_(fd) {}
  ~LocalOutputStream() override { Abort(); }
  const std::string& location() const override { return path_; }
  Status Append(ByteView data) override {
    if (fd_ < 0) return Status::Internal(path_ + ": append after close");
    size_t done = 0;
    while (done < data.size()) {
      ssize_t w = ::write(fd_, data.data() + done, data.size() - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(path_ + ": write: " + ErrnoText(errno));
      }
      done += static_cast<size_t>(w);
    }
    written_ += static_cast<int64_t>(data.size());
    return Status::OK();
  }
  int64_t Tell() const override { return written_; }
  Status Close() override {
    if (fd_ < 0) return Status::Internal(path_ + ": closed twice");
    if (::fsync(fd_) != 0) return Status::IOError(path_ + ": fsync: " + ErrnoText(errno));
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Status::IOError(path_ + ": close: " + ErrnoText(errno));
    if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp_path_.c_str());
      return Status::IOError(path_ + ": rename: " + ErrnoText(err));
    }
    // Make the rename durable.
    std::string dir = path_.substr(0, path_.find_last_of('/') == std::string::npos ? 0 : path_.find_last_of('/'));
    if (dir.empty()) dir = ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    return Status::OK();
  }
  void Abort() override {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
      ::unlink(tmp_path_.c_str());
    }
  }

 private:
  std::string path_;
  std::string tmp_path_;
  int fd_;
  int64_t written_ = 0;
};

}  // namespace

Status MemoryRandomAccessFile::ReadAt(int64_t offset, int64_t n, uint8_t* out) {
  int64_t size = static_cast<int64_t>(data_.size());
  if (offset < 0 || n < 0 || offset > size || n > size - offset) {
    return RangeError(location_, offset, n, size);
  }
  if (n > 0) std::memcpy(out, data_.data() + offset, static_cast<size_t>(n));
  return Status::OK();
}

Result<std::unique_ptr<RandomAccessFile>> OpenLocalFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": open: " + ErrnoText(err));
  }
  return std::unique_ptr<RandomAccessFile>(new LocalRandomAccessFile(path, fd));
}

Result<std::unique_ptr<OutputStream>> CreateLocalFile(const std::string& path) {
  std::random_device rd;
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), ".tmp-%08x", rd());
  std::string tmp = path + suffix;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(tmp + ": create: " + ErrnoText(errno));
  return std::unique_ptr<OutputStream>(new LocalOutputStream(path, tmp, fd));
}

Result<std::string> ReadWholeFile(RandomAccessFile* file) {
  FLOE_ASSIGN_OR_RETURN(int64_t size, file->Size());
  std::string data(static_cast<size_t>(size), '\0');
  FLOE_RETURN_IF_ERROR(file->ReadAt(0, size, reinterpret_cast<uint8_t*>(data.data())));
  return data;
}

}  // namespace floe
