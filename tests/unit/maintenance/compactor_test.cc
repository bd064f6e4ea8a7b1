// Compaction runs end to end on a SQLite catalog and an in-memory store: rows kept as a multiset,
// sort order kept, outputs rolling at the target, the memory bound, quarantine, partial progress,
// vanished inputs, appends racing the run and the report.
#include "floe/maintenance/compactor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "floe/maintenance/group_rewriter.h"
#include "unit/maintenance/compaction_test_util.h"

namespace floe::maintenance {
namespace {

using testing::EventRow;

class CompactorTest : public testing::CompactionFixture {
 protected:
  CompactionOptions SmallOptions() {
    CompactionOptions o;
    o.threshold = 2;
    o.target_file_size_bytes = 64 * 1024;
    o.min_input_files = 2;
    o.memory_limit_bytes = 16 << 20;
    return o;
  }

  Result<CompactionReport> Compact(Table* table, const CompactionOptions& options,
                                   CompactionRequest request = {}) {
    CompactionEnv env;
    env.logger = &logger_;
    return RunCompaction(table, options, request, env);
  }

  std::vector<std::string> LogEvents() {
    std::vector<std::string> events;
    for (const std::string& line : log_lines_) {
      events.push_back(nlohmann::json::parse(line)["event"].get<std::string>());
    }
    return events;
  }

  static CompactionRequest Forced() {
    CompactionRequest r;
    r.force = true;
    return r;
  }
  static CompactionRequest DryRun() {
    CompactionRequest r;
    r.dry_run = true;
    return r;
  }

  std::vector<std::string> log_lines_;
  std::mutex log_mu_;
  Logger logger_{&clock_, LogLevel::kInfo, [this](std::string_view line) {
                   std::lock_guard<std::mutex> lock(log_mu_);
                   log_lines_.emplace_back(line);
                 }};
};

TEST_F(CompactorTest, MergesSortedRunsKeepsRowsAndSecondRunIsNoop) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  // Interleaved ids across files, two days, several row groups per file.
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 6; ++f) {
    for (int32_t day : {100, 101}) {
      std::vector<EventRow> rows;
      for (int i = 0; i < 300; ++i) {
        auto r = Rows(i * 6 + f, 1, day);
        rows.push_back(r[0]);
      }
      files.push_back(
          WriteFile(table.get(), rows, "in-" + std::to_string(f) + "-" + std::to_string(day), 70));
    }
  }
  Append(table.get(), files);
  const auto before = AllRows(*table);
  ASSERT_EQ(before.size(), 3600u);

  auto report = Compact(table.get(), SmallOptions());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_EQ(report->run.groups_done, 2);
  EXPECT_EQ(report->run.files_in, 12);
  EXPECT_EQ(report->run.rows_in, 3600);
  EXPECT_EQ(report->run.rows_out, 3600);
  EXPECT_EQ(report->run.commits, 2);  // one per group: partial progress
  ASSERT_TRUE(report->run.snapshot_id.has_value());
  EXPECT_EQ(table->metadata().CurrentSnapshot()->operation(), "replace");

  EXPECT_EQ(AllRows(*table), before);
  auto live = LiveData(*table);
  ASSERT_EQ(live.size(), 2u);
  for (const auto& f : live) {
    EXPECT_TRUE(IsCompactedFile(f.file.file_path)) << f.file.file_path;
    EXPECT_NE(f.file.file_path.find("/data/ts_day="), std::string::npos);
    EXPECT_EQ(f.file.sort_order_id, std::optional<int32_t>(1));
    auto rows = ReadFile(f.file.file_path);
    EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(),
                               [](const EventRow& a, const EventRow& b) { return a.id < b.id; }));
  }
  // The new files carry the planned snapshot's data sequence number, the second group's too.
  for (const auto& f : live) EXPECT_EQ(f.data_sequence_number, 1);

  auto again = Compact(table.get(), SmallOptions(), Forced());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->run.status, "noop") << CompactionReportToJson(*again);
  EXPECT_EQ(again->run.commits, 0);

  const auto events = LogEvents();
  for (const char* e :
       {"compaction.start", "compaction.group", "compaction.commit", "compaction.finish"}) {
    EXPECT_NE(std::find(events.begin(), events.end(), e), events.end()) << e;
  }
}

TEST_F(CompactorTest, OutputsRollAtTheTargetSize) {
  auto table = Create(/*sorted=*/false);
  std::vector<iceberg::DataFile> files;
  std::mt19937_64 rng(3);
  for (int f = 0; f < 8; ++f) {
    auto rows = Rows(f * 1000, 1000, 7, 60);
    for (auto& r : rows) {
      if (!r.payload) continue;
      for (char& c : *r.payload) c = static_cast<char>(rng());
    }
    files.push_back(WriteFile(table.get(), rows, "f" + std::to_string(f)));
  }
  Append(table.get(), files);
  int64_t input_bytes = 0;
  for (const auto& f : files) input_bytes += f.file_size_in_bytes;
  CompactionOptions o = SmallOptions();
  o.target_file_size_bytes = 100 * 1024;
  auto report = Compact(table.get(), o);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  auto live = LiveData(*table);
  ASSERT_GE(live.size(), 2u);
  int64_t under = 0;
  for (const auto& f : live) {
    EXPECT_LT(f.file.file_size_in_bytes, o.max_file_size());
    // The writer's size estimate runs a little ahead of the file, so "at the target" is about.
    under += f.file.file_size_in_bytes < o.target_file_size_bytes * 9 / 10;
  }
  EXPECT_LE(under, 1);  // only the last one
  EXPECT_GE(static_cast<int64_t>(live.size()), input_bytes / o.target_file_size_bytes);
  EXPECT_EQ(AllRows(*table).size(), 8000u);
}

TEST_F(CompactorTest, PeakMemoryStaysUnderTheLimitWhateverTheInputSize) {
  auto table = Create();
  // ~40 MB of nearly incompressible payloads against a 16 MiB limit.
  std::vector<iceberg::DataFile> files;
  std::mt19937_64 rng(7);
  for (int f = 0; f < 5; ++f) {
    auto rows = Rows(f * 4000, 4000, 3, 0);
    for (auto& r : rows) {
      std::string p(2000, '\0');
      for (char& c : p) c = static_cast<char>(rng());
      r.payload = std::move(p);
    }
    files.push_back(WriteFile(table.get(), rows, "big" + std::to_string(f), 500));
  }
  Append(table.get(), files);
  CompactionOptions o = SmallOptions();
  o.target_file_size_bytes = 32 << 20;
  o.max_file_size_bytes = 64 << 20;
  o.memory_limit_bytes = 16 << 20;
  auto report = Compact(table.get(), o, Forced());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_GT(report->run.bytes_in, 35 << 20);
  EXPECT_GT(report->run.peak_memory_bytes, 0);
  EXPECT_LE(report->run.peak_memory_bytes, o.memory_limit_bytes);
  EXPECT_EQ(report->run.rows_out, 20000);
  EXPECT_EQ(AllRows(*table).size(), 20000u);
}

TEST_F(CompactorTest, CorruptInputsAreQuarantinedAndTheRestCompacted) {
  auto table = Create();
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 6; ++f) {
    files.push_back(WriteFile(table.get(), Rows(f * 100, 100, 9), "ok" + std::to_string(f)));
  }
  Append(table.get(), files);
  // Garbage footer, wrong record count in the manifest, missing object.
  std::string bytes = *store_.Get(files[0].file_path);
  bytes[bytes.size() - 6] ^= 0x5a;
  bytes[bytes.size() - 12] ^= 0x5a;
  ASSERT_TRUE(store_.Put(files[0].file_path, bytes).ok());
  ASSERT_TRUE(store_.Delete(files[1].file_path).ok());
  auto wrong = WriteFile(table.get(), Rows(5000, 50, 9), "wrong-count");
  wrong.record_count = 51;
  Append(table.get(), {wrong});
  // A page that does not decode (found only while reading).
  std::string page = *store_.Get(files[2].file_path);
  for (size_t i = 40; i < 200; ++i) page[i] = static_cast<char>(0xff);
  ASSERT_TRUE(store_.Put(files[2].file_path, page).ok());

  auto report = Compact(table.get(), SmallOptions());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const std::string json = CompactionReportToJson(*report);
  EXPECT_EQ(report->run.status, "success") << json;
  EXPECT_EQ(report->run.groups_done, 1);
  EXPECT_EQ(report->run.files_in, 3) << json;
  EXPECT_EQ(report->quarantined.size(), 4u) << json;

  auto list = ReadQuarantine(table->metadata().properties);
  std::set<std::string> paths;
  for (const auto& q : list) paths.insert(q.path);
  EXPECT_EQ(paths, (std::set<std::string>{files[0].file_path, files[1].file_path,
                                          files[2].file_path, wrong.file_path}));
  // The list survives: a fresh Table sees it and the next run leaves those files alone.
  auto reloaded = Table::Load(Services(), id_);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(ReadQuarantine((*reloaded)->metadata().properties).size(), 4u);
  auto again = Compact(reloaded->get(), SmallOptions(), Forced());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->run.status, "noop") << CompactionReportToJson(*again);
  EXPECT_EQ(again->plan.quarantined_files, 4);
}

TEST_F(CompactorTest, CommitsGroupByGroupAndStopsAtTheGroupLimit) {
  auto table = Create();
  for (int32_t day = 0; day < 3; ++day) {
    std::vector<iceberg::DataFile> files;
    for (int f = 0; f < 3; ++f) {
      files.push_back(WriteFile(table.get(), Rows(f * 10, 10, day),
                                "d" + std::to_string(day) + "-" + std::to_string(f)));
    }
    Append(table.get(), files);
  }
  CompactionOptions o = SmallOptions();
  o.max_groups_per_run = 2;
  auto report = Compact(table.get(), o);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_EQ(report->run.commits, 2);
  EXPECT_EQ(report->run.groups_done, 2);
  ASSERT_FALSE(report->run.groups_skipped.empty());
  EXPECT_NE(report->run.groups_skipped.back().reason.find("max_groups_per_run"), std::string::npos);
  EXPECT_EQ(LiveData(*table).size(), 5u);
  // The rest next time.
  auto next = Compact(table.get(), o);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->run.groups_done, 1);
  EXPECT_EQ(LiveData(*table).size(), 3u);
}

TEST_F(CompactorTest, DryRunReturnsThePlanAndChangesNothing) {
  auto table = Create();
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 3; ++f)
    files.push_back(WriteFile(table.get(), Rows(f, 5, 1), "x" + std::to_string(f)));
  Append(table.get(), files);
  const std::string before = table->metadata_location();
  auto report = Compact(table.get(), SmallOptions(), DryRun());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->run.status, "success");
  EXPECT_TRUE(report->run.dry_run);
  EXPECT_EQ(report->groups_planned, 1);
  EXPECT_EQ(table->metadata_location(), before);
  auto json = nlohmann::json::parse(CompactionReportToJson(*report));
  for (const char* key :
       {"table", "action", "status", "dry_run", "files_in", "files_out", "bytes_in", "bytes_out",
        "rows_in", "rows_out", "groups_done", "groups_skipped", "commits", "retries", "duration_ms",
        "cpu_ms", "peak_memory_bytes", "snapshot_id", "plan"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["action"], "compact");
  EXPECT_EQ(json["plan"]["groups"][0]["inputs"].size(), 3u);
}

// Deletes an input of the running compaction as soon as its first output is being written.
class RacingStore : public ObjectStore {
 public:
  explicit RacingStore(ObjectStore* base) : base_(base) {}
  std::function<void()> on_first_output;
  std::map<std::string, int> opens;  // OpenRead calls per location
  Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& l) override {
    ++opens[l];
    return base_->OpenRead(l);
  }
  Result<std::unique_ptr<OutputStream>> Create(const std::string& l) override {
    if (l.find("/compacted-") != std::string::npos && on_first_output) {
      auto hook = std::move(on_first_output);
      on_first_output = nullptr;
      hook();
    }
    return base_->Create(l);
  }
  Status PutIfAbsent(const std::string& l, std::string_view d) override {
    return base_->PutIfAbsent(l, d);
  }
  Result<ObjectInfo> Stat(const std::string& l) override { return base_->Stat(l); }
  Result<ObjectListPage> ListPage(const std::string& p, const std::string& t, int n) override {
    return base_->ListPage(p, t, n);
  }
  Status Delete(const std::string& l) override { return base_->Delete(l); }

 private:
  ObjectStore* base_;
};

TEST_F(CompactorTest, GroupWhoseInputsVanishedIsDroppedAndItsOutputsDeleted) {
  auto table = Create();
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 3; ++f)
    files.push_back(WriteFile(table.get(), Rows(f * 10, 10, 4), "v" + std::to_string(f)));
  Append(table.get(), files);
  RacingStore racing(&store_);
  TableServices services{&racing, catalog_.get(), &clock_, 7};
  auto compacting = Table::Load(services, id_);
  ASSERT_TRUE(compacting.ok());
  racing.on_first_output = [&] {
    auto other = Table::Load(Services(), id_);
    ASSERT_TRUE(other.ok());
    auto r = (*other)->NewTransaction().DeleteFiles({files[1].file_path}).Commit();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  };
  auto report = Compact(compacting->get(), SmallOptions());
  ASSERT_TRUE(report.ok());
  const std::string json = CompactionReportToJson(*report);
  EXPECT_EQ(report->run.groups_done, 0) << json;
  EXPECT_EQ(report->run.status, "noop") << json;
  ASSERT_EQ(report->run.groups_skipped.size(), 1u) << json;
  EXPECT_NE(report->run.groups_skipped[0].reason.find("inputs vanished"), std::string::npos);
  // Nothing compacted is left in the store, and the deleting commit stands.
  auto listed = store_.List(std::string(kLocation) + "/data/");
  ASSERT_TRUE(listed.ok());
  for (const auto& o : *listed) EXPECT_FALSE(IsCompactedFile(o.location)) << o.location;
  auto live = LiveData(**compacting);
  EXPECT_EQ(live.size(), 2u);
}

// On S3 every open is a GET (small files come whole with it): verifying an input and rewriting it
// share one open.
TEST_F(CompactorTest, EachInputIsOpenedOnce) {
  auto table = Create();
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 6; ++f)
    files.push_back(WriteFile(table.get(), Rows(f * 10, 10, 4), "o" + std::to_string(f)));
  Append(table.get(), files);
  RacingStore counting(&store_);
  TableServices services{&counting, catalog_.get(), &clock_, 7};
  auto compacting = Table::Load(services, id_);
  ASSERT_TRUE(compacting.ok());
  auto report = Compact(compacting->get(), SmallOptions());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->run.groups_done, 1) << CompactionReportToJson(*report);
  for (const iceberg::DataFile& f : files) EXPECT_EQ(counting.opens[f.file_path], 1) << f.file_path;
}

TEST_F(CompactorTest, AppendsRacingCompactionAreNeverUndone) {
  auto table = Create();
  std::vector<iceberg::DataFile> seed;
  for (int32_t day = 0; day < 6; ++day) {
    for (int f = 0; f < 3; ++f) {
      seed.push_back(WriteFile(table.get(), Rows(day * 1000 + f * 10, 10, day),
                               "s" + std::to_string(day) + "-" + std::to_string(f)));
    }
  }
  Append(table.get(), seed);
  // Files for the appender, written up front (the store is shared, writing is not the race).
  std::vector<iceberg::DataFile> extra;
  for (int i = 0; i < 10; ++i) {
    extra.push_back(
        WriteFile(table.get(), Rows(100000 + i * 10, 10, i % 6), "a" + std::to_string(i)));
  }
  // Every row of both writers, whichever way the race goes.
  std::vector<EventRow> expected;
  for (const auto* files : {&seed, &extra}) {
    for (const auto& f : *files) {
      auto part = ReadFile(f.file_path);
      expected.insert(expected.end(), part.begin(), part.end());
    }
  }
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(expected.size(), 180u + 100u);
  std::atomic<bool> failed{false};
  std::thread appender([&] {
    TableServices services{&store_, catalog_.get(), &clock_, std::nullopt};
    auto other = Table::Load(services, id_);
    if (!other.ok()) {
      failed = true;
      return;
    }
    for (const auto& f : extra) {
      auto r = (*other)->NewTransaction().AppendFiles({f}).Commit();
      if (!r.ok()) failed = true;
    }
  });
  auto report = Compact(table.get(), SmallOptions());
  appender.join();
  ASSERT_FALSE(failed.load());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_EQ(report->run.groups_done, 6);
  ASSERT_TRUE(table->Refresh().ok());
  // Every row of both writers, exactly once. An appended file may be live as it was written or,
  // when its append committed before the compaction planned, be one of its inputs (then its rows
  // are in an output): either way none is lost or doubled.
  EXPECT_EQ(AllRows(*table), expected);
}

// Unsorted groups are concatenated. With parallelism > 1 the inputs are decoded ahead on a thread
// of their own and their batches go to the writer whole: every parallelism must give the same
// outputs — each input's rows kept together and in file order — within the memory bound, and a
// page that does not decode still fails only its input.
class ConcatenationTest : public CompactorTest, public ::testing::WithParamInterface<int> {
 protected:
  CompactionOptions Options() {
    CompactionOptions o = SmallOptions();
    o.parallelism = GetParam();
    return o;
  }
};

TEST_P(ConcatenationTest, EachInputStaysWholeAndInOrder) {
  auto table = Create(/*sorted=*/false);
  ASSERT_NE(table, nullptr);
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 12; ++f) {
    files.push_back(WriteFile(table.get(), Rows(f * 1000, 1000, 9, 40), "c" + std::to_string(f),
                              /*row_group_rows=*/250));
  }
  Append(table.get(), files);
  const auto before = AllRows(*table);
  CompactionOptions o = Options();
  o.target_file_size_bytes = 8 << 20;
  auto report = Compact(table.get(), o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_EQ(report->run.rows_out, 12000);
  EXPECT_LE(report->run.peak_memory_bytes, o.memory_limit_bytes);
  EXPECT_EQ(AllRows(*table), before);
  auto live = LiveData(*table);
  ASSERT_EQ(live.size(), 1u);
  const auto rows = ReadFile(live[0].file.file_path);
  ASSERT_EQ(rows.size(), 12000u);
  // Blocks of 1000 rows, one per input (ids f*1000 ..), each ascending.
  std::set<int64_t> inputs_seen;
  for (size_t i = 0; i < rows.size(); i += 1000) {
    const int64_t first = rows[i].id;
    EXPECT_EQ(first % 1000, 0) << "row " << i;
    EXPECT_TRUE(inputs_seen.insert(first / 1000).second) << "input " << first / 1000 << " split";
    for (size_t k = 0; k < 1000; ++k) {
      ASSERT_EQ(rows[i + k].id, first + static_cast<int64_t>(k)) << "row " << i + k;
    }
  }
}

// The run report's cpu_ms counts the threads a rewrite starts (decoding ahead, the writer's
// pool), not only the caller's: with parallelism > 1 most of the work is theirs.
TEST_P(ConcatenationTest, HelperThreadsCpuIsTallied) {
  auto table = Create(/*sorted=*/false);
  ASSERT_NE(table, nullptr);
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 6; ++f) {
    files.push_back(WriteFile(table.get(), Rows(f * 1000, 1000, 9, 40), "t" + std::to_string(f),
                              /*row_group_rows=*/250));
  }
  Append(table.get(), files);
  FileGroup group;
  for (auto& f : LiveData(*table)) {
    group.input_bytes += f.file.file_size_in_bytes;
    group.input_rows += f.file.record_count;
    group.inputs.push_back(std::move(f));
  }
  CompactionOptions o = Options();
  o.target_file_size_bytes = 8 << 20;
  CpuTally tally;
  GroupRewriter rewriter(&store_, table->metadata(), o, [&] { return table->NewUuid(); });
  rewriter.set_cpu_tally(&tally);
  auto done = rewriter.Rewrite(group);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->rows_out, 6000);
  if (GetParam() > 1) {
    EXPECT_GT(tally.micros(), 0);
  } else {
    EXPECT_EQ(tally.micros(), 0) << "no helper threads with parallelism 1";
  }
}

TEST_P(ConcatenationTest, PeakMemoryStaysUnderTheLimit) {
  auto table = Create(/*sorted=*/false);
  // ~24 MB of nearly incompressible payloads against a 16 MiB limit.
  std::vector<iceberg::DataFile> files;
  std::mt19937_64 rng(11);
  for (int f = 0; f < 6; ++f) {
    auto rows = Rows(f * 2000, 2000, 3, 0);
    for (auto& r : rows) {
      std::string p(2000, '\0');
      for (char& c : p) c = static_cast<char>(rng());
      r.payload = std::move(p);
    }
    files.push_back(WriteFile(table.get(), rows, "big" + std::to_string(f), 400));
  }
  Append(table.get(), files);
  CompactionOptions o = Options();
  o.target_file_size_bytes = 32 << 20;
  o.max_file_size_bytes = 64 << 20;
  auto report = Compact(table.get(), o, Forced());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_GT(report->run.bytes_in, 20 << 20);
  EXPECT_GT(report->run.peak_memory_bytes, 0);
  EXPECT_LE(report->run.peak_memory_bytes, o.memory_limit_bytes);
  EXPECT_EQ(report->run.rows_out, 12000);
  EXPECT_EQ(AllRows(*table).size(), 12000u);
}

// Small row groups (handed to the writer whole) next to row groups larger than the decoding
// thread's budget (copied in slices): the decoding thread must never wait for batches only its
// next row group would let the writer flush.
TEST_P(ConcatenationTest, SmallAndLargeRowGroupsMixed) {
  auto table = Create(/*sorted=*/false);
  std::vector<iceberg::DataFile> files;
  std::mt19937_64 rng(5);
  for (int f = 0; f < 8; ++f) {
    const bool large = f % 3 == 2;
    auto rows = Rows(f * 2000, large ? 1500 : 600, 4, large ? 0 : 100);
    if (large) {
      for (auto& r : rows) {
        std::string p(2000, '\0');
        for (char& c : p) c = static_cast<char>(rng());
        r.payload = std::move(p);
      }
    }
    files.push_back(WriteFile(table.get(), rows, "m" + std::to_string(f), large ? 0 : 50));
  }
  Append(table.get(), files);
  const auto before = AllRows(*table);
  CompactionOptions o = Options();
  o.target_file_size_bytes = 32 << 20;
  o.max_file_size_bytes = 64 << 20;
  auto report = Compact(table.get(), o, Forced());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_LE(report->run.peak_memory_bytes, o.memory_limit_bytes);
  EXPECT_EQ(AllRows(*table), before);
}

TEST_P(ConcatenationTest, APageThatDoesNotDecodeQuarantinesOnlyItsInput) {
  auto table = Create(/*sorted=*/false);
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 6; ++f) {
    files.push_back(
        WriteFile(table.get(), Rows(f * 100, 100, 9), "ok" + std::to_string(f), /*rows=*/30));
  }
  Append(table.get(), files);
  // Found only while reading, after inputs before it were decoded (ahead) and written.
  std::string page = *store_.Get(files[3].file_path);
  for (size_t i = 40; i < 200; ++i) page[i] = static_cast<char>(0xff);
  ASSERT_TRUE(store_.Put(files[3].file_path, page).ok());
  auto report = Compact(table.get(), Options());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const std::string json = CompactionReportToJson(*report);
  EXPECT_EQ(report->run.status, "success") << json;
  EXPECT_EQ(report->run.files_in, 5) << json;
  EXPECT_EQ(report->run.rows_out, 500) << json;
  ASSERT_EQ(report->quarantined.size(), 1u) << json;
  EXPECT_EQ(report->quarantined[0].path, files[3].file_path);
  size_t rows = 0;  // the quarantined input stays in the table, unread here
  for (const auto& f : LiveData(*table)) {
    if (f.file.file_path != files[3].file_path) rows += ReadFile(f.file.file_path).size();
  }
  EXPECT_EQ(rows, 500u);
}

// Inputs whose payload pages are large and compressed like the output are not compressed again:
// decoding ahead (parallelism > 1), their pages are copied into the output. Rows, file order and
// the metrics in the manifest are those of a rewrite that encodes everything.
TEST_P(ConcatenationTest, LargePagesAreCopiedNotCompressedAgain) {
  input_codec_ = CodecKind::kZstd;
  auto table = Create(/*sorted=*/false);
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 6; ++f) {
    auto rows = Rows(f * 1000, 1000, 9, /*payload_bytes=*/0);
    for (auto& r : rows) {
      if (r.payload) r.payload = "p" + std::to_string(r.id * 7919 % 100003) + std::string(200, 'q');
    }
    files.push_back(WriteFile(table.get(), rows, "l" + std::to_string(f)));
  }
  Append(table.get(), files);
  const auto before = AllRows(*table);
  CompactionOptions o = Options();
  o.target_file_size_bytes = 8 << 20;
  auto report = Compact(table.get(), o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const std::string json = CompactionReportToJson(*report);
  ASSERT_EQ(report->run.status, "success") << json;
  if (GetParam() > 1) {
    // The payload chunks (~170 KB a file) are copied; ids, times and types (8-16 KB) are not.
    EXPECT_GT(report->bytes_copied, 0) << json;
    EXPECT_LT(report->bytes_copied, report->run.bytes_out) << json;
  } else {
    EXPECT_EQ(report->bytes_copied, 0) << json;
  }
  EXPECT_NE(json.find("\"bytes_copied\""), std::string::npos) << json;
  EXPECT_LE(report->run.peak_memory_bytes, o.memory_limit_bytes) << json;
  EXPECT_EQ(AllRows(*table), before);
  auto live = LiveData(*table);
  ASSERT_EQ(live.size(), 1u);
  const iceberg::DataFile& out = live[0].file;
  // Each input's rows stay together and in file order.
  const auto rows = ReadFile(out.file_path);
  ASSERT_EQ(rows.size(), 6000u);
  for (size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(rows[i].id, static_cast<int64_t>(i));
  // The manifest's metrics of the payload (field 4): counts summed, bounds the inputs' extremes.
  int64_t nulls = 0;
  std::optional<std::string> lower, upper;
  for (const iceberg::DataFile& f : files) {
    nulls += f.null_value_counts.at(4);
    const std::string& lo = f.lower_bounds.at(4);
    const std::string& hi = f.upper_bounds.at(4);
    if (!lower || lo < *lower) lower = lo;
    if (!upper || hi > *upper) upper = hi;
  }
  EXPECT_EQ(out.value_counts.at(4), 6000);
  EXPECT_EQ(out.null_value_counts.at(4), nulls);
  EXPECT_EQ(out.lower_bounds.at(4), *lower);
  EXPECT_EQ(out.upper_bounds.at(4), *upper);
}

INSTANTIATE_TEST_SUITE_P(Parallelism, ConcatenationTest, ::testing::Values(1, 2, 4));

}  // namespace
}  // namespace floe::maintenance
