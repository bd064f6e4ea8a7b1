#include "floe/io/local_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "floe/io/location.h"

namespace floe {
namespace {

constexpr std::string_view kTempMarker = ".floe-tmp-";

Status ErrnoStatus(const std::string& location, std::string_view op, int err) {
  std::string msg = location + ": " + std::string(op) + ": " + std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(std::move(msg));
  return Status::IOError(std::move(msg));
}

// For writes, a missing or non-folder parent is a failure of the write, not a missing object.
Status WriteErrnoStatus(const std::string& location, std::string_view op, int err) {
  return Status::IOError(location + ": " + std::string(op) + ": " + std::strerror(err));
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

bool IsTempName(std::string_view name) {
  return !name.empty() && name.front() == '.' && name.find(kTempMarker) != std::string_view::npos;
}

int64_t MtimeMicros(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
}

Status FsyncDir(const std::string& dir, const std::string& location) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(location, "open folder " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(location, "fsync folder " + dir, err);
  return Status::OK();
}

// Creates the missing folders of `dir` below `root` (which exists), fsyncing each new entry's
// parent so the chain of names is durable before a file is renamed into the last one.
Status MakeDirs(const std::string& root, const std::string& dir, const std::string& location) {
  if (dir.size() <= root.size()) return Status::OK();
  size_t pos = root.size();
  while (pos < dir.size()) {
    size_t next = dir.find('/', pos + 1);
    if (next == std::string::npos) next = dir.size();
    std::string partial = dir.substr(0, next);
    if (::mkdir(partial.c_str(), 0755) == 0) {
      FLOE_RETURN_IF_ERROR(FsyncDir(ParentOf(partial), location));
    } else if (errno != EEXIST) {
      return WriteErrnoStatus(location, "create folder " + partial, errno);
    }
    pos = next;
  }
  return Status::OK();
}

Status WriteAll(int fd, ByteView data, const std::string& location) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t w = ::write(fd, data.data() + done, data.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(location, "write", errno);
    }
    done += static_cast<size_t>(w);
  }
  return Status::OK();
}

class LocalObjectFile final : public RandomAccessFile {
 public:
  // Objects are replaced by rename, never rewritten in place, so the size of an open file is
  // fixed and read once.
  LocalObjectFile(std::string location, int fd, int64_t size)
      : location_(std::move(location)), fd_(fd), size_(size) {}
  ~LocalObjectFile() override { ::close(fd_); }
  const std::string& location() const override { return location_; }
  Result<int64_t> Size() override { return size_; }
  Status ReadAt(int64_t offset, int64_t n, uint8_t* out) override {
    const int64_t size = size_;
    if (offset < 0 || n < 0 || offset > size || n > size - offset) {
      return Status::Corrupt(location_ + ": read of " + std::to_string(n) + " bytes at offset " +
                             std::to_string(offset) + " is beyond the end of the " +
                             std::to_string(size) + "-byte object");
    }
    int64_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out + done, static_cast<size_t>(n - done), offset + done);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoStatus(location_, "read at " + std::to_string(offset + done), errno);
      if (r == 0) return Status::Corrupt(location_ + ": object shrank while being read");
      done += r;
    }
    return Status::OK();
  }

 private:
  std::string location_;
  int fd_;
  int64_t size_;
};

class LocalObjectOutputStream final : public OutputStream {
 public:
  LocalObjectOutputStream(std::string location, std::string path, std::string tmp_path, int fd)
      : location_(std::move(location)),
        path_(std::move(path)),
        tmp_path_(std::move(tmp_path)),
        fd_(fd) {}
  ~LocalObjectOutputStream() override { Abort(); }
  const std::string& location() const override { return location_; }
  Status Append(ByteView data) override {
    if (fd_ < 0) return Status::Internal(location_ + ": append after close or abort");
    FLOE_RETURN_IF_ERROR(WriteAll(fd_, data, location_));
    written_ += static_cast<int64_t>(data.size());
    return Status::OK();
  }
  int64_t Tell() const override { return written_; }
  Status Close() override {
    if (fd_ < 0) return Status::Internal(location_ + ": close after close or abort");
    if (::fsync(fd_) != 0) {
      Status st = ErrnoStatus(location_, "fsync", errno);
      Abort();
      return st;
    }
    int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) {
      Status st = ErrnoStatus(location_, "close", errno);
      ::unlink(tmp_path_.c_str());
      return st;
    }
    if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
      Status st = ErrnoStatus(location_, "rename", errno);
      ::unlink(tmp_path_.c_str());
      return st;
    }
    return FsyncDir(ParentOf(path_), location_);
  }
  void Abort() override {
    if (fd_ < 0) return;
    ::close(std::exchange(fd_, -1));
    ::unlink(tmp_path_.c_str());
  }

 private:
  std::string location_;
  std::string path_;
  std::string tmp_path_;
  int fd_;
  int64_t written_ = 0;
};

struct WalkState {
  std::string name_prefix;  // filter on the entry names of the first folder only
  std::string location_prefix;
  std::string after;  // page token
  std::vector<ObjectInfo>* out;
};

// Collects the regular files below `dir` whose location matches; a missing folder is empty.
Status Walk(const std::string& dir, bool top, const WalkState& state) {
  DIR* d = ::opendir(dir.empty() ? "/" : dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::OK();
    return ErrnoStatus("file://" + dir, "list", errno);
  }
  Status result;
  while (struct dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == ".." || IsTempName(name)) continue;
    if (top && name.substr(0, state.name_prefix.size()) != state.name_prefix) continue;
    std::string path = dir + "/" + std::string(name);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;  // deleted while we list
      result = ErrnoStatus("file://" + path, "stat", errno);
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      result = Walk(path, false, state);
      if (!result.ok()) break;
    } else if (S_ISREG(st.st_mode)) {
      std::string location = "file://" + path;
      if (location.compare(0, state.location_prefix.size(), state.location_prefix) != 0) continue;
      if (!state.after.empty() && location <= state.after) continue;
      state.out->push_back(
          {std::move(location), static_cast<int64_t>(st.st_size), MtimeMicros(st)});
    }
  }
  ::closedir(d);
  return result;
}

}  // namespace

Result<std::unique_ptr<LocalStore>> LocalStore::Make(const std::string& root) {
  Result<std::string> text =
      root.find(':') == std::string::npos ? LocationFromLocalPath(root) : Result<std::string>(root);
  Result<Location> parsed = text.ok() ? ParseLocation(*text) : Result<Location>(text.status());
  if (!parsed.ok() || parsed->scheme != "file") {
    return Status::InvalidArgument("local store root '" + root + "' is not a local folder");
  }
  std::string root_path = parsed->path == "/" ? "" : parsed->path;
  FLOE_RETURN_IF_ERROR(MakeDirs("", root_path, root));
  return std::unique_ptr<LocalStore>(new LocalStore(std::move(root_path)));
}

LocalStore::LocalStore(std::string root_path)
    : root_path_(std::move(root_path)),
      root_location_("file://" + root_path_),
      rng_(std::random_device{}()) {
  if (root_path_.empty()) root_location_ = "file:///";
}

Result<std::string> LocalStore::PathOf(const std::string& location,
                                       std::string* location_out) const {
  FLOE_ASSIGN_OR_RETURN(Location loc, ParseLocation(location));
  if (loc.scheme != "file") {
    return Status::InvalidArgument(location + ": not a file location (local store)");
  }
  if (loc.path == "/" || (!root_path_.empty() && (!IsLocationUnder(loc.path, root_path_) ||
                                                  loc.path.size() == root_path_.size()))) {
    return Status::InvalidArgument(location + ": not an object below the store root " +
                                   root_location_);
  }
  if (location_out != nullptr) *location_out = loc.ToString();
  return loc.path;
}

std::string LocalStore::TempPathFor(const std::string& path) {
  uint64_t r;
  {
    std::lock_guard lock(rng_mu_);
    r = rng_();
  }
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%016llx", static_cast<unsigned long long>(r));
  size_t slash = path.find_last_of('/');
  return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + std::string(kTempMarker) +
         suffix;
}

Result<std::unique_ptr<RandomAccessFile>> LocalStore::OpenRead(const std::string& location) {
  std::string loc;
  FLOE_ASSIGN_OR_RETURN(std::string path, PathOf(location, &loc));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(loc, "open", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::NotFound(loc + ": not an object");
  }
  return std::unique_ptr<RandomAccessFile>(
      new LocalObjectFile(loc, fd, static_cast<int64_t>(st.st_size)));
}

Result<std::unique_ptr<OutputStream>> LocalStore::Create(const std::string& location) {
  std::string loc;
  FLOE_ASSIGN_OR_RETURN(std::string path, PathOf(location, &loc));
  FLOE_RETURN_IF_ERROR(MakeDirs(root_path_, ParentOf(path), loc));
  std::string tmp = TempPathFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return WriteErrnoStatus(loc, "create " + tmp, errno);
  return std::unique_ptr<OutputStream>(new LocalObjectOutputStream(loc, path, tmp, fd));
}

Status LocalStore::PutIfAbsent(const std::string& location, std::string_view data) {
  std::string loc;
  FLOE_ASSIGN_OR_RETURN(std::string path, PathOf(location, &loc));
  FLOE_RETURN_IF_ERROR(MakeDirs(root_path_, ParentOf(path), loc));
  std::string tmp = TempPathFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return WriteErrnoStatus(loc, "create " + tmp, errno);
  Status st = WriteAll(fd, AsBytes(data), loc);
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus(loc, "fsync", errno);
  if (::close(fd) != 0 && st.ok()) st = ErrnoStatus(loc, "close", errno);
  // link() fails with EEXIST instead of replacing, which makes it the atomic put-if-absent.
  if (st.ok() && ::link(tmp.c_str(), path.c_str()) != 0) {
    st = errno == EEXIST ? Status::AlreadyExists(loc + ": object already exists")
                         : ErrnoStatus(loc, "link", errno);
  }
  ::unlink(tmp.c_str());
  FLOE_RETURN_IF_ERROR(st);
  return FsyncDir(ParentOf(path), loc);
}

Result<ObjectInfo> LocalStore::Stat(const std::string& location) {
  std::string loc;
  FLOE_ASSIGN_OR_RETURN(std::string path, PathOf(location, &loc));
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(loc, "stat", errno);
  if (!S_ISREG(st.st_mode)) return Status::NotFound(loc + ": not an object");
  return ObjectInfo{loc, static_cast<int64_t>(st.st_size), MtimeMicros(st)};
}

Result<std::vector<ObjectInfo>> LocalStore::Collect(const std::string& prefix,
                                                    const std::string& page_token) {
  FLOE_ASSIGN_OR_RETURN(std::string norm, NormalizeLocationPrefix(prefix));
  FLOE_ASSIGN_OR_RETURN(Location loc, ParseLocation(norm));
  bool folder = norm.back() == '/';
  if (loc.scheme != "file" || (!root_path_.empty() && !IsLocationUnder(loc.path, root_path_))) {
    return Status::InvalidArgument(prefix + ": not a prefix below the store root " +
                                   root_location_);
  }
  std::string dir = loc.path == "/" ? "" : loc.path;
  WalkState state;
  state.location_prefix = norm;
  state.after = page_token;
  std::vector<ObjectInfo> found;
  state.out = &found;
  if (!folder && dir.size() > root_path_.size()) {
    size_t slash = dir.find_last_of('/');
    state.name_prefix = dir.substr(slash + 1);
    dir = dir.substr(0, slash);
  }
  FLOE_RETURN_IF_ERROR(Walk(dir, true, state));
  std::sort(found.begin(), found.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.location < b.location; });
  return found;
}

Result<ObjectListPage> LocalStore::ListPage(const std::string& prefix,
                                            const std::string& page_token, int max_keys) {
  if (max_keys <= 0) return Status::InvalidArgument("list of '" + prefix + "': max_keys <= 0");
  FLOE_ASSIGN_OR_RETURN(std::vector<ObjectInfo> found, Collect(prefix, page_token));
  ObjectListPage page;
  if (static_cast<int>(found.size()) > max_keys) {
    found.resize(static_cast<size_t>(max_keys));
    page.next_page_token = found.back().location;
  }
  page.objects = std::move(found);
  return page;
}

Result<std::vector<ObjectInfo>> LocalStore::List(const std::string& prefix) {
  return Collect(prefix, "");
}

Status LocalStore::Delete(const std::string& location) {
  std::string loc;
  FLOE_ASSIGN_OR_RETURN(std::string path, PathOf(location, &loc));
  if (::unlink(path.c_str()) != 0) {
    if (errno == EISDIR) return Status::NotFound(loc + ": not an object");
    return ErrnoStatus(loc, "delete", errno);
  }
  return Status::OK();
}

}  // namespace floe
