#include "floe/ingest/collector.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "floe/catalog/table.h"
#include "floe/catalog/transaction.h"
#include "floe/iceberg/data_file.h"
#include "floe/iceberg/datetime.h"
#include "floe/iceberg/json_serde.h"
#include "floe/ingest/dedup_window.h"
#include "floe/ingest/event_mapper.h"
#include "floe/ingest/partition_buffer.h"
#include "floe/io/location.h"
#include "floe/parquet/schema.h"
#include "floe/parquet/writer.h"
#include "floe/util/uuid.h"

namespace floe::ingest {

namespace {

constexpr int64_t kWriteBatchRows = 65536;
// Commits whose outcome stays unknown are resolved (reload, look for the summary) this often
// before the flush gives up and leaves the job for the next one.
constexpr int kUnknownStateResolutions = 3;

std::string ErrnoText() { return std::strerror(errno); }

Status ValidateOptions(const CollectorOptions& o) {
  auto positive = [](const char* name, int64_t v, int64_t max) -> Status {
    if (v < 1 || v > max) {
      return Status::InvalidArgument(std::string(name) + " = " + std::to_string(v) +
                                     ": allowed range 1.." + std::to_string(max));
    }
    return Status::OK();
  };
  constexpr int64_t kOneTiB = int64_t{1} << 40;
  FLOE_RETURN_IF_ERROR(positive("BUFFER_TIME_SECONDS", o.buffer_time_seconds, 86400));
  // Column offsets of a buffer are 32-bit.
  FLOE_RETURN_IF_ERROR(positive("BUFFER_SIZE_BYTES", o.buffer_size_bytes, int64_t{1} << 30));
  FLOE_RETURN_IF_ERROR(positive("BUFFER_COUNT_THRESHOLD", o.buffer_count_threshold, 100000000));
  FLOE_RETURN_IF_ERROR(positive("max buffered bytes", o.max_buffered_bytes, kOneTiB));
  FLOE_RETURN_IF_ERROR(positive("max WAL bytes", o.max_wal_bytes, kOneTiB));
  FLOE_RETURN_IF_ERROR(positive("WAL segment bytes", o.wal_segment_bytes, int64_t{1} << 32));
  FLOE_RETURN_IF_ERROR(positive("dedup window seconds", o.dedup_window_seconds, 7 * 86400));
  FLOE_RETURN_IF_ERROR(positive("dedup max ids", o.dedup_max_ids, int64_t{1} << 32));
  FLOE_RETURN_IF_ERROR(positive("parquet threads", o.parquet_threads, 64));
  if (o.state_dir.empty()) return Status::InvalidArgument("state folder: empty path");
  return Status::OK();
}

Result<std::string> LoadOrMakeNodeId(const std::string& state_dir, const Clock* clock) {
  std::string path = state_dir + "/node-id";
  std::ifstream in(path);
  if (in) {
    std::string id;
    std::getline(in, id);
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r' || id.back() == ' ')) {
      id.pop_back();
    }
    if (!id.empty()) return id;
  }
  std::string id = UuidGenerator(clock).NewV4().ToString();
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << id << "\n";
    if (!out) return Status::IOError("state folder: cannot write " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("state folder: cannot rename " + tmp + ": " + ErrnoText());
  }
  return id;
}

// The highest WAL position this node's snapshots of the table record.
uint64_t CommittedPosition(const iceberg::TableMetadata& m, const std::string& node_id) {
  uint64_t best = 0;
  for (const auto& s : m.snapshots) {
    auto node = s.summary.find(kNodeIdSummaryKey);
    if (node == s.summary.end() || node->second != node_id) continue;
    auto pos = s.summary.find(kWalPositionSummaryKey);
    if (pos == s.summary.end()) continue;
    uint64_t v = 0;
    auto [end, ec] =
        std::from_chars(pos->second.data(), pos->second.data() + pos->second.size(), v);
    if (ec == std::errc() && end == pos->second.data() + pos->second.size())
      best = std::max(best, v);
  }
  return best;
}

std::optional<int64_t> SnapshotCovering(const iceberg::TableMetadata& m, const std::string& node_id,
                                        uint64_t position) {
  std::string pos = std::to_string(position);
  for (const auto& s : m.snapshots) {
    auto node = s.summary.find(kNodeIdSummaryKey);
    auto p = s.summary.find(kWalPositionSummaryKey);
    if (node != s.summary.end() && node->second == node_id && p != s.summary.end() &&
        p->second == pos) {
      return s.snapshot_id;
    }
  }
  return std::nullopt;
}

struct FlushJob {
  std::vector<std::unique_ptr<PartitionBuffer>> partitions;
  int64_t rows = 0;
  int64_t bytes = 0;  // held in memory until the files are written
  uint64_t min_lsn = 0;
  uint64_t max_lsn = 0;
  bool written = false;
  std::vector<iceberg::DataFile> files;
  int64_t file_bytes = 0;
  int attempts = 0;
  const char* reason = "admin";  // what cut it: time, bytes, count, admin, shutdown
  int64_t commit_nanos = 0;      // the catalog commit of the attempt that landed
};

// What a flush needs to know of a table, fixed when it is first used.
struct TableLayout {
  iceberg::Schema schema;
  iceberg::PartitionSpec spec;
  std::vector<size_t> partition_sources;  // top-level column of each partition field
  std::vector<SortKey> sort_keys;
  std::optional<int32_t> sort_order_id;  // set when the keys honour the whole sort order
  std::vector<parquet::LeafColumn> leaves;
  parquet::Schema parquet_schema;
  std::string schema_json;
  std::string data_folder;
};

Result<TableLayout> MakeLayout(const iceberg::TableMetadata& m) {
  TableLayout l;
  l.schema = m.CurrentSchema();
  l.spec = m.DefaultSpec();
  const auto& fields = l.schema.fields();
  auto top_index = [&](int32_t id) -> std::optional<size_t> {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].id == id) return i;
    }
    return std::nullopt;
  };
  for (const auto& pf : l.spec.fields) {
    auto i = top_index(pf.source_id);
    if (!i) {
      return Status::NotSupported("partition field " + pf.name +
                                  ": its source is not a top-level column");
    }
    l.partition_sources.push_back(*i);
  }
  const iceberg::SortOrder* order = m.SortOrderById(m.default_sort_order_id);
  bool complete = order != nullptr;
  if (order != nullptr) {
    for (const auto& sf : order->fields) {
      auto i = top_index(sf.source_id);
      // Ordering by the source value orders by any monotonic transform of it as well.
      using K = iceberg::TransformKind;
      K kind = sf.transform.kind();
      bool monotonic = kind == K::kIdentity || kind == K::kYear || kind == K::kMonth ||
                       kind == K::kDay || kind == K::kHour || kind == K::kTruncate;
      if (!i || !monotonic) {
        complete = false;
        break;
      }
      l.sort_keys.push_back(SortKey{*i, sf.direction == iceberg::SortDirection::kDesc,
                                    sf.null_order == iceberg::NullOrder::kNullsFirst});
    }
    if (complete) l.sort_order_id = order->order_id;
  }
  FLOE_ASSIGN_OR_RETURN(l.parquet_schema, iceberg::ToParquetSchema(l.schema));
  FLOE_ASSIGN_OR_RETURN(auto file_schema, parquet::BuildFileSchema(l.parquet_schema));
  l.leaves = std::move(file_schema.leaves);
  if (l.leaves.size() != fields.size()) {
    return Status::NotSupported("table schema has nested columns, which ingest does not buffer");
  }
  l.schema_json = iceberg::SchemaToJsonString(l.schema);
  auto it = m.properties.find("write.data.path");
  l.data_folder = it != m.properties.end() && !it->second.empty()
                      ? it->second
                      : JoinLocation(m.location, "data");
  while (!l.data_folder.empty() && l.data_folder.back() == '/') l.data_folder.pop_back();
  return l;
}

}  // namespace

// One event of a body, mapped into the body's own partition buffers.
struct BodyEvent {
  uint32_t part = 0;  // in MappedBody::Rows::parts
  uint32_t id_size = 0;
  size_t id_begin = 0;    // in MappedBody::Rows::ids
  std::string_view json;  // into MappedBody::Rows::events
};

struct TableState;

// A body's rows are mapped into buffers of its own, in parallel with other bodies; Ingest then
// hands each buffer's columns to the table's buffer (no copy), instead of one event at a time
// under the lock.
struct MappedBody::Rows {
  TableState* table = nullptr;
  int64_t received_at_micros = 0;
  DecodedBody body;  // its events' texts are what `mapped` views
  std::vector<std::unique_ptr<PartitionBuffer>> parts;
  std::vector<BodyEvent> mapped;
  std::string ids;  // the event ids of `mapped`, one after another
  // The dedup key of each event of `mapped` with an id, in order (hashed while mapping, outside
  // the serial half).
  std::vector<DedupWindow::Key> keys;
  IngestResult result;  // decode and mapping errors so far
  bool taken = false;   // by Ingest
};

MappedBody::MappedBody(std::unique_ptr<Rows> rows) : rows_(std::move(rows)) {}
MappedBody::~MappedBody() = default;
MappedBody::MappedBody(MappedBody&&) noexcept = default;
MappedBody& MappedBody::operator=(MappedBody&&) noexcept = default;

struct TableState {
  TableIdentifier id;
  std::string name;
  std::unique_ptr<Table> table;  // used under flush_mu_ (and during Open)
  std::unique_ptr<EventMapper> mapper;
  std::unique_ptr<TableLayout> layout;
  // Guarded by Impl::mu_.
  std::unordered_map<std::string, std::unique_ptr<PartitionBuffer>> buffers;
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t oldest_micros = 0;
  uint64_t min_lsn = 0;
  uint64_t max_lsn = 0;
  // Cut from the buffers, not yet committed, in LSN order. Changed under flush_mu_ and mu_.
  std::deque<FlushJob> pending;
  uint64_t committed_lsn = 0;
  // Which columns' dictionaries did not pay in the files written before, so the next files
  // skip them for a while (parquet::DictionaryHistory; used under flush_mu_).
  parquet::DictionaryHistory dictionary_history;
};

class Collector::Impl {
 public:
  Impl(CollectorOptions options, CollectorServices services)
      : options_(std::move(options)),
        services_(services),
        dedup_(options_.dedup_window_seconds * 1000000, options_.dedup_max_ids),
        uuids_(services.clock) {}

  ~Impl() {
    StopThread();
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  Status Open();
  Result<IngestResult> Ingest(const TableIdentifier& table, DecodedBody body);
  Result<MappedBody> Map(const TableIdentifier& table, DecodedBody body);
  Result<MappedBody> Map(TableState* table, DecodedBody body);
  Result<IngestResult> Ingest(MappedBody&& mapped);
  // `forced_reason` names a flush of every buffer (admin, shutdown); null flushes the due ones.
  Result<FlushResult> FlushTables(const char* forced_reason);
  Status Close();
  CollectorStats Stats() const;
  int RetryAfterSeconds() const;  // REQUIRES: mu_
  int RetryAfter() const {
    std::lock_guard lock(mu_);
    return RetryAfterSeconds();
  }
  const std::string& node_id() const { return node_id_; }
  void StopThread();

 private:
  Result<TableState*> GetTable(const TableIdentifier& id);
  // Whether a body may be taken now: not closed, buffers and WAL under their limits.
  Status Admit();
  // The serial half of Ingest: dedup, WAL, buffers.
  Result<IngestResult> Commit(MappedBody::Rows* rows);
  Result<std::unique_ptr<TableState>> LoadTable(const TableIdentifier& id);
  // The partition of the last row given to PartitionOf.
  struct PartitionCache {
    bool valid = false;
    bool changed = false;  // from the row before
    std::vector<iceberg::Literal> sources;
    std::vector<iceberg::Literal> partition;
    std::string path;
    // When every partition field is day() or hour() of a timestamp: the microseconds each
    // source value may take and stay in `partition`, [first, second).
    std::vector<std::pair<int64_t, int64_t>> ranges;
  };
  // Consecutive events mostly share a partition: its path is formatted once per run of them.
  Status PartitionOf(const TableState& t, const MappedRow& row, PartitionCache* cache) const;
  // Counts `rows` events of LSNs first..last buffered, holding `added` more bytes. REQUIRES: mu_.
  void AccountBuffered(TableState* t, int64_t rows, int64_t added, uint64_t first, uint64_t last,
                       int64_t received_at);
  bool Due(const TableState& t, int64_t now_micros) const;   // REQUIRES: mu_
  const char* DueReason(const TableState& t) const;          // REQUIRES: mu_
  void CutJob(TableState* t, const char* reason);            // REQUIRES: mu_, flush_mu_
  Status CommitPending(TableState* t, FlushResult* result);  // REQUIRES: flush_mu_
  Status WriteFiles(TableState* t, FlushJob* job);
  // After a flush: hands malloc's free memory back to the system when it holds more than
  // `headroom`, the bytes the buffers may still grow by.
  static void ReturnFreedMemory(int64_t headroom);
  Result<int64_t> CommitJob(TableState* t, FlushJob* job);
  // Deletes the WAL segments no buffer, pending flush or dedup window needs. Not under mu_:
  // unlinking a 64 MB segment takes ~20 ms, and a dozen at once held up every ingest.
  void DeleteCoveredSegments();
  Status ReplayRecord(const WalRecord& record, int64_t now_micros);
  void RunThread();

  CollectorOptions options_;
  CollectorServices services_;
  std::string node_id_;
  int lock_fd_ = -1;
  std::unique_ptr<Wal> wal_;

  mutable std::mutex mu_;
  // The tables by name: read under either lock, added to under both (mu_ first). A request
  // finds its table under tables_mu_ alone, not behind another request's commit holding mu_.
  mutable std::shared_mutex tables_mu_;
  std::map<std::string, std::unique_ptr<TableState>> tables_;
  DedupWindow dedup_;
  CollectorStats stats_;
  bool closed_ = false;
  UuidGenerator uuids_;        // under flush_mu_
  MapScratch replay_scratch_;  // Open only
  MappedRow replay_row_;
  PartitionCache replay_cache_;
  int64_t flush_seq_ = 0;

  std::mutex load_mu_;   // one catalog load at a time
  std::mutex flush_mu_;  // one flush at a time

  std::thread thread_;
  std::mutex thread_mu_;
  std::condition_variable thread_cv_;
  bool stop_ = false;
  bool kicked_ = false;
};

Status Collector::Impl::Open() {
  FLOE_RETURN_IF_ERROR(ValidateOptions(options_));
  if (services_.store == nullptr || services_.catalog == nullptr || services_.clock == nullptr ||
      services_.logger == nullptr) {
    return Status::InvalidArgument("collector: store, catalog, clock and logger are required");
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.state_dir, ec);
  if (ec) return Status::IOError("state folder " + options_.state_dir + ": " + ec.message());
  std::string lock_path = options_.state_dir + "/LOCK";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return Status::IOError("state folder: cannot open " + lock_path);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::Unavailable("state folder " + options_.state_dir +
                               " is in use by another floe process (" + lock_path + " is locked)");
  }
  node_id_ = options_.node_id;
  if (node_id_.empty()) {
    FLOE_ASSIGN_OR_RETURN(node_id_, LoadOrMakeNodeId(options_.state_dir, services_.clock));
  }
  WalOptions wal_options;
  wal_options.dir = options_.state_dir + "/wal";
  wal_options.durability = options_.durability;
  wal_options.segment_bytes = options_.wal_segment_bytes;
  int64_t now = services_.clock->NowMicros();
  auto wal = Wal::Open(wal_options, services_.logger,
                       [&](const WalRecord& r) { return ReplayRecord(r, now); });
  if (!wal.ok()) return wal.status();
  wal_ = std::move(wal).value();
  // Committed positions are kept in snapshots; the WAL must never hand out an LSN again even when
  // every segment was deleted, so a fresh log starts after the highest one seen.
  uint64_t highest = 0;
  for (const auto& [name, t] : tables_) highest = std::max(highest, t->committed_lsn);
  if (wal_->next_lsn() <= highest) {
    return Status::Internal("write-ahead log restarts at LSN " + std::to_string(wal_->next_lsn()) +
                            " below a committed position " + std::to_string(highest));
  }
  services_.logger->Info("ingest.open", {{"node_id", node_id_},
                                         {"state_dir", options_.state_dir},
                                         {"replayed_events", stats_.replayed_events},
                                         {"next_lsn", static_cast<int64_t>(wal_->next_lsn())}});
  if (options_.background_flush) thread_ = std::thread([this] { RunThread(); });
  return Status::OK();
}

Status Collector::Impl::ReplayRecord(const WalRecord& r, int64_t now_micros) {
  auto id = TableIdentifier::Parse(r.entry.table);
  if (!id.ok()) {
    services_.logger->Error("ingest.replay_bad_table", {{"table", std::string(r.entry.table)}});
    return Status::OK();
  }
  auto table = GetTable(*id);
  if (!table.ok()) {
    if (table.status().kind() == ErrorKind::kNotFound) {
      services_.logger->Warn("ingest.replay_table_gone", {{"table", std::string(r.entry.table)},
                                                          {"lsn", static_cast<int64_t>(r.lsn)}});
      return Status::OK();
    }
    return table.status();
  }
  TableState* t = *table;
  std::lock_guard lock(mu_);
  DedupWindow::Key key = DedupWindow::KeyOf(t->name, r.entry.event_id);
  if (r.lsn <= t->committed_lsn) {
    if (!r.entry.event_id.empty()) dedup_.Insert(key, r.entry.received_at_micros, now_micros);
    return Status::OK();
  }
  MappedRow& row = replay_row_;
  Status st = t->mapper->MapRow(r.entry.json, r.entry.received_at_micros, &replay_scratch_, &row);
  if (st.ok()) st = PartitionOf(*t, row, &replay_cache_);
  if (!st.ok()) {
    // Accepted once, so this is a loss; it can only happen when the table changed under the log.
    services_.logger->Error(
        "ingest.replay_unmappable",
        {{"table", t->name}, {"lsn", static_cast<int64_t>(r.lsn)}, {"error", st.ToString()}});
    return Status::OK();
  }
  if (!row.id.empty()) dedup_.Insert(key, r.entry.received_at_micros, now_micros);
  auto& slot = t->buffers[replay_cache_.path];
  if (!slot) {
    slot = std::make_unique<PartitionBuffer>(&t->layout->leaves, replay_cache_.partition,
                                             replay_cache_.path);
  }
  int64_t before = slot->bytes();
  FLOE_RETURN_IF_ERROR(slot->AppendRow(row));
  AccountBuffered(t, 1, slot->bytes() - before, r.lsn, r.lsn, r.entry.received_at_micros);
  ++stats_.replayed_events;
  return Status::OK();
}

Result<std::unique_ptr<TableState>> Collector::Impl::LoadTable(const TableIdentifier& id) {
  TableServices ts{services_.store, services_.catalog, services_.clock, std::nullopt};
  FLOE_ASSIGN_OR_RETURN(auto table, Table::Load(ts, id));
  auto state = std::make_unique<TableState>();
  state->id = id;
  state->name = id.ToString();
  FLOE_ASSIGN_OR_RETURN(TableLayout layout, MakeLayout(table->metadata()));
  state->layout = std::make_unique<TableLayout>(std::move(layout));
  FLOE_ASSIGN_OR_RETURN(EventMapper mapper, EventMapper::Make(state->layout->schema));
  state->mapper = std::make_unique<EventMapper>(std::move(mapper));
  state->committed_lsn = CommittedPosition(table->metadata(), node_id_);
  state->table = std::move(table);
  return state;
}

Result<TableState*> Collector::Impl::GetTable(const TableIdentifier& id) {
  std::string name = id.ToString();
  {
    std::shared_lock lock(tables_mu_);
    auto it = tables_.find(name);
    if (it != tables_.end()) return it->second.get();
  }
  std::lock_guard load_lock(load_mu_);
  {
    std::shared_lock lock(tables_mu_);
    auto it = tables_.find(name);
    if (it != tables_.end()) return it->second.get();
  }
  FLOE_ASSIGN_OR_RETURN(auto state, LoadTable(id));
  std::lock_guard lock(mu_);
  std::unique_lock tables_lock(tables_mu_);
  TableState* t = state.get();
  tables_.emplace(name, std::move(state));
  return t;
}

Status Collector::Impl::PartitionOf(const TableState& t, const MappedRow& row,
                                    PartitionCache* cache) const {
  const TableLayout& l = *t.layout;
  if (l.spec.fields.empty()) {
    cache->changed = !cache->valid;
    cache->valid = true;
    return Status::OK();
  }
  // Consecutive events mostly share a partition: for day and hour of a timestamp, the range
  // of the cached partition answers without a Literal made or a transform applied.
  if (cache->valid && !cache->ranges.empty()) {
    bool same = true;
    for (size_t k = 0; k < l.partition_sources.size() && same; ++k) {
      const RowValue& v = row.values[l.partition_sources[k]];
      same = v.kind == RowValue::Kind::kTimestampTz && v.micros >= cache->ranges[k].first &&
             v.micros < cache->ranges[k].second;
    }
    if (same) {
      cache->changed = false;
      return Status::OK();
    }
  }
  cache->sources.clear();
  for (size_t i : l.partition_sources) {
    cache->sources.push_back(row.LiteralAt(i, l.schema.fields()[i].type));
  }
  FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::Literal> partition,
                        iceberg::ComputePartition(l.spec, cache->sources));
  cache->changed = !cache->valid || cache->partition != partition;
  if (!cache->changed) return Status::OK();
  cache->valid = false;
  FLOE_ASSIGN_OR_RETURN(cache->path, iceberg::PartitionPath(l.spec, partition));
  cache->partition = std::move(partition);
  cache->valid = true;
  cache->ranges.clear();
  for (size_t k = 0; k < l.spec.fields.size(); ++k) {
    using K = iceberg::TransformKind;
    const K kind = l.spec.fields[k].transform.kind();
    const RowValue& v = row.values[l.partition_sources[k]];
    const iceberg::Literal& p = cache->partition[k];
    if ((kind != K::kDay && kind != K::kHour) || v.kind != RowValue::Kind::kTimestampTz ||
        p.is_null()) {
      cache->ranges.clear();
      break;
    }
    const int64_t unit = kind == K::kDay ? iceberg::kMicrosPerDay : iceberg::kMicrosPerHour;
    const int64_t first = int64_t{p.int_value()} * unit;
    cache->ranges.emplace_back(first, first + unit);
  }
  return Status::OK();
}

void Collector::Impl::AccountBuffered(TableState* t, int64_t rows, int64_t added, uint64_t first,
                                      uint64_t last, int64_t received_at) {
  if (t->rows == 0) {
    t->oldest_micros = received_at;
    t->min_lsn = first;
  }
  t->oldest_micros = std::min(t->oldest_micros, received_at);
  t->max_lsn = last;
  t->rows += rows;
  t->bytes += added;
  stats_.buffered_events += rows;
  stats_.buffered_bytes += added;
}

bool Collector::Impl::Due(const TableState& t, int64_t now_micros) const {
  if (!t.pending.empty()) return true;
  if (t.rows == 0) return false;
  return t.rows >= options_.buffer_count_threshold || t.bytes >= options_.buffer_size_bytes ||
         now_micros - t.oldest_micros >= options_.buffer_time_seconds * 1000000;
}

const char* Collector::Impl::DueReason(const TableState& t) const {
  if (t.rows >= options_.buffer_count_threshold) return "count";
  if (t.bytes >= options_.buffer_size_bytes) return "bytes";
  return "time";
}

Status Collector::Impl::Admit() {
  std::lock_guard lock(mu_);
  if (closed_) return Status::Unavailable("the collector is shutting down");
  int64_t wal_bytes = wal_->total_bytes();
  if (stats_.buffered_bytes < options_.max_buffered_bytes && wal_bytes < options_.max_wal_bytes) {
    return Status::OK();
  }
  ++stats_.backpressure_rejections;
  bool buffers = stats_.buffered_bytes >= options_.max_buffered_bytes;
  std::string what = buffers ? "ingest buffers are full (" + std::to_string(stats_.buffered_bytes) +
                                   " of " + std::to_string(options_.max_buffered_bytes) + " bytes)"
                             : "the write-ahead log is full (" + std::to_string(wal_bytes) +
                                   " of " + std::to_string(options_.max_wal_bytes) + " bytes)";
  {
    std::lock_guard tl(thread_mu_);
    kicked_ = true;
  }
  thread_cv_.notify_all();
  return Status::ResourceExhausted(what + "; retry after " + std::to_string(RetryAfterSeconds()) +
                                   " s");
}

Result<IngestResult> Collector::Impl::Ingest(const TableIdentifier& table_id, DecodedBody body) {
  FLOE_ASSIGN_OR_RETURN(TableState * table, GetTable(table_id));
  FLOE_RETURN_IF_ERROR(Admit());
  FLOE_ASSIGN_OR_RETURN(MappedBody mapped, Map(table, std::move(body)));
  return Commit(mapped.rows());
}

Result<IngestResult> Collector::Impl::Ingest(MappedBody&& mapped) {
  if (mapped.rows() == nullptr || mapped.rows()->taken) {
    return Status::Internal("ingest: a mapped body is taken once");
  }
  FLOE_RETURN_IF_ERROR(Admit());
  return Commit(mapped.rows());
}

Result<MappedBody> Collector::Impl::Map(const TableIdentifier& table_id, DecodedBody body) {
  FLOE_ASSIGN_OR_RETURN(TableState * table, GetTable(table_id));
  return Map(table, std::move(body));
}

Result<MappedBody> Collector::Impl::Map(TableState* table, DecodedBody body) {
  auto rows = std::make_unique<MappedBody::Rows>();
  rows->result.errors = std::move(body.errors);
  rows->result.rejected = static_cast<int64_t>(rows->result.errors.size());
  rows->table = table;
  rows->received_at_micros = services_.clock->NowMicros();
  rows->body = std::move(body);
  DecodedBody& decoded = rows->body;
  const std::vector<RawEvent>& events = decoded.events;
  rows->mapped.reserve(events.size());
  const TableState& t = *rows->table;
  MapScratch scratch;
  MappedRow row;
  PartitionCache cache;
  std::unordered_map<std::string, uint32_t> part_of;  // by partition path
  uint32_t part = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const RawEvent& e = events[i];
    Status st;
    // A line DecodeBody did not validate is validated by the mapper's scan; what the scan
    // cannot decide is validated as DecodeBody would have, then mapped.
    if (e.validated || !t.mapper->MapUnvalidatedRow(e.json, decoded.max_depth,
                                                    rows->received_at_micros, &scratch, &row)) {
      std::string invalid = decoded.Validate(i);
      st = invalid.empty() ? t.mapper->MapRow(e.json, rows->received_at_micros, &scratch, &row,
                                              /*decoded=*/true)
                           : Status::InvalidArgument(std::move(invalid));
    }
    if (st.ok()) st = PartitionOf(t, row, &cache);
    if (!st.ok()) {
      rows->result.errors.push_back(EventError{e.index, st.message()});
      ++rows->result.rejected;
      continue;
    }
    if (cache.changed) {
      auto [it, added] = part_of.try_emplace(cache.path, static_cast<uint32_t>(rows->parts.size()));
      if (added) {
        rows->parts.push_back(
            std::make_unique<PartitionBuffer>(&t.layout->leaves, cache.partition, cache.path,
                                              static_cast<int64_t>(events.size())));
      }
      part = it->second;
    }
    // An error here is a mapper/buffer mismatch: a bug, reported as such.
    FLOE_RETURN_IF_ERROR(rows->parts[part]->AppendRow(row));
    rows->mapped.push_back(
        BodyEvent{part, static_cast<uint32_t>(row.id.size()), rows->ids.size(), e.json});
    rows->ids.append(row.id);
    if (!row.id.empty()) rows->keys.push_back(DedupWindow::KeyOf(t.name, row.id));
  }
  return MappedBody(std::move(rows));
}

Result<IngestResult> Collector::Impl::Commit(MappedBody::Rows* rows) {
  rows->taken = true;
  TableState* t = rows->table;
  const int64_t now = rows->received_at_micros;
  const std::vector<BodyEvent>& mapped = rows->mapped;
  IngestResult result = std::move(rows->result);
  uint64_t last_lsn = 0;
  bool due = false;
  {
    std::lock_guard lock(mu_);
    std::vector<WalEntry> entries;
    std::vector<uint8_t> taken(mapped.size(), 0);
    std::vector<DedupWindow::Key> keys;
    entries.reserve(mapped.size());
    int64_t json_bytes = 0;
    // Lookups run this many keys behind their prefetches.
    constexpr size_t kPrefetchAhead = 8;
    const std::vector<DedupWindow::Key>& body_keys = rows->keys;
    for (size_t k = 0; k < std::min(kPrefetchAhead, body_keys.size()); ++k) {
      dedup_.Prefetch(body_keys[k]);
    }
    size_t next_key = 0;
    for (size_t i = 0; i < mapped.size(); ++i) {
      const BodyEvent& e = mapped[i];
      std::string_view id(rows->ids.data() + e.id_begin, e.id_size);
      if (!id.empty()) {
        if (next_key + kPrefetchAhead < body_keys.size()) {
          dedup_.Prefetch(body_keys[next_key + kPrefetchAhead]);
        }
        const DedupWindow::Key& key = body_keys[next_key++];
        if (dedup_.SeenOrInsert(key, now)) {
          ++result.duplicates;
          continue;
        }
        keys.push_back(key);
      }
      taken[i] = 1;
      json_bytes += static_cast<int64_t>(e.json.size());
      entries.push_back(WalEntry{now, t->name, id, e.json});
    }
    Result<uint64_t> first = wal_->Write(entries);
    if (!first.ok()) {
      for (const auto& k : keys) dedup_.Erase(k, now);
      return first.status();
    }
    const size_t accepted = entries.size();
    if (accepted > 0) {
      // Rows of each part that were taken, unless all were.
      std::vector<std::vector<uint32_t>> part_rows;
      if (accepted < mapped.size()) {
        part_rows.resize(rows->parts.size());
        std::vector<uint32_t> next_row(rows->parts.size(), 0);
        for (size_t i = 0; i < mapped.size(); ++i) {
          uint32_t p = mapped[i].part;
          uint32_t r = next_row[p]++;
          if (taken[i]) part_rows[p].push_back(r);
        }
      }
      int64_t added = 0;
      for (size_t p = 0; p < rows->parts.size(); ++p) {
        PartitionBuffer& from = *rows->parts[p];
        if (!part_rows.empty() && part_rows[p].empty()) continue;  // all duplicates
        auto& slot = t->buffers[from.partition_path()];
        if (!slot) {
          slot = std::make_unique<PartitionBuffer>(&t->layout->leaves, from.partition(),
                                                   from.partition_path());
        }
        int64_t before = slot->bytes();
        if (part_rows.empty() || part_rows[p].size() == static_cast<size_t>(from.rows())) {
          slot->Adopt(std::move(from));  // the body's columns become a chunk of the buffer
        } else {
          slot->AppendRows(from, part_rows[p]);
        }
        added += slot->bytes() - before;
      }
      last_lsn = *first + accepted - 1;
      AccountBuffered(t, static_cast<int64_t>(accepted), added, *first, last_lsn, now);
    }
    stats_.bytes_accepted += json_bytes;
    result.accepted = static_cast<int64_t>(accepted);
    stats_.events_accepted += result.accepted;
    stats_.events_rejected += result.rejected;
    stats_.events_duplicate += result.duplicates;
    due = t->rows >= options_.buffer_count_threshold || t->bytes >= options_.buffer_size_bytes;
  }
  if (result.accepted > 0) FLOE_RETURN_IF_ERROR(wal_->Sync(last_lsn));
  if (due) {
    if (options_.background_flush) {
      {
        std::lock_guard tl(thread_mu_);
        kicked_ = true;
      }
      thread_cv_.notify_all();
    } else {
      auto flushed = FlushTables(nullptr);
      if (!flushed.ok()) {
        // The events are durable in the WAL and stay buffered; the next flush retries.
        services_.logger->Warn("ingest.flush_failed", {{"error", flushed.status().ToString()}});
      }
    }
  }
  std::sort(result.errors.begin(), result.errors.end(),
            [](const EventError& a, const EventError& b) { return a.index < b.index; });
  return result;
}

void Collector::Impl::CutJob(TableState* t, const char* reason) {
  if (t->rows == 0) return;
  FlushJob job;
  job.reason = reason;
  job.rows = t->rows;
  job.bytes = t->bytes;
  job.min_lsn = t->min_lsn;
  job.max_lsn = t->max_lsn;
  // Partitions in path order, so file numbering is stable.
  std::vector<std::string> paths;
  for (auto& [path, buffer] : t->buffers) paths.push_back(path);
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) job.partitions.push_back(std::move(t->buffers[p]));
  t->buffers.clear();
  stats_.buffered_events -= t->rows;
  t->rows = 0;
  t->bytes = 0;
  t->pending.push_back(std::move(job));
}

Status Collector::Impl::WriteFiles(TableState* t, FlushJob* job) {
  const TableLayout& l = *t->layout;
  parquet::WriterOptions wo;
  wo.codec = CodecKind::kZstd;
  wo.codec_level = options_.zstd_level;
  wo.threads = options_.parquet_threads;
  wo.row_group_size_bytes = options_.row_group_size_bytes;
  wo.key_value_metadata.emplace_back("iceberg.schema", l.schema_json);
  wo.dictionary_history = &t->dictionary_history;
  int64_t seq = ++flush_seq_;
  std::vector<iceberg::DataFile> files;
  std::vector<std::string> written;
  int64_t file_bytes = 0;
  auto fail = [&](const Status& st) {
    (void)services_.store->DeleteMany(written);
    return st;
  };
  for (size_t i = 0; i < job->partitions.size(); ++i) {
    const PartitionBuffer& p = *job->partitions[i];
    std::string folder = p.partition_path().empty()
                             ? l.data_folder
                             : JoinLocation(l.data_folder, p.partition_path());
    char name[160];
    std::snprintf(name, sizeof(name), "%05zu-%lld-%s-%llu-%s.parquet", i,
                  static_cast<long long>(seq), node_id_.c_str(),
                  static_cast<unsigned long long>(job->max_lsn), uuids_.NewV7().ToString().c_str());
    std::string location = JoinLocation(folder, name);
    auto stream = services_.store->Create(location);
    if (!stream.ok()) return fail(stream.status());
    written.push_back(location);
    auto writer = parquet::ParquetWriter::Make(stream->get(), l.parquet_schema, wo);
    if (!writer.ok()) return fail(writer.status().WithContext(location));
    Status st = p.WriteSorted(l.sort_keys, writer->get(), kWriteBatchRows);
    if (!st.ok()) return fail(st.WithContext(location));
    auto metrics = (*writer)->Close();
    if (!metrics.ok()) return fail(metrics.status().WithContext(location));
    auto df = iceberg::DataFileFromParquet(location, iceberg::FileFormat::kParquet, *metrics,
                                           p.partition(), l.schema);
    if (!df.ok()) return fail(df.status());
    if (l.sort_order_id) df->sort_order_id = *l.sort_order_id;
    file_bytes += df->file_size_in_bytes;
    files.push_back(std::move(df).value());
  }
  job->files = std::move(files);
  job->file_bytes = file_bytes;
  job->written = true;
  int64_t headroom = 0;
  {
    std::lock_guard lock(mu_);
    job->partitions.clear();
    stats_.buffered_bytes -= job->bytes;
    job->bytes = 0;
    stats_.data_files_written += static_cast<int64_t>(job->files.size());
    headroom = options_.max_buffered_bytes - stats_.buffered_bytes;
  }
  ReturnFreedMemory(headroom);
  return Status::OK();
}

// The flushed columns and the writer's pages were freed into malloc's arenas, which keep them.
// Kept, they are what the next buffers are made of, without a page fault per page (handing them
// back after every flush cost ~90,000 faults per million events, 7-10 % of `floe ingest`'s CPU);
// kept beyond what the buffers may still take, they let RSS pass max_buffered_bytes (the server
// peaked near twice it). So they go back only when what malloc holds free passes the buffers'
// headroom: buffered plus held-free stays within max_buffered_bytes, and RSS follows the limit.
void Collector::Impl::ReturnFreedMemory(int64_t headroom) {
  const struct mallinfo2 held = mallinfo2();
  if (static_cast<int64_t>(held.fordblks) > std::max<int64_t>(headroom, 0)) malloc_trim(0);
}

Result<int64_t> Collector::Impl::CommitJob(TableState* t, FlushJob* job) {
  Table* table = t->table.get();
  for (int round = 0;; ++round) {
    if (job->attempts++ > 0) {
      // The last attempt failed somewhere; if it landed after all, its summary says so.
      FLOE_RETURN_IF_ERROR(table->Refresh());
      if (auto id = SnapshotCovering(table->metadata(), node_id_, job->max_lsn)) return *id;
    }
    Transaction txn = table->NewTransaction();
    txn.AppendFiles(job->files)
        .SetSummary(kNodeIdSummaryKey, node_id_)
        .SetSummary(kWalPositionSummaryKey, std::to_string(job->max_lsn));
    int64_t started = services_.clock->MonotonicNanos();
    Result<CommitResult> committed = txn.Commit();
    job->commit_nanos = services_.clock->MonotonicNanos() - started;
    {
      std::lock_guard lock(mu_);
      stats_.last_commit_latency_ms = job->commit_nanos / 1000000;
    }
    if (committed.ok()) return committed->snapshot_id.value_or(0);
    if (committed.status().kind() != ErrorKind::kCommitStateUnknown ||
        round + 1 >= kUnknownStateResolutions) {
      return committed.status();
    }
    services_.logger->Warn("ingest.commit_state_unknown",
                           {{"table", t->name},
                            {"wal_position", static_cast<int64_t>(job->max_lsn)},
                            {"error", committed.status().ToString()}});
  }
}

Status Collector::Impl::CommitPending(TableState* t, FlushResult* result) {
  while (true) {
    FlushJob* job;
    {
      std::lock_guard lock(mu_);
      if (t->pending.empty()) return Status::OK();
      job = &t->pending.front();
    }
    int64_t started = services_.clock->MonotonicNanos();
    Status st = job->written ? Status::OK() : WriteFiles(t, job);
    Result<int64_t> snapshot = st.ok() ? CommitJob(t, job) : Result<int64_t>(st);
    int64_t took_ms = (services_.clock->MonotonicNanos() - started) / 1000000;
    if (!snapshot.ok()) {
      std::lock_guard lock(mu_);
      ++stats_.flush_failures;
      services_.logger->Error("ingest.flush_failed",
                              {{"table", t->name},
                               {"events", job->rows},
                               {"wal_position", static_cast<int64_t>(job->max_lsn)},
                               {"error", snapshot.status().ToString()}});
      return snapshot.status().WithContext("flush of " + t->name);
    }
    TableCommit c;
    c.table = t->id;
    c.snapshot_id = *snapshot;
    c.data_files = static_cast<int64_t>(job->files.size());
    c.records = job->rows;
    c.bytes = job->file_bytes;
    c.wal_position = job->max_lsn;
    services_.logger->Info("ingest.flush", {{"table", t->name},
                                            {"events", c.records},
                                            {"files", c.data_files},
                                            {"bytes", c.bytes},
                                            {"snapshot_id", c.snapshot_id},
                                            {"wal_position", static_cast<int64_t>(c.wal_position)},
                                            {"duration_ms", took_ms}});
    if (const metrics::FloeMetrics* m = services_.metrics) {
      m->ingest_flushes->Labels({job->reason}).Increment();
      m->ingest_flush_duration_seconds->Labels({}).Observe(static_cast<double>(took_ms) / 1000.0);
      m->commit_duration_seconds->Labels({t->name, "append"})
          .Observe(static_cast<double>(job->commit_nanos) / 1e9);
    }
    result->commits.push_back(std::move(c));
    std::lock_guard lock(mu_);
    t->committed_lsn = std::max(t->committed_lsn, job->max_lsn);
    ++stats_.flushes;
    stats_.flushed_events += job->rows;
    stats_.last_flush_duration_ms = took_ms;
    stats_.total_flush_duration_ms += took_ms;
    t->pending.pop_front();
  }
}

void Collector::Impl::DeleteCoveredSegments() {
  uint64_t floor;
  int64_t keep_since;
  {
    // What is below the floor now stays unneeded: later events get larger LSNs.
    std::lock_guard lock(mu_);
    floor = wal_->next_lsn();
    for (const auto& [name, t] : tables_) {
      if (t->rows > 0) floor = std::min(floor, t->min_lsn);
      if (!t->pending.empty()) floor = std::min(floor, t->pending.front().min_lsn);
    }
    int64_t now = services_.clock->NowMicros();
    keep_since = now - options_.dedup_window_seconds * 1000000;
  }
  // Covered segments are kept for the dedup window while the log has room for them: past half
  // its limit, the oldest go first. (Deleting them all at once stalled the WAL's fsyncs behind
  // the file system's journal for half a second.)
  auto deleted = wal_->DeleteSegmentsBelow(floor, keep_since, options_.max_wal_bytes / 2);
  if (!deleted.ok()) {
    services_.logger->Warn("wal.delete_failed", {{"error", deleted.status().ToString()}});
  }
}

Result<FlushResult> Collector::Impl::FlushTables(const char* forced_reason) {
  const bool only_due = forced_reason == nullptr;
  std::lock_guard flush_lock(flush_mu_);
  std::vector<TableState*> tables;
  {
    std::lock_guard lock(mu_);
    int64_t now = services_.clock->NowMicros();
    for (auto& [name, t] : tables_) {
      if (only_due ? !Due(*t, now) : (t->rows == 0 && t->pending.empty())) continue;
      CutJob(t.get(), only_due ? DueReason(*t) : forced_reason);
      tables.push_back(t.get());
    }
  }
  FlushResult result;
  Status first_error;
  for (TableState* t : tables) {
    Status st = CommitPending(t, &result);
    if (!st.ok() && first_error.ok()) first_error = st;
  }
  DeleteCoveredSegments();  // under flush_mu_: one deletion at a time
  if (!first_error.ok()) return first_error;
  return result;
}

void Collector::Impl::RunThread() {
  std::unique_lock lock(thread_mu_);
  int64_t wait_ms = 200;
  while (!stop_) {
    thread_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                        [this] { return stop_ || kicked_; });
    if (stop_) break;
    kicked_ = false;
    lock.unlock();
    auto flushed = FlushTables(nullptr);
    lock.lock();
    // After a failure, back off (up to 5 s) instead of hammering a catalog that is down.
    wait_ms = flushed.ok() ? 200 : std::min<int64_t>(wait_ms * 2, 5000);
  }
}

void Collector::Impl::StopThread() {
  {
    std::lock_guard lock(thread_mu_);
    stop_ = true;
  }
  thread_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status Collector::Impl::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return Status::OK();
    closed_ = true;
  }
  StopThread();
  auto flushed = FlushTables("shutdown");
  if (!flushed.ok()) return flushed.status();
  services_.logger->Info("ingest.close", {{"node_id", node_id_}});
  return Status::OK();
}

CollectorStats Collector::Impl::Stats() const {
  std::lock_guard lock(mu_);
  CollectorStats s = stats_;
  s.max_buffered_bytes = options_.max_buffered_bytes;
  s.wal_bytes = wal_->total_bytes();
  s.wal_next_lsn = wal_->next_lsn();
  return s;
}

int Collector::Impl::RetryAfterSeconds() const {
  int64_t ms = stats_.last_flush_duration_ms;
  return static_cast<int>(std::clamp<int64_t>((ms + 999) / 1000, 1, 60));
}

Collector::Collector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Collector::~Collector() = default;

Result<std::unique_ptr<Collector>> Collector::Open(CollectorOptions options,
                                                   CollectorServices services) {
  auto impl = std::make_unique<Impl>(std::move(options), services);
  FLOE_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<Collector>(new Collector(std::move(impl)));
}

Result<IngestResult> Collector::Ingest(const TableIdentifier& table, DecodedBody body) {
  return impl_->Ingest(table, std::move(body));
}
Result<MappedBody> Collector::Map(const TableIdentifier& table, DecodedBody body) {
  return impl_->Map(table, std::move(body));
}
Result<IngestResult> Collector::Ingest(MappedBody&& mapped) {
  return impl_->Ingest(std::move(mapped));
}
Result<FlushResult> Collector::Flush() { return impl_->FlushTables("admin"); }
Result<FlushResult> Collector::FlushDue() { return impl_->FlushTables(nullptr); }
Status Collector::Close() { return impl_->Close(); }
CollectorStats Collector::Stats() const { return impl_->Stats(); }
int Collector::retry_after_seconds() const { return impl_->RetryAfter(); }
const std::string& Collector::node_id() const { return impl_->node_id(); }

}  // namespace floe::ingest
