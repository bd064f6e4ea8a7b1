#include "floe/ingest/collector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "floe/catalog/events_table.h"
#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/io/fault_store.h"
#include "floe/io/memory_store.h"
#include "floe/parquet/reader.h"
#include "support/forwarding_catalog.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::ingest {
namespace {

// Delegates to a real catalog; can make the next commit land and still report "unknown".
class FlakyCatalog final : public testing::ForwardingCatalog {
 public:
  using ForwardingCatalog::ForwardingCatalog;
  std::atomic<int> unknown_after_commit{0};
  std::atomic<int> fail_before_commit{0};

  Status CommitTable(const TableIdentifier& id, const std::string& expected,
                     const std::string& next) override {
    if (fail_before_commit > 0) {
      --fail_before_commit;
      return Status::Unavailable("catalog down (test)");
    }
    Status st = inner_->CommitTable(id, expected, next);
    if (st.ok() && unknown_after_commit > 0) {
      --unknown_after_commit;
      return Status::CommitStateUnknown("connection lost after the commit was sent (test)");
    }
    return st;
  }
};

std::string Event(const std::string& id, const std::string& type, const std::string& time) {
  return R"({"id":")" + id + R"(","type":")" + type + R"(","source":"test","time":")" + time +
         R"(","data":{"user_id":"u1"}})";
}

DecodedBody Body(const std::vector<std::string>& events) {
  DecodedBody body;
  for (size_t i = 0; i < events.size(); ++i) body.Add(i, events[i]);
  return body;
}

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
    flaky_ = std::make_unique<FlakyCatalog>(catalog_.get());
    ASSERT_TRUE(catalog_->CreateNamespace({"analytics"}, {}).ok());
    auto table =
        Table::Create(TableServices{&store_, catalog_.get(), &clock_, std::nullopt},
                      DefaultEventsTableId(), EventsTableRequest("memory://wh/analytics/events"));
    ASSERT_TRUE(table.ok()) << table.status().ToString();
  }

  CollectorOptions Options() {
    CollectorOptions o;
    o.state_dir = dir_.path() + "/state";
    o.background_flush = false;
    o.durability = Durability::kFsync;
    return o;
  }

  Result<std::unique_ptr<Collector>> Open(CollectorOptions o) {
    return Collector::Open(std::move(o),
                           CollectorServices{&store_, flaky_.get(), &clock_, &logger_});
  }
  std::unique_ptr<Collector> OpenOk(CollectorOptions o) {
    auto c = Open(std::move(o));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  std::unique_ptr<Table> LoadTable() {
    auto t = Table::Load(TableServices{&store_, catalog_.get(), &clock_, std::nullopt},
                         DefaultEventsTableId());
    EXPECT_TRUE(t.ok());
    return std::move(t).value();
  }

  // event_id values of every row of the table's live files.
  std::multiset<std::string> TableIds() {
    std::multiset<std::string> ids;
    auto table = LoadTable();
    for (const auto& e : testing::CurrentEntries(&store_, table->metadata())) {
      if (!e.is_live()) continue;
      auto file = store_.OpenRead(e.data_file.file_path);
      EXPECT_TRUE(file.ok());
      auto reader = parquet::ParquetReader::Open(file->get());
      EXPECT_TRUE(reader.ok()) << reader.status().ToString();
      for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
        parquet::RowBatch batch;
        EXPECT_TRUE((*reader)->ReadRowGroup(rg, {0}, &batch).ok());
        const auto& c = batch.columns[0];
        for (int64_t i = 0; i < c.num_values; ++i) {
          ids.insert(c.bytes.substr(c.offsets[i], c.offsets[i + 1] - c.offsets[i]));
        }
      }
    }
    return ids;
  }

  testing::TempDir dir_{"floe-collector"};
  FakeClock clock_{int64_t{1767225600} * 1000000};  // 2026-01-01
  Logger logger_{&clock_, LogLevel::kWarn, [](std::string_view) {}};
  MemoryStore store_{&clock_};
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<FlakyCatalog> flaky_;
  TableIdentifier events_ = DefaultEventsTableId();
};

TEST_F(CollectorTest, FlushCommitsOneSortedFilePerPartitionInOneAppend) {
  auto c = OpenOk(Options());
  auto r = c->Ingest(
      events_,
      Body({Event("a", "view", "2026-01-01T10:00:00Z"), Event("b", "click", "2026-01-02T10:00:00Z"),
            Event("c", "click", "2026-01-01T09:00:00Z"), R"({"id":"d","source":"x"})"}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 3);
  EXPECT_EQ(r->rejected, 1);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].index, 3u);
  auto f = c->Flush();
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->commits.size(), 1u);
  EXPECT_EQ(f->commits[0].data_files, 2);
  EXPECT_EQ(f->commits[0].records, 3);
  EXPECT_EQ(f->commits[0].wal_position, 3u);

  auto table = LoadTable();
  const auto& m = table->metadata();
  ASSERT_EQ(m.snapshots.size(), 1u);
  EXPECT_EQ(testing::SummaryValue(m.snapshots[0], kNodeIdSummaryKey), c->node_id());
  EXPECT_EQ(testing::SummaryValue(m.snapshots[0], kWalPositionSummaryKey), "3");
  EXPECT_EQ(testing::SummaryValue(m.snapshots[0], "operation"), "append");
  auto entries = testing::CurrentEntries(&store_, m);
  ASSERT_EQ(entries.size(), 2u);
  std::map<std::string, int64_t> rows_by_folder;
  for (const auto& e : entries) {
    const std::string& p = e.data_file.file_path;
    EXPECT_NE(p.find("memory://wh/analytics/events/data/timestamp_day="), std::string::npos) << p;
    EXPECT_EQ(e.data_file.sort_order_id, std::optional<int32_t>(1));
    rows_by_folder[p.substr(0, p.rfind('/'))] += e.data_file.record_count;
  }
  EXPECT_EQ(rows_by_folder["memory://wh/analytics/events/data/timestamp_day=2026-01-01"], 2);
  // Sorted by type, then timestamp: "c" (click) before "a" (view) in the first day's file.
  for (const auto& e : entries) {
    if (e.data_file.record_count != 2) continue;
    auto file = store_.OpenRead(e.data_file.file_path);
    auto reader = parquet::ParquetReader::Open(file->get());
    ASSERT_TRUE(reader.ok());
    parquet::RowBatch batch;
    ASSERT_TRUE((*reader)->ReadRowGroup(0, {0}, &batch).ok());
    EXPECT_EQ(batch.columns[0].bytes, "ca");
  }
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a", "b", "c"}));
  ASSERT_TRUE(c->Close().ok());
}

// Lines the decoder left unvalidated (as `floe serve` and `floe ingest` decode) are validated
// while they are mapped: valid ones land (compacted when sent with whitespace), invalid ones are
// rejected with the decoder's own messages, and mapping errors come after validation.
TEST_F(CollectorTest, UnvalidatedLinesAreValidatedWhileMapped) {
  auto c = OpenOk(Options());
  const std::string text =
      Event("a", "view", "2026-01-01T10:00:00Z") + "\n" +
      "{ \"id\": \"b\", \"type\": \"click\", \"time\": \"2026-01-01T11:00:00Z\", "
      "\"data\": { \"user_id\" : \"u2\", \"k\": [1, 2] } }\n"
      "{\"id\":\"c\",\"type\":\"click\",\"x\":tru}\n"
      "{\"id\":\"d\",\"type\":\"view\"} {\"x\":1}\n"
      "{\"id\":\"e\",\"source\":\"no type\",\"x\":[1,]}\n"
      "{\"id\":\"f\",\"source\":\"no type\"}\n";
  DecodeLimits limits;
  limits.defer_line_validation = true;
  auto body = DecodeBody("application/x-ndjson", "", text, limits);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  ASSERT_EQ(body->events.size(), 6u);
  auto r = c->Ingest(events_, std::move(*body));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 2);
  EXPECT_EQ(r->rejected, 4);
  ASSERT_EQ(r->errors.size(), 4u);
  EXPECT_EQ(r->errors[0].index, 2u);
  EXPECT_EQ(r->errors[0].error.rfind("malformed JSON at byte 29 of the line: ", 0), 0u)
      << r->errors[0].error;
  EXPECT_EQ(r->errors[1].index, 3u);
  EXPECT_EQ(r->errors[1].error, "unexpected content after the event at byte 25 of the line");
  EXPECT_EQ(r->errors[2].index, 4u);  // malformed before it is found to have no type
  EXPECT_EQ(r->errors[2].error.rfind("malformed JSON at byte", 0), 0u) << r->errors[2].error;
  EXPECT_EQ(r->errors[3].index, 5u);
  EXPECT_EQ(r->errors[3].error, "event has no type");

  ASSERT_TRUE(c->Flush().ok());
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a", "b"}));
  // The data of the line sent with whitespace is stored compact (column 7: data).
  std::set<std::string> data;
  auto table = LoadTable();
  for (const auto& e : testing::CurrentEntries(&store_, table->metadata())) {
    auto file = store_.OpenRead(e.data_file.file_path);
    ASSERT_TRUE(file.ok());
    auto reader = parquet::ParquetReader::Open(file->get());
    ASSERT_TRUE(reader.ok());
    parquet::RowBatch batch;
    ASSERT_TRUE((*reader)->ReadRowGroup(0, {7}, &batch).ok());
    const auto& col = batch.columns[0];
    for (int64_t i = 0; i < col.num_values; ++i) {
      data.insert(col.bytes.substr(col.offsets[i], col.offsets[i + 1] - col.offsets[i]));
    }
  }
  EXPECT_EQ(data, (std::set<std::string>{R"({"user_id":"u1"})", R"({"user_id":"u2","k":[1,2]})"}));
  ASSERT_TRUE(c->Close().ok());
}

// Consecutive events of one day share a partition without computing it again; events on either
// side of midnight, and before 1970, still land in their own day.
TEST_F(CollectorTest, EventsAtDayEdgesLandInTheirDays) {
  auto c = OpenOk(Options());
  auto r = c->Ingest(events_, Body({Event("a", "t", "2026-01-01T23:59:59.999999Z"),
                                    Event("b", "t", "2026-01-02T00:00:00Z"),
                                    Event("c", "t", "2026-01-01T12:00:00Z"),
                                    Event("d", "t", "2026-01-01T00:00:00Z"),
                                    Event("e", "t", "1969-12-31T23:59:59Z"),
                                    Event("f", "t", "1970-01-01T00:00:00Z"),
                                    Event("g", "t", "1969-12-31T00:00:00Z")}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(c->Flush().ok());
  std::map<std::string, int64_t> rows_by_day;
  for (const auto& e : testing::CurrentEntries(&store_, LoadTable()->metadata())) {
    const std::string& p = e.data_file.file_path;
    size_t at = p.find("timestamp_day=");
    ASSERT_NE(at, std::string::npos) << p;
    rows_by_day[p.substr(at + 14, 10)] += e.data_file.record_count;
  }
  EXPECT_EQ(rows_by_day, (std::map<std::string, int64_t>{{"1969-12-31", 2},
                                                         {"1970-01-01", 1},
                                                         {"2026-01-01", 3},
                                                         {"2026-01-02", 1}}));
  ASSERT_TRUE(c->Close().ok());
}

// The sort is stable: rows equal on (type, timestamp) keep their arrival order, across bodies.
TEST_F(CollectorTest, FlushSortIsStableOnEqualKeys) {
  auto c = OpenOk(Options());
  ASSERT_TRUE(c->Ingest(events_, Body({Event("b2", "view", "2026-01-01T10:00:00Z"),
                                       Event("a1", "view", "2026-01-01T10:00:00Z"),
                                       Event("z0", "click", "2026-01-01T11:00:00Z")}))
                  .ok());
  ASSERT_TRUE(c->Ingest(events_, Body({Event("c3", "view", "2026-01-01T09:00:00Z"),
                                       Event("a0", "view", "2026-01-01T10:00:00Z"),
                                       Event("y9", "click", "2026-01-01T11:00:00Z")}))
                  .ok());
  ASSERT_TRUE(c->Flush().ok());
  auto entries = testing::CurrentEntries(&store_, LoadTable()->metadata());
  ASSERT_EQ(entries.size(), 1u);
  auto file = store_.OpenRead(entries[0].data_file.file_path);
  ASSERT_TRUE(file.ok());
  auto reader = parquet::ParquetReader::Open(file->get());
  ASSERT_TRUE(reader.ok());
  parquet::RowBatch batch;
  ASSERT_TRUE((*reader)->ReadRowGroup(0, {0}, &batch).ok());
  EXPECT_EQ(batch.columns[0].bytes, "z0y9c3b2a1a0");
  ASSERT_TRUE(c->Close().ok());
}

TEST_F(CollectorTest, UnknownTableIsNotFound) {
  auto c = OpenOk(Options());
  auto r = c->Ingest(TableIdentifier{{"analytics"}, "nope"},
                     Body({Event("a", "t", "2026-01-01T00:00:00Z")}));
  EXPECT_EQ(r.status().kind(), ErrorKind::kNotFound);
}

TEST_F(CollectorTest, CountSizeAndTimeTriggerFlushes) {
  auto o = Options();
  o.buffer_count_threshold = 3;
  o.buffer_time_seconds = 60;
  auto c = OpenOk(o);
  ASSERT_TRUE(c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z"),
                                       Event("b", "t", "2026-01-01T00:00:01Z")}))
                  .ok());
  EXPECT_EQ(c->Stats().flushes, 0);
  ASSERT_TRUE(c->Ingest(events_, Body({Event("c", "t", "2026-01-01T00:00:02Z")})).ok());
  EXPECT_EQ(c->Stats().flushes, 1);  // count reached
  EXPECT_EQ(c->Stats().buffered_events, 0);

  ASSERT_TRUE(c->Ingest(events_, Body({Event("d", "t", "2026-01-01T00:00:03Z")})).ok());
  auto due = c->FlushDue();
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->commits.empty());
  clock_.AdvanceMicros(59 * 1000000);
  EXPECT_TRUE(c->FlushDue()->commits.empty());
  clock_.AdvanceMicros(1 * 1000000);
  EXPECT_EQ(c->FlushDue()->commits.size(), 1u);  // the oldest event is 60 s old
  EXPECT_EQ(c->Stats().flushes, 2);
  c.reset();

  auto o2 = Options();
  o2.buffer_size_bytes = 300;
  auto c2 = OpenOk(o2);
  for (int i = 0; i < 5 && c2->Stats().flushes == 0; ++i) {
    ASSERT_TRUE(
        c2->Ingest(events_, Body({Event("s" + std::to_string(i), "t", "2026-01-01T00:00:00Z")}))
            .ok());
  }
  EXPECT_EQ(c2->Stats().flushes, 1);  // bytes reached
  ASSERT_TRUE(c2->Close().ok());
  EXPECT_EQ(TableIds().size(), 4u + c2->Stats().flushed_events);
}

TEST_F(CollectorTest, ReplayAfterCrashCommitsEveryAcceptedEventExactlyOnce) {
  {
    auto c = OpenOk(Options());
    ASSERT_TRUE(c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z"),
                                         Event("b", "t", "2026-01-01T00:00:01Z")}))
                    .ok());
    ASSERT_TRUE(c->Flush().ok());
    ASSERT_TRUE(c->Ingest(events_, Body({Event("c", "t", "2026-01-01T00:00:02Z"),
                                         Event("d", "t", "2026-01-02T00:00:03Z")}))
                    .ok());
    // Crash: dropped without Close; c and d were acknowledged but never committed.
  }
  {
    auto c = OpenOk(Options());
    EXPECT_EQ(c->Stats().replayed_events, 2);
    EXPECT_EQ(c->Stats().buffered_events, 2);
    ASSERT_TRUE(c->Flush().ok());
    ASSERT_TRUE(c->Ingest(events_, Body({Event("e", "t", "2026-01-01T00:00:04Z")})).ok());
  }
  {
    auto c = OpenOk(Options());
    EXPECT_EQ(c->Stats().replayed_events, 1);
    ASSERT_TRUE(c->Close().ok());
  }
  {
    auto c = OpenOk(Options());
    EXPECT_EQ(c->Stats().replayed_events, 0);
    ASSERT_TRUE(c->Close().ok());
  }
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a", "b", "c", "d", "e"}));
  auto table = LoadTable();
  EXPECT_EQ(table->metadata().snapshots.size(), 3u);
}

TEST_F(CollectorTest, UnknownCommitStateIsResolvedFromTheSummary) {
  auto c = OpenOk(Options());
  ASSERT_TRUE(c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z")})).ok());
  flaky_->unknown_after_commit = 1;
  auto f = c->Flush();
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->commits.size(), 1u);
  auto table = LoadTable();
  ASSERT_EQ(table->metadata().snapshots.size(), 1u);  // not committed twice
  EXPECT_EQ(f->commits[0].snapshot_id, table->metadata().snapshots[0].snapshot_id);
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a"}));
}

TEST_F(CollectorTest, FailedFlushKeepsEventsAndTheNextFlushCommitsThem) {
  auto c = OpenOk(Options());
  ASSERT_TRUE(c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z")})).ok());
  flaky_->fail_before_commit = 100;
  auto table = LoadTable();
  std::map<std::string, std::string> props;
  EXPECT_FALSE(c->Flush().ok());
  EXPECT_EQ(c->Stats().flush_failures, 1);
  ASSERT_TRUE(c->Ingest(events_, Body({Event("b", "t", "2026-01-01T00:00:00Z")})).ok());
  flaky_->fail_before_commit = 0;
  auto f = c->Flush();
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->commits.size(), 2u);  // the failed job first, in WAL order
  EXPECT_LT(f->commits[0].wal_position, f->commits[1].wal_position);
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a", "b"}));
}

// When storing one partition's file fails, the flush leaves no file behind (the partitions
// stored before it are deleted) and keeps the events buffered; the next flush writes and
// commits every partition: each event once.
TEST_F(CollectorTest, AFailedDataFileWriteIsRetriedWhole) {
  FaultInjectingStore faulty(&store_, 7);
  auto c = Collector::Open(Options(), CollectorServices{&faulty, flaky_.get(), &clock_, &logger_});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE((*c)->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z"),
                                          Event("b", "t", "2026-01-02T00:00:00Z"),
                                          Event("c", "t", "2026-01-01T01:00:00Z")}))
                  .ok());
  // The second partition's file (in path order) fails; the first was stored and is deleted.
  faulty.SetLocationFilter("2026-01-02");
  faulty.FailNext(StoreOp::kWrite);
  EXPECT_FALSE((*c)->Flush().ok());
  EXPECT_EQ(faulty.injected_count(), 1);
  EXPECT_EQ((*c)->Stats().flush_failures, 1);
  auto data = store_.List("memory://wh/analytics/events/data/");
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(data->empty()) << data->front().location;
  faulty.Clear();
  auto f = (*c)->Flush();
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->commits.size(), 1u);
  EXPECT_EQ(f->commits[0].data_files, 2);
  EXPECT_EQ(f->commits[0].records, 3);
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a", "b", "c"}));
  data = store_.List("memory://wh/analytics/events/data/");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->size(), 2u);
}

TEST_F(CollectorTest, DuplicatesWithinTheWindowAreCountedNotWritten) {
  auto o = Options();
  o.dedup_window_seconds = 600;
  {
    auto c = OpenOk(o);
    auto r = c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z"),
                                      Event("a", "t", "2026-01-01T00:00:00Z"),
                                      Event("b", "t", "2026-01-01T00:00:00Z")}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->accepted, 2);
    EXPECT_EQ(r->duplicates, 1);
    ASSERT_TRUE(c->Flush().ok());
    r = c->Ingest(events_, Body({Event("b", "t", "2026-01-01T00:00:00Z")}));
    EXPECT_EQ(r->duplicates, 1);
    EXPECT_EQ(c->Stats().events_duplicate, 2);
  }
  clock_.AdvanceMicros(int64_t{300} * 1000000);
  {
    // The window holds across a restart: committed ids come back from the WAL.
    auto c = OpenOk(o);
    auto r = c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z")}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->duplicates, 1);
    clock_.AdvanceMicros(int64_t{301} * 1000000);
    r = c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z")}));
    EXPECT_EQ(r->accepted, 1);  // outside the window
    ASSERT_TRUE(c->Close().ok());
  }
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a", "a", "b"}));
}

// A body is mapped into buffers of its own and appended to the table's after dedup: a partition
// whose events of the body were all duplicates must not leave an empty buffer (an empty file).
TEST_F(CollectorTest, PartitionWhollyDuplicateInABodyWritesNoFile) {
  auto c = OpenOk(Options());
  ASSERT_TRUE(c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z")})).ok());
  ASSERT_TRUE(c->Flush().ok());
  auto r = c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z"),
                                    Event("b", "t", "2026-01-02T00:00:00Z")}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1);
  EXPECT_EQ(r->duplicates, 1);
  auto flushed = c->Flush();
  ASSERT_TRUE(flushed.ok());
  ASSERT_EQ(flushed->commits.size(), 1u);
  EXPECT_EQ(flushed->commits[0].data_files, 1);
  EXPECT_EQ(flushed->commits[0].records, 1);
  ASSERT_TRUE(c->Close().ok());
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a", "b"}));
}

// Bodies mapped out of order (as floe ingest's workers do) take the log and the table in the
// order they are ingested; a mapped body is taken once.
TEST_F(CollectorTest, MappedBodiesAreIngestedInTheOrderGiven) {
  auto c = OpenOk(Options());
  DecodedBody first = Body({Event("a", "t", "2026-01-01T00:00:00Z"), R"({"id":"x"})"});
  DecodedBody second =
      Body({Event("a", "t", "2026-01-01T00:00:01Z"), Event("b", "t", "2026-01-01T00:00:02Z")});
  auto mapped_second = c->Map(events_, std::move(second));
  auto mapped_first = c->Map(events_, std::move(first));
  ASSERT_TRUE(mapped_first.ok() && mapped_second.ok());
  auto r1 = c->Ingest(std::move(*mapped_first));
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->accepted, 1);
  EXPECT_EQ(r1->rejected, 1);
  ASSERT_EQ(r1->errors.size(), 1u);
  EXPECT_EQ(r1->errors[0].index, 1u);
  auto r2 = c->Ingest(std::move(*mapped_second));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->accepted, 1);  // "a" was the first body's
  EXPECT_EQ(r2->duplicates, 1);
  EXPECT_EQ(c->Ingest(std::move(*mapped_second)).status().kind(), ErrorKind::kInternal);
  EXPECT_FALSE(c->Map(TableIdentifier{{"analytics"}, "nope"}, Body({})).ok());
  ASSERT_TRUE(c->Close().ok());
  EXPECT_EQ(TableIds(), (std::multiset<std::string>{"a", "b"}));
}

TEST_F(CollectorTest, BackpressureRefusesWhenBuffersAreFull) {
  auto o = Options();
  o.max_buffered_bytes = 100;
  auto c = OpenOk(o);
  ASSERT_TRUE(c->Ingest(events_, Body({Event("a", "t", "2026-01-01T00:00:00Z"),
                                       Event("b", "t", "2026-01-01T00:00:00Z")}))
                  .ok());
  EXPECT_GE(c->Stats().buffered_bytes, 100);
  auto r = c->Ingest(events_, Body({Event("c", "t", "2026-01-01T00:00:00Z")}));
  EXPECT_EQ(r.status().kind(), ErrorKind::kResourceExhausted);
  EXPECT_NE(r.status().message().find("retry after"), std::string::npos);
  EXPECT_GE(c->retry_after_seconds(), 1);
  EXPECT_EQ(c->Stats().backpressure_rejections, 1);
  ASSERT_TRUE(c->Flush().ok());
  EXPECT_EQ(c->Stats().buffered_bytes, 0);
  EXPECT_TRUE(c->Ingest(events_, Body({Event("c", "t", "2026-01-01T00:00:00Z")})).ok());
  ASSERT_TRUE(c->Close().ok());
  EXPECT_EQ(TableIds().size(), 3u);
}

TEST_F(CollectorTest, WalSegmentsCoveredByCommitsAreDeleted) {
  auto o = Options();
  o.wal_segment_bytes = 512;
  o.dedup_window_seconds = 1;
  auto c = OpenOk(o);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        c->Ingest(events_, Body({Event("e" + std::to_string(i), "t", "2026-01-01T00:00:00Z")}))
            .ok());
  }
  int64_t before = c->Stats().wal_bytes;
  clock_.AdvanceMicros(2 * 1000000);
  ASSERT_TRUE(c->Flush().ok());
  EXPECT_LT(c->Stats().wal_bytes, before / 2);
  ASSERT_TRUE(c->Close().ok());
}

TEST_F(CollectorTest, SecondProcessOnTheSameStateFolderIsRefused) {
  auto c = OpenOk(Options());
  auto second = Open(Options());
  EXPECT_EQ(second.status().kind(), ErrorKind::kUnavailable);
}

TEST_F(CollectorTest, ConcurrentIngestWithBackgroundFlush) {
  auto o = Options();
  o.background_flush = true;
  o.buffer_count_threshold = 50;
  auto c = OpenOk(o);
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto r = c->Ingest(events_, Body({Event(id, "t", "2026-01-01T00:00:00Z")}));
        if (r.ok()) accepted += static_cast<int>(r->accepted);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(c->Close().ok());
  EXPECT_EQ(accepted.load(), 160);
  EXPECT_EQ(TableIds().size(), 160u);
}

}  // namespace
}  // namespace floe::ingest
