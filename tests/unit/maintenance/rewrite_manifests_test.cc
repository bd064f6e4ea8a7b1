// Rewrite of manifests (in-memory store, SQLite catalog): small manifests merge and huge ones
// split near the target, entries keep their ids and sequence numbers, the rows a reader sees and
// older snapshots stay the same, a second run is a no-op, and a concurrent commit is kept or
// conflicts as it should.

#include "floe/maintenance/rewrite_manifests.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/iceberg/manifest.h"
#include "floe/io/memory_store.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::maintenance {
namespace {

using Ids = std::tuple<int64_t, int64_t, int64_t>;  // snapshot id, data and file sequence numbers

class RewriteManifestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    ASSERT_TRUE(catalog_->CreateNamespace({"db"}, {}).ok());
    clock_.SetMicros(int64_t{1'700'000'000} * 1'000'000);
    auto table = Table::Create(Services(), id_, testing::EventsTable("memory://wh/db/t"));
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    table_ = std::move(*table);
  }

  TableServices Services() { return TableServices{&store_, catalog_.get(), &clock_, 11}; }

  // One commit of `files` files spread over ten days.
  void Append(int files) {
    std::vector<iceberg::DataFile> batch;
    for (int i = 0; i < files; ++i, ++next_file_) {
      batch.push_back(
          testing::MakeFile("memory://wh/db/t/data/f" + std::to_string(next_file_) + ".parquet",
                            10 + i % 7, 20000 + (next_file_ * 7) % 10));
    }
    auto committed = table_->NewTransaction().AppendFiles(std::move(batch)).Commit();
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
    clock_.AdvanceMicros(1'000'000);
  }

  std::vector<iceberg::ManifestFile> Manifests(const iceberg::Snapshot& s) {
    auto list = ReadManifestList(&store_, s);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? *list : std::vector<iceberg::ManifestFile>{};
  }

  // path -> ids of the live entries of snapshot `s`.
  std::map<std::string, Ids> LiveIds(const iceberg::Snapshot& s) {
    std::map<std::string, Ids> out;
    for (const auto& m : Manifests(s)) {
      auto entries = ReadManifestEntries(&store_, m);
      EXPECT_TRUE(entries.ok()) << entries.status().ToString();
      if (!entries.ok()) continue;
      for (const auto& e : *entries) {
        if (!e.is_live()) continue;
        EXPECT_TRUE(out.emplace(e.data_file.file_path,
                                Ids{*e.snapshot_id, *e.sequence_number, *e.file_sequence_number})
                        .second);
      }
    }
    return out;
  }

  floe::testing::TempDir dir_;
  FakeClock clock_;
  MemoryStore store_{&clock_};
  std::unique_ptr<SqlCatalog> catalog_;
  TableIdentifier id_{{"db"}, "t"};
  std::unique_ptr<Table> table_;
  int next_file_ = 0;
};

TEST_F(RewriteManifestsTest, MergesSmallManifestsIntoClusteredOnesNearTheTarget) {
  for (int i = 0; i < 40; ++i) Append(100);
  const iceberg::Snapshot before = *table_->metadata().CurrentSnapshot();
  const auto ids_before = LiveIds(before);
  ASSERT_EQ(ids_before.size(), 4000u);
  ASSERT_EQ(Manifests(before).size(), 40u);
  const int64_t target = 16 << 10;

  RewriteManifestsOptions options;
  options.target_size_bytes = target;
  options.dry_run = true;
  auto dry = RewriteManifests(table_.get(), options, nullptr);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->status, "success");
  EXPECT_EQ(dry->files_in, 40);
  EXPECT_GT(dry->files_out, 0);
  EXPECT_LT(dry->files_out, 40);
  EXPECT_EQ(table_->metadata().snapshots.size(), 40u);  // a dry run commits nothing

  options.dry_run = false;
  auto report = RewriteManifests(table_.get(), options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "success");
  EXPECT_EQ(report->commits, 1);
  EXPECT_EQ(report->files_in, 40);
  EXPECT_EQ(report->rows_in, report->rows_out);
  EXPECT_EQ(report->details["entries"], 4000);

  const iceberg::Snapshot& after = *table_->metadata().CurrentSnapshot();
  EXPECT_EQ(after.parent_snapshot_id, before.snapshot_id);
  EXPECT_EQ(after.summary.at("operation"), "replace");
  EXPECT_EQ(after.summary.at("manifests-replaced"), "40");
  EXPECT_EQ(after.summary.at("entries-processed"), "4000");
  EXPECT_EQ(after.summary.at("total-data-files"), before.summary.at("total-data-files"));
  EXPECT_EQ(after.summary.at("total-records"), before.summary.at("total-records"));
  const auto manifests = Manifests(after);
  EXPECT_EQ(static_cast<int64_t>(manifests.size()), report->files_out);
  EXPECT_GT(manifests.size(), 1u);
  EXPECT_LT(manifests.size(), 10u);
  for (size_t i = 0; i < manifests.size(); ++i) {
    EXPECT_EQ(manifests[i].added_snapshot_id, after.snapshot_id);
    EXPECT_EQ(manifests[i].sequence_number, after.sequence_number);
    EXPECT_EQ(manifests[i].added_files_count, 0);
    // Rolled at the target: every manifest but the last reached it, none is far past it.
    if (i + 1 < manifests.size()) {
      EXPECT_GE(manifests[i].manifest_length, target);
    }
    EXPECT_LT(manifests[i].manifest_length, 2 * target);
  }
  // Same files with the same ids and sequence numbers, all EXISTING.
  EXPECT_EQ(LiveIds(after), ids_before);
  // Clustered: read in list order, partitions never go back.
  int32_t last_day = 0;
  for (const auto& m : manifests) {
    auto entries = ReadManifestEntries(&store_, m);
    ASSERT_TRUE(entries.ok());
    for (const auto& e : *entries) {
      EXPECT_EQ(e.status, iceberg::ManifestEntryStatus::kExisting);
      EXPECT_GE(e.data_file.partition[0].int_value(), last_day);
      last_day = e.data_file.partition[0].int_value();
    }
  }
  // The old snapshot still reads its own manifests.
  EXPECT_EQ(LiveIds(before), ids_before);

  auto again = RewriteManifests(table_.get(), options, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->status, "noop");
  EXPECT_EQ(again->commits, 0);
}

TEST_F(RewriteManifestsTest, SplitsAHugeManifest) {
  Append(4000);
  RewriteManifestsOptions options;
  options.target_size_bytes = 8 << 10;
  auto report = RewriteManifests(table_.get(), options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "success");
  EXPECT_EQ(report->files_in, 1);
  EXPECT_GT(report->files_out, 1);
  EXPECT_EQ(LiveIds(*table_->metadata().CurrentSnapshot()).size(), 4000u);
}

TEST_F(RewriteManifestsTest, NoopUnderTheThresholdOrWithoutSnapshots) {
  auto empty = RewriteManifests(table_.get(), {}, nullptr);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->status, "noop");
  for (int i = 0; i < 5; ++i) Append(2);
  RewriteManifestsOptions options;
  options.min_manifests = 6;
  auto under = RewriteManifests(table_.get(), options, nullptr);
  ASSERT_TRUE(under.ok());
  EXPECT_EQ(under->status, "noop");
  EXPECT_NE(under->details["reason"].get<std::string>().find("threshold of 6"), std::string::npos);
  options.min_manifests = 5;
  auto over = RewriteManifests(table_.get(), options, nullptr);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->status, "success");
  EXPECT_EQ(over->files_out, 1);  // default target 8 MB: all in one
}

TEST_F(RewriteManifestsTest, KeepsAConcurrentAppendAndConflictsWithAConcurrentRewrite) {
  for (int i = 0; i < 3; ++i) Append(5);
  const auto old_manifests = Manifests(*table_->metadata().CurrentSnapshot());
  // A manifest holding the live entries, written as the maintenance run writes them.
  auto write_merged = [&](const std::string& name) {
    auto out = store_.Create("memory://wh/db/t/metadata/" + name);
    EXPECT_TRUE(out.ok());
    auto writer =
        iceberg::ManifestWriter::Make(out->get(), table_->metadata().CurrentSchema(),
                                      table_->metadata().DefaultSpec(), [] { return uint64_t{1}; });
    EXPECT_TRUE(writer.ok());
    for (const auto& m : old_manifests) {
      auto entries = ReadManifestEntries(&store_, m);
      EXPECT_TRUE(entries.ok());
      for (const auto& e : *entries) {
        EXPECT_TRUE(
            (*writer)
                ->Existing(e.data_file, *e.snapshot_id, *e.sequence_number, *e.file_sequence_number)
                .ok());
      }
    }
    return *(*writer)->Close();
  };
  std::vector<std::string> old_paths;
  for (const auto& m : old_manifests) old_paths.push_back(m.manifest_path);

  Transaction rewrite = table_->NewTransaction();
  rewrite.RewriteManifests(old_paths,
                           std::vector<iceberg::ManifestFile>{write_merged("merged-a.avro")});
  auto other = Table::Load(Services(), id_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)
                  ->NewTransaction()
                  .AppendFiles({testing::MakeFile("memory://wh/db/t/data/late.parquet", 3)})
                  .Commit()
                  .ok());
  auto committed = rewrite.Commit();
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->attempts, 2);
  const auto live = testing::LivePaths(&store_, table_->metadata());
  EXPECT_EQ(live.size(), 16u);
  EXPECT_EQ(live.count("memory://wh/db/t/data/late.parquet"), 1u);
  EXPECT_EQ(Manifests(*table_->metadata().CurrentSnapshot()).size(), 2u);

  // The old manifests are gone from the current snapshot: a second rewrite of them conflicts,
  // and its new manifest is removed.
  ASSERT_TRUE((*other)->Refresh().ok());
  Transaction stale = table_->NewTransaction();
  stale.RewriteManifests(old_paths,
                         std::vector<iceberg::ManifestFile>{write_merged("merged-b.avro")});
  auto conflict = stale.Commit();
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().kind(), ErrorKind::kConflict);
  EXPECT_FALSE(store_.Stat("memory://wh/db/t/metadata/merged-b.avro").ok());
}

TEST_F(RewriteManifestsTest, RejectsADifferentNumberOfLiveFiles) {
  for (int i = 0; i < 2; ++i) Append(3);
  const auto manifests = Manifests(*table_->metadata().CurrentSnapshot());
  Transaction txn = table_->NewTransaction();
  txn.RewriteManifests({manifests[0].manifest_path, manifests[1].manifest_path}, {});
  auto result = txn.Commit();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace floe::maintenance
