// floe ingest FILE|- : the collector's pipeline (map, dedup, WAL, buffers, flush, commit) fed
// from NDJSON or a JSON array instead of HTTP, then flushed. For bulk loads and benchmarks.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "floe/catalog/events_table.h"
#include "floe/cli/collector_settings.h"
#include "floe/cli/commands.h"
#include "floe/cli/progress.h"
#include "floe/cli/warehouse.h"
#include "floe/common/malloc_tuning.h"
#include "floe/ingest/collector.h"
#include "floe/ingest/decoder.h"
#include "floe/util/buffer.h"

namespace floe::cli {

namespace {

constexpr std::string_view kIngestUsage =
    "usage: floe ingest FILE|- [--table NS.NAME] [--warehouse DIR] [--catalog URI]\n"
    "                   [--state-dir DIR] [--durability fsync|none] [--json]\n"
    "\n"
    "Loads events from FILE (or standard input) through the collector's pipeline: each event is\n"
    "mapped to the table's schema, de-duplicated by id, written to the WAL, buffered per\n"
    "partition, and committed (one append per flush); all buffers are flushed at the end.\n"
    "The input is NDJSON (one event per line) or one JSON array of events; gzip is detected by\n"
    "its magic bytes. `floe ingest` creates analytics.events when it does not exist.\n"
    "\n"
    "Ingest settings (flag, environment, config key; docs/configuration.md):\n"
    "  --buffer-time-seconds / BUFFER_TIME_SECONDS, --buffer-size-bytes / BUFFER_SIZE_BYTES,\n"
    "  --buffer-count-threshold / BUFFER_COUNT_THRESHOLD, --durability / FLOE_DURABILITY,\n"
    "  --max-buffered-bytes, --max-wal-bytes, --wal-segment-bytes, --dedup-window,\n"
    "  --dedup-max-ids, --ingest-threads (Parquet encoding threads per file), --node-id\n"
    "\n"
    "Output: accepted, rejected (each with its line or element index) and duplicate counts, the\n"
    "commits made; --json prints one object {\"table\",\"accepted\",\"rejected\",\"duplicates\",\n"
    "\"errors\":[{\"index\",\"error\"}],\"commits\",\"snapshot_id\",\"data_files\",\"duration_ms\","
    "\n"
    "\"events_per_second\"}. Exit 0 when every accepted event was committed.\n";

// Events handed to the collector per call: big enough to amortise the WAL write and the lock,
// small enough to keep the chunks in flight (queued, decoded, mapped) small: 4 MiB chunks took
// ~50 MB more peak RSS than 1 MiB ones for the same CPU.
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kMaxErrorsShown = 20;

// The input as a stream of bytes, gunzipped when it starts with the gzip magic (zlib's gzread
// passes other input through unchanged).
class Input {
 public:
  static Result<Input> Open(const std::string& name) {
    int fd = name == "-" ? ::dup(STDIN_FILENO) : ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::NotFound("input " + name + ": cannot open");
    gzFile gz = ::gzdopen(fd, "rb");
    if (gz == nullptr) {
      ::close(fd);
      return Status::IOError("input " + name + ": cannot read");
    }
    // A quarter of a chunk: zlib reads input that is not gzip straight into the caller's buffer
    // when what a read still wants is at least twice its own buffer, else through that buffer
    // (a copy). Its first read fills its buffer to look for the gzip header, and the first
    // chunk takes those bytes from it: with half a chunk the rest of every later read was then
    // half a chunk, less than twice the buffer, and all 406 MB of the benchmark's input were
    // copied (1 % of the load's CPU); with a quarter the rest is three quarters, read directly,
    // and every later read is direct.
    ::gzbuffer(gz, static_cast<unsigned>(kChunkBytes / 4));
    struct stat st {};
    int64_t size = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
    return Input(name, gz, size);
  }
  Input(Input&& o) noexcept : name_(std::move(o.name_)), gz_(o.gz_), size_bytes_(o.size_bytes_) {
    o.gz_ = nullptr;
  }
  ~Input() {
    if (gz_ != nullptr) ::gzclose(gz_);
  }
  // Appends up to `n` bytes to `out`; 0 at the end.
  Result<size_t> Read(Buffer* out, size_t n) {
    int got = ::gzread(gz_, out->EnsureTail(n), static_cast<unsigned>(n));
    int errnum = Z_OK;
    const char* msg = ::gzerror(gz_, &errnum);
    if (got < 0) {
      if (errnum == Z_ERRNO) {
        return Status::IOError("input " + name_ + ": cannot read: " + ZlibReason(msg));
      }
      // A bad input is work that failed (exit 1), not bad usage (exit 2).
      return Status::Corrupt("input " + name_ + ": the gzip data is corrupt (" + ZlibReason(msg) +
                             ")");
    }
    // zlib ends a gzip stream cut short as if it were whole and only notes why: a truncated file
    // would otherwise load what it holds and exit 0.
    if (got == 0 && errnum == Z_BUF_ERROR) {
      return Status::Corrupt("input " + name_ + ": the gzip data ends early (" + ZlibReason(msg) +
                             "): the file is truncated");
    }
    out->Resize(out->size() + static_cast<size_t>(got));
    return static_cast<size_t>(got);
  }
  // Bytes of the file (compressed, when gzip) read so far; only the reading thread may ask.
  int64_t offset() const { return static_cast<int64_t>(::gzoffset(gz_)); }
  // The file's size; 0 when it is not a regular file (standard input, a pipe).
  int64_t size_bytes() const { return size_bytes_; }

 private:
  // zlib's message without the "<fd:N>: " it puts before it for a stream opened by descriptor.
  static std::string ZlibReason(const char* msg) {
    std::string_view m = msg != nullptr ? msg : "";
    if (m.substr(0, 4) == "<fd:") {
      const size_t colon = m.find(": ");
      if (colon != std::string_view::npos) m.remove_prefix(colon + 2);
    }
    return m.empty() ? std::string("read error") : std::string(m);
  }
  Input(std::string name, gzFile gz, int64_t size_bytes)
      : name_(std::move(name)), gz_(gz), size_bytes_(size_bytes) {}
  std::string name_;
  gzFile gz_;
  int64_t size_bytes_ = 0;
};

struct Totals {
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t duplicates = 0;
  std::vector<ingest::EventError> errors;  // the first kMaxErrorsShown
  size_t next_index = 0;                   // body-wide index of the next chunk's first event
};

// Input text cut at line ends (or a whole JSON array), numbered in input order.
struct RawChunk {
  size_t seq = 0;
  Status read_error;  // the input could not be read: no text, the last chunk
  Buffer text;
  bool array = false;
};

// Chunks go from the reader thread to the mapping workers through this bounded queue, in order.
class ChunkQueue {
 public:
  explicit ChunkQueue(size_t capacity) : capacity_(capacity) {}
  void Push(RawChunk chunk) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < capacity_ || cancelled_; });
    if (cancelled_) return;
    queue_.push_back(std::move(chunk));
    cv_.notify_all();
  }
  void Finish() {
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  bool cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }
  // nullopt at the end.
  std::optional<RawChunk> Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !queue_.empty() || done_ || cancelled_; });
    if (queue_.empty() || cancelled_) return std::nullopt;
    RawChunk chunk = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return chunk;
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<RawChunk> queue_;
  bool done_ = false;
  bool cancelled_ = false;
};

ingest::DecodeLimits ChunkLimits(size_t bytes) {
  ingest::DecodeLimits limits;
  limits.max_body_bytes = bytes + 1;
  limits.max_inflated_bytes = bytes + 1;
  limits.max_events = bytes;  // every event takes at least one byte
  // The collector validates lines as it maps them (decoder.h).
  limits.defer_line_validation = true;
  return limits;
}

// Reads the whole input, cut into NDJSON chunks at line ends (a JSON array is one chunk).
void ReadInput(Input* input, ChunkQueue* queue, std::atomic<int64_t>* offset) {
  Buffer buffer;
  bool array = false;
  bool sniffed = false;
  size_t seq = 0;
  while (!queue->cancelled()) {
    // Room for the decoder's padding too, so that it decodes the chunk where it lies.
    buffer.Reserve(buffer.size() + kChunkBytes + ingest::kEventPadding);
    auto got = input->Read(&buffer, kChunkBytes);
    if (!got.ok()) {
      queue->Push(RawChunk{seq++, got.status(), {}, false});
      break;
    }
    bool end = *got == 0;
    offset->store(input->offset(), std::memory_order_relaxed);
    std::string_view text = buffer.string_view();
    if (!sniffed) {
      size_t first = text.find_first_not_of(" \t\r\n");
      if (first != std::string_view::npos) {
        sniffed = true;
        array = text[first] == '[';
      }
    }
    if (array && !end) continue;  // an array is one JSON text: decoded whole
    size_t cut = end ? text.size() : text.rfind('\n');
    if (cut == std::string_view::npos) continue;  // a line longer than the chunk: read on
    if (!end) ++cut;
    if (cut > 0) {
      // The chunk keeps the buffer; only the partial line after the cut is copied.
      Buffer rest;
      rest.Reserve(text.size() - cut + kChunkBytes + ingest::kEventPadding);
      rest.Append(text.substr(cut));
      buffer.Resize(cut);
      bool blank = text.substr(0, cut).find_first_not_of(" \t\r\n") == std::string_view::npos;
      if (!blank) queue->Push(RawChunk{seq++, Status::OK(), std::move(buffer), array});
      buffer = std::move(rest);
    }
    if (end) break;
  }
  queue->Finish();
}

// Lets the mapped chunks into the collector one at a time, in input order.
class Turns {
 public:
  void Wait(size_t seq) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return next_ == seq; });
  }
  void Done() {
    std::lock_guard lock(mu_);
    ++next_;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t next_ = 0;
};

struct IngestRun {
  ingest::Collector* collector;
  const TableIdentifier* table;
  int64_t max_wal_bytes;
  const Clock* clock;
  Input* input;
  ChunkQueue* queue;
  std::atomic<int64_t>* offset;
  ProgressBar* bar;
  Turns turns;
  // Under the turn:
  Totals* totals;
  Status status;
};

// The collector's half of a chunk, in its turn.
Status IngestChunk(IngestRun* run, size_t events, Result<ingest::MappedBody>* mapped) {
  if (!mapped->ok()) return mapped->status();
  Totals* totals = run->totals;
  size_t base = totals->next_index;
  totals->next_index += events;
  // Wait out backpressure before handing the body over (Ingest consumes it even when it
  // refuses); this process is the only writer, so the room seen here is there.
  while (true) {
    ingest::CollectorStats s = run->collector->Stats();
    if (s.buffered_bytes < s.max_buffered_bytes && s.wal_bytes < run->max_wal_bytes) break;
    run->clock->SleepMicros(5000);
  }
  FLOE_ASSIGN_OR_RETURN(ingest::IngestResult r, run->collector->Ingest(std::move(**mapped)));
  totals->accepted += r.accepted;
  totals->rejected += r.rejected;
  totals->duplicates += r.duplicates;
  for (auto& e : r.errors) {
    if (totals->errors.size() >= kMaxErrorsShown) break;
    e.index += base;
    totals->errors.push_back(std::move(e));
  }
  // Chunks are read ahead of ingest, so the bar runs at most a few chunks early.
  const int64_t read = run->offset->load(std::memory_order_relaxed);
  const int64_t size = run->input->size_bytes();
  run->bar->Update(read, size,
                   std::to_string(totals->accepted) + " events, " + HumanBytes(read) +
                       (size > 0 ? " of " + HumanBytes(size) : std::string(" read")));
  return Status::OK();
}

// Decodes and maps chunks (several workers at once), then ingests each in its turn.
void MapWorker(IngestRun* run) {
  while (auto chunk = run->queue->Pop()) {
    size_t events = 0;
    Result<ingest::MappedBody> mapped = chunk->read_error;
    if (chunk->read_error.ok()) {
      const size_t size = chunk->text.size();
      auto body = ingest::DecodeBody(chunk->array ? "application/json" : "application/x-ndjson", "",
                                     std::move(chunk->text), ChunkLimits(size));
      if (body.ok()) {
        events = body->events.size() + body->errors.size();
        mapped = run->collector->Map(*run->table, std::move(body).value());
      } else {
        mapped = body.status();
      }
    }
    run->turns.Wait(chunk->seq);
    bool failed = !run->status.ok();
    if (!failed) {
      run->status = IngestChunk(run, events, &mapped);
      failed = !run->status.ok();
    }
    run->turns.Done();
    if (failed) run->queue->Cancel();
  }
}

// Mapping takes most of the CPU of a load; the collector's half is serial.
constexpr int kMapWorkers = 2;

Status IngestAll(ingest::Collector* collector, const TableIdentifier& table, Input* input,
                 int64_t max_wal_bytes, const Clock* clock, Totals* totals, ProgressBar* bar) {
  ChunkQueue queue(kMapWorkers + 2);
  std::atomic<int64_t> offset{0};
  IngestRun run{collector, &table, max_wal_bytes, clock,       input, &queue, &offset,
                bar,       {},     totals,        Status::OK()};
  std::thread reader([&] { ReadInput(input, &queue, &offset); });
  std::vector<std::thread> workers;
  for (int i = 0; i < kMapWorkers; ++i) workers.emplace_back([&] { MapWorker(&run); });
  for (auto& w : workers) w.join();
  queue.Cancel();
  reader.join();
  return run.status;
}

Status Ingest(const Args& args, const CliContext& ctx) {
  if (args.positional().size() != 1) {
    return Status::InvalidArgument("expected one input: a file name or - for standard input");
  }
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Logger> logger, MakeLogger(settings, ctx, LogLevel::kWarn));
  FLOE_ASSIGN_OR_RETURN(ingest::CollectorOptions options, CollectorOptionsFromSettings(settings));
  FLOE_ASSIGN_OR_RETURN(TableIdentifier id, TableFromSettings(settings));
  FLOE_ASSIGN_OR_RETURN(Input input, Input::Open(args.positional()[0]));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> wh, Warehouse::Open(settings, ctx));
  if (id == DefaultEventsTableId()) {
    FLOE_RETURN_IF_ERROR(wh->LoadOrCreateEventsTable().status());
  }
  int64_t started = ctx.clock->MonotonicNanos();
  ingest::CollectorServices services{wh->store(), wh->catalog(), ctx.clock, logger.get()};
  FLOE_ASSIGN_OR_RETURN(auto collector, ingest::Collector::Open(options, services));
  // A load's heap peaks at about four buffers' worth, and never past the input's size or
  // max_buffered_bytes: the buffer filling and the one being flushed (each grows past
  // buffer_size_bytes while the flush before it runs: up to 86 MB with the defaults), the
  // flush's gathered columns and pages (~58 MB), the dedup window (~40 MB at a million ids). A
  // million events (406 MB of NDJSON) with the defaults and nothing prepared
  // (MALLOC_TRIM_THRESHOLD_ set) peaked at 263-289 MB of RSS. That much is faulted in now, before
  // the pipeline's threads start, not while they wait on malloc (malloc_tuning.h). Five
  // buffers' worth (320 MiB) zeroed 50-70 MB that the load never used: four took 5-6 % less CPU,
  // warm and cold (bench/README.md).
  PrepareHeapForBulkLoad(static_cast<size_t>(
      std::min({std::max<int64_t>(input.size_bytes(), 0), options.max_buffered_bytes,
                4 * options.buffer_size_bytes})));
  Totals totals;
  ProgressBar bar(ctx, "ingest", !args.Has("json"));
  Status st =
      IngestAll(collector.get(), id, &input, options.max_wal_bytes, ctx.clock, &totals, &bar);
  bar.Finish();
  if (!st.ok()) {
    if (totals.accepted == 0) return st;
    // The load stops here, without its final flush: say where the events it took are.
    return Status(st.kind(), st.message() + "\n" + std::to_string(totals.accepted) +
                                 " events were accepted before it; those not committed yet are in "
                                 "the write-ahead log of " + options.state_dir +
                                 ", and the next floe ingest or floe serve with that state "
                                 "folder commits them (events sent again count as duplicates)");
  }
  auto flushed = collector->Flush();
  if (!flushed.ok()) return flushed.status();
  FLOE_RETURN_IF_ERROR(collector->Close());
  ingest::CollectorStats stats = collector->Stats();
  int64_t duration_ms = (ctx.clock->MonotonicNanos() - started) / 1000000;
  double rate = duration_ms > 0 ? totals.accepted * 1000.0 / static_cast<double>(duration_ms) : 0;
  std::optional<int64_t> snapshot;
  if (!flushed->commits.empty()) {
    snapshot = flushed->commits.back().snapshot_id;
  } else if (stats.flushes > 0) {
    // The flush thread made the commits; the table's current snapshot holds the last of them.
    auto table = wh->LoadTable(id);
    if (table.ok()) snapshot = (*table)->metadata().current_snapshot_id;
  }
  std::ostream& out = *ctx.out;
  if (args.Has("json")) {
    std::string j = "{\"table\":";
    AppendJsonString(&j, id.ToString());
    j += ",\"accepted\":" + std::to_string(totals.accepted) +
         ",\"rejected\":" + std::to_string(totals.rejected) +
         ",\"duplicates\":" + std::to_string(totals.duplicates) + ",\"errors\":[";
    for (size_t i = 0; i < totals.errors.size(); ++i) {
      if (i > 0) j += ",";
      j += "{\"index\":" + std::to_string(totals.errors[i].index) + ",\"error\":";
      AppendJsonString(&j, totals.errors[i].error);
      j += "}";
    }
    j += "],\"commits\":" + std::to_string(stats.flushes) +
         ",\"snapshot_id\":" + (snapshot ? std::to_string(*snapshot) : "null") +
         ",\"data_files\":" + std::to_string(stats.data_files_written) +
         ",\"duration_ms\":" + std::to_string(duration_ms) +
         ",\"events_per_second\":" + std::to_string(static_cast<int64_t>(rate)) + "}\n";
    out << j;
  } else {
    out << "ingested " << totals.accepted << " events into " << id.ToString() << " ("
        << totals.rejected << " rejected, " << totals.duplicates << " duplicates) in "
        << duration_ms << " ms: " << stats.flushes << " commits, " << stats.data_files_written
        << " data files\n";
    for (const auto& e : totals.errors) {
      *ctx.err << "event " << e.index << ": " << e.error << "\n";
    }
    if (totals.rejected > static_cast<int64_t>(totals.errors.size())) {
      *ctx.err << "(" << totals.rejected - static_cast<int64_t>(totals.errors.size())
               << " more rejected events not shown)\n";
    }
  }
  return Status::OK();
}

int RunIngest(const Args& args, const CliContext& ctx) {
  Status st = Ingest(args, ctx);
  return st.ok() ? 0 : ReportError(ctx, "ingest", st);
}

}  // namespace

void AddIngestCommands(std::vector<Command>* commands) {
  commands->push_back(Command{"ingest",
                              "load NDJSON or a JSON array of events into a table",
                              std::string(kIngestUsage),
                              {"json"},
                              RunIngest});
}

}  // namespace floe::cli
