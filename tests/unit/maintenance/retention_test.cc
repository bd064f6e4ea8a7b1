// Retention removes whole partitions older than the max age with one delete commit, and nothing
// else; a dry run removes nothing.

#include "floe/maintenance/retention.h"

#include <gtest/gtest.h>

#include <set>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/io/memory_store.h"
#include "floe/maintenance/partition_time.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::maintenance {
namespace {

constexpr int64_t kToday = 20100;  // days since the epoch
constexpr int64_t kDayMicros = 86'400'000'000LL;

TEST(PartitionTimeTest, RangesOfTimeTransforms) {
  iceberg::Schema schema = testing::EventsSchema();  // ts is field 2
  iceberg::PartitionSpec day;
  day.fields.push_back({2, 1000, "ts_day", iceberg::Transform::Day()});
  auto r = PartitionTimeRange(day, schema, {iceberg::Literal::Date(3)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 3 * kDayMicros);
  EXPECT_EQ(r->second, 4 * kDayMicros);
  iceberg::PartitionSpec month;
  month.fields.push_back({2, 1000, "ts_month", iceberg::Transform::Month()});
  r = PartitionTimeRange(month, schema, {iceberg::Literal::Int(1)});  // 1970-02
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 31 * kDayMicros);
  EXPECT_EQ(r->second, (31 + 28) * kDayMicros);
  iceberg::PartitionSpec bucket;
  bucket.fields.push_back({1, 1000, "id_bucket", iceberg::Transform::Bucket(4)});
  EXPECT_FALSE(PartitionTimeRange(bucket, schema, {iceberg::Literal::Int(1)}));
}

TEST(RetentionTest, RemovesWholeOldPartitionsOnly) {
  floe::testing::TempDir dir;
  auto catalog = SqlCatalog::Open("sqlite:" + dir.path() + "/catalog.db");
  ASSERT_TRUE(catalog.ok());
  ASSERT_TRUE((*catalog)->CreateNamespace({"db"}, {}).ok());
  FakeClock clock(kToday * kDayMicros + 3600'000'000LL);
  MemoryStore store(&clock);
  TableServices services{&store, catalog->get(), &clock, 3};
  auto table = Table::Create(services, TableIdentifier{{"db"}, "t"},
                             testing::EventsTable("file:///wh/db/t"));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  // Days: 100 and 95 days ago (two files each), 89 days ago, today.
  std::vector<iceberg::DataFile> files;
  int n = 0;
  for (int64_t age : {100, 100, 95, 95, 89, 0}) {
    files.push_back(testing::MakeFile("file:///wh/db/t/data/f" + std::to_string(n++) + ".parquet",
                                      10, static_cast<int32_t>(kToday - age)));
  }
  Transaction txn = (*table)->NewTransaction();
  txn.AppendFiles(files);
  ASSERT_TRUE(txn.Commit().ok());

  RetentionOptions options;
  options.max_age_ms = 90LL * 86'400'000;
  options.dry_run = true;
  auto preview = ApplyRetention(table->get(), options, nullptr);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  EXPECT_EQ(preview->files_in, 4);
  EXPECT_EQ(preview->details["partitions"].size(), 2u);
  EXPECT_EQ(testing::CurrentEntries(&store, (*table)->metadata()).size(), 6u);

  options.dry_run = false;
  auto report = ApplyRetention(table->get(), options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "success");
  EXPECT_EQ(report->rows_in, 40);
  EXPECT_EQ((*table)->metadata().CurrentSnapshot()->operation(), "delete");
  std::set<int32_t> days_left;
  for (const auto& e : testing::CurrentEntries(&store, (*table)->metadata())) {
    if (e.is_live()) days_left.insert(e.data_file.partition[0].int_value());
  }
  EXPECT_EQ(days_left,
            (std::set<int32_t>{static_cast<int32_t>(kToday - 89), static_cast<int32_t>(kToday)}));
  auto again = ApplyRetention(table->get(), options, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, "noop");
  options.max_age_ms = 0;
  EXPECT_EQ(ApplyRetention(table->get(), options, nullptr).status().kind(),
            ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace floe::maintenance
