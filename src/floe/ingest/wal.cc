#include "floe/ingest/wal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "floe/util/buffer.h"
#include "floe/util/crc32c.h"
#include "floe/util/endian.h"

namespace floe::ingest {

namespace {

constexpr std::string_view kMagic = "FLOEWAL1";
constexpr size_t kHeaderBytes = 8;                 // crc, length
constexpr size_t kFixedBodyBytes = 8 + 8 + 4 + 4;  // lsn, received_at, two lengths

std::string ErrnoText() { return std::strerror(errno); }

std::string SegmentName(uint64_t first_lsn) {
  char name[40];
  std::snprintf(name, sizeof(name), "wal-%020llu.log", static_cast<unsigned long long>(first_lsn));
  return name;
}

std::string SpareName(uint64_t first_lsn) {
  char name[40];
  std::snprintf(name, sizeof(name), "spare-%020llu.log",
                static_cast<unsigned long long>(first_lsn));
  return name;
}

bool IsSpareName(const std::string& name) {
  return name.size() == 30 && name.compare(0, 6, "spare-") == 0 && name.compare(26, 4, ".log") == 0;
}

bool ParseSegmentName(const std::string& name, uint64_t* first_lsn) {
  if (name.size() != 28 || name.compare(0, 4, "wal-") != 0 || name.compare(24, 4, ".log") != 0) {
    return false;
  }
  uint64_t v = 0;
  for (size_t i = 4; i < 24; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *first_lsn = v;
  return true;
}

Status WriteAll(int fd, const char* data, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write-ahead log " + path + ": write failed: " + ErrnoText());
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("write-ahead log folder " + dir + ": " + ErrnoText());
  int rc = ::fsync(fd);
  std::string err = rc != 0 ? ErrnoText() : "";
  ::close(fd);
  if (rc != 0) return Status::IOError("write-ahead log folder " + dir + ": fsync: " + err);
  return Status::OK();
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("write-ahead log " + path + ": open: " + ErrnoText());
  std::string data;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) data.reserve(static_cast<size_t>(st.st_size));
  char chunk[1 << 16];
  while (true) {
    ssize_t r = ::read(fd, chunk, sizeof(chunk));
    if (r < 0) {
      if (errno == EINTR) continue;
      std::string err = ErrnoText();
      ::close(fd);
      return Status::IOError("write-ahead log " + path + ": read: " + err);
    }
    if (r == 0) break;
    data.append(chunk, static_cast<size_t>(r));
  }
  ::close(fd);
  return data;
}

// Appends the record to `out`, whose bytes are written once (a std::string would zero them first),
// all but its checksum (SetChecksums).
void EncodeRecord(uint64_t lsn, const WalEntry& e, Buffer* out) {
  size_t body = kFixedBodyBytes + e.table.size() + e.event_id.size() + e.json.size();
  char* p = reinterpret_cast<char*>(out->EnsureTail(kHeaderBytes + body));
  out->Resize(out->size() + kHeaderBytes + body);
  StoreLE<uint32_t>(p + 4, static_cast<uint32_t>(body));
  char* b = p + kHeaderBytes;
  StoreLE<uint64_t>(b, lsn);
  StoreLE<int64_t>(b + 8, e.received_at_micros);
  StoreLE<uint32_t>(b + 16, static_cast<uint32_t>(e.table.size()));
  std::memcpy(b + 20, e.table.data(), e.table.size());
  b += 20 + e.table.size();
  StoreLE<uint32_t>(b, static_cast<uint32_t>(e.event_id.size()));
  std::memcpy(b + 4, e.event_id.data(), e.event_id.size());
  b += 4 + e.event_id.size();
  std::memcpy(b, e.json.data(), e.json.size());
}

// Fills in the checksum (over its length and body) of each record EncodeRecord put in `records`,
// three records at a time (Crc32cOfThree: the checksums were 2 % of a load's CPU one by one).
void SetChecksums(Buffer* records) {
  uint8_t* base = records->data();
  const size_t size = records->size();
  size_t at[3];
  size_t n[3];
  size_t pending = 0;
  for (size_t offset = 0; offset < size;) {
    at[pending] = offset;
    n[pending] = 4 + LoadLE<uint32_t>(base + offset + 4);
    offset += kHeaderBytes + (n[pending] - 4);
    if (++pending < 3) continue;
    const void* data[3] = {base + at[0] + 4, base + at[1] + 4, base + at[2] + 4};
    uint32_t crc[3];
    Crc32cOfThree(data, n, crc);
    for (int k = 0; k < 3; ++k) StoreLE<uint32_t>(base + at[k], crc[k]);
    pending = 0;
  }
  for (size_t k = 0; k < pending; ++k) {
    StoreLE<uint32_t>(base + at[k], Crc32c(base + at[k] + 4, n[k]));
  }
}

}  // namespace

Result<Durability> ParseDurability(std::string_view text) {
  if (text == "fsync") return Durability::kFsync;
  if (text == "none") return Durability::kNone;
  return Status::InvalidArgument("durability \"" + std::string(text) +
                                 "\": expected \"fsync\" or \"none\"");
}

std::string_view DurabilityName(Durability durability) {
  return durability == Durability::kFsync ? "fsync" : "none";
}

Wal::Wal(WalOptions options, Logger* logger) : options_(std::move(options)), logger_(logger) {}

Wal::~Wal() {
  if (fd_ >= 0) {
    // A reused segment is cut to its records, so a clean restart finds no older bytes after them.
    if (failed_.ok()) (void)CutReusedSegment();
    if (options_.durability == Durability::kFsync && failed_.ok()) (void)::fdatasync(fd_);
    ::close(fd_);
  }
}

Result<std::unique_ptr<Wal>> Wal::Open(const WalOptions& options, Logger* logger,
                                       const ReplayFn& replay, uint64_t min_next_lsn) {
  if (options.segment_bytes < 1 || options.max_record_bytes < 1) {
    return Status::InvalidArgument("write-ahead log: segment and record sizes must be positive");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return Status::IOError("write-ahead log folder " + options.dir + ": " + ec.message());
  }
  std::unique_ptr<Wal> wal(new Wal(options, logger));
  uint64_t next = 1;
  FLOE_RETURN_IF_ERROR(wal->Replay(replay, &next));
  std::unique_lock lock(wal->mu_);
  wal->next_lsn_ = std::max({next, min_next_lsn, uint64_t{1}});
  wal->durable_lsn_ = wal->next_lsn_ - 1;
  FLOE_RETURN_IF_ERROR(wal->StartSegment(lock));
  return wal;
}

Status Wal::Replay(const ReplayFn& replay, uint64_t* next_lsn) {
  std::error_code ec;
  std::vector<WalSegmentInfo> found;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    uint64_t first = 0;
    const std::string name = entry.path().filename().string();
    if (IsSpareName(name)) {
      // Left by a crash; its LSNs are unknown here, so it is not reused.
      (void)::unlink(entry.path().c_str());
      continue;
    }
    if (!ParseSegmentName(name, &first)) continue;
    WalSegmentInfo info;
    info.path = entry.path().string();
    info.first_lsn = first;
    found.push_back(std::move(info));
  }
  if (ec) return Status::IOError("write-ahead log folder " + options_.dir + ": " + ec.message());
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first_lsn < b.first_lsn; });
  uint64_t expected = found.empty() ? 1 : found.front().first_lsn;
  for (size_t i = 0; i < found.size(); ++i) {
    if (found[i].first_lsn != expected) {
      // A segment cut short (or lost) leaves a gap; what follows is still valid.
      if (found[i].first_lsn < expected) {
        logger_->Error("wal.overlap", {{"segment", found[i].path},
                                       {"expected_lsn", static_cast<int64_t>(expected)}});
      } else {
        logger_->Warn("wal.gap", {{"segment", found[i].path},
                                  {"expected_lsn", static_cast<int64_t>(expected)}});
      }
      expected = std::max(expected, found[i].first_lsn);
    }
    FLOE_RETURN_IF_ERROR(ReplaySegment(
        &found[i], i + 1 == found.size() ? 0 : found[i + 1].first_lsn, replay, &expected));
  }
  segments_ = std::move(found);
  *next_lsn = expected;
  return Status::OK();
}

Status Wal::ReplaySegment(WalSegmentInfo* segment, uint64_t next_first_lsn,
                          const ReplayFn& replay, uint64_t* expected_lsn) {
  std::string data;
  {
    // Read into a plain string: GCC 12 at -O3 sees the Result's optional as maybe uninitialised.
    Result<std::string> read = ReadFile(segment->path);
    if (!read.ok()) return read.status();
    data.swap(*read);
  }
  size_t pos = 0;
  std::string problem;
  if (data.size() < kMagic.size() || std::memcmp(data.data(), kMagic.data(), kMagic.size()) != 0) {
    problem = data.empty() ? "" : "bad segment header";
  } else {
    pos = kMagic.size();
    while (pos < data.size()) {
      if (data.size() - pos < kHeaderBytes) {
        problem = "partial record header";
        break;
      }
      const char* p = data.data() + pos;
      uint32_t crc = LoadLE<uint32_t>(p);
      uint32_t body = LoadLE<uint32_t>(p + 4);
      if (body < kFixedBodyBytes || body > static_cast<uint64_t>(options_.max_record_bytes) ||
          body > data.size() - pos - kHeaderBytes) {
        problem = "partial or oversized record";
        break;
      }
      if (Crc32c(p + 4, 4 + body) != crc) {
        problem = "checksum mismatch";
        break;
      }
      const char* b = p + kHeaderBytes;
      const char* end = b + body;
      WalRecord record;
      record.lsn = LoadLE<uint64_t>(b);
      record.entry.received_at_micros = LoadLE<int64_t>(b + 8);
      uint32_t table_len = LoadLE<uint32_t>(b + 16);
      if (table_len > static_cast<size_t>(end - b) - 24) {
        problem = "bad table length";
        break;
      }
      record.entry.table = std::string_view(b + 20, table_len);
      const char* q = b + 20 + table_len;
      uint32_t id_len = LoadLE<uint32_t>(q);
      if (id_len > static_cast<size_t>(end - q) - 4) {
        problem = "bad event id length";
        break;
      }
      record.entry.event_id = std::string_view(q + 4, id_len);
      q += 4 + id_len;
      record.entry.json = std::string_view(q, static_cast<size_t>(end - q));
      if (record.lsn != *expected_lsn) {
        problem = "unexpected LSN " + std::to_string(record.lsn);
        break;
      }
      FLOE_RETURN_IF_ERROR(replay(record));
      segment->max_received_at_micros =
          std::max(segment->max_received_at_micros, record.entry.received_at_micros);
      ++*expected_lsn;
      pos = static_cast<size_t>(end - data.data());
    }
  }
  segment->size_bytes = static_cast<int64_t>(pos);
  if (!problem.empty() || pos < data.size()) {
    // Cut the rest off so the bytes after the tear are never read as records again. An error
    // only when records are missing: the last segment may end torn after a crash, and one whose
    // records reach the next segment's first LSN lost nothing (a reused segment whose cut to
    // length did not reach the disk ends in older bytes).
    const bool complete = next_first_lsn == 0 || *expected_lsn >= next_first_lsn;
    logger_->Log(complete ? LogLevel::kWarn : LogLevel::kError, "wal.torn_tail",
                 {{"segment", segment->path},
                  {"offset", static_cast<int64_t>(pos)},
                  {"dropped_bytes", static_cast<int64_t>(data.size() - pos)},
                  {"reason", problem.empty() ? std::string("trailing bytes") : problem}});
    if (::truncate(segment->path.c_str(), static_cast<off_t>(pos)) != 0) {
      return Status::IOError("write-ahead log " + segment->path + ": truncate: " + ErrnoText());
    }
  }
  return Status::OK();
}

Status Wal::StartSegment(std::unique_lock<std::mutex>& lock) {
  while (syncing_) sync_cv_.wait(lock);
  if (fd_ >= 0) {
    if (CutReusedSegment() != 0) {
      return Fail(Status::IOError("write-ahead log " + segments_.back().path +
                                  ": truncate: " + ErrnoText()));
    }
    if (options_.durability == Durability::kFsync && ::fdatasync(fd_) != 0) {
      return Fail(Status::IOError("write-ahead log " + segments_.back().path +
                                  ": fdatasync: " + ErrnoText()));
    }
    durable_lsn_ = next_lsn_ - 1;
    ::close(fd_);
    fd_ = -1;
  }
  // A segment replay left behind at this LSN (it had no valid record) is replaced.
  if (!segments_.empty() && segments_.back().first_lsn == next_lsn_) segments_.pop_back();
  WalSegmentInfo info;
  info.first_lsn = next_lsn_;
  info.path = options_.dir + "/" + SegmentName(next_lsn_);
  active_reused_ = false;
  while (!spares_.empty() && !active_reused_) {
    const std::string spare = std::move(spares_.back());
    spares_.pop_back();
    if (::rename(spare.c_str(), info.path.c_str()) != 0) continue;
    fd_ = ::open(info.path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ >= 0) {
      active_reused_ = true;
    } else {
      (void)::unlink(info.path.c_str());
    }
  }
  if (!active_reused_) {
    fd_ = ::open(info.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  if (fd_ < 0) {
    return Fail(Status::IOError("write-ahead log " + info.path + ": create: " + ErrnoText()));
  }
  Status st = WriteAll(fd_, kMagic.data(), kMagic.size(), info.path);
  if (!st.ok()) return Fail(st);
  info.size_bytes = static_cast<int64_t>(kMagic.size());
  if (options_.durability == Durability::kFsync) {
    if (::fdatasync(fd_) != 0) {
      return Fail(Status::IOError("write-ahead log " + info.path + ": fdatasync: " + ErrnoText()));
    }
    st = SyncDirectory(options_.dir);
    if (!st.ok()) return Fail(st);
  }
  segments_.push_back(std::move(info));
  return Status::OK();
}

int Wal::CutReusedSegment() {
  if (!active_reused_) return 0;
  return ::ftruncate(fd_, static_cast<off_t>(segments_.back().size_bytes));
}

int64_t Wal::BytesLocked() const {
  int64_t total = 0;
  for (const auto& s : segments_) total += s.size_bytes;
  return total;
}

Status Wal::Fail(Status status) {
  if (failed_.ok()) {
    failed_ = status;
    logger_->Error("wal.failed", {{"error", status.ToString()}});
  }
  sync_cv_.notify_all();
  return status;
}

Result<uint64_t> Wal::Write(std::span<const WalEntry> entries) {
  std::unique_lock lock(mu_);
  if (!failed_.ok()) return failed_;
  uint64_t first = next_lsn_;
  if (entries.empty()) return first;
  if (segments_.back().size_bytes >= options_.segment_bytes) {
    FLOE_RETURN_IF_ERROR(StartSegment(lock));
    first = next_lsn_;
  }
  scratch_.Clear();
  int64_t max_received = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const WalEntry& e = entries[i];
    if (static_cast<int64_t>(kFixedBodyBytes + e.table.size() + e.event_id.size() + e.json.size()) >
        options_.max_record_bytes) {
      return Status::InvalidArgument("event of " + std::to_string(e.json.size()) +
                                     " bytes is over the write-ahead log's record limit");
    }
    EncodeRecord(first + i, e, &scratch_);
    max_received = std::max(max_received, e.received_at_micros);
  }
  SetChecksums(&scratch_);
  WalSegmentInfo& segment = segments_.back();
  Status st = WriteAll(fd_, reinterpret_cast<const char*>(scratch_.data()), scratch_.size(),
                       segment.path);
  if (!st.ok()) return Fail(st);
  segment.size_bytes += static_cast<int64_t>(scratch_.size());
  segment.max_received_at_micros = std::max(segment.max_received_at_micros, max_received);
  next_lsn_ = first + entries.size();
  if (options_.durability == Durability::kNone) durable_lsn_ = next_lsn_ - 1;
  if (scratch_.capacity() > (size_t{4} << 20)) scratch_.Release();
  return first;
}

Status Wal::Sync(uint64_t lsn) {
  std::unique_lock lock(mu_);
  while (durable_lsn_ < lsn) {
    if (!failed_.ok()) return failed_;
    if (syncing_) {
      sync_cv_.wait(lock);
      continue;
    }
    // Lead one fdatasync for everything written so far; waiters that arrive meanwhile share the
    // next one.
    syncing_ = true;
    uint64_t target = next_lsn_ - 1;
    int fd = fd_;
    std::string path = segments_.back().path;
    lock.unlock();
    int rc = ::fdatasync(fd);
    std::string err = rc != 0 ? ErrnoText() : "";
    lock.lock();
    syncing_ = false;
    if (rc != 0) return Fail(Status::IOError("write-ahead log " + path + ": fdatasync: " + err));
    durable_lsn_ = std::max(durable_lsn_, target);
    sync_cv_.notify_all();
  }
  return Status::OK();
}

Result<int64_t> Wal::DeleteSegmentsBelow(uint64_t lsn_floor, int64_t keep_since_micros,
                                         int64_t keep_bytes) {
  std::vector<WalSegmentInfo> doomed;
  int64_t kept_as_spares = 0;
  {
    std::lock_guard lock(mu_);
    int64_t kept = BytesLocked();
    size_t n = 0;
    // A segment's LSNs end where the next one's begin; the active (last) one is never deleted.
    while (n + 1 < segments_.size() && segments_[n + 1].first_lsn <= lsn_floor &&
           (segments_[n].max_received_at_micros < keep_since_micros || kept > keep_bytes)) {
      kept -= segments_[n].size_bytes;
      ++n;
    }
    for (size_t i = 0; i < n; ++i) {
      const WalSegmentInfo& s = segments_[i];
      // A rename, unlike the unlink of a large file, is cheap enough to do under the lock.
      const std::string spare = options_.dir + "/" + SpareName(s.first_lsn);
      if (spares_.size() < static_cast<size_t>(std::max(options_.spare_segments, 0)) &&
          ::rename(s.path.c_str(), spare.c_str()) == 0) {
        spares_.push_back(spare);
        kept_as_spares += s.size_bytes;
      } else {
        doomed.push_back(s);
      }
    }
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  int64_t bytes = kept_as_spares;
  for (const auto& s : doomed) {
    if (::unlink(s.path.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError("write-ahead log " + s.path + ": delete: " + ErrnoText());
    }
    bytes += s.size_bytes;
  }
  return bytes;
}

uint64_t Wal::next_lsn() const {
  std::lock_guard lock(mu_);
  return next_lsn_;
}

int64_t Wal::total_bytes() const {
  std::lock_guard lock(mu_);
  return BytesLocked();
}

std::vector<WalSegmentInfo> Wal::segments() const {
  std::lock_guard lock(mu_);
  return segments_;
}

}  // namespace floe::ingest
