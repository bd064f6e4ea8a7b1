#include "floe/iceberg/table_metadata.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "floe/iceberg/json_serde.h"

namespace floe::iceberg {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const fs::path kFixtures = FLOE_FIXTURES_DIR;

std::vector<fs::path> MetadataFixtures() {
  std::vector<fs::path> out;
  if (!fs::exists(kFixtures)) return out;
  for (const auto& e : fs::recursive_directory_iterator(kFixtures)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.find(".metadata.json") != std::string::npos &&
        !name.ends_with(".crc")) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(TableMetadataFixturesTest, EveryFixtureParsesAndRoundTrips) {
  std::vector<fs::path> files = MetadataFixtures();
  if (files.empty()) GTEST_SKIP() << "no fixtures at " << kFixtures;
  EXPECT_GE(files.size(), 50u);
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.string());
    Result<TableMetadata> m = ReadTableMetadataFile(ReadFile(p), p.filename().string());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    for (bool gzip : {false, true}) {
      Result<std::string> bytes = EncodeTableMetadataFile(*m, gzip);
      ASSERT_TRUE(bytes.ok());
      Result<TableMetadata> back = ReadTableMetadataFile(*bytes, "rewritten.metadata.json");
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ(*back, *m);
      EXPECT_EQ(TableMetadataToJson(*back), TableMetadataToJson(*m));
    }
  }
}

TEST(TableMetadataFixturesTest, MatchesExpectedJson) {
  fs::path expected_path = kFixtures / "EXPECTED.json";
  if (!fs::exists(expected_path)) GTEST_SKIP() << "no EXPECTED.json";
  Json expected = Json::parse(ReadFile(expected_path));
  int checked = 0;
  for (const Json& t : expected["tables"]) {
    fs::path p = kFixtures / t["dir"].get<std::string>() / t["metadata_file"].get<std::string>();
    SCOPED_TRACE(p.string());
    Result<TableMetadata> m = ReadTableMetadataFile(ReadFile(p), p.filename().string());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->format_version, t["format_version"].get<int>());
    EXPECT_EQ(m->current_snapshot_id, t["current_snapshot_id"].get<int64_t>());
    EXPECT_EQ(m->snapshots.size(), t["snapshot_count"].get<size_t>());
    EXPECT_EQ(m->default_spec_id, t["default_spec_id"].get<int32_t>());
    ASSERT_EQ(m->partition_specs.size(), t["partition_spec"].size());
    for (size_t i = 0; i < m->partition_specs.size(); ++i) {
      Json spec = PartitionSpecToJson(m->partition_specs[i]);
      EXPECT_EQ(spec, t["partition_spec"][i]) << spec.dump();
    }
    const Schema& schema = m->CurrentSchema();
    ASSERT_EQ(schema.fields().size(), t["schema"].size());
    for (size_t i = 0; i < schema.fields().size(); ++i) {
      const Json& f = t["schema"][i];
      EXPECT_EQ(schema.fields()[i].id, f["id"].get<int32_t>());
      EXPECT_EQ(schema.fields()[i].name, f["name"].get<std::string>());
      EXPECT_EQ(schema.fields()[i].required, f["required"].get<bool>());
      if (f["type"].is_string()) {
        EXPECT_EQ(schema.fields()[i].type, *ParsePrimitiveType(f["type"].get<std::string>()));
      }
    }
    ASSERT_NE(m->CurrentSnapshot(), nullptr);
    EXPECT_EQ(m->refs.at("main").snapshot_id, *m->current_snapshot_id);
    ++checked;
  }
  EXPECT_EQ(checked, 14);
}

TEST(TableMetadataFixturesTest, ReadsV1SingularForms) {
  fs::path p =
      kFixtures / "lineitem_v1_gzip_metadata/lineitem_iceberg_gz/metadata/v2.gz.metadata.json";
  if (!fs::exists(p)) GTEST_SKIP();
  Result<TableMetadata> m = ReadTableMetadataFile(ReadFile(p), p.filename().string());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->format_version, 1);
  EXPECT_EQ(m->last_sequence_number, 0);
  EXPECT_EQ(m->snapshots[0].sequence_number, 0);
  EXPECT_EQ(m->properties.at("write.metadata.compression-codec"), "gzip");
  EXPECT_EQ(m->snapshots[0].summary.at("spark.app.id"), "local-1710355127327");
  // v1 is written back with the singular forms older readers need, and no sequence numbers.
  std::string json = TableMetadataToJson(*m);
  EXPECT_NE(json.find(R"("schema":{)"), std::string::npos);
  EXPECT_NE(json.find(R"("partition-spec":[])"), std::string::npos);
  EXPECT_EQ(json.find("sequence-number"), std::string::npos);
}

TEST(TableMetadataFixturesTest, KeepsDefaultsAndUnknownKeys) {
  fs::path dir =
      kFixtures / "schema_evolution_initial_defaults/default.db/add_columns_with_defaults/metadata";
  fs::path p = dir / "00003-3f1801a5-7dfb-4072-b14a-39cd12f9279b.metadata.json";
  if (!fs::exists(p)) GTEST_SKIP();
  Result<TableMetadata> m = ReadTableMetadataFile(ReadFile(p), p.filename().string());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const NestedField* dec = m->CurrentSchema().FindFieldByName("col_decimal");
  ASSERT_NE(dec, nullptr);
  EXPECT_EQ(dec->initial_default_json, "\"12345.00\"");
  EXPECT_EQ(m->CurrentSchema().FindFieldByName("col_long")->write_default_json,
            "-9223372036854775808");
  std::string json = TableMetadataToJson(*m);
  EXPECT_NE(json.find(R"("initial-default":0.34234)"), std::string::npos);
  // Every default reads as a value of its column type and writes back the same JSON.
  int defaults = 0;
  for (const NestedField& f : m->CurrentSchema().fields()) {
    if (!f.initial_default_json) continue;
    SCOPED_TRACE(f.name);
    Json j = Json::parse(*f.initial_default_json);
    Result<Literal> v = LiteralFromJson(f.type, j, f.name);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    if (f.type.id == TypeId::kFloat) {
      EXPECT_FLOAT_EQ(v->float_value(), 0.34234f);
    } else {
      EXPECT_EQ(LiteralToJson(*v), j);
    }
    ++defaults;
  }
  EXPECT_EQ(defaults, 14);
  EXPECT_EQ(*LiteralFromJson(Type::Primitive(TypeId::kTimestampTz),
                             Json("1970-01-01T00:00:00.012345+00:00"), "x"),
            Literal::TimestampTz(12345));
  EXPECT_EQ(*LiteralFromJson(Type::Fixed(5), Json("010203ff03"), "x"),
            Literal::Fixed(std::string("\x01\x02\x03\xff\x03", 5)));
  EXPECT_EQ(*LiteralFromJson(Type::Decimal(16, 2), Json("12345.00"), "x"),
            Literal::Decimal(1234500, 16, 2));
  EXPECT_FALSE(LiteralFromJson(Type::Primitive(TypeId::kInt), Json(4294967296LL), "x").ok());
  EXPECT_FALSE(LiteralFromJson(Type::Fixed(2), Json("010203"), "x").ok());
  EXPECT_FALSE(LiteralFromJson(Type::Primitive(TypeId::kDate), Json(5), "x").ok());

  fs::path v3 = kFixtures /
                "v1_existing_and_deleted_entries/repro/merch_v1/metadata/"
                "00004-v3-upgraded-v1-null-counts.metadata.json";
  Result<TableMetadata> m3 = ReadTableMetadataFile(ReadFile(v3), v3.filename().string());
  ASSERT_TRUE(m3.ok()) << m3.status().ToString();
  EXPECT_EQ(m3->format_version, 3);
  EXPECT_EQ(m3->extra_json, R"({"next-row-id":0})");
  EXPECT_NE(TableMetadataToJson(*m3).find(R"("next-row-id":0)"), std::string::npos);
  // The v3-only member is dropped when the metadata is written as v2.
  TableMetadata as_v2 = *m3;
  as_v2.format_version = 2;
  EXPECT_EQ(TableMetadataToJson(as_v2).find("next-row-id"), std::string::npos);
}

// ---- synthetic metadata ------------------------------------------------------------------------

NestedField Field(int32_t id, std::string name, bool required, Type type) {
  return NestedField{id, std::move(name), required, std::move(type), {}, {}, {}};
}

NewTableRequest EventsRequest() {
  NewTableRequest r;
  r.location = "s3://b/wh/analytics/events/";
  // Ids deliberately out of Java's order: the builder renumbers them.
  r.schema = Schema(7,
                    {Field(40, "event_id", true, Type::Primitive(TypeId::kString)),
                     Field(30, "timestamp", true, Type::Primitive(TypeId::kTimestampTz)),
                     Field(20, "type", true, Type::Primitive(TypeId::kString)),
                     Field(10, "attrs", false,
                           Type::Map(11, Type::Primitive(TypeId::kString), 12,
                                     Type::Primitive(TypeId::kString), false))},
                    {40});
  r.spec.fields.push_back(PartitionField{30, 0, "", Transform::Day()});
  r.spec.fields.push_back(PartitionField{20, 0, "", Transform::Bucket(8)});
  r.sort_order.fields.push_back(
      SortField{Transform::Identity(), 20, SortDirection::kAsc, NullOrder::kNullsFirst});
  r.properties["write.parquet.compression-codec"] = "zstd";
  r.table_uuid = *Uuid::Parse("9c12d441-03fe-4693-9a96-a0705ddf69c1");
  r.now_ms = 1700000000000;
  return r;
}

TEST(TableMetadataTest, NewTableGetsJavaIds) {
  Result<TableMetadata> m = NewTableMetadata(EventsRequest());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->format_version, 2);
  EXPECT_EQ(m->location, "s3://b/wh/analytics/events");
  EXPECT_EQ(m->last_column_id, 6);
  const Schema& s = m->CurrentSchema();
  EXPECT_EQ(s.schema_id(), 0);
  EXPECT_EQ(s.FindFieldByName("event_id")->id, 1);
  EXPECT_EQ(s.FindFieldByName("timestamp")->id, 2);
  EXPECT_EQ(s.FindFieldByName("attrs.key")->id, 5);
  EXPECT_EQ(s.FindFieldByName("attrs.value")->id, 6);
  EXPECT_EQ(s.identifier_field_ids(), std::vector<int32_t>{1});
  const PartitionSpec& spec = m->DefaultSpec();
  ASSERT_EQ(spec.fields.size(), 2u);
  EXPECT_EQ(spec.fields[0], (PartitionField{2, 1000, "timestamp_day", Transform::Day()}));
  EXPECT_EQ(spec.fields[1], (PartitionField{3, 1001, "type_bucket", Transform::Bucket(8)}));
  EXPECT_EQ(m->last_partition_id, 1001);
  EXPECT_EQ(m->default_sort_order_id, 1);
  EXPECT_EQ(m->sort_orders[0].fields[0].source_id, 3);
  EXPECT_FALSE(m->current_snapshot_id.has_value());
  EXPECT_EQ(m->last_sequence_number, 0);

  NewTableRequest plain = EventsRequest();
  plain.spec = PartitionSpec{};
  plain.sort_order = SortOrder::Unsorted();
  Result<TableMetadata> unpartitioned = NewTableMetadata(plain);
  ASSERT_TRUE(unpartitioned.ok());
  EXPECT_EQ(unpartitioned->last_partition_id, 999);
  EXPECT_EQ(unpartitioned->default_sort_order_id, 0);

  NewTableRequest bad = EventsRequest();
  bad.spec.fields.push_back(PartitionField{99, 0, "", Transform::Identity()});
  EXPECT_FALSE(NewTableMetadata(bad).ok());
  bad = EventsRequest();
  bad.spec.fields.push_back(PartitionField{40, 0, "", Transform::Hour()});
  EXPECT_FALSE(NewTableMetadata(bad).ok());
}

TEST(TableMetadataTest, WritesV2AsJavaDoes) {
  TableMetadata m = *NewTableMetadata(EventsRequest());
  std::string json = TableMetadataToJson(m);
  // Java's key order, -1 for "no current snapshot" in v2, empty lists present.
  std::string_view head =
      R"({"format-version":2,"table-uuid":"9c12d441-03fe-4693-9a96-a0705ddf69c1",)"
      R"("location":"s3://b/wh/analytics/events","last-sequence-number":0,)"
      R"("last-updated-ms":1700000000000,"last-column-id":6,"current-schema-id":0,)";
  EXPECT_EQ(json.substr(0, head.size()), head);
  for (std::string_view key :
       {R"("current-snapshot-id":-1,"refs":{},"snapshots":[],"statistics":[],)"
        R"("partition-statistics":[],"snapshot-log":[],"metadata-log":[]})",
        R"("last-partition-id":1001,"default-sort-order-id":1,"sort-orders":[{"order-id":1,)",
        R"("current-schema-id":0,"schemas":[{"type":"struct","schema-id":0,)"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << "\n" << json;
  }
  EXPECT_EQ(json.find(R"("schema":)"), std::string::npos);
  EXPECT_EQ(json.find(R"("partition-spec":)"), std::string::npos);
  Result<TableMetadata> back = ParseTableMetadata(json, "test");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);

  // After a first append.
  Snapshot s;
  s.snapshot_id = 123;
  s.sequence_number = 1;
  s.timestamp_ms = 1700000001000;
  s.manifest_list = "s3://b/wh/analytics/events/metadata/snap-123-1-x.avro";
  s.summary = {{"operation", "append"}, {"added-data-files", "1"}};
  s.schema_id = 0;
  m.snapshots.push_back(s);
  m.current_snapshot_id = 123;
  m.last_sequence_number = 1;
  m.refs["main"] = SnapshotRef{123, SnapshotRefType::kBranch, {}, {}, {}};
  m.refs["audit"] = SnapshotRef{123, SnapshotRefType::kTag, {}, {}, 86400000};
  m.snapshot_log.push_back({1700000001000, 123});
  m.metadata_log.push_back(
      {1700000000000, "s3://b/wh/analytics/events/metadata/00000-x.metadata.json"});
  json = TableMetadataToJson(m);
  EXPECT_NE(
      json.find(
          R"("snapshots":[{"snapshot-id":123,"sequence-number":1,"timestamp-ms":1700000001000,)"
          R"("summary":{"operation":"append","added-data-files":"1"},"manifest-list":)"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("audit":{"snapshot-id":123,"type":"tag","max-ref-age-ms":86400000})"),
            std::string::npos);
  back = ParseTableMetadata(json, "test");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->CurrentSnapshot()->operation(), "append");

  // Snapshot members floe does not model survive a rewrite, except v3-only ones in a v2 file.
  m.snapshots[0].extra_json = R"({"engine-hint":"x","first-row-id":0})";
  json = TableMetadataToJson(m);
  EXPECT_NE(json.find(R"("engine-hint":"x")"), std::string::npos);
  EXPECT_EQ(json.find("first-row-id"), std::string::npos);
  m.format_version = 3;
  EXPECT_NE(TableMetadataToJson(m).find(R"("first-row-id":0)"), std::string::npos);
}

TEST(TableMetadataTest, NoCurrentSnapshotForms) {
  std::string json = TableMetadataToJson(*NewTableMetadata(EventsRequest()));
  for (std::string_view replacement : {R"("current-snapshot-id":null,)", ""}) {
    std::string variant = json;
    size_t at = variant.find(R"("current-snapshot-id":-1,)");
    variant.replace(at, std::string_view(R"("current-snapshot-id":-1,)").size(), replacement);
    Result<TableMetadata> m = ParseTableMetadata(variant, "test");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_FALSE(m->current_snapshot_id.has_value());
    EXPECT_EQ(m->CurrentSnapshot(), nullptr);
  }
  TableMetadata v3 = *NewTableMetadata(EventsRequest());
  v3.format_version = 3;
  EXPECT_NE(TableMetadataToJson(v3).find(R"("current-snapshot-id":null)"), std::string::npos);
}

TEST(TableMetadataTest, ValidationErrorsNameTheField) {
  std::string good = TableMetadataToJson(*NewTableMetadata(EventsRequest()));
  auto error_for = [&](std::string_view from, std::string_view to) {
    std::string bad = good;
    size_t at = bad.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at == std::string::npos) return std::string();
    bad.replace(at, from.size(), to);
    Result<TableMetadata> m = ParseTableMetadata(bad, "00001-x.metadata.json");
    EXPECT_FALSE(m.ok()) << to;
    return m.ok() ? std::string() : m.status().message();
  };
  auto expect_mentions = [](const std::string& message, std::string_view what) {
    EXPECT_NE(message.find(what), std::string::npos) << message;
  };
  expect_mentions(error_for(R"("format-version":2)", R"("format-version":4)"), "format-version");
  expect_mentions(error_for(R"("current-schema-id":0)", R"("current-schema-id":5)"),
                  "current-schema-id");
  expect_mentions(error_for(R"("default-spec-id":0)", R"("default-spec-id":9)"), "default-spec-id");
  expect_mentions(error_for(R"("default-sort-order-id":1)", R"("default-sort-order-id":4)"),
                  "default-sort-order-id");
  expect_mentions(error_for(R"("current-snapshot-id":-1)", R"("current-snapshot-id":77)"),
                  "current-snapshot-id");
  expect_mentions(error_for(R"("last-column-id":6)", R"("last-column-id":3)"), "last-column-id");
  expect_mentions(error_for(R"("last-partition-id":1001)", R"("last-partition-id":1000)"),
                  "last-partition-id");
  expect_mentions(error_for(R"("table-uuid":"9c12d441-03fe-4693-9a96-a0705ddf69c1",)", ""),
                  "table-uuid");
  expect_mentions(error_for(R"("table-uuid":"9c12d441)", R"("table-uuid":"zz12d441)"),
                  "table-uuid");
  expect_mentions(error_for(R"("last-sequence-number":0,)", ""), "last-sequence-number");
  expect_mentions(error_for(R"("location":"s3)", R"("location":7,"x":"s3)"), "location");
  expect_mentions(error_for(R"("refs":{})", R"("refs":{"main":{"snapshot-id":5,"type":"branch"}})"),
                  "refs");
  expect_mentions(error_for(R"("source-id":2)", R"("source-id":"2")"),
                  "partition-specs[0].fields[0].source-id");
  expect_mentions(error_for(R"("properties":{)", R"("properties":{"a":[1],)"), "properties.a");
  expect_mentions(error_for(R"({"format-version")", R"(["format-version")"), "00001-x");
  // Every message starts with where the metadata came from.
  expect_mentions(error_for(R"("format-version":2)", R"("format-version":"2")"), "00001-x");
}

TEST(TableMetadataTest, GzipByNameOrMagicAndBoundedSize) {
  TableMetadata m = *NewTableMetadata(EventsRequest());
  std::string gz = *EncodeTableMetadataFile(m, /*gzip=*/true);
  ASSERT_GE(gz.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(gz[0]), 0x1f);
  for (std::string_view name :
       {"00001-x.gz.metadata.json", "00001-x.metadata.json.gz", "00001-x.metadata.json"}) {
    Result<TableMetadata> back = ReadTableMetadataFile(gz, name);
    ASSERT_TRUE(back.ok()) << name << ": " << back.status().ToString();
    EXPECT_EQ(*back, m);
  }
  EXPECT_EQ(ReadTableMetadataFile(gz, "x.gz.metadata.json", 100).status().kind(),
            ErrorKind::kResourceExhausted);
  std::string plain = *EncodeTableMetadataFile(m, false);
  EXPECT_EQ(ReadTableMetadataFile(plain, "x.metadata.json", 100).status().kind(),
            ErrorKind::kResourceExhausted);
  EXPECT_FALSE(ReadTableMetadataFile(gz.substr(0, gz.size() / 2), "x.gz.metadata.json").ok());
}

TEST(TableMetadataTest, OldV1FormsWithoutIds) {
  // An early v1 file: no uuid, no schemas list, partition fields without ids, no sort orders.
  std::string v1 =
      R"({"format-version":1,"location":"/t","last-updated-ms":1,"last-column-id":2,)"
      R"("schema":{"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":"int"},)"
      R"({"id":2,"name":"b","required":false,"type":"string"}]},)"
      R"("partition-spec":[{"name":"a","transform":"identity","source-id":1},)"
      R"({"name":"b_bucket","transform":"bucket[4]","source-id":2}],)"
      R"("properties":{},"snapshots":[{"snapshot-id":5,"timestamp-ms":1,)"
      R"("manifests":["/t/m1.avro","/t/m2.avro"]}],"current-snapshot-id":5})";
  Result<TableMetadata> m = ParseTableMetadata(v1, "v1.metadata.json");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->table_uuid.empty());
  EXPECT_EQ(m->DefaultSpec().fields[0].field_id, 1000);
  EXPECT_EQ(m->DefaultSpec().fields[1].field_id, 1001);
  EXPECT_EQ(m->last_partition_id, 1001);
  EXPECT_EQ(m->sort_orders, std::vector<SortOrder>{SortOrder::Unsorted()});
  EXPECT_EQ(m->snapshots[0].manifests.size(), 2u);
  EXPECT_EQ(m->refs.at("main").snapshot_id, 5);  // implied by current-snapshot-id
  std::string json = TableMetadataToJson(*m);
  EXPECT_EQ(json.find("table-uuid"), std::string::npos);
  Result<TableMetadata> back = ParseTableMetadata(json, "rewritten");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *m);

  // Each spec of a v1 list numbers its fields from 1000.
  std::string two_specs = v1;
  two_specs.replace(two_specs.find(R"("partition-spec":)"), 0,
                    R"("default-spec-id":1,"partition-specs":[{"spec-id":0,"fields":[)"
                    R"({"name":"a","transform":"identity","source-id":1}]},{"spec-id":1,"fields":[)"
                    R"({"name":"b","transform":"identity","source-id":2}]}],)");
  Result<TableMetadata> m2 = ParseTableMetadata(two_specs, "v1.metadata.json");
  ASSERT_TRUE(m2.ok()) << m2.status().ToString();
  EXPECT_EQ(m2->partition_specs[0].fields[0].field_id, 1000);
  EXPECT_EQ(m2->partition_specs[1].fields[0].field_id, 1000);
  // A plain file under a gzip name still reads.
  EXPECT_TRUE(ReadTableMetadataFile(json, "v2.gz.metadata.json").ok());
}

TEST(TableMetadataTest, FileNames) {
  Uuid u = *Uuid::Parse("1b5c0f5e-0000-4000-8000-000000000001");
  EXPECT_EQ(MetadataFileName(3, u), "00003-1b5c0f5e-0000-4000-8000-000000000001.metadata.json");
  EXPECT_EQ(MetadataFileName(123456, u, true),
            "123456-1b5c0f5e-0000-4000-8000-000000000001.gz.metadata.json");
  EXPECT_EQ(ParseMetadataFileVersion(MetadataFileName(3, u)), 3);
  EXPECT_EQ(ParseMetadataFileVersion("s3://b/t/metadata/" + MetadataFileName(42, u, true)), 42);
  EXPECT_EQ(ParseMetadataFileVersion("v7.metadata.json"), 7);
  EXPECT_EQ(ParseMetadataFileVersion("v2.gz.metadata.json"), 2);
  EXPECT_EQ(ParseMetadataFileVersion("/x/v12.metadata.json.gz"), 12);
  EXPECT_EQ(ParseMetadataFileVersion("snap-1-1-x.avro"), std::nullopt);
  EXPECT_EQ(ParseMetadataFileVersion("abc-x.metadata.json"), std::nullopt);
  EXPECT_EQ(ParseMetadataFileVersion("version-hint.text"), std::nullopt);
}

// The compact text written member by member must be what the tree gives (nlohmann's compact dump
// of the same document), with or without the snapshot cache.
std::string TreeCompact(const TableMetadata& m) {
  return Json::parse(TableMetadataToJson(m, /*pretty=*/true)).dump();
}

TEST(TableMetadataFixturesTest, CompactTextIsTheTreesDumpForEveryFixture) {
  std::vector<fs::path> files = MetadataFixtures();
  if (files.empty()) GTEST_SKIP() << "no fixtures at " << kFixtures;
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.string());
    Result<TableMetadata> m = ReadTableMetadataFile(ReadFile(p), p.filename().string());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    MetadataJsonCache cache;
    const std::string expected = TreeCompact(*m);
    EXPECT_EQ(TableMetadataToJson(*m), expected);
    EXPECT_EQ(TableMetadataToJson(*m, false, &cache), expected);  // cache filled
    EXPECT_EQ(TableMetadataToJson(*m, false, &cache), expected);  // cache used
    for (int version : {1, 2, 3}) {
      TableMetadata other = *m;
      other.format_version = version;
      EXPECT_EQ(TableMetadataToJson(other, false, &cache), TreeCompact(other)) << version;
    }
  }
}

Snapshot NumberedSnapshot(int64_t n) {
  Snapshot s;
  s.snapshot_id = 1000 + n;
  if (n > 0) s.parent_snapshot_id = 999 + n;
  s.sequence_number = n + 1;
  s.timestamp_ms = 1700000001000 + n;
  s.manifest_list =
      "s3://b/wh/analytics/events/metadata/snap-" + std::to_string(1000 + n) + ".avro";
  s.summary = {{"operation", n % 5 == 4 ? "replace" : "append"},
               {"added-data-files", std::to_string(n % 7)},
               {"floe.wal-position", std::to_string(n * 8)},
               {"note \"quoted\"\n", "tab\there \xc3\xa9"}};
  s.schema_id = 0;
  if (n % 3 == 0) s.extra_json = R"({"engine-hint":"x","first-row-id":)" + std::to_string(n) + "}";
  return s;
}

// What a table's commits do to its metadata: one snapshot more each time, now and then a
// snapshot expired, a property changed, or the format version; each text equals the tree's and
// parses back equal, with one cache used throughout.
TEST(TableMetadataTest, CompactTextWithCacheOverManyCommits) {
  TableMetadata m = *NewTableMetadata(EventsRequest());
  m.properties["write.metadata.previous-versions-max"] = "20";
  m.statistics_json = R"([{"snapshot-id":1000,"statistics-path":"s3://b/s.puffin",)"
                      R"("file-size-in-bytes":10,"file-footer-size-in-bytes":4,)"
                      R"("blob-metadata":[]}])";
  m.extra_json = R"({"vendor-key":{"a":[1,2.5,"z"]},"next-row-id":7})";
  MetadataJsonCache cache;
  for (int64_t n = 0; n < 300; ++n) {
    SCOPED_TRACE(n);
    Snapshot s = NumberedSnapshot(n);
    m.snapshots.push_back(s);
    m.current_snapshot_id = s.snapshot_id;
    m.last_sequence_number = s.sequence_number;
    m.refs["main"] = SnapshotRef{s.snapshot_id, SnapshotRefType::kBranch, {}, {}, {}};
    m.snapshot_log.push_back({s.timestamp_ms, s.snapshot_id});
    m.metadata_log.push_back({s.timestamp_ms - 1, "s3://b/wh/analytics/events/metadata/" +
                                                      std::to_string(n) + "-x.metadata.json"});
    if (m.metadata_log.size() > 20) m.metadata_log.erase(m.metadata_log.begin());
    m.last_updated_ms = s.timestamp_ms;
    if (n % 50 == 49) {  // expiry of the oldest 10 snapshots
      m.snapshots.erase(m.snapshots.begin(), m.snapshots.begin() + 10);
      m.snapshot_log.erase(m.snapshot_log.begin(), m.snapshot_log.begin() + 10);
    }
    if (n % 40 == 20) {  // a snapshot changed under the same id: its cached text must not be used
      m.snapshots[m.snapshots.size() / 2].summary["added-data-files"] = "changed";
    }
    if (n % 60 == 30) m.properties["commit.retry.num-retries"] = std::to_string(n);
    m.format_version = n % 100 == 99 ? 3 : 2;
    ASSERT_TRUE(m.Validate().ok()) << m.Validate().ToString();
    std::string json = TableMetadataToJson(m, false, &cache);
    ASSERT_EQ(json, TreeCompact(m));
    if (n % 25 == 0 || n == 299) {
      Result<TableMetadata> back = ParseTableMetadata(json, "test");
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      TableMetadata expected = m;
      if (expected.format_version < 3) {  // v3-only members are not written to a v2 file
        expected.extra_json = R"({"vendor-key":{"a":[1,2.5,"z"]}})";
        for (Snapshot& x : expected.snapshots) {
          if (!x.extra_json.empty()) x.extra_json = R"({"engine-hint":"x"})";
        }
      }
      EXPECT_EQ(*back, expected);
      Result<std::string> file = EncodeTableMetadataFile(m, /*gzip=*/true, &cache);
      ASSERT_TRUE(file.ok());
      Result<TableMetadata> unzipped = ReadTableMetadataFile(*file, "x.gz.metadata.json");
      ASSERT_TRUE(unzipped.ok());
      EXPECT_EQ(*unzipped, *back);
    }
  }
  EXPECT_EQ(m.snapshots.size(), 240u);
}

}  // namespace
}  // namespace floe::iceberg
