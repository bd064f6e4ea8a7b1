#include "floe/avro/schema.h"

#include <gtest/gtest.h>

#include "unit/avro/manifest_schemas.h"

namespace floe::avro {
namespace {

TEST(AvroSchemaTest, PrimitivesByNameAndObject) {
  for (const char* name :
       {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}) {
    auto s = Schema::Parse(std::string("\"") + name + "\"");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(TypeName(s->root().type), name);
    EXPECT_EQ(s->ToString(), std::string("\"") + name + "\"");
  }
  auto s =
      Schema::Parse(R"({"type":"long","logicalType":"timestamp-micros","adjust-to-utc":true})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->root().type, Type::kLong);
  EXPECT_EQ(s->root().logical_type, "timestamp-micros");
  EXPECT_EQ(s->ToString(),
            R"({"type":"long","logicalType":"timestamp-micros","adjust-to-utc":true})");
}

TEST(AvroSchemaTest, ManifestEntryKeepsIcebergAttributes) {
  auto s = Schema::Parse(testing::kManifestEntrySchema);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Node& root = s->root();
  EXPECT_EQ(root.name, "manifest_entry");
  ASSERT_EQ(root.fields.size(), 5u);
  EXPECT_EQ(root.fields[0].field_id, 0);
  int df = root.FieldIndexById(2);
  ASSERT_EQ(df, 4);
  const Node* data_file = root.fields[df].type;
  EXPECT_EQ(data_file->name, "r2");
  const Node* column_sizes = data_file->fields[data_file->FieldIndexById(108)].type->OptionalType();
  ASSERT_NE(column_sizes, nullptr);
  EXPECT_EQ(column_sizes->type, Type::kArray);
  EXPECT_EQ(column_sizes->logical_type, "map");
  EXPECT_EQ(column_sizes->items->name, "k117_v118");
  EXPECT_EQ(column_sizes->items->fields[0].field_id, 117);
  const Node* split = data_file->fields[data_file->FieldIndexById(132)].type->OptionalType();
  EXPECT_EQ(split->element_id, 133);

  // Written back and parsed again: the same ids, the same text.
  std::string text = s->ToString();
  auto again = Schema::Parse(text);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->ToString(), text);
  EXPECT_NE(text.find(R"("field-id":143)"), std::string::npos);
  EXPECT_NE(text.find(R"("element-id":133)"), std::string::npos);
  EXPECT_NE(text.find(R"("logicalType":"map")"), std::string::npos);
}

TEST(AvroSchemaTest, StringKeyedMapIdsAndDefaults) {
  auto s = Schema::Parse(R"({"type":"record","name":"r","fields":[
      {"name":"m","type":{"type":"map","values":"long","key-id":7,"value-id":8},"field-id":6},
      {"name":"o","type":["null","int"],"default":null,"field-id":9,"doc":"why"}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Node* m = s->root().fields[0].type;
  EXPECT_EQ(m->key_id, 7);
  EXPECT_EQ(m->value_id, 8);
  const Field& o = s->root().fields[1];
  ASSERT_TRUE(o.default_value.has_value());
  EXPECT_TRUE(o.default_value->is_null());
  EXPECT_EQ(o.attributes["doc"], "why");
  EXPECT_EQ(
      s->ToString(),
      R"({"type":"record","name":"r","fields":[{"name":"m","type":{"type":"map","values":"long","key-id":7,"value-id":8},"field-id":6},{"name":"o","type":["null","int"],"default":null,"field-id":9,"doc":"why"}]})");
}

TEST(AvroSchemaTest, NamedTypeReferencesAndNamespaces) {
  auto s = Schema::Parse(R"({"type":"record","name":"outer","namespace":"a.b","fields":[
      {"name":"u1","type":{"type":"fixed","name":"uuid_fixed","size":16,"logicalType":"uuid"}},
      {"name":"u2","type":"uuid_fixed"},
      {"name":"u3","type":"a.b.uuid_fixed"},
      {"name":"e","type":{"type":"enum","name":"color","symbols":["RED","GREEN"],"default":"RED"}},
      {"name":"next","type":["null","outer"],"default":null}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Node& root = s->root();
  EXPECT_EQ(root.name, "a.b.outer");
  EXPECT_EQ(root.fields[0].type, root.fields[1].type);
  EXPECT_EQ(root.fields[0].type, root.fields[2].type);
  EXPECT_EQ(root.fields[0].type->fixed_size, 16);
  EXPECT_EQ(root.fields[3].type->symbols.size(), 2u);
  EXPECT_EQ(root.fields[3].type->enum_default, "RED");
  EXPECT_EQ(root.fields[4].type->branches[1], &root);  // recursive
  EXPECT_EQ(s->FindNamed("a.b.color"), root.fields[3].type);
  // The second use is written as a reference, so the output parses.
  std::string text = s->ToString();
  auto again = Schema::Parse(text);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << " in " << text;
  EXPECT_EQ(again->ToString(), text);
}

TEST(AvroSchemaTest, NullNamespaceInsideANamespaceSurvivesWriteBack) {
  auto s = Schema::Parse(R"({"type":"record","name":"a.outer","fields":[
      {"name":"x","type":{"type":"record","name":"inner","namespace":"","fields":[]}},
      {"name":"y","type":{"type":"record","name":"inner","fields":[]}}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root().fields[0].type->name, "inner");
  EXPECT_EQ(s->root().fields[1].type->name, "a.inner");
  auto again = Schema::Parse(s->ToString());
  ASSERT_TRUE(again.ok()) << again.status().ToString() << " in " << s->ToString();
  EXPECT_EQ(again->root().fields[0].type->name, "inner");
  EXPECT_EQ(again->ToString(), s->ToString());
}

TEST(AvroSchemaTest, RejectsInvalidSchemas) {
  const char* bad[] = {
      "",
      "{",
      R"("nosuchtype")",
      R"({"type":"record","name":"1bad","fields":[]})",
      R"({"type":"record","name":"r","fields":[{"name":"a-b","type":"int"}]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"fixed","name":"f","size":2}},{"name":"b","type":{"type":"fixed","name":"f","size":2}}]})",
      R"(["int","int"])",
      R"(["null",["int"]])",
      R"({"type":"enum","name":"e","symbols":["A","A"]})",
      R"({"type":"fixed","name":"f","size":-1})",
      R"({"type":"array"})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":"int","field-id":"x"}]})",
      R"({"type":"record","name":"int","fields":[]})",
  };
  for (const char* text : bad) {
    auto s = Schema::Parse(text);
    EXPECT_FALSE(s.ok()) << text;
  }
}

TEST(AvroSchemaTest, NestingDepthIsLimited) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += R"({"type":"array","items":)";
  deep += "\"int\"";
  for (int i = 0; i < 100; ++i) deep += "}";
  auto s = Schema::Parse(deep);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("deeper"), std::string::npos) << s.status().ToString();
  // A JSON bomb of brackets fails before it reaches the JSON parser.
  auto bomb = Schema::Parse(std::string(100000, '['));
  EXPECT_FALSE(bomb.ok());
  SchemaLimits limits;
  limits.max_depth = 200;
  EXPECT_TRUE(Schema::Parse(deep, limits).ok());
}

}  // namespace
}  // namespace floe::avro
