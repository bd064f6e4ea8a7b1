// ManifestEntryDecoder: writer schemas resolved by field id as the generic reader resolves them,
// metrics selection, errors, and agreement with generic Avro decoding on every fixture manifest.

#include "floe/iceberg/manifest_entry_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "floe/avro/container.h"
#include "floe/iceberg/manifest.h"

namespace floe::iceberg {
namespace {

using ::testing::HasSubstr;

auto Rng() {
  auto rng = std::make_shared<std::mt19937_64>(7);
  return [rng] { return (*rng)(); };
}

std::string WriteContainer(const avro::Schema& schema, const std::vector<avro::Value>& records) {
  MemoryOutputStream out("mem://t.avro");
  auto writer = avro::ContainerWriter::Make(&out, schema, Rng(), {});
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  for (const avro::Value& r : records) {
    Status st = (*writer)->Append(r);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_TRUE((*writer)->Close().ok());
  return out.data();
}

Result<std::vector<ManifestEntry>> DecodeAll(const std::string& bytes, const Type& partition_type,
                                             ColumnStatsSelection stats = {}) {
  MemoryRandomAccessFile file("mem://t.avro", bytes);
  FLOE_ASSIGN_OR_RETURN(auto reader, avro::ContainerReader::Open(&file));
  FLOE_ASSIGN_OR_RETURN(auto decoder,
                        ManifestEntryDecoder::Make(reader->writer_schema(), partition_type, stats));
  std::vector<ManifestEntry> out;
  ManifestEntry entry;
  decoder->set_output(&entry);
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(decoder.get()));
    if (!more) break;
    out.push_back(entry);
  }
  return out;
}

Type DayAndName() {
  return Type::Struct(
      {NestedField{1000, "ts_day", false, Type::Primitive(TypeId::kDate), {}, {}, {}},
       NestedField{1001, "name", false, Type::Primitive(TypeId::kString), {}, {}, {}}});
}

// A writer unlike Java's: fields reordered and renamed (matched by id), one without an id
// (matched by name), int for long, bytes for string, value-first unions, a map record with its
// value first and int values, a map without ids, equality ids as longs, fields floe does not
// know (skipped), and fields it knows missing (defaults).
constexpr const char* kOddWriter = R"({"type":"record","name":"entry","fields":[
  {"name":"data_file","field-id":2,"type":{"type":"record","name":"df","fields":[
    {"name":"extra_first","type":"long"},
    {"name":"path","field-id":100,"type":["string","null"]},
    {"name":"record_count","field-id":103,"type":"int"},
    {"name":"file_size_in_bytes","type":"long"},
    {"name":"file_format","field-id":101,"type":"bytes"},
    {"name":"partition","field-id":102,"type":{"type":"record","name":"p","fields":[
      {"name":"gone","field-id":1999,"type":["null","string"]},
      {"name":"d","field-id":1000,"type":["null",{"type":"int","logicalType":"date"}]}]}},
    {"name":"value_counts","field-id":109,"type":["null",{"type":"array","logicalType":"map",
      "items":{"type":"record","name":"kv","fields":[
        {"name":"v","field-id":120,"type":"int"},{"name":"k","field-id":119,"type":"int"}]}}]},
    {"name":"upper_bounds","field-id":128,"type":{"type":"array","items":{"type":"record",
      "name":"kv2","fields":[{"name":"key","type":"int"},{"name":"value","type":"string"}]}}},
    {"name":"equality_ids","field-id":135,"type":["null",{"type":"array","items":"long"}]},
    {"name":"first_row_id","field-id":142,"type":["null","long"]}]}},
  {"name":"state","field-id":0,"type":"int"},
  {"name":"seq","field-id":3,"type":["long","null"]}]})";

avro::Value OddRecord(const avro::Schema& schema, const std::string& path, int32_t count,
                      std::optional<int32_t> day, bool with_maps) {
  auto kv = [&](const char* name, avro::Value k, avro::Value v, bool value_first) {
    std::vector<avro::Value> fields;
    if (value_first) {
      fields = {std::move(v), std::move(k)};
    } else {
      fields = {std::move(k), std::move(v)};
    }
    return avro::Value::Record(schema.Share(schema.FindNamed(name)), std::move(fields));
  };
  avro::RecordBuilder p(schema.Share(schema.FindNamed("p")));
  p.Set("gone", avro::Value::String("x"));
  p.Set("d", day ? avro::Value::Int(*day) : avro::Value::Null());
  avro::RecordBuilder df(schema.Share(schema.FindNamed("df")));
  df.Set("extra_first", avro::Value::Long(-5));
  df.Set("path", avro::Value::String(path));
  df.Set("record_count", avro::Value::Int(count));
  df.Set("file_size_in_bytes", avro::Value::Long(int64_t{1} << 40));
  df.Set("file_format", avro::Value::Bytes("parquet"));
  df.Set("partition", *p.Build());
  if (with_maps) {
    df.Set("value_counts",
           avro::Value::Array({kv("kv", avro::Value::Int(1), avro::Value::Int(10), true),
                               kv("kv", avro::Value::Int(3), avro::Value::Int(30), true)}));
    df.Set("upper_bounds",
           avro::Value::Array({kv("kv2", avro::Value::Int(2), avro::Value::String("zz"), false)}));
    df.Set("equality_ids", avro::Value::Array({avro::Value::Long(1), avro::Value::Long(3)}));
  } else {
    df.Set("upper_bounds", avro::Value::Array({}));
  }
  df.Set("first_row_id", avro::Value::Long(99));
  avro::RecordBuilder e(schema.root_ref());
  e.Set("data_file", *df.Build());
  e.Set("state", avro::Value::Int(2));
  e.Set("seq", with_maps ? avro::Value::Long(12) : avro::Value::Null());
  return *e.Build();
}

TEST(ManifestEntryDecoderTest, ResolvesAnOddWriterByFieldId) {
  auto schema = avro::Schema::Parse(kOddWriter);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const std::string bytes =
      WriteContainer(*schema, {OddRecord(*schema, "a.parquet", 7, 19000, true),
                               OddRecord(*schema, "b.parquet", 8, std::nullopt, false)});
  auto entries = DecodeAll(bytes, DayAndName());
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);

  const ManifestEntry& a = (*entries)[0];
  EXPECT_EQ(a.status, ManifestEntryStatus::kDeleted);
  EXPECT_EQ(a.snapshot_id, std::nullopt);
  EXPECT_EQ(a.sequence_number, 12);
  EXPECT_EQ(a.file_sequence_number, std::nullopt);
  EXPECT_EQ(a.data_file.content, DataFileContent::kData);
  EXPECT_EQ(a.data_file.file_path, "a.parquet");
  EXPECT_EQ(a.data_file.file_format, FileFormat::kParquet);
  EXPECT_EQ(a.data_file.record_count, 7);
  EXPECT_EQ(a.data_file.file_size_in_bytes, int64_t{1} << 40);
  EXPECT_EQ(a.data_file.partition,
            (std::vector<Literal>{Literal::Date(19000),
                                  Literal::Null(Type::Primitive(TypeId::kString))}));
  EXPECT_EQ(a.data_file.value_counts, (std::map<int32_t, int64_t>{{1, 10}, {3, 30}}));
  EXPECT_EQ(a.data_file.upper_bounds, (std::map<int32_t, std::string>{{2, "zz"}}));
  EXPECT_EQ(a.data_file.equality_ids, (std::vector<int32_t>{1, 3}));
  EXPECT_TRUE(a.data_file.column_sizes.empty());

  // The second record reuses the same output entry: nothing of the first one stays.
  const ManifestEntry& b = (*entries)[1];
  EXPECT_EQ(b.sequence_number, std::nullopt);
  EXPECT_EQ(b.data_file.file_path, "b.parquet");
  EXPECT_EQ(b.data_file.partition[0], Literal::Null(Type::Primitive(TypeId::kDate)));
  EXPECT_TRUE(b.data_file.value_counts.empty());
  EXPECT_TRUE(b.data_file.upper_bounds.empty());
  EXPECT_TRUE(b.data_file.equality_ids.empty());
}

TEST(ManifestEntryDecoderTest, KeepsTheMetricsOfSelectedColumnsOnly) {
  auto schema = avro::Schema::Parse(kOddWriter);
  ASSERT_TRUE(schema.ok());
  const std::string bytes = WriteContainer(*schema, {OddRecord(*schema, "a", 1, 1, true)});
  auto only = DecodeAll(bytes, DayAndName(), ColumnStatsSelection::Only({3, 2}));
  ASSERT_TRUE(only.ok()) << only.status().ToString();
  EXPECT_EQ((*only)[0].data_file.value_counts, (std::map<int32_t, int64_t>{{3, 30}}));
  EXPECT_EQ((*only)[0].data_file.upper_bounds, (std::map<int32_t, std::string>{{2, "zz"}}));

  auto none = DecodeAll(bytes, DayAndName(), ColumnStatsSelection::None());
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  const DataFile& f = (*none)[0].data_file;
  EXPECT_TRUE(f.value_counts.empty());
  EXPECT_TRUE(f.upper_bounds.empty());
  EXPECT_EQ(f.file_path, "a");
  EXPECT_EQ(f.equality_ids, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(f.partition[0], Literal::Date(1));

  EXPECT_TRUE(ColumnStatsSelection().Keeps(12345));
  EXPECT_FALSE(ColumnStatsSelection::None().Keeps(1));
  EXPECT_TRUE(ColumnStatsSelection::Only({5, 1, 5}).Keeps(5));
}

TEST(ManifestEntryDecoderTest, ManifestReaderPassesTheSelectionOn) {
  Schema table(0, {NestedField{1, "id", true, Type::Primitive(TypeId::kLong), {}, {}, {}},
                   NestedField{2, "name", false, Type::Primitive(TypeId::kString), {}, {}, {}}});
  MemoryOutputStream out("mem://m.avro");
  auto writer = ManifestWriter::Make(&out, table, PartitionSpec{}, Rng(), {});
  ASSERT_TRUE(writer.ok());
  DataFile f;
  f.file_path = "f.parquet";
  f.record_count = 3;
  f.column_sizes = {{1, 10}, {2, 20}};
  f.lower_bounds = {{1, std::string(8, '\0')}, {2, "a"}};
  f.split_offsets = {4};
  ASSERT_TRUE((*writer)->Add(f).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  MemoryRandomAccessFile file("mem://m.avro", out.data());
  ManifestReaderOptions options;
  options.column_stats = ColumnStatsSelection::Only({2});
  auto reader = ManifestReader::Open(&file, nullptr, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto all = (*reader)->ReadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  DataFile want = f;
  want.column_sizes = {{2, 20}};
  want.lower_bounds = {{2, "a"}};
  EXPECT_EQ((*all)[0].data_file, want);
}

Result<std::unique_ptr<ManifestEntryDecoder>> MakeFor(const std::string& data_file_fields) {
  FLOE_ASSIGN_OR_RETURN(avro::Schema schema,
                        avro::Schema::Parse(R"({"type":"record","name":"e","fields":[
        {"name":"status","field-id":0,"type":"int"},
        {"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[)" +
                                            data_file_fields + "]}}]}"));
  return ManifestEntryDecoder::Make(schema, Type::Struct({}));
}

constexpr const char* kRequired = R"(
  {"name":"file_path","field-id":100,"type":"string"},
  {"name":"file_format","field-id":101,"type":"string"},
  {"name":"partition","field-id":102,"type":{"type":"record","name":"r102","fields":[]}},
  {"name":"record_count","field-id":103,"type":"long"},
  {"name":"file_size_in_bytes","field-id":104,"type":"long"})";

TEST(ManifestEntryDecoderTest, SchemaErrorsNameTheField) {
  ASSERT_TRUE(MakeFor(kRequired).ok());
  std::string no_path = kRequired;
  no_path.replace(no_path.find("\"file_path\""), 11, "\"other\"");
  no_path.replace(no_path.find("100"), 3, "999");
  auto missing = MakeFor(no_path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("data_file.file_path (field-id 100)"));

  std::string text_count = kRequired;
  text_count.replace(text_count.find("\"long\""), 6, "\"string\"");
  auto wrong = MakeFor(text_count);
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(),
              HasSubstr("record_count (field-id 103): writer type string cannot be read as long"));

  auto map_without_key = MakeFor(std::string(kRequired) +
                                 R"(,{"name":"column_sizes","field-id":108,"type":{"type":"array",
      "items":{"type":"record","name":"kv","fields":[{"name":"a","type":"int"}]}}})");
  ASSERT_FALSE(map_without_key.ok());
  EXPECT_THAT(map_without_key.status().message(), HasSubstr("has no key and value fields"));

  auto wide_union = MakeFor(std::string(kRequired) +
                            R"(,{"name":"sort_order_id","field-id":140,"type":["int","long"]})");
  ASSERT_FALSE(wide_union.ok());
  EXPECT_THAT(wide_union.status().message(), HasSubstr("a union of more than null and one type"));
}

// As the generic reader: an optional field of a type that cannot be read is fine while null.
TEST(ManifestEntryDecoderTest, UnreadableOptionalFieldFailsOnlyWithAValue) {
  auto schema = avro::Schema::Parse(std::string(R"({"type":"record","name":"e","fields":[
    {"name":"status","field-id":0,"type":"int"},
    {"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[)") +
                                    kRequired +
                                    R"(,{"name":"sort_order_id","field-id":140,
      "type":["null","string"]}]}}]})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  auto record = [&](avro::Value sort) {
    avro::RecordBuilder df(schema->Share(schema->FindNamed("r2")));
    df.Set("file_path", avro::Value::String("p"));
    df.Set("file_format", avro::Value::String("PARQUET"));
    df.Set("partition", avro::Value::Record(schema->Share(schema->FindNamed("r102")), {}));
    df.Set("record_count", avro::Value::Long(1));
    df.Set("file_size_in_bytes", avro::Value::Long(1));
    df.Set("sort_order_id", std::move(sort));
    avro::RecordBuilder e(schema->root_ref());
    e.Set("status", avro::Value::Int(1));
    e.Set("data_file", *df.Build());
    return *e.Build();
  };
  auto null_sort =
      DecodeAll(WriteContainer(*schema, {record(avro::Value::Null())}), Type::Struct({}));
  ASSERT_TRUE(null_sort.ok()) << null_sort.status().ToString();
  EXPECT_EQ((*null_sort)[0].data_file.sort_order_id, std::nullopt);
  auto text_sort =
      DecodeAll(WriteContainer(*schema, {record(avro::Value::String("x"))}), Type::Struct({}));
  ASSERT_FALSE(text_sort.ok());
  EXPECT_EQ(text_sort.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(text_sort.status().message(), HasSubstr("sort_order_id (field-id 140)"));
}

// Every truncation and many corruptions of an encoded entry fail cleanly (ASan checks the rest).
TEST(ManifestEntryDecoderTest, TruncatedOrCorruptEntriesFailCleanly) {
  auto schema = avro::Schema::Parse(kOddWriter);
  ASSERT_TRUE(schema.ok());
  Buffer encoded;
  ASSERT_TRUE(
      avro::EncodeValue(schema->root(), OddRecord(*schema, "a.parquet", 7, 19000, true), &encoded)
          .ok());
  auto decoder = ManifestEntryDecoder::Make(*schema, DayAndName());
  ASSERT_TRUE(decoder.ok());
  ManifestEntry entry;
  (*decoder)->set_output(&entry);
  {
    avro::BinaryReader in(encoded.view());
    ASSERT_TRUE((*decoder)->Decode(&in).ok());
    EXPECT_TRUE(in.at_end());
  }
  for (size_t n = 0; n < encoded.size(); ++n) {
    avro::BinaryReader in(encoded.view().first(n));
    EXPECT_FALSE((*decoder)->Decode(&in).ok()) << "prefix of " << n << " bytes";
  }
  std::mt19937 rng(1);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(reinterpret_cast<const char*>(encoded.data()), encoded.size());
    for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    avro::BinaryReader in(ByteView(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    (void)(*decoder)->Decode(&in);
  }
}

// -----------------------------------------------------------------------------------------------
// Agreement with the generic decoder on the manifests Java, Spark and PyIceberg wrote.

template <typename V>
std::map<int32_t, V> GenericMap(const avro::Value* v) {
  std::map<int32_t, V> out;
  if (v == nullptr || v->is_null()) return out;
  for (const avro::Value& item : v->items()) {
    const avro::Value* key = item.Field("key");
    const avro::Value* value = item.Field("value");
    if constexpr (std::is_same_v<V, std::string>) {
      out[key->int_value()] = value->bytes();
    } else {
      out[key->int_value()] = value->long_value();
    }
  }
  return out;
}

std::optional<int64_t> GenericLong(const avro::Value* v) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  return v->long_value();
}

void ExpectSameAsGeneric(const avro::Value& record, const ManifestEntry& e,
                         const Type& partition_type) {
  EXPECT_EQ(static_cast<int32_t>(e.status), record.FieldById(0)->int_value());
  EXPECT_EQ(e.snapshot_id, GenericLong(record.FieldById(1)));
  EXPECT_EQ(e.sequence_number, GenericLong(record.FieldById(3)));
  EXPECT_EQ(e.file_sequence_number, GenericLong(record.FieldById(4)));
  const avro::Value& df = *record.FieldById(2);
  const DataFile& f = e.data_file;
  const avro::Value* content = df.FieldById(134);
  EXPECT_EQ(static_cast<int32_t>(f.content), content == nullptr ? 0 : content->int_value());
  EXPECT_EQ(f.file_path, df.FieldById(100)->string_value());
  EXPECT_EQ(f.file_format, *ParseFileFormat(df.FieldById(101)->string_value()));
  EXPECT_EQ(f.record_count, df.FieldById(103)->long_value());
  EXPECT_EQ(f.file_size_in_bytes, df.FieldById(104)->long_value());
  const avro::Value* partition = df.FieldById(102);
  ASSERT_EQ(f.partition.size(), partition_type.fields.size());
  for (size_t i = 0; i < partition_type.fields.size(); ++i) {
    const NestedField& pf = partition_type.fields[i];
    const avro::Value* v = partition->FieldById(pf.id);
    Result<Literal> want = v == nullptr ? Literal::Null(pf.type) : LiteralFromAvro(pf.type, *v);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(f.partition[i], *want);
  }
  EXPECT_EQ(f.column_sizes, GenericMap<int64_t>(df.FieldById(108)));
  EXPECT_EQ(f.value_counts, GenericMap<int64_t>(df.FieldById(109)));
  EXPECT_EQ(f.null_value_counts, GenericMap<int64_t>(df.FieldById(110)));
  EXPECT_EQ(f.nan_value_counts, GenericMap<int64_t>(df.FieldById(137)));
  EXPECT_EQ(f.lower_bounds, GenericMap<std::string>(df.FieldById(125)));
  EXPECT_EQ(f.upper_bounds, GenericMap<std::string>(df.FieldById(128)));
  std::vector<int64_t> offsets;
  if (const avro::Value* v = df.FieldById(132); v != nullptr && !v->is_null()) {
    for (const avro::Value& o : v->items()) offsets.push_back(o.long_value());
  }
  EXPECT_EQ(f.split_offsets, offsets);
  EXPECT_EQ(f.sort_order_id, GenericLong(df.FieldById(140)));
}

TEST(ManifestEntryDecoderTest, AgreesWithGenericDecodingOnEveryFixtureManifest) {
  int manifests = 0;
  int64_t entries = 0;
  for (const auto& dirent : std::filesystem::recursive_directory_iterator(FLOE_FIXTURES_DIR)) {
    const std::string name = dirent.path().filename().string();
    if (!dirent.is_regular_file() || dirent.path().extension() != ".avro" ||
        name.rfind("snap-", 0) == 0) {
      continue;
    }
    SCOPED_TRACE(dirent.path().string());
    auto file = OpenLocalFile(dirent.path().string());
    ASSERT_TRUE(file.ok());
    auto manifest = ManifestReader::Open(file->get());
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    const Type partition_type = (*manifest)->partition_type();
    auto generic = avro::ContainerReader::Open(file->get());
    auto direct = avro::ContainerReader::Open(file->get());
    ASSERT_TRUE(generic.ok() && direct.ok());
    auto decoder = ManifestEntryDecoder::Make((*direct)->writer_schema(), partition_type);
    ASSERT_TRUE(decoder.ok()) << decoder.status().ToString();
    ManifestEntry entry;
    (*decoder)->set_output(&entry);
    avro::Value record;
    while (true) {
      auto more = (*generic)->Next(&record);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      auto more_direct = (*direct)->Next(decoder->get());
      ASSERT_TRUE(more_direct.ok()) << more_direct.status().ToString();
      ASSERT_EQ(*more, *more_direct);
      if (!*more) break;
      ExpectSameAsGeneric(record, entry, partition_type);
      ++entries;
    }
    ++manifests;
  }
  EXPECT_GT(manifests, 10);
  EXPECT_GE(entries, 50);
}

}  // namespace
}  // namespace floe::iceberg
