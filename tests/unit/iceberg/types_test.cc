#include "floe/iceberg/types.h"

#include <gtest/gtest.h>

#include "floe/iceberg/json_serde.h"

namespace floe::iceberg {
namespace {

NestedField Field(int32_t id, std::string name, bool required, Type type) {
  return NestedField{id, std::move(name), required, std::move(type), {}, {}, {}};
}

// The example schema of FORMAT_NOTES §1.4, with every primitive type added.
Schema ExampleSchema() {
  std::vector<NestedField> fields = {
      Field(1, "id", true, Type::Primitive(TypeId::kLong)),
      Field(2, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
      Field(3, "uid", false, Type::Primitive(TypeId::kUuid)),
      Field(4, "amount", false, Type::Decimal(10, 2)),
      Field(5, "tags", false, Type::List(7, Type::Primitive(TypeId::kString), false)),
      Field(6, "attrs", false,
            Type::Map(8, Type::Primitive(TypeId::kString), 9,
                      Type::Struct({Field(10, "n", true, Type::Primitive(TypeId::kInt))}), false)),
  };
  return Schema(0, std::move(fields), {1});
}

TEST(TypesTest, ParsesEveryPrimitiveName) {
  for (std::string_view name :
       {"boolean", "int", "long", "float", "double", "date", "time", "timestamp", "timestamptz",
        "string", "uuid", "binary", "fixed[16]", "decimal(10,2)"}) {
    Result<Type> t = ParsePrimitiveType(name);
    ASSERT_TRUE(t.ok()) << name << ": " << t.status().ToString();
    EXPECT_EQ(t->ToString(), name);
  }
  // Java writes "decimal(15, 2)"; readers accept spaces.
  Result<Type> spaced = ParsePrimitiveType("decimal(15, 2)");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(*spaced, Type::Decimal(15, 2));
  EXPECT_EQ(ParsePrimitiveType("fixed[0]").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ParsePrimitiveType("decimal(39,2)").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ParsePrimitiveType("decimal(5,6)").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ParsePrimitiveType("varchar").status().kind(), ErrorKind::kNotSupported);
}

TEST(TypesTest, SchemaJsonMatchesTheSpecForm) {
  std::string json = SchemaToJsonString(ExampleSchema());
  EXPECT_EQ(json, R"({"type":"struct","schema-id":0,"identifier-field-ids":[1],"fields":[)"
                  R"({"id":1,"name":"id","required":true,"type":"long"},)"
                  R"({"id":2,"name":"ts","required":true,"type":"timestamptz"},)"
                  R"({"id":3,"name":"uid","required":false,"type":"uuid"},)"
                  R"j({"id":4,"name":"amount","required":false,"type":"decimal(10,2)"},)j"
                  R"({"id":5,"name":"tags","required":false,"type":{"type":"list","element-id":7,)"
                  R"("element":"string","element-required":false}},)"
                  R"({"id":6,"name":"attrs","required":false,"type":{"type":"map","key-id":8,)"
                  R"("key":"string","value-id":9,"value":{"type":"struct","fields":[{"id":10,)"
                  R"("name":"n","required":true,"type":"int"}]},"value-required":false}}]})");
}

TEST(TypesTest, SchemaJsonRoundTripsEveryType) {
  std::vector<NestedField> fields;
  int32_t id = 0;
  for (std::string_view name :
       {"boolean", "int", "long", "float", "double", "date", "time", "timestamp", "timestamptz",
        "string", "uuid", "binary", "fixed[16]", "decimal(38,10)"}) {
    ++id;
    fields.push_back(Field(id, "c" + std::to_string(id), id % 2 == 0, *ParsePrimitiveType(name)));
  }
  fields.push_back(
      Field(++id, "list_req", false, Type::List(100, Type::Primitive(TypeId::kInt), true)));
  fields.push_back(
      Field(++id, "nested", true,
            Type::Struct({Field(101, "inner", false,
                                Type::Map(102, Type::Primitive(TypeId::kString), 103,
                                          Type::List(104, Type::Decimal(9, 3), false), true))})));
  fields.back().doc = "a nested struct";
  fields[0].initial_default_json = "true";
  fields[0].write_default_json = "false";
  Schema schema(7, fields, {2});
  std::string json = SchemaToJsonString(schema);
  Result<Schema> back = SchemaFromJsonString(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, schema);
  EXPECT_EQ(SchemaToJsonString(*back), json);
  EXPECT_NE(json.find(R"("doc":"a nested struct")"), std::string::npos);
  EXPECT_NE(json.find(R"("initial-default":true,"write-default":false)"), std::string::npos);
}

TEST(TypesTest, SchemaJsonErrorsNameTheField) {
  Result<Schema> missing = SchemaFromJsonString(
      R"({"type":"struct","schema-id":0,"fields":[{"id":1,"name":"a","type":"int"}]})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("fields[0].required"), std::string::npos)
      << missing.status().message();
  Result<Schema> bad_type = SchemaFromJsonString(
      R"j({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":"decimal(x)"}]})j");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("fields[0].type"), std::string::npos);
  Result<Schema> dup = SchemaFromJsonString(
      R"({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":"int"},)"
      R"({"id":1,"name":"b","required":true,"type":"int"}]})");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("more than once"), std::string::npos);
  EXPECT_EQ(SchemaFromJsonString("{not json").status().kind(), ErrorKind::kCorrupt);
}

TEST(TypesTest, RefusesAbsurdNesting) {
  std::string type = R"("int")";
  for (int i = 0; i < 200; ++i) {
    type = R"({"type":"list","element-id":)" + std::to_string(i + 2) + R"(,"element":)" + type +
           R"(,"element-required":true})";
  }
  Result<Schema> deep = SchemaFromJsonString(
      R"({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":)" + type + "}]}");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().kind(), ErrorKind::kCorrupt);
  EXPECT_NE(deep.status().message().find("nested more than"), std::string::npos);
}

TEST(TypesTest, IdentifierFieldsMustBeRequiredPrimitives) {
  std::vector<NestedField> fields = ExampleSchema().fields();
  EXPECT_TRUE(Schema::Make(0, fields, {1, 2}).ok());
  EXPECT_FALSE(Schema::Make(0, fields, {3}).ok());   // optional
  EXPECT_FALSE(Schema::Make(0, fields, {10}).ok());  // inside a map
  EXPECT_FALSE(Schema::Make(0, fields, {42}).ok());  // absent
  fields.push_back(Field(11, "f", true, Type::Primitive(TypeId::kDouble)));
  EXPECT_FALSE(Schema::Make(0, fields, {11}).ok());  // double
}

TEST(TypesTest, LooksUpFieldsByIdAndDottedName) {
  Schema schema = ExampleSchema();
  ASSERT_NE(schema.FindFieldById(10), nullptr);
  EXPECT_EQ(schema.FindFieldById(10)->name, "n");
  EXPECT_EQ(schema.FindColumnName(10), "attrs.value.n");
  EXPECT_EQ(schema.FindColumnName(7), "tags.element");
  EXPECT_EQ(schema.FindFieldByName("attrs.key")->id, 8);
  EXPECT_EQ(schema.FindFieldByName("attrs.value.n")->id, 10);
  EXPECT_EQ(schema.FindFieldByName("ts")->id, 2);
  EXPECT_EQ(schema.FindFieldByName("TS"), nullptr);
  EXPECT_EQ(schema.FindFieldById(99), nullptr);
  EXPECT_EQ(schema.HighestFieldId(), 10);
  // Copies share the index and stay valid after the original is gone.
  Schema copy = schema;
  { Schema temp = std::move(schema); }
  EXPECT_EQ(copy.FindFieldByName("uid")->id, 3);
}

TEST(TypesTest, FreshIdsFollowJavaOrder) {
  // The same shape with arbitrary ids gets FORMAT_NOTES' ids back.
  std::vector<NestedField> fields = {
      Field(50, "id", true, Type::Primitive(TypeId::kLong)),
      Field(40, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
      Field(30, "uid", false, Type::Primitive(TypeId::kUuid)),
      Field(20, "amount", false, Type::Decimal(10, 2)),
      Field(10, "tags", false, Type::List(11, Type::Primitive(TypeId::kString), false)),
      Field(5, "attrs", false,
            Type::Map(6, Type::Primitive(TypeId::kString), 7,
                      Type::Struct({Field(8, "n", true, Type::Primitive(TypeId::kInt))}), false)),
  };
  int32_t last = 0;
  Schema fresh = AssignFreshIds(Schema(3, fields, {50}), 0, &last);
  EXPECT_EQ(fresh, ExampleSchema());
  EXPECT_EQ(last, 10);
}

TEST(TypesTest, PromotionRules) {
  EXPECT_TRUE(IsPromotionAllowed(Type::Primitive(TypeId::kInt), Type::Primitive(TypeId::kLong)));
  EXPECT_TRUE(
      IsPromotionAllowed(Type::Primitive(TypeId::kFloat), Type::Primitive(TypeId::kDouble)));
  EXPECT_TRUE(IsPromotionAllowed(Type::Decimal(9, 2), Type::Decimal(18, 2)));
  EXPECT_FALSE(IsPromotionAllowed(Type::Decimal(9, 2), Type::Decimal(18, 3)));
  EXPECT_FALSE(IsPromotionAllowed(Type::Primitive(TypeId::kLong), Type::Primitive(TypeId::kInt)));
  EXPECT_FALSE(IsPromotionAllowed(Type::Primitive(TypeId::kInt), Type::Primitive(TypeId::kString)));
}

TEST(TypesTest, ConvertsToParquetSchema) {
  Result<parquet::Schema> ps = ToParquetSchema(ExampleSchema());
  ASSERT_TRUE(ps.ok());
  ASSERT_EQ(ps->fields.size(), 6u);
  EXPECT_EQ(ps->fields[0].field_id, 1);
  EXPECT_EQ(ps->fields[0].type, parquet::FieldType::kLong);
  EXPECT_TRUE(ps->fields[0].required);
  EXPECT_EQ(ps->fields[3].type, parquet::FieldType::kDecimal);
  EXPECT_EQ(ps->fields[3].decimal_precision, 10);
  EXPECT_EQ(ps->fields[3].decimal_scale, 2);
  const parquet::Field& tags = ps->fields[4];
  EXPECT_EQ(tags.type, parquet::FieldType::kList);
  ASSERT_EQ(tags.children.size(), 1u);
  EXPECT_EQ(tags.children[0].field_id, 7);
  EXPECT_FALSE(tags.children[0].required);
  const parquet::Field& attrs = ps->fields[5];
  ASSERT_EQ(attrs.children.size(), 2u);
  EXPECT_EQ(attrs.children[0].field_id, 8);
  EXPECT_TRUE(attrs.children[0].required);
  EXPECT_EQ(attrs.children[1].type, parquet::FieldType::kStruct);
  EXPECT_EQ(attrs.children[1].children[0].field_id, 10);
}

}  // namespace
}  // namespace floe::iceberg
