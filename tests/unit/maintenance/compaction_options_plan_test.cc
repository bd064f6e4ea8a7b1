// Compaction settings (validation, profiles) and the planner's rules, on synthetic file lists.
#include <gtest/gtest.h>

#include "floe/maintenance/compaction_options.h"
#include "floe/maintenance/compaction_plan.h"
#include "unit/maintenance/compaction_test_util.h"

namespace floe::maintenance {
namespace {

using testing::CompactionSchema;

constexpr int64_t kMiB = int64_t{1} << 20;

TEST(CompactionOptionsTest, DefaultsAndProfilesAreTheSeeds) {
  CompactionOptions o;
  EXPECT_EQ(o.threshold, 50);
  EXPECT_EQ(o.target_file_size_bytes, 128 * kMiB);
  EXPECT_EQ(o.min_file_size(), 96 * kMiB);
  EXPECT_EQ(o.max_file_size(), 128 * kMiB * 9 / 5);
  EXPECT_EQ(o.min_input_files, 5);
  EXPECT_EQ(o.memory_limit_bytes, 128 * kMiB);
  EXPECT_TRUE(o.Validate().ok());
  auto realtime = CompactionOptions::ForProfile(CompactionProfile::kRealtime);
  EXPECT_EQ(realtime.threshold, 30);
  EXPECT_EQ(realtime.target_file_size_bytes, 64 * kMiB);
  auto batch = CompactionOptions::ForProfile(*ParseCompactionProfile("batch"));
  EXPECT_EQ(batch.threshold, 100);
  EXPECT_EQ(batch.target_file_size_bytes, 256 * kMiB);
  auto balanced = CompactionOptions::ForProfile(*ParseCompactionProfile("balanced"));
  EXPECT_EQ(balanced.threshold, 50);
  auto bad = ParseCompactionProfile("fast");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("realtime, balanced, batch"), std::string::npos);
}

TEST(CompactionOptionsTest, ValidationNamesSettingValueAndRange) {
  CompactionOptions o;
  o.threshold = 1;
  Status s = o.Validate();
  EXPECT_EQ(s.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(s.message().find("COMPACTION_THRESHOLD=1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("2..1000000"), std::string::npos) << s.message();

  o = {};
  o.memory_limit_bytes = 1024;
  s = o.Validate();
  EXPECT_NE(s.message().find("memory_limit_bytes=1024"), std::string::npos) << s.message();

  o = {};
  o.min_file_size_bytes = o.target_file_size_bytes;
  EXPECT_NE(o.Validate().message().find("min_file_size_bytes"), std::string::npos);
  o = {};
  o.max_file_size_bytes = o.target_file_size_bytes;
  EXPECT_NE(o.Validate().message().find("max_file_size_bytes"), std::string::npos);
  o = {};
  o.parallelism = 0;
  EXPECT_NE(o.Validate().message().find("parallelism=0"), std::string::npos);
  o = {};
  o.target_file_size_bytes = 10;
  EXPECT_NE(o.Validate().message().find("TARGET_FILE_SIZE_MB"), std::string::npos);
}

// A table metadata with the test schema and a day(ts) spec (id 0) and an unpartitioned spec 1.
iceberg::TableMetadata Metadata() {
  iceberg::TableMetadata m;
  m.location = "s3://b/t";
  m.schemas.push_back(CompactionSchema());
  iceberg::PartitionSpec day;
  day.spec_id = 0;
  day.fields.push_back(iceberg::PartitionField{2, 1000, "ts_day", iceberg::Transform::Day()});
  iceberg::PartitionSpec none;
  none.spec_id = 1;
  m.partition_specs = {day, none};
  m.sort_orders.push_back(iceberg::SortOrder::Unsorted());
  return m;
}

LiveFile File(const std::string& name, int64_t bytes, int32_t day, int64_t seq = 1) {
  LiveFile f;
  f.file.file_path = "s3://b/t/data/" + name;
  f.file.file_size_in_bytes = bytes;
  f.file.record_count = bytes / 10;
  f.file.partition = {iceberg::Literal::Date(day)};
  f.data_sequence_number = seq;
  return f;
}

CompactionOptions SmallTarget() {
  CompactionOptions o;
  o.threshold = 4;
  o.target_file_size_bytes = 100000;  // min 75000, max 180000
  o.min_input_files = 3;
  return o;
}

TEST(CompactionPlanTest, BelowThresholdIsNotNeededUnlessForced) {
  TableFiles files;
  for (int i = 0; i < 3; ++i) files.data_files.push_back(File("a" + std::to_string(i), 1000, 1));
  auto plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), {});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(plan->needed);
  EXPECT_TRUE(plan->groups.empty());
  EXPECT_EQ(plan->small_files, 3);
  CompactionRequest force;
  force.force = true;
  plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), force);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->needed);
  ASSERT_EQ(plan->groups.size(), 1u);
  EXPECT_EQ(plan->groups[0].inputs.size(), 3u);
}

TEST(CompactionPlanTest, GroupsPerPartitionOldestFirstAndLeavesInBoundsFilesAlone) {
  TableFiles files;
  // Day 5 has newer data than day 7.
  for (int i = 0; i < 4; ++i)
    files.data_files.push_back(File("d5-" + std::to_string(i), 1000, 5, 9));
  for (int i = 0; i < 4; ++i)
    files.data_files.push_back(File("d7-" + std::to_string(i), 1000, 7, 2));
  files.data_files.push_back(File("d7-big", 90000, 7, 1));               // within bounds
  files.data_files.push_back(File("compacted-x.parquet", 80000, 7, 1));  // floe's, in bounds
  auto plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), {});
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan->needed);
  ASSERT_EQ(plan->groups.size(), 2u);
  EXPECT_EQ(plan->groups[0].partition_path, "ts_day=1970-01-08");  // day 7: oldest data
  EXPECT_EQ(plan->groups[1].partition_path, "ts_day=1970-01-06");
  EXPECT_EQ(plan->groups[0].inputs.size(), 4u);
  for (const auto& g : plan->groups) {
    for (const auto& f : g.inputs) EXPECT_LT(f.file.file_size_in_bytes, 75000);
  }
}

TEST(CompactionPlanTest, AggressiveTakesEveryFileUnderTheTarget) {
  TableFiles files;
  for (int i = 0; i < 4; ++i) files.data_files.push_back(File("s" + std::to_string(i), 1000, 1));
  files.data_files.push_back(File("compacted-a.parquet", 80000, 1));
  files.data_files.push_back(File("full", 100000, 1));  // at the target: stays
  CompactionRequest r;
  r.aggressive = true;
  auto plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), r);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->groups.size(), 1u);
  EXPECT_EQ(plan->groups[0].inputs.size(), 5u);
  EXPECT_EQ(plan->groups[0].reason, "aggressive");
}

TEST(CompactionPlanTest, OversizedFilesAreSplitInTheirOwnGroup) {
  TableFiles files;
  for (int i = 0; i < 4; ++i) files.data_files.push_back(File("s" + std::to_string(i), 1000, 1));
  files.data_files.push_back(File("huge", 500000, 1));
  auto plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), {});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->groups.size(), 2u);
  EXPECT_EQ(plan->groups[0].reason, "oversized file");
  EXPECT_EQ(plan->groups[0].inputs.size(), 1u);
}

TEST(CompactionPlanTest, TargetFilesPullsInKeptFilesOrSaysWhyNot) {
  TableFiles files;
  for (int i = 0; i < 4; ++i) files.data_files.push_back(File("s" + std::to_string(i), 1000, 1));
  for (int i = 0; i < 3; ++i) files.data_files.push_back(File("m" + std::to_string(i), 76000, 1));
  CompactionRequest r;
  r.force = true;
  r.target_files = 3;
  auto plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), r);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->groups.size(), 1u);
  // 4 small files make one output; with 3 kept files that is 4 > 3, so the smallest kept file
  // joins them: 2 kept + 1 output.
  EXPECT_EQ(plan->groups[0].inputs.size(), 5u);
  EXPECT_TRUE(plan->skipped.empty());
  r.target_files = 1;
  plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), r);
  ASSERT_TRUE(plan.ok());
  ASSERT_FALSE(plan->skipped.empty());
  EXPECT_NE(plan->skipped[0].reason.find("targetFiles=1 cannot be reached"), std::string::npos)
      << plan->skipped[0].reason;
}

TEST(CompactionPlanTest, MinInputFilesUnlessForcedAndNeverOneFile) {
  TableFiles files;
  for (int i = 0; i < 4; ++i) files.data_files.push_back(File("a" + std::to_string(i), 1000, i));
  files.data_files.push_back(File("b0", 1000, 9));
  files.data_files.push_back(File("b1", 1000, 9));
  auto plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), {});
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->needed);
  EXPECT_TRUE(plan->groups.empty());  // one file per day, and two on day 9 < min_input_files
  ASSERT_EQ(plan->skipped.size(), 5u);
  CompactionRequest force;
  force.force = true;
  plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), force);
  ASSERT_EQ(plan->groups.size(), 1u);  // day 9's pair
  EXPECT_EQ(plan->groups[0].inputs.size(), 2u);
}

TEST(CompactionPlanTest, PartitionAndTimeFilters) {
  TableFiles files;
  for (int day : {10, 20, 30}) {
    for (int i = 0; i < 3; ++i) {
      files.data_files.push_back(File(std::to_string(day) + "-" + std::to_string(i), 1000, day));
    }
  }
  CompactionRequest r;
  r.force = true;
  r.partitions = {"ts_day=1970-01-21"};
  auto plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), r);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->groups.size(), 1u);
  EXPECT_EQ(plan->groups[0].partition_path, "ts_day=1970-01-21");

  r.partitions.clear();
  r.older_than_micros = *ParseTimeBound("1970-01-21", 0);  // days 10 and 20 end by then? 20 no
  plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), r);
  ASSERT_EQ(plan->groups.size(), 1u);
  EXPECT_EQ(plan->groups[0].partition_path, "ts_day=1970-01-11");
  r.older_than_micros.reset();
  r.newer_than_micros = int64_t{20} * testing::kDayMicros;
  plan = PlanCompaction(Metadata(), files, {}, SmallTarget(), r);
  EXPECT_EQ(plan->groups.size(), 2u);

  EXPECT_EQ(*ParseTimeBound("2d", 10 * testing::kDayMicros), 8 * testing::kDayMicros);
  EXPECT_EQ(*ParseTimeBound("1970-01-02T00:00:00Z", 0), testing::kDayMicros);
  EXPECT_FALSE(ParseTimeBound("yesterday", 0).ok());
}

TEST(CompactionPlanTest, QuarantinedDeletesAndOtherSpecsAreLeftOut) {
  TableFiles files;
  for (int i = 0; i < 5; ++i) files.data_files.push_back(File("a" + std::to_string(i), 1000, 1));
  for (int i = 0; i < 5; ++i) files.data_files.push_back(File("b" + std::to_string(i), 1000, 2));
  for (int i = 0; i < 5; ++i) {
    LiveFile f = File("u" + std::to_string(i), 1000, 0);
    f.spec_id = 1;
    f.file.partition.clear();
    files.data_files.push_back(f);
  }
  LiveFile del = File("del-b", 100, 2);
  del.file.content = iceberg::DataFileContent::kPositionDeletes;
  files.delete_files.push_back(del);
  auto plan = PlanCompaction(Metadata(), files, {"s3://b/t/data/a0"}, SmallTarget(), {});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->quarantined_files, 1);
  ASSERT_EQ(plan->groups.size(), 1u);
  EXPECT_EQ(plan->groups[0].inputs.size(), 4u);
  for (const auto& f : plan->groups[0].inputs) EXPECT_NE(f.file.file_path, "s3://b/t/data/a0");
  bool saw_deletes = false;
  bool saw_spec = false;
  for (const auto& s : plan->skipped) {
    saw_deletes |= s.reason.find("delete files") != std::string::npos;
    saw_spec |= s.reason.find("partition spec 1") != std::string::npos;
  }
  EXPECT_TRUE(saw_deletes);
  EXPECT_TRUE(saw_spec);
}

}  // namespace
}  // namespace floe::maintenance
