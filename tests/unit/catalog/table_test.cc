// Table creation and single-writer commits: append, replace, delete, metadata chain, manifest
// merging, metadata log trimming, schema and property changes.
#include <gtest/gtest.h>

#include "floe/catalog/sql_catalog.h"
#include "floe/io/memory_store.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::testing {
namespace {

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    ASSERT_TRUE(catalog_->CreateNamespace({"ns"}, {}).ok());
  }

  TableServices Services() { return TableServices{&store_, catalog_.get(), &clock_, 42}; }

  std::unique_ptr<Table> Create(std::map<std::string, std::string> properties = {}) {
    auto table = Table::Create(Services(), id_, EventsTable(kLocation, std::move(properties)));
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? std::move(*table) : nullptr;
  }

  CommitResult Append(Table* table, std::vector<iceberg::DataFile> files) {
    clock_.AdvanceMicros(1000000);
    auto result = table->NewTransaction().AppendFiles(std::move(files)).Commit();
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : CommitResult{};
  }

  static constexpr const char* kLocation = "s3://bucket/wh/ns/events";
  TempDir dir_{"floe-table-test"};
  FakeClock clock_{int64_t{1700000000} * 1000000};
  MemoryStore store_{&clock_};
  std::unique_ptr<SqlCatalog> catalog_;
  TableIdentifier id_{{"ns"}, "events"};
};

TEST_F(TableTest, CreateWritesFirstMetadataAndRegistersIt) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  const std::string& location = table->metadata_location();
  EXPECT_EQ(location.rfind(std::string(kLocation) + "/metadata/00000-", 0), 0u) << location;
  EXPECT_TRUE(location.ends_with(".metadata.json"));
  auto pointer = catalog_->LoadTable(id_);
  ASSERT_TRUE(pointer.ok());
  EXPECT_EQ(pointer->metadata_location, location);
  auto loaded = Table::Load(Services(), id_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->metadata(), table->metadata());
  EXPECT_EQ(table->metadata().DefaultSpec().fields.size(), 1u);
  EXPECT_EQ(table->metadata().CurrentSnapshot(), nullptr);

  // A second create of the same name fails and leaves no metadata file behind.
  const size_t objects = store_.size();
  auto again = Table::Create(Services(), id_, EventsTable(kLocation));
  EXPECT_EQ(again.status().kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(store_.size(), objects);
}

// Tables of one catalog object (ingest's and compaction's in floe serve) take what another one
// committed from memory: with the metadata files gone from the store, a refresh, a load and a
// commit retry after a lost swap still find the metadata; another catalog object on the same
// database has to read the file.
TEST_F(TableTest, TablesOfOneCatalogReloadWhatItCommittedWithoutReadingTheFile) {
  auto a = Create();
  ASSERT_NE(a, nullptr);
  auto b = Table::Load(Services(), id_);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  Append(a.get(), {MakeFile("s3://bucket/wh/ns/events/data/a.parquet", 10)});
  ASSERT_TRUE(store_.Delete(a->metadata_location()).ok());

  ASSERT_TRUE((*b)->Refresh().ok());
  EXPECT_EQ((*b)->metadata_location(), a->metadata_location());
  EXPECT_EQ(&(*b)->metadata(), &a->metadata());  // the same object, not a parsed copy
  auto loaded = Table::Load(Services(), id_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->metadata(), a->metadata());

  auto other_catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
  ASSERT_TRUE(other_catalog.ok());
  TableServices other = Services();
  other.catalog = other_catalog->get();
  EXPECT_EQ(Table::Load(other, id_).status().kind(), ErrorKind::kNotFound);

  // b commits on top; a's next commit loses its first swap and rebuilds on b's metadata, which
  // is only in memory, at once: no backoff after losing to a commit of the same process.
  Append(b->get(), {MakeFile("s3://bucket/wh/ns/events/data/b.parquet", 10)});
  ASSERT_TRUE(store_.Delete((*b)->metadata_location()).ok());
  clock_.AdvanceMicros(1000000);
  const int64_t before = clock_.NowMicros();
  auto result = a->NewTransaction()
                    .AppendFiles({MakeFile("s3://bucket/wh/ns/events/data/c.parquet", 10)})
                    .Commit();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->attempts, 2);
  EXPECT_EQ(result->conflicts, 1);
  EXPECT_EQ(clock_.NowMicros(), before);
  EXPECT_EQ(LivePaths(&store_, a->metadata()),
            (std::set<std::string>{"s3://bucket/wh/ns/events/data/a.parquet",
                                   "s3://bucket/wh/ns/events/data/b.parquet",
                                   "s3://bucket/wh/ns/events/data/c.parquet"}));
}

TEST_F(TableTest, AppendReplaceDeleteKeepTheMetadataChain) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  std::vector<std::string> locations{table->metadata_location()};
  for (int i = 0; i < 3; ++i) {
    std::string p = std::string(kLocation) + "/data/f" + std::to_string(i);
    CommitResult r = Append(table.get(), {MakeFile(p + "a", 10), MakeFile(p + "b", 5, 20001)});
    ASSERT_TRUE(r.snapshot_id.has_value());
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(r.conflicts, 0);
    const auto& m = table->metadata();
    EXPECT_EQ(*m.current_snapshot_id, *r.snapshot_id);
    EXPECT_EQ(m.refs.at("main").snapshot_id, *r.snapshot_id);
    const iceberg::Snapshot* s = m.CurrentSnapshot();
    EXPECT_EQ(s->sequence_number, i + 1);
    EXPECT_EQ(s->operation(), "append");
    EXPECT_EQ(SummaryValue(*s, "added-data-files"), "2");
    EXPECT_EQ(SummaryValue(*s, "added-records"), "15");
    EXPECT_EQ(SummaryValue(*s, "added-files-size"), "350");
    EXPECT_EQ(SummaryValue(*s, "changed-partition-count"), "2");
    EXPECT_EQ(SummaryValue(*s, "total-data-files"), std::to_string(2 * (i + 1)));
    EXPECT_EQ(SummaryValue(*s, "total-records"), std::to_string(15 * (i + 1)));
    EXPECT_EQ(SummaryValue(*s, "total-delete-files"), "0");
    EXPECT_EQ(SummaryValue(*s, "total-position-deletes"), "0");
    EXPECT_EQ(SummaryValue(*s, "total-equality-deletes"), "0");
    EXPECT_TRUE(s->manifest_list.find("/metadata/snap-" + std::to_string(*r.snapshot_id) + "-1-") !=
                std::string::npos)
        << s->manifest_list;
    EXPECT_EQ(r.manifest_count, i + 1);  // one new manifest per append, the old ones carried
    EXPECT_EQ(r.manifests_read, 0);
    EXPECT_EQ(CheckLinearLineage(m), static_cast<size_t>(i + 1));
    // The metadata log lists every earlier metadata file, oldest first.
    ASSERT_EQ(m.metadata_log.size(), locations.size());
    for (size_t k = 0; k < locations.size(); ++k) {
      EXPECT_EQ(m.metadata_log[k].metadata_file, locations[k]);
    }
    EXPECT_EQ(iceberg::ParseMetadataFileVersion(table->metadata_location()), i + 1);
    locations.push_back(table->metadata_location());
    auto pointer = catalog_->LoadTable(id_);
    EXPECT_EQ(pointer->metadata_location, table->metadata_location());
  }
  // Fresh entries inherit the snapshot's sequence numbers.
  for (const auto& e : CurrentEntries(&store_, table->metadata())) {
    EXPECT_EQ(e.status, iceberg::ManifestEntryStatus::kAdded);
    const iceberg::Snapshot* added = table->metadata().SnapshotById(*e.snapshot_id);
    ASSERT_NE(added, nullptr);
    EXPECT_EQ(e.sequence_number, added->sequence_number);
    EXPECT_EQ(e.file_sequence_number, added->sequence_number);
  }

  // Replace (compaction): two files of day 20000 become one.
  const std::string f0a = std::string(kLocation) + "/data/f0a";
  const std::string f1a = std::string(kLocation) + "/data/f1a";
  const std::string out = std::string(kLocation) + "/data/compacted";
  clock_.AdvanceMicros(1000000);
  auto replaced = table->NewTransaction().ReplaceFiles({f0a, f1a}, {MakeFile(out, 20)}).Commit();
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  const iceberg::Snapshot* s = table->metadata().CurrentSnapshot();
  EXPECT_EQ(s->operation(), "replace");
  EXPECT_EQ(s->sequence_number, 4);
  EXPECT_EQ(SummaryValue(*s, "added-data-files"), "1");
  EXPECT_EQ(SummaryValue(*s, "deleted-data-files"), "2");
  EXPECT_EQ(SummaryValue(*s, "added-records"), "20");
  EXPECT_EQ(SummaryValue(*s, "deleted-records"), "20");
  EXPECT_EQ(SummaryValue(*s, "removed-files-size"), "400");
  EXPECT_EQ(SummaryValue(*s, "total-data-files"), "5");
  EXPECT_EQ(SummaryValue(*s, "total-records"), "45");
  EXPECT_EQ(SummaryValue(*s, "changed-partition-count"), "1");
  EXPECT_EQ(replaced->manifests_read, 3);  // every data manifest is searched once
  int deleted = 0;
  for (const auto& e : CurrentEntries(&store_, table->metadata())) {
    if (e.data_file.file_path == out) {
      EXPECT_EQ(e.status, iceberg::ManifestEntryStatus::kAdded);
      EXPECT_EQ(e.sequence_number, 3);  // the starting snapshot's
      EXPECT_EQ(e.file_sequence_number, 4);
    } else if (!e.is_live()) {
      ++deleted;
      EXPECT_EQ(e.snapshot_id, *replaced->snapshot_id);
      EXPECT_TRUE(e.data_file.file_path == f0a || e.data_file.file_path == f1a);
      EXPECT_EQ(e.sequence_number, e.data_file.file_path == f0a ? 1 : 2);
    } else if (e.status == iceberg::ManifestEntryStatus::kExisting) {
      EXPECT_NE(e.snapshot_id, *replaced->snapshot_id);  // keeps the snapshot that added it
    }
  }
  EXPECT_EQ(deleted, 2);
  EXPECT_EQ(LivePaths(&store_, table->metadata()).size(), 5u);

  // Delete (retention) of one file.
  const std::string f2b = std::string(kLocation) + "/data/f2b";
  clock_.AdvanceMicros(1000000);
  auto dropped = table->NewTransaction().DeleteFiles({f2b}).Commit();
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  s = table->metadata().CurrentSnapshot();
  EXPECT_EQ(s->operation(), "delete");
  EXPECT_EQ(SummaryValue(*s, "deleted-data-files"), "1");
  EXPECT_EQ(SummaryValue(*s, "deleted-records"), "5");
  EXPECT_EQ(SummaryValue(*s, "total-data-files"), "4");
  EXPECT_EQ(SummaryValue(*s, "total-records"), "40");
  auto live = LivePaths(&store_, table->metadata());
  EXPECT_EQ(live.size(), 4u);
  EXPECT_EQ(live.count(f2b), 0u);
  EXPECT_EQ(CheckLinearLineage(table->metadata()), 5u);

  // Another Table object reads the same chain.
  auto loaded = Table::Load(Services(), id_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->metadata(), table->metadata());
}

TEST_F(TableTest, ExtraSummaryKeysAreStored) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  auto r = table->NewTransaction()
               .AppendFiles({MakeFile("s3://bucket/x/a", 1)})
               .SetSummary("floe.wal-position", "1234")
               .Commit();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto loaded = Table::Load(Services(), id_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(SummaryValue(*(*loaded)->metadata().CurrentSnapshot(), "floe.wal-position"), "1234");
}

TEST_F(TableTest, RemovingFilesThatAreNotLiveIsAConflictNamingThem) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  Append(table.get(), {MakeFile("s3://bucket/x/a", 1)});
  const size_t objects = store_.size();
  auto r =
      table->NewTransaction()
          .ReplaceFiles({"s3://bucket/x/a", "s3://bucket/x/gone"}, {MakeFile("s3://bucket/x/c", 1)})
          .Commit();
  EXPECT_EQ(r.status().kind(), ErrorKind::kConflict);
  EXPECT_NE(r.status().message().find("s3://bucket/x/gone"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(store_.size(), objects);  // the new manifest and rewritten ones were removed
  auto d = table->NewTransaction().DeleteFiles({"s3://bucket/x/nope"}).Commit();
  EXPECT_EQ(d.status().kind(), ErrorKind::kConflict);
  EXPECT_EQ(store_.size(), objects);
}

TEST_F(TableTest, MixingOperationsInOneTransactionIsRejected) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  auto r = table->NewTransaction()
               .AppendFiles({MakeFile("s3://bucket/x/a", 1)})
               .DeleteFiles({"s3://bucket/x/a"})
               .Commit();
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
}

TEST_F(TableTest, ManifestMergingKeepsCommitCostFlat) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  int64_t max_read = 0, max_written = 0, max_count = 0;
  bool merged = false;
  for (int i = 0; i < 300; ++i) {
    CommitResult r = Append(table.get(), {MakeFile("s3://bucket/d/f" + std::to_string(i), 1)});
    max_read = std::max(max_read, r.manifests_read);
    max_written = std::max(max_written, r.manifests_written);
    max_count = std::max(max_count, r.manifest_count);
    if (r.manifests_read > 0) merged = true;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_TRUE(merged);
  EXPECT_LE(max_count, 101);  // commit.manifest.min-count-to-merge (100) + the new one
  EXPECT_LE(max_read, 101);   // never more than one bin of small manifests
  EXPECT_LE(max_written, 3);  // new manifest, merged manifest, manifest list
  const auto& m = table->metadata();
  EXPECT_EQ(SummaryValue(*m.CurrentSnapshot(), "total-data-files"), "300");
  EXPECT_EQ(LivePaths(&store_, m).size(), 300u);
  EXPECT_EQ(CheckLinearLineage(m), 300u);
  // Merged entries keep the ids and sequence numbers of the snapshots that added them.
  for (const auto& e : CurrentEntries(&store_, m)) {
    const iceberg::Snapshot* added = m.SnapshotById(*e.snapshot_id);
    ASSERT_NE(added, nullptr);
    EXPECT_EQ(e.sequence_number, added->sequence_number);
  }
  // The metadata log is capped at write.metadata.previous-versions-max (100).
  EXPECT_EQ(m.metadata_log.size(), 100u);
}

TEST_F(TableTest, MetadataLogTrimmedAndOldFilesDeletedOnlyWhenEnabled) {
  auto table = Create({{"write.metadata.previous-versions-max", "2"}});
  ASSERT_NE(table, nullptr);
  std::vector<std::string> versions{table->metadata_location()};
  for (int i = 0; i < 4; ++i) {
    Append(table.get(), {MakeFile("s3://b/f" + std::to_string(i), 1)});
    versions.push_back(table->metadata_location());
  }
  EXPECT_EQ(table->metadata().metadata_log.size(), 2u);
  // Versions 0 and 1 fell off the log but stay: delete-after-commit is off.
  EXPECT_TRUE(store_.Stat(versions[0]).ok());
  EXPECT_TRUE(store_.Stat(versions[1]).ok());

  auto r = table->NewTransaction()
               .SetProperty("write.metadata.delete-after-commit.enabled", "true")
               .Commit();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->snapshot_id.has_value());
  Append(table.get(), {MakeFile("s3://b/last", 1)});
  const auto& log = table->metadata().metadata_log;
  ASSERT_EQ(log.size(), 2u);
  for (const auto& entry : log) EXPECT_TRUE(store_.Stat(entry.metadata_file).ok());
  auto metadata_files = store_.List(std::string(kLocation) + "/metadata/");
  ASSERT_TRUE(metadata_files.ok());
  int json = 0;
  for (const auto& o : *metadata_files) json += o.location.ends_with(".metadata.json");
  // The log's two, the current one, and versions 0 and 1 that fell off before deleting was on;
  // versions 2 and 3 fell off after and were deleted.
  EXPECT_EQ(json, 5);
  EXPECT_TRUE(store_.Stat(versions[0]).ok());
  EXPECT_FALSE(store_.Stat(versions[2]).ok());
  EXPECT_FALSE(store_.Stat(versions[3]).ok());
}

TEST_F(TableTest, PropertyAndSchemaChanges) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  iceberg::SchemaUpdate update(table->metadata().CurrentSchema(), table->metadata().last_column_id);
  update.AddColumn("", "source", iceberg::Type::Primitive(iceberg::TypeId::kString));
  auto r = table->NewTransaction().UpdateSchema(update).SetProperty("owner", "floe").Commit();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& m = table->metadata();
  EXPECT_EQ(m.current_schema_id, 1);
  EXPECT_EQ(m.last_column_id, 3);
  EXPECT_NE(m.CurrentSchema().FindFieldByName("source"), nullptr);
  EXPECT_EQ(m.properties.at("owner"), "floe");

  // A second update built on the old schema conflicts: someone changed it meanwhile.
  auto stale = table->NewTransaction();
  iceberg::SchemaUpdate other(m.CurrentSchema(), m.last_column_id);
  other.AddColumn("", "more", iceberg::Type::Primitive(iceberg::TypeId::kString));
  auto racer = Table::Load(Services(), id_);
  ASSERT_TRUE(racer.ok());
  iceberg::SchemaUpdate first((*racer)->metadata().CurrentSchema(),
                              (*racer)->metadata().last_column_id);
  first.AddColumn("", "other", iceberg::Type::Primitive(iceberg::TypeId::kInt));
  ASSERT_TRUE((*racer)->NewTransaction().UpdateSchema(first).Commit().ok());
  auto lost = stale.UpdateSchema(other).Commit();
  EXPECT_EQ(lost.status().kind(), ErrorKind::kConflict) << lost.status().ToString();
}

TEST_F(TableTest, SpecChangeAssignsNewFieldIds) {
  auto table = Create();
  ASSERT_NE(table, nullptr);
  iceberg::PartitionSpec spec;
  spec.fields.push_back(iceberg::PartitionField{2, 0, "ts_day", iceberg::Transform::Day()});
  spec.fields.push_back(iceberg::PartitionField{1, 0, "id_bucket", iceberg::Transform::Bucket(8)});
  auto r = table->NewTransaction().SetDefaultSpec(spec).Commit();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& m = table->metadata();
  EXPECT_EQ(m.default_spec_id, 1);
  ASSERT_EQ(m.DefaultSpec().fields.size(), 2u);
  EXPECT_EQ(m.DefaultSpec().fields[0].field_id, 1000);  // reused: same source and transform
  EXPECT_EQ(m.DefaultSpec().fields[1].field_id, 1001);
  EXPECT_EQ(m.last_partition_id, 1001);
}

}  // namespace
}  // namespace floe::testing
