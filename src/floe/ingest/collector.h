#pragma once

// The durable ingest pipeline behind `POST /v1/events` and `floe ingest`:
//
//   map each event to its table's row ─▶ dedup ─▶ WAL (group-commit fsync) ─▶ acknowledge
//        ─▶ per-table, per-partition column buffers ─▶ (time | bytes | count | Flush)
//        ─▶ one sorted zstd Parquet file per partition ─▶ one append commit per table
//
// Exactly once: every commit's snapshot summary carries `floe.node-id` and `floe.wal-position`
// (every WAL record of that table up to that LSN is in the table); at Open the WAL is replayed
// and records a committed snapshot of this node already covers are skipped. A commit whose
// outcome is unknown is resolved by reloading the table and looking for that summary.
//
//   CollectorServices services{&store, &catalog, &clock, &logger};
//   FLOE_ASSIGN_OR_RETURN(auto collector, Collector::Open(options, services));
//   FLOE_ASSIGN_OR_RETURN(IngestResult r, collector->Ingest(table_id, std::move(decoded)));
//   ...
//   FLOE_RETURN_IF_ERROR(collector->Close());
//
// Settings and their defaults: docs/configuration.md ("Ingest").

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/common/clock.h"
#include "floe/common/logger.h"
#include "floe/common/metrics_floe.h"
#include "floe/common/result.h"
#include "floe/ingest/decoder.h"
#include "floe/ingest/wal.h"
#include "floe/io/object_store.h"

namespace floe::ingest {

struct CollectorOptions {
  // WAL segments (`<state_dir>/wal/`), the node id and the lock that keeps a second process out.
  std::string state_dir = "./floe-state";
  // Names this node in snapshot summaries and data file names; empty: the id stored in
  // `<state_dir>/node-id`, made (a random UUID) on first start.
  std::string node_id;
  Durability durability = Durability::kFsync;
  int64_t wal_segment_bytes = int64_t{64} << 20;

  // Flush triggers, per table (the seed's names).
  int64_t buffer_time_seconds = 30;               // BUFFER_TIME_SECONDS: age of the oldest event
  int64_t buffer_size_bytes = int64_t{64} << 20;  // BUFFER_SIZE_BYTES
  int64_t buffer_count_threshold = 500000;        // BUFFER_COUNT_THRESHOLD: events

  // Backpressure: Ingest fails with kResourceExhausted while the events held in memory (buffered
  // and being flushed, all tables) or the WAL on disk pass these.
  int64_t max_buffered_bytes = int64_t{512} << 20;
  int64_t max_wal_bytes = int64_t{2} << 30;

  // An event whose id was accepted into the same table this recently is a duplicate. The ids are
  // kept as 128-bit hashes, at most dedup_max_ids of them (the oldest are forgotten first).
  int64_t dedup_window_seconds = 600;
  int64_t dedup_max_ids = 2000000;

  // A thread flushes buffers whose time has come and those Ingest found full. Off (tests with a
  // FakeClock): Ingest flushes full buffers itself and FlushDue() flushes old ones.
  bool background_flush = true;
  // Threads of the Parquet writer (WriterOptions::threads) for each flushed file.
  int parquet_threads = 1;
  // 1, not the writer's 3: encodes much faster with files no larger for event rows
  // (bench/README.md, Parquet), and compaction rewrites these small files at the table's level.
  int zstd_level = 1;
  int64_t row_group_size_bytes = int64_t{128} << 20;
};

// What the collector works with; none is owned and all must outlive it.
struct CollectorServices {
  ObjectStore* store = nullptr;
  Catalog* catalog = nullptr;
  const Clock* clock = nullptr;
  Logger* logger = nullptr;
  // Optional: every landed flush counts in floe_ingest_flushes_total{reason} (time, bytes, count
  // for due buffers; admin for Flush(); shutdown for Close()), floe_ingest_flush_duration_seconds
  // and floe_commit_duration_seconds{table, operation="append"}.
  const metrics::FloeMetrics* metrics = nullptr;
};

struct IngestResult {
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t duplicates = 0;
  std::vector<EventError> errors;  // decode errors and mapping errors, by index
};

// One table's append of a flush.
struct TableCommit {
  TableIdentifier table;
  int64_t snapshot_id = 0;
  int64_t data_files = 0;
  int64_t records = 0;
  int64_t bytes = 0;
  uint64_t wal_position = 0;
};

struct FlushResult {
  std::vector<TableCommit> commits;  // empty when nothing was buffered
};

struct CollectorStats {
  int64_t events_accepted = 0;
  int64_t events_rejected = 0;
  int64_t events_duplicate = 0;
  int64_t bytes_accepted = 0;      // JSON bytes of accepted events
  int64_t buffered_events = 0;     // now, all tables
  int64_t buffered_bytes = 0;      // now: buffered and being flushed
  int64_t max_buffered_bytes = 0;  // the backpressure limit
  int64_t flushes = 0;             // commits that landed
  int64_t flush_failures = 0;
  int64_t flushed_events = 0;
  int64_t data_files_written = 0;
  int64_t last_flush_duration_ms = 0;  // write files + commit
  int64_t total_flush_duration_ms = 0;
  int64_t last_commit_latency_ms = 0;  // the catalog commit alone
  int64_t wal_bytes = 0;
  uint64_t wal_next_lsn = 0;
  int64_t backpressure_rejections = 0;  // Ingest calls refused (kResourceExhausted)
  int64_t replayed_events = 0;          // re-buffered from the WAL at Open
};

// The events of one body mapped to a table's rows (Collector::Map), for Collector::Ingest.
class MappedBody {
 public:
  struct Rows;  // the collector's
  explicit MappedBody(std::unique_ptr<Rows> rows);
  ~MappedBody();
  MappedBody(MappedBody&&) noexcept;
  MappedBody& operator=(MappedBody&&) noexcept;
  Rows* rows() const { return rows_.get(); }

 private:
  std::unique_ptr<Rows> rows_;
};

class Collector {
 public:
  // Locks the state folder, loads or makes the node id, replays the WAL: records of tables whose
  // committed snapshots (of this node) cover them only refill the dedup window; the rest are
  // mapped and buffered again (a table that no longer exists is logged and skipped).
  static Result<std::unique_ptr<Collector>> Open(CollectorOptions options,
                                                 CollectorServices services);
  // Stops the flush thread without flushing (Close() flushes); what is buffered stays in the WAL.
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Maps each event (rejects go to the result's errors, with the decode errors of `body`), appends
  // the accepted ones to the WAL and returns only after the group-commit fsync (unless durability
  // none), then they are buffered. kNotFound: unknown table. kResourceExhausted: backpressure,
  // nothing of the body was taken; retry_after_seconds() says when to try again.
  Result<IngestResult> Ingest(const TableIdentifier& table, DecodedBody body);

  // Ingest in two halves, so that bulk loads map bodies on several threads while the rest stays
  // in order: Map (thread-safe, no lock held while mapping; kNotFound: unknown table), then
  // Ingest of the mapped body (dedup, WAL, buffers; backpressure as above), called in the order
  // the events are to take in the log. The rows are freed with `mapped`, by the caller (freeing
  // them takes time better spent outside that order).
  Result<MappedBody> Map(const TableIdentifier& table, DecodedBody body);
  Result<IngestResult> Ingest(MappedBody&& mapped);

  // Commits every buffer now (each table one append). Errors: the first failing table's; the
  // events of a failed flush stay buffered (and in the WAL) and are retried by the next flush.
  Result<FlushResult> Flush();
  // Flushes the tables whose oldest event is BUFFER_TIME_SECONDS old or whose buffers are full.
  Result<FlushResult> FlushDue();
  // Flush, stop the flush thread, release the state folder. Ingest fails afterwards.
  Status Close();

  CollectorStats Stats() const;
  // Seconds a refused client should wait (Retry-After): about one flush's duration, at least 1.
  int retry_after_seconds() const;
  const std::string& node_id() const;

  class Impl;

 private:
  explicit Collector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Summary keys of the commits the collector makes.
inline constexpr const char* kNodeIdSummaryKey = "floe.node-id";
inline constexpr const char* kWalPositionSummaryKey = "floe.wal-position";

}  // namespace floe::ingest
