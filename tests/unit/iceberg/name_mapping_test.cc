#include "floe/iceberg/name_mapping.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {
namespace {

namespace fs = std::filesystem;

NestedField Field(int32_t id, std::string name, bool required, Type type) {
  return NestedField{id, std::move(name), required, std::move(type), {}, {}, {}};
}

TEST(NameMappingTest, ParsesTheSpecFormAndFindsIds) {
  Result<NameMapping> m = ParseNameMapping(
      R"([{"field-id":1,"names":["id","record_id"]},{"names":["ignored"]},)"
      R"({"field-id":2,"names":["data"]},{"field-id":3,"names":["location"],"fields":[)"
      R"({"field-id":4,"names":["latitude","lat"]},{"field-id":5,"names":["longitude"]}]}])");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->FindId({"record_id"}), 1);
  EXPECT_EQ(m->FindId({"id"}), 1);
  EXPECT_EQ(m->FindId({"location", "lat"}), 4);
  EXPECT_EQ(m->FindId({"location", "longitude"}), 5);
  EXPECT_EQ(m->FindId({"ignored"}), std::nullopt);
  EXPECT_EQ(m->FindId({"nope"}), std::nullopt);
  EXPECT_EQ(m->FindId({"location", "nope"}), std::nullopt);
  Result<NameMapping> back = ParseNameMapping(NameMappingToJson(*m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *m);
  Result<NameMapping> bad = ParseNameMapping(R"([{"field-id":"x","names":["a"]}])");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("[0].field-id"), std::string::npos);
  EXPECT_FALSE(ParseNameMapping(R"([{"field-id":1,"names":[1]}])").ok());
  EXPECT_FALSE(ParseNameMapping("{").ok());
}

TEST(NameMappingTest, FromSchemaCoversNestedFields) {
  Schema schema(0,
                {Field(1, "id", true, Type::Primitive(TypeId::kLong)),
                 Field(2, "attrs", false,
                       Type::Map(3, Type::Primitive(TypeId::kString), 4,
                                 Type::Struct({Field(5, "n", true, Type::Primitive(TypeId::kInt))}),
                                 false))});
  NameMapping m = NameMappingFromSchema(schema);
  EXPECT_EQ(m.FindId({"id"}), 1);
  EXPECT_EQ(m.FindId({"attrs", "key"}), 3);
  EXPECT_EQ(m.FindId({"attrs", "value", "n"}), 5);
}

TEST(NameMappingTest, FixtureMappings) {
  fs::path dir = fs::path(FLOE_FIXTURES_DIR) /
                 "name_mapping_v1_no_field_ids/warehouse_1/mydb/t1/metadata";
  if (!fs::exists(dir)) GTEST_SKIP();
  auto mapping_of = [&](std::string_view file) {
    std::ifstream in(dir / file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    Result<TableMetadata> m = ReadTableMetadataFile(ss.str(), file);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    Result<NameMapping> nm =
        ParseNameMapping(m->properties.at(std::string(kDefaultNameMappingProperty)));
    EXPECT_TRUE(nm.ok()) << file << ": " << nm.status().ToString();
    return nm.ok() ? *nm : NameMapping{};
  };
  NameMapping v1 = mapping_of("v1.metadata.json");  // object form with aliases
  EXPECT_EQ(v1.FindId({"col_b"}), 2);
  EXPECT_EQ(v1.FindId({"A"}), 1);
  NameMapping v3 = mapping_of("v3.metadata.json");
  EXPECT_EQ(v3.FindId({"a"}), 1);
  EXPECT_EQ(v3.FindId({"b"}), 2);
  EXPECT_EQ(mapping_of("v3.1.metadata.json").FindId({"b"}), std::nullopt);
  EXPECT_TRUE(mapping_of("v3.2.metadata.json").fields.empty());
  EXPECT_EQ(mapping_of("v5.metadata.json").FindId({"b"}), 3);
  EXPECT_EQ(mapping_of("v7.metadata.json").FindId({"b"}), 3);
}

}  // namespace
}  // namespace floe::iceberg
