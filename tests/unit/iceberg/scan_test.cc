#include "floe/iceberg/scan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "floe/common/clock.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_list.h"
#include "floe/iceberg/row_reader.h"
#include "floe/io/memory_store.h"
#include "floe/parquet/writer.h"

namespace floe::iceberg {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr int32_t kDeleteFilePathId = 2147483546;
constexpr int32_t kDeletePosId = 2147483545;

NestedField Field(int32_t id, std::string name, Type type) {
  return NestedField{id, std::move(name), false, std::move(type), {}, {}, {}};
}

Schema TableSchema() {
  return Schema(0, {Field(1, "id", Type::Primitive(TypeId::kLong)),
                    Field(2, "name", Type::Primitive(TypeId::kString)),
                    Field(3, "cat", Type::Primitive(TypeId::kString))});
}

PartitionSpec Unpartitioned() { return PartitionSpec{0, {}}; }
PartitionSpec ByCat() { return PartitionSpec{1, {{3, 1000, "cat", Transform::Identity()}}}; }

// Appends byte-array values to a column.
void PutBytes(parquet::ColumnVector* c, const std::string& v) {
  if (c->offsets.empty()) c->offsets.push_back(0);
  c->bytes += v;
  c->offsets.push_back(static_cast<uint32_t>(c->bytes.size()));
}

class ScanTest : public ::testing::Test {
 protected:
  ScanTest() : clock_(1767225600000), store_(&clock_) {}

  // Writes a Parquet file of `schema` (flat, optional columns) with `columns[i]` filled by `fill`.
  Result<parquet::FileMetrics> WriteParquet(const std::string& path, const parquet::Schema& schema,
                                            const parquet::RowBatch& batch) {
    FLOE_ASSIGN_OR_RETURN(auto out, store_.Create(path));
    parquet::WriterOptions options;
    options.codec = CodecKind::kNone;
    options.page_size_bytes = 4096;
    options.dictionary_page_size_limit_bytes = 4096;
    options.row_group_size_bytes = 1 << 16;
    FLOE_ASSIGN_OR_RETURN(auto writer, parquet::ParquetWriter::Make(out.get(), schema, options));
    FLOE_RETURN_IF_ERROR(writer->WriteBatch(batch));
    return writer->Close();
  }

  // A data file of rows (id, "n<id>", cat); `names` overrides the name column.
  DataFile DataFileOf(const std::string& path, const std::string& cat, std::vector<int64_t> ids,
                      std::vector<std::string> names = {}) {
    parquet::RowBatch batch;
    batch.num_rows = static_cast<int64_t>(ids.size());
    batch.columns.resize(3);
    for (size_t i = 0; i < ids.size(); ++i) {
      batch.columns[0].i64.push_back(ids[i]);
      PutBytes(&batch.columns[1], names.empty() ? "n" + std::to_string(ids[i]) : names[i]);
      PutBytes(&batch.columns[2], cat);
    }
    for (auto& c : batch.columns) {
      c.num_levels = c.num_values = batch.num_rows;
      c.def_levels.assign(ids.size(), 1);
    }
    auto schema = ToParquetSchema(TableSchema());
    EXPECT_TRUE(schema.ok());
    auto metrics = WriteParquet(path, *schema, batch);
    EXPECT_TRUE(metrics.ok()) << metrics.status().ToString();
    auto file = DataFileFromParquet(
        path, FileFormat::kParquet, *metrics,
        cat.empty() ? std::vector<Literal>{} : std::vector<Literal>{Literal::String(cat)},
        TableSchema());
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return *file;
  }

  DataFile PositionDeleteFile(const std::string& path, std::vector<Literal> partition,
                              std::vector<std::pair<std::string, int64_t>> deletes) {
    parquet::Schema schema;
    schema.fields = {
        parquet::Field{
            kDeleteFilePathId, "file_path", true, parquet::FieldType::kString, 0, 0, 0, {}},
        parquet::Field{kDeletePosId, "pos", true, parquet::FieldType::kLong, 0, 0, 0, {}}};
    parquet::RowBatch batch;
    batch.num_rows = static_cast<int64_t>(deletes.size());
    batch.columns.resize(2);
    for (const auto& [file, pos] : deletes) {
      PutBytes(&batch.columns[0], file);
      batch.columns[1].i64.push_back(pos);
    }
    for (auto& c : batch.columns) c.num_levels = c.num_values = batch.num_rows;
    auto metrics = WriteParquet(path, schema, batch);
    EXPECT_TRUE(metrics.ok()) << metrics.status().ToString();
    DataFile f;
    f.content = DataFileContent::kPositionDeletes;
    f.file_path = path;
    f.partition = std::move(partition);
    f.record_count = batch.num_rows;
    f.file_size_in_bytes = metrics->file_size;
    return f;
  }

  // Equality deletes on `field_id` (1: id, 2: name) with these values.
  DataFile EqualityDeleteFile(const std::string& path, std::vector<Literal> partition,
                              int32_t field_id, std::vector<Literal> values) {
    const Schema table = TableSchema();
    auto schema = ToParquetSchema(Schema(0, {*table.FindFieldById(field_id)}));
    EXPECT_TRUE(schema.ok());
    parquet::RowBatch batch;
    batch.num_rows = static_cast<int64_t>(values.size());
    batch.columns.resize(1);
    for (const Literal& v : values) {
      if (field_id == 1)
        batch.columns[0].i64.push_back(v.long_value());
      else
        PutBytes(&batch.columns[0], v.bytes_value());
    }
    batch.columns[0].num_levels = batch.columns[0].num_values = batch.num_rows;
    batch.columns[0].def_levels.assign(values.size(), 1);
    auto metrics = WriteParquet(path, *schema, batch);
    EXPECT_TRUE(metrics.ok()) << metrics.status().ToString();
    DataFile f;
    f.content = DataFileContent::kEqualityDeletes;
    f.file_path = path;
    f.partition = std::move(partition);
    f.record_count = batch.num_rows;
    f.file_size_in_bytes = metrics->file_size;
    f.equality_ids = {field_id};
    return f;
  }

  // A manifest of `files` (all ADDED) whose entries inherit `sequence_number`.
  ManifestFile Manifest(const std::string& path, const PartitionSpec& spec, ManifestContent content,
                        const std::vector<DataFile>& files, int64_t sequence_number) {
    auto out = store_.Create(path);
    EXPECT_TRUE(out.ok());
    ManifestWriterOptions options;
    options.content = content;
    options.snapshot_id = kSnapshotId;
    auto writer = ManifestWriter::Make(out->get(), TableSchema(), spec, random_, options);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    for (const DataFile& f : files) EXPECT_TRUE((*writer)->Add(f).ok());
    auto manifest = (*writer)->Close();
    EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
    manifest->sequence_number = sequence_number;
    manifest->min_sequence_number = sequence_number;
    return *manifest;
  }

  TableMetadata Metadata(const std::vector<ManifestFile>& manifests) {
    const std::string list_path = "file:///t/metadata/snap.avro";
    auto out = store_.Create(list_path);
    EXPECT_TRUE(out.ok());
    ManifestListWriterOptions options{kSnapshotId, std::nullopt, 3};
    auto writer = ManifestListWriter::Make(out->get(), random_, options);
    EXPECT_TRUE(writer.ok());
    for (const ManifestFile& m : manifests) EXPECT_TRUE((*writer)->Add(m).ok());
    EXPECT_TRUE((*writer)->Close().ok());
    TableMetadata md;
    md.table_uuid = "9c12d441-03fe-4693-9a96-a0705ddf69c1";
    md.location = "file:///t";
    md.last_sequence_number = 3;
    md.last_column_id = 3;
    md.schemas = {TableSchema()};
    md.partition_specs = {Unpartitioned(), ByCat()};
    md.default_spec_id = 1;
    md.last_partition_id = 1000;
    md.sort_orders = {SortOrder::Unsorted()};
    Snapshot s;
    s.snapshot_id = kSnapshotId;
    s.sequence_number = 3;
    s.timestamp_ms = 1767225600000;
    s.manifest_list = list_path;
    s.summary = {{"operation", "append"}};
    s.schema_id = 0;
    md.snapshots = {s};
    md.current_snapshot_id = kSnapshotId;
    SnapshotRef main;
    main.snapshot_id = kSnapshotId;
    md.refs["main"] = main;
    md.snapshot_log = {{s.timestamp_ms, kSnapshotId}};
    EXPECT_TRUE(md.Validate().ok()) << md.Validate().ToString();
    return md;
  }

  // The table of the tests: partition x holds A (seq 1, ids 1-5) and C (seq 3, ids 9-10), y holds
  // B (seq 1, ids 6-8). Deletes at seq 2: positions 0 and 4 of A (and 0 of C, too new to apply),
  // name = 'n3' in x (C's row 9 is also named n3: too new), id = 7 everywhere (an unpartitioned
  // equality delete); at seq 1 a position delete referencing B's row 0.
  TableMetadata DeletesTable() {
    const std::string a = "file:///t/data/cat=x/a.parquet";
    const std::string b = "file:///t/data/cat=y/b.parquet";
    const std::string c = "file:///t/data/cat=x/c.parquet";
    std::vector<Literal> x = {Literal::String("x")}, y = {Literal::String("y")};
    DataFile fa = DataFileOf(a, "x", {1, 2, 3, 4, 5});
    DataFile fb = DataFileOf(b, "y", {6, 7, 8});
    DataFile fc = DataFileOf(c, "x", {9, 10}, {"n3", "n10"});
    DataFile pos =
        PositionDeleteFile("file:///t/data/cat=x/pos.parquet", x, {{a, 0}, {a, 4}, {c, 0}});
    DataFile eq_name =
        EqualityDeleteFile("file:///t/data/cat=x/eq.parquet", x, 2, {Literal::String("n3")});
    DataFile eq_id =
        EqualityDeleteFile("file:///t/data/eq-global.parquet", {}, 1, {Literal::Long(7)});
    DataFile pos_b = PositionDeleteFile("file:///t/data/cat=y/pos-b.parquet", y, {{b, 0}});
    pos_b.referenced_data_file = b;
    return Metadata(
        {Manifest("file:///t/metadata/m1.avro", ByCat(), ManifestContent::kData, {fa, fb}, 1),
         Manifest("file:///t/metadata/m2.avro", ByCat(), ManifestContent::kDeletes, {pos, eq_name},
                  2),
         Manifest("file:///t/metadata/m3.avro", Unpartitioned(), ManifestContent::kDeletes, {eq_id},
                  2),
         Manifest("file:///t/metadata/m4.avro", ByCat(), ManifestContent::kData, {fc}, 3),
         Manifest("file:///t/metadata/m5.avro", ByCat(), ManifestContent::kDeletes, {pos_b}, 1)});
  }

  std::vector<int64_t> Ids(const TableMetadata& md, std::string_view where = "") {
    ScanOptions options;
    if (!where.empty()) options.filter = *ParseExpression(where);
    auto plan = PlanScan(md, &store_, options);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    if (!plan.ok()) return {};
    ScanRowReader reader(md, *plan, &store_);
    std::vector<int64_t> ids;
    Status s = reader.ForEachRow([&](const std::vector<Literal>& row) {
      ids.push_back(row[0].long_value());
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto count = reader.CountRows();
    EXPECT_TRUE(count.ok());
    EXPECT_EQ(*count, static_cast<int64_t>(ids.size())) << where;
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  static constexpr int64_t kSnapshotId = 77;
  FakeClock clock_;
  MemoryStore store_;
  std::mt19937_64 rng_{7};
  avro::RandomSource random_ = [this] { return rng_(); };
};

// Tasks carry the metrics of the filter's columns only: no others are decoded.
TEST_F(ScanTest, TasksKeepTheMetricsOfFilteredColumnsOnly) {
  TableMetadata md = DeletesTable();
  auto all = PlanScan(md, &store_, {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->tasks.size(), 3u);
  for (const FileScanTask& t : all->tasks) {
    EXPECT_TRUE(t.file.lower_bounds.empty() && t.file.value_counts.empty() &&
                t.file.column_sizes.empty())
        << t.location;
    EXPECT_GT(t.file.record_count, 0);
  }
  for (const DeleteFileEntry& d : all->delete_files) EXPECT_TRUE(d.file.column_sizes.empty());

  ScanOptions options;
  options.filter = *ParseExpression("id >= 6 AND cat = 'y'");
  auto filtered = PlanScan(md, &store_, options);
  ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
  ASSERT_EQ(filtered->tasks.size(), 1u);
  const DataFile& f = filtered->tasks[0].file;
  EXPECT_EQ(filtered->tasks[0].location, "file:///t/data/cat=y/b.parquet");
  std::vector<int32_t> bounded;
  for (const auto& [id, bound] : f.lower_bounds) bounded.push_back(id);
  EXPECT_THAT(bounded, ElementsAre(1, 3));
  EXPECT_EQ(f.value_counts.count(2), 0u);
  // Those metrics still prune: C (ids 9-10) cannot hold id < 9.
  options.filter = *ParseExpression("id < 9 AND cat = 'x'");
  auto pruned = PlanScan(md, &store_, options);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  ASSERT_EQ(pruned->tasks.size(), 1u);
  EXPECT_EQ(pruned->tasks[0].location, "file:///t/data/cat=x/a.parquet");
  EXPECT_EQ(pruned->stats.files_skipped_by_metrics, 1);
  EXPECT_THAT(Ids(md, "id < 9 AND cat = 'x'"), ElementsAre(2, 4));
}

TEST_F(ScanTest, DeletesApplyBySequenceNumberAndPartition) {
  TableMetadata md = DeletesTable();
  auto plan = PlanScan(md, &store_, {});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->tasks.size(), 3u);
  EXPECT_EQ(plan->delete_files.size(), 4u);
  std::map<std::string, std::vector<std::string>> deletes_of;
  for (const FileScanTask& t : plan->tasks) {
    std::string name = t.file.file_path.substr(t.file.file_path.rfind('/') + 1);
    for (size_t i : t.deletes) {
      const std::string& p = plan->delete_files[i].file.file_path;
      deletes_of[name].push_back(p.substr(p.rfind('/') + 1));
    }
    std::sort(deletes_of[name].begin(), deletes_of[name].end());
  }
  EXPECT_THAT(deletes_of["a.parquet"],
              ElementsAre("eq-global.parquet", "eq.parquet", "pos.parquet"));
  EXPECT_THAT(deletes_of["b.parquet"], ElementsAre("eq-global.parquet", "pos-b.parquet"));
  EXPECT_TRUE(deletes_of["c.parquet"].empty());  // seq 3: every delete is older
  EXPECT_THAT(Ids(md), ElementsAre(2, 4, 8, 9, 10));
}

TEST_F(ScanTest, FiltersPruneAndApplyToRows) {
  TableMetadata md = DeletesTable();
  EXPECT_THAT(Ids(md, "cat = 'y'"), ElementsAre(8));
  EXPECT_THAT(Ids(md, "id >= 4 AND id < 10"), ElementsAre(4, 8, 9));
  EXPECT_THAT(Ids(md, "name IN ('n2', 'n3', 'n10') OR id = 8"), ElementsAre(2, 8, 9, 10));
  EXPECT_THAT(Ids(md, "NOT cat = 'x'"), ElementsAre(8));
  EXPECT_THAT(Ids(md, "name IS NULL"), ElementsAre());

  ScanOptions options;
  options.filter = *ParseExpression("cat = 'y'");
  auto plan = PlanScan(md, &store_, options);
  ASSERT_TRUE(plan.ok());
  // C's manifest (only x) is skipped by its partition summary, A by its partition value.
  EXPECT_EQ(plan->stats.manifests_skipped, 1);
  EXPECT_EQ(plan->stats.files_skipped_by_partition, 1);
  EXPECT_EQ(plan->tasks.size(), 1u);
  options.filter = *ParseExpression("id > 8");
  plan = PlanScan(md, &store_, options);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->stats.files_skipped_by_metrics, 2);  // A (1-5) and B (6-8)
  EXPECT_EQ(plan->filter.ToString(), "id > 8");
}

TEST_F(ScanTest, ErrorsNameWhatIsMissing) {
  TableMetadata md = DeletesTable();
  ScanOptions options;
  options.filter = *ParseExpression("nope = 1");
  EXPECT_THAT(PlanScan(md, &store_, options).status().message(), HasSubstr("column 'nope'"));
  options = {};
  options.snapshot_id = 5;
  EXPECT_EQ(PlanScan(md, &store_, options).status().kind(), ErrorKind::kNotFound);
  ASSERT_TRUE(store_.Delete("file:///t/metadata/m4.avro").ok());
  auto plan = PlanScan(md, &store_, {});
  EXPECT_EQ(plan.status().kind(), ErrorKind::kNotFound);
  EXPECT_THAT(plan.status().message(), HasSubstr("m4.avro"));
}

TEST_F(ScanTest, PathsGoThroughTheResolver) {
  TableMetadata md = DeletesTable();
  ScanOptions options;
  std::vector<std::string> asked;
  options.resolve_path = [&](std::string_view p) -> Result<std::string> {
    asked.emplace_back(p);
    return std::string(p);
  };
  auto plan = PlanScan(md, &store_, options);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(asked, ::testing::Contains("file:///t/metadata/snap.avro"));
  EXPECT_THAT(asked, ::testing::Contains("file:///t/data/cat=x/a.parquet"));
  options.resolve_path = [](std::string_view p) -> Result<std::string> {
    return Status::InvalidArgument("cannot place " + std::string(p));
  };
  EXPECT_THAT(PlanScan(md, &store_, options).status().message(), HasSubstr("cannot place"));
}

TEST(SelectSnapshotTest, ByIdTimeAndCurrent) {
  TableMetadata md;
  md.schemas = {Schema()};
  for (int64_t i = 1; i <= 3; ++i) {
    Snapshot s;
    s.snapshot_id = i * 10;
    s.sequence_number = i;
    s.timestamp_ms = i * 1000;
    if (i > 1) s.parent_snapshot_id = (i - 1) * 10;
    md.snapshots.push_back(s);
  }
  md.current_snapshot_id = 30;
  EXPECT_EQ((*SelectSnapshot(md, std::nullopt, std::nullopt))->snapshot_id, 30);
  EXPECT_EQ((*SelectSnapshot(md, 20, std::nullopt))->snapshot_id, 20);
  EXPECT_EQ(SelectSnapshot(md, 99, std::nullopt).status().kind(), ErrorKind::kNotFound);
  // Without a snapshot log: ancestry of the current snapshot.
  EXPECT_EQ((*SelectSnapshot(md, std::nullopt, 2500))->snapshot_id, 20);
  EXPECT_EQ((*SelectSnapshot(md, std::nullopt, 1000))->snapshot_id, 10);
  EXPECT_EQ(SelectSnapshot(md, std::nullopt, 999).status().kind(), ErrorKind::kNotFound);
  // With one: what was current then (a rollback made 10 current again at t=3500).
  md.snapshot_log = {{1000, 10}, {2000, 20}, {3000, 30}, {3500, 10}};
  EXPECT_EQ((*SelectSnapshot(md, std::nullopt, 3200))->snapshot_id, 30);
  EXPECT_EQ((*SelectSnapshot(md, std::nullopt, 4000))->snapshot_id, 10);
  md.current_snapshot_id.reset();
  EXPECT_EQ(*SelectSnapshot(md, std::nullopt, std::nullopt), nullptr);
}

}  // namespace
}  // namespace floe::iceberg
