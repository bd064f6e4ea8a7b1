#include "floe/parquet/schema.h"

#include <gtest/gtest.h>

namespace floe::parquet {
namespace {

using format::ConvertedType;
using format::LogicalType;
using format::Repetition;
using format::SchemaElement;

Field Prim(int32_t id, std::string name, FieldType t, bool required = false) {
  Field f;
  f.field_id = id;
  f.name = std::move(name);
  f.type = t;
  f.required = required;
  return f;
}

TEST(Schema, DecimalBytes) {
  int expect[39] = {0, 1, 1,  2,  2,  3,  3,  4,  4,  4,  5,  5,  6,  6,  6,  7,  7,  8,  8, 9,
                    9, 9, 10, 10, 11, 11, 11, 12, 12, 13, 13, 13, 14, 14, 15, 15, 16, 16, 16};
  for (int p = 1; p <= 38; ++p) EXPECT_EQ(DecimalBytesForPrecision(p), expect[p]) << p;
}

TEST(Schema, ListsAndMapsAsIcebergLaysThemOut) {
  Schema s;
  s.fields.push_back(Prim(1, "id", FieldType::kLong, true));
  Field tags = Prim(5, "tags", FieldType::kList);
  tags.children.push_back(Prim(7, "element", FieldType::kString));
  s.fields.push_back(tags);
  Field attrs = Prim(6, "attrs", FieldType::kMap);
  attrs.children.push_back(Prim(8, "key", FieldType::kString, true));
  Field value = Prim(9, "value", FieldType::kStruct);
  value.children.push_back(Prim(10, "n", FieldType::kInt, true));
  attrs.children.push_back(value);
  s.fields.push_back(attrs);

  auto fs = BuildFileSchema(s);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  const auto& e = fs->elements;
  ASSERT_EQ(e.size(), 10u);
  EXPECT_EQ(e[0].name, "table");
  EXPECT_EQ(e[0].num_children, 3);
  EXPECT_FALSE(e[0].field_id.has_value());
  EXPECT_FALSE(e[0].repetition_type.has_value());
  EXPECT_EQ(e[1].name, "id");
  EXPECT_EQ(e[1].repetition_type, Repetition::kRequired);
  EXPECT_EQ(e[1].type, PhysicalType::kInt64);
  EXPECT_EQ(e[2].name, "tags");
  EXPECT_EQ(e[2].field_id, 5);
  EXPECT_EQ(e[2].converted_type, ConvertedType::kList);
  EXPECT_EQ(e[2].logical_type, LogicalType::Of(LogicalType::Kind::kList));
  EXPECT_EQ(e[3].name, "list");
  EXPECT_EQ(e[3].repetition_type, Repetition::kRepeated);
  EXPECT_FALSE(e[3].field_id.has_value());
  EXPECT_EQ(e[4].name, "element");
  EXPECT_EQ(e[4].field_id, 7);
  EXPECT_EQ(e[4].converted_type, ConvertedType::kUtf8);
  EXPECT_EQ(e[5].name, "attrs");
  EXPECT_EQ(e[5].converted_type, ConvertedType::kMap);
  EXPECT_EQ(e[6].name, "key_value");
  EXPECT_EQ(e[6].num_children, 2);
  EXPECT_FALSE(e[6].field_id.has_value());
  EXPECT_EQ(e[7].name, "key");
  EXPECT_EQ(e[7].repetition_type, Repetition::kRequired);
  EXPECT_EQ(e[8].name, "value");
  EXPECT_EQ(e[8].field_id, 9);
  EXPECT_EQ(e[8].num_children, 1);
  EXPECT_EQ(e[9].name, "n");

  const auto& l = fs->leaves;
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0].max_def, 0);
  EXPECT_EQ(l[0].max_rep, 0);
  EXPECT_EQ(l[1].path, (std::vector<std::string>{"tags", "list", "element"}));
  EXPECT_EQ(l[1].field_id, 7);
  EXPECT_EQ(l[1].max_def, 3);
  EXPECT_EQ(l[1].max_rep, 1);
  EXPECT_EQ(l[2].path, (std::vector<std::string>{"attrs", "key_value", "key"}));
  EXPECT_EQ(l[2].max_def, 2);
  EXPECT_EQ(l[2].max_rep, 1);
  EXPECT_EQ(l[3].path, (std::vector<std::string>{"attrs", "key_value", "value", "n"}));
  EXPECT_EQ(l[3].field_id, 10);
  EXPECT_EQ(l[3].max_def, 3);
  EXPECT_EQ(l[3].max_rep, 1);

  // The reader's view of the same elements gives the same leaves.
  auto back = LeafColumnsFromElements(e);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), l.size());
  for (size_t i = 0; i < l.size(); ++i) {
    EXPECT_EQ((*back)[i].path, l[i].path);
    EXPECT_EQ((*back)[i].field_id, l[i].field_id);
    EXPECT_EQ((*back)[i].max_def, l[i].max_def);
    EXPECT_EQ((*back)[i].max_rep, l[i].max_rep);
    EXPECT_EQ((*back)[i].type, l[i].type);
    EXPECT_EQ((*back)[i].physical, l[i].physical);
  }
}

TEST(Schema, PrimitiveTypeMapping) {
  Schema s;
  s.fields = {Prim(1, "b", FieldType::kBoolean),        Prim(2, "i", FieldType::kInt),
              Prim(3, "l", FieldType::kLong),           Prim(4, "f", FieldType::kFloat),
              Prim(5, "d", FieldType::kDouble),         Prim(6, "date", FieldType::kDate),
              Prim(7, "time", FieldType::kTime),        Prim(8, "ts", FieldType::kTimestamp),
              Prim(9, "tstz", FieldType::kTimestampTz), Prim(10, "s", FieldType::kString),
              Prim(11, "u", FieldType::kUuid),          Prim(12, "bin", FieldType::kBinary)};
  Field fixed = Prim(13, "fx", FieldType::kFixed);
  fixed.fixed_length = 3;
  s.fields.push_back(fixed);
  for (auto [id, p] : {std::pair{14, 9}, std::pair{15, 18}, std::pair{16, 38}}) {
    Field dec = Prim(id, "dec" + std::to_string(p), FieldType::kDecimal);
    dec.decimal_precision = p;
    dec.decimal_scale = 2;
    s.fields.push_back(dec);
  }
  auto fs = BuildFileSchema(s);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  const auto& e = fs->elements;
  using P = PhysicalType;
  std::vector<P> phys = {P::kBoolean,
                         P::kInt32,
                         P::kInt64,
                         P::kFloat,
                         P::kDouble,
                         P::kInt32,
                         P::kInt64,
                         P::kInt64,
                         P::kInt64,
                         P::kByteArray,
                         P::kFixedLenByteArray,
                         P::kByteArray,
                         P::kFixedLenByteArray,
                         P::kInt32,
                         P::kInt64,
                         P::kFixedLenByteArray};
  for (size_t i = 0; i < phys.size(); ++i) EXPECT_EQ(e[i + 1].type, phys[i]) << i;
  EXPECT_EQ(e[6].converted_type, ConvertedType::kDate);
  EXPECT_EQ(e[7].converted_type, ConvertedType::kTimeMicros);
  EXPECT_EQ(e[7].logical_type, LogicalType::Time(false, TimeUnit::kMicros));
  EXPECT_EQ(e[8].converted_type, ConvertedType::kTimestampMicros);
  EXPECT_EQ(e[8].logical_type, LogicalType::Timestamp(false, TimeUnit::kMicros));
  EXPECT_EQ(e[9].logical_type, LogicalType::Timestamp(true, TimeUnit::kMicros));
  EXPECT_EQ(e[11].type_length, 16);
  EXPECT_EQ(e[11].logical_type, LogicalType::Of(LogicalType::Kind::kUuid));
  EXPECT_FALSE(e[11].converted_type.has_value());
  EXPECT_FALSE(e[12].logical_type.has_value());
  EXPECT_EQ(e[13].type_length, 3);
  EXPECT_EQ(e[16].type_length, 16);
  EXPECT_EQ(e[16].converted_type, ConvertedType::kDecimal);
  EXPECT_EQ(e[16].precision, 38);
  EXPECT_EQ(e[16].scale, 2);
  EXPECT_EQ(e[16].logical_type, LogicalType::Decimal(2, 38));
  EXPECT_EQ(fs->leaves[15].decimal_precision, 38);
  EXPECT_EQ(fs->leaves[15].type_length, 16);
  for (const auto& leaf : fs->leaves) EXPECT_EQ(leaf.max_def, 1);

  auto back = LeafColumnsFromElements(e);
  ASSERT_TRUE(back.ok());
  for (size_t i = 0; i < back->size(); ++i) {
    EXPECT_EQ((*back)[i].type, fs->leaves[i].type) << i;
    EXPECT_EQ((*back)[i].type_length, fs->leaves[i].type_length) << i;
    EXPECT_EQ((*back)[i].decimal_scale, fs->leaves[i].decimal_scale) << i;
  }
}

TEST(Schema, InvalidIcebergSchemasAreNamed) {
  Schema s;
  Field dec = Prim(1, "amount", FieldType::kDecimal);
  dec.decimal_precision = 39;
  s.fields = {dec};
  auto r = BuildFileSchema(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(r.status().message().find("amount"), std::string::npos) << r.status().message();

  Field st = Prim(2, "s", FieldType::kStruct);
  st.children.push_back(Prim(3, "", FieldType::kInt));
  s.fields = {st};
  EXPECT_FALSE(BuildFileSchema(s).ok());

  Field list = Prim(4, "l", FieldType::kList);
  s.fields = {list};
  EXPECT_FALSE(BuildFileSchema(s).ok());

  Field fixed = Prim(5, "f", FieldType::kFixed);
  s.fields = {fixed};
  EXPECT_FALSE(BuildFileSchema(s).ok());

  s.fields.clear();
  EXPECT_FALSE(BuildFileSchema(s).ok());
}

SchemaElement Group(std::string name, int children, std::optional<Repetition> rep) {
  SchemaElement e;
  e.name = std::move(name);
  e.num_children = children;
  e.repetition_type = rep;
  return e;
}

SchemaElement Leaf(std::string name, PhysicalType t, Repetition rep) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = t;
  e.repetition_type = rep;
  return e;
}

TEST(Schema, LegacyTwoLevelListsAndNoFieldIds) {
  // message m { repeated int32 a; optional group b (LIST) { repeated group array { required
  // binary s (UTF8); } } }
  std::vector<SchemaElement> e;
  e.push_back(Group("m", 2, std::nullopt));
  e.push_back(Leaf("a", PhysicalType::kInt32, Repetition::kRepeated));
  SchemaElement b = Group("b", 1, Repetition::kOptional);
  b.converted_type = ConvertedType::kList;
  e.push_back(b);
  e.push_back(Group("array", 1, Repetition::kRepeated));
  SchemaElement str = Leaf("s", PhysicalType::kByteArray, Repetition::kRequired);
  str.converted_type = ConvertedType::kUtf8;
  e.push_back(str);
  auto leaves = LeafColumnsFromElements(e);
  ASSERT_TRUE(leaves.ok()) << leaves.status().ToString();
  ASSERT_EQ(leaves->size(), 2u);
  EXPECT_EQ((*leaves)[0].field_id, -1);
  EXPECT_EQ((*leaves)[0].max_def, 1);
  EXPECT_EQ((*leaves)[0].max_rep, 1);
  EXPECT_EQ((*leaves)[0].type, FieldType::kInt);
  EXPECT_EQ((*leaves)[1].path, (std::vector<std::string>{"b", "array", "s"}));
  EXPECT_EQ((*leaves)[1].max_def, 2);
  EXPECT_EQ((*leaves)[1].max_rep, 1);
  EXPECT_EQ((*leaves)[1].type, FieldType::kString);
}

TEST(Schema, TypeInferenceFromForeignFiles) {
  std::vector<SchemaElement> e;
  e.push_back(Group("root", 8, std::nullopt));
  SchemaElement ms = Leaf("ms", PhysicalType::kInt64, Repetition::kOptional);
  ms.converted_type = ConvertedType::kTimestampMillis;
  e.push_back(ms);
  SchemaElement ns = Leaf("ns", PhysicalType::kInt64, Repetition::kOptional);
  ns.logical_type = LogicalType::Timestamp(false, TimeUnit::kNanos);
  e.push_back(ns);
  e.push_back(Leaf("i96", PhysicalType::kInt96, Repetition::kOptional));
  SchemaElement tm = Leaf("tm", PhysicalType::kInt32, Repetition::kOptional);
  tm.converted_type = ConvertedType::kTimeMillis;
  e.push_back(tm);
  SchemaElement u32 = Leaf("u32", PhysicalType::kInt32, Repetition::kOptional);
  u32.logical_type = LogicalType::Integer(32, false);
  e.push_back(u32);
  SchemaElement dec = Leaf("dec", PhysicalType::kByteArray, Repetition::kOptional);
  dec.converted_type = ConvertedType::kDecimal;
  dec.precision = 40;
  dec.scale = 3;
  e.push_back(dec);
  SchemaElement bad = Leaf("bad", PhysicalType::kInt32, Repetition::kOptional);
  bad.logical_type = LogicalType::Of(LogicalType::Kind::kString);  // does not fit INT32
  e.push_back(bad);
  SchemaElement fl = Leaf("fl", PhysicalType::kFixedLenByteArray, Repetition::kRequired);
  fl.type_length = 5;
  e.push_back(fl);
  auto leaves = LeafColumnsFromElements(e);
  ASSERT_TRUE(leaves.ok()) << leaves.status().ToString();
  const auto& l = *leaves;
  EXPECT_EQ(l[0].type, FieldType::kTimestampTz);
  EXPECT_EQ(l[0].time_unit, TimeUnit::kMillis);
  EXPECT_EQ(l[1].type, FieldType::kTimestamp);
  EXPECT_EQ(l[1].time_unit, TimeUnit::kNanos);
  EXPECT_EQ(l[2].type, FieldType::kTimestampTz);
  EXPECT_EQ(l[2].type_length, 12);
  EXPECT_EQ(l[3].type, FieldType::kTime);
  EXPECT_EQ(l[3].time_unit, TimeUnit::kMillis);
  EXPECT_EQ(l[4].type, FieldType::kLong);
  EXPECT_EQ(l[5].type, FieldType::kDecimal);
  EXPECT_EQ(l[5].decimal_precision, 40);
  EXPECT_EQ(l[6].type, FieldType::kInt);
  EXPECT_EQ(l[7].type, FieldType::kFixed);
  EXPECT_EQ(l[7].type_length, 5);
}

TEST(Schema, CorruptSchemasAreRejected) {
  auto bad = [](std::vector<SchemaElement> e) {
    auto r = LeafColumnsFromElements(e);
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
      EXPECT_EQ(r.status().kind(), ErrorKind::kCorrupt);
    }
  };
  bad({});
  bad({Leaf("root", PhysicalType::kInt32, Repetition::kRequired)});
  bad({Group("root", 2, std::nullopt), Leaf("a", PhysicalType::kInt32, Repetition::kRequired)});
  bad({Group("root", 1, std::nullopt), Leaf("a", PhysicalType::kInt32, Repetition::kRequired),
       Leaf("b", PhysicalType::kInt32, Repetition::kRequired)});
  bad({Group("root", 1, std::nullopt), Leaf("", PhysicalType::kInt32, Repetition::kRequired)});
  bad({Group("root", 1, std::nullopt), Group("g", 0, Repetition::kOptional)});
  bad({Group("root", 1, std::nullopt),
       Leaf("f", PhysicalType::kFixedLenByteArray, Repetition::kRequired)});
  bad({Group("root", -1, std::nullopt)});
  bad({Group("root", 1, std::nullopt), Group("g", 1000000, Repetition::kOptional)});

  std::vector<SchemaElement> deep;
  deep.push_back(Group("root", 1, std::nullopt));
  for (int i = 0; i < 100; ++i) deep.push_back(Group("g", 1, Repetition::kOptional));
  deep.push_back(Leaf("x", PhysicalType::kInt32, Repetition::kOptional));
  auto r = LeafColumnsFromElements(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("deeper"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace floe::parquet
