#pragma once

// The collector's write-ahead log: accepted events are appended here, and acknowledged only once
// the log is durable, so a crash before their commit to the table loses nothing.
//
// Layout: `<dir>/wal-<first LSN, 20 digits>.log` segment files, each starting with the 8-byte
// magic "FLOEWAL1", then records:
//
//   u32 crc32c(length .. end)  u32 length  | u64 lsn  i64 received_at_micros
//                                          | u32 n  table  u32 n  event_id  json...
//
// (little-endian). LSNs are consecutive across segments and across restarts; a segment holds the
// LSNs from its name up to the next segment's. Replay stops a segment at the first record that
// is short, fails its checksum or breaks the LSN sequence (a torn tail after a crash): the rest of
// that segment is cut off and logged, never a crash.
//
// Segment reuse: a segment no longer needed is renamed to a spare (`spare-<its first LSN>.log`,
// at most WalOptions::spare_segments of them) rather than deleted, and the next segment is a spare
// renamed, its magic rewritten, its old records overwritten in place. Writing over blocks the file
// system already holds spares each fdatasync the journal commit an append needs (the file's size
// and block map stay as they are): 0.26-0.29 ms against 0.44-0.48 ms for 200 KB writes on an idle
// disk here, and under load the WAL's syncs no longer wait behind the journal's writeback of the
// Parquet files a flush wrote (bench/README.md). Until overwritten, a reused segment still holds
// records of its former life; their LSNs are below the segment's first, so replay stops at them
// (or at the first misaligned bytes, which fail their checksum) as at a torn tail. A segment is
// cut to its length when it is closed, so only the active one of a process that crashed ends
// in such bytes. Spares left by a crash are deleted at Open.
//
// Group commit: Write() only hands bytes to the kernel; Sync(lsn) returns once every record up to
// `lsn` is on disk, one fdatasync serving every caller waiting at that moment.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/util/buffer.h"

namespace floe::ingest {

enum class Durability {
  kFsync,  // acknowledged after fdatasync (group commit)
  kNone,   // acknowledged after write(): survives a process crash, not a power loss (benchmarks)
};

// "fsync" / "none".
Result<Durability> ParseDurability(std::string_view text);
std::string_view DurabilityName(Durability durability);

// One event as the log keeps it. Views for writing; replay hands out records that own nothing
// beyond the callback (copy what you keep).
struct WalEntry {
  int64_t received_at_micros = 0;
  std::string_view table;     // TableIdentifier::ToString()
  std::string_view event_id;  // for the dedup window at replay ("" when the event has none)
  std::string_view json;      // the event as received, re-mapped at replay
};

struct WalRecord {
  uint64_t lsn = 0;
  WalEntry entry;
};

struct WalOptions {
  std::string dir;
  Durability durability = Durability::kFsync;
  // A segment is closed and a new one started once it holds this many bytes.
  int64_t segment_bytes = int64_t{64} << 20;
  // Records claiming more are corrupt (a bound on what replay allocates).
  int64_t max_record_bytes = int64_t{64} << 20;
  // Segments kept for reuse instead of deleted (see "Segment reuse" above); 0 deletes them.
  int spare_segments = 2;
};

struct WalSegmentInfo {
  std::string path;
  uint64_t first_lsn = 0;
  int64_t size_bytes = 0;
  int64_t max_received_at_micros = 0;  // of its records (0 when empty)
};

class Wal {
 public:
  using ReplayFn = std::function<Status(const WalRecord& record)>;

  // Opens (creating) the folder, replays every valid record in LSN order through `replay`, and
  // starts a new segment at the next LSN, which is at least `min_next_lsn` (positions recorded
  // elsewhere, e.g. in committed snapshots, so LSNs never repeat after segments were deleted).
  // An error from `replay` stops Open with that error.
  static Result<std::unique_ptr<Wal>> Open(const WalOptions& options, Logger* logger,
                                           const ReplayFn& replay, uint64_t min_next_lsn = 1);
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends the entries with consecutive LSNs and writes them to the active segment (one write
  // call); returns the LSN of the first. Thread-safe, but callers that need their LSN order to
  // match another order (the collector's buffers) serialise their calls. After a write or sync
  // error the log is failed: every later call returns that error.
  Result<uint64_t> Write(std::span<const WalEntry> entries);

  // Returns once every record with an LSN up to `lsn` is durable (immediately under kNone).
  Status Sync(uint64_t lsn);

  // Deletes closed segments, oldest first, whose every LSN is below `lsn_floor` and whose newest
  // record was received before `keep_since_micros` (segments are kept that long so the dedup
  // window survives a restart) or that the log cannot keep within `keep_bytes`; up to
  // `spare_segments` of them become spares. Returns the bytes of the log they held.
  Result<int64_t> DeleteSegmentsBelow(uint64_t lsn_floor, int64_t keep_since_micros,
                                      int64_t keep_bytes = INT64_MAX);

  // The LSN the next record gets.
  uint64_t next_lsn() const;
  // Bytes of all segment files.
  int64_t total_bytes() const;
  std::vector<WalSegmentInfo> segments() const;
  const WalOptions& options() const { return options_; }

 private:
  Wal(WalOptions options, Logger* logger);
  Status Replay(const ReplayFn& replay, uint64_t* next_lsn);
  // `next_first_lsn`: the first LSN of the segment after this one, 0 for the last.
  Status ReplaySegment(WalSegmentInfo* segment, uint64_t next_first_lsn, const ReplayFn& replay,
                       uint64_t* expected_lsn);
  // Closes the active segment (synced under kFsync) and starts one at next_lsn_. REQUIRES: mu_.
  Status StartSegment(std::unique_lock<std::mutex>& lock);
  Status Fail(Status status);  // REQUIRES: mu_
  int64_t BytesLocked() const;  // of all segments; REQUIRES: mu_
  // Cuts a reused active segment to its records (no older bytes after them); ftruncate's result.
  int CutReusedSegment();  // REQUIRES: mu_ (or the destructor)

  WalOptions options_;
  Logger* logger_;
  mutable std::mutex mu_;
  std::condition_variable sync_cv_;
  std::vector<WalSegmentInfo> segments_;  // by first LSN; the last one is active
  int fd_ = -1;                           // the active segment
  bool active_reused_ = false;            // whether it was a spare (may hold older bytes)
  std::vector<std::string> spares_;       // paths of segments kept for reuse
  uint64_t next_lsn_ = 1;
  uint64_t durable_lsn_ = 0;  // every LSN up to this one is on disk
  bool syncing_ = false;
  Status failed_;
  Buffer scratch_;  // a Write's records, under mu_
};

}  // namespace floe::ingest
