// Reads manifests written by Spark (Java Iceberg) from the shared fixtures, as the Iceberg layer
// will: through a reader schema matched by field id.

#include <gtest/gtest.h>

#include "floe/avro/container.h"
#include "unit/avro/manifest_schemas.h"

namespace floe::avro {
namespace {

const std::string kDir =
    std::string(FLOE_FIXTURES_DIR) + "/lineitem_v2_cow/lineitem_iceberg/metadata/";

TEST(AvroFixtureTest, SparkManifestByFieldId) {
  auto file = OpenLocalFile(kDir + "179b4fb1-0366-4f7d-ad35-99ee8da0abf5-m0.avro");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  // The reader wants fields in another order, under other names, and one the writer lacks.
  ReaderOptions options;
  options.reader_schema = *Schema::Parse(R"({"type":"record","name":"entry","fields":[
      {"name":"df","type":{"type":"record","name":"df","fields":[
        {"name":"rows","type":"long","field-id":103},
        {"name":"path","type":"string","field-id":100},
        {"name":"referenced_data_file","type":["null","string"],"field-id":143}]},"field-id":2},
      {"name":"status","type":"int","field-id":0},
      {"name":"data_sequence_number","type":["null","long"],"field-id":3}]})");
  auto reader = ContainerReader::Open(file->get(), options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->codec(), ContainerCodec::kDeflate);
  EXPECT_EQ((*reader)->Metadata("format-version"), "2");
  EXPECT_EQ((*reader)->Metadata("content"), "data");
  EXPECT_EQ((*reader)->writer_schema().root().name, "manifest_entry");
  Value entry;
  auto more = (*reader)->Next(&entry);
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  ASSERT_TRUE(*more);
  EXPECT_EQ(entry.FieldById(0)->int_value(), 2);  // DELETED by the overwrite
  EXPECT_EQ(entry.FieldById(3)->long_value(), 1);
  const Value* df = entry.FieldById(2);
  EXPECT_EQ(df->Field("rows")->long_value(), 60175);
  EXPECT_EQ(df->FieldById(100)->string_value(),
            "lineitem_iceberg/data/00000-1-66fee7c2-c97c-4af9-963d-930afd99ace4-00001.parquet");
  EXPECT_TRUE(df->FieldById(143)->is_null());
  more = (*reader)->Next(&entry);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

TEST(AvroFixtureTest, SparkManifestAsWritten) {
  auto file = OpenLocalFile(kDir + "179b4fb1-0366-4f7d-ad35-99ee8da0abf5-m0.avro");
  ASSERT_TRUE(file.ok());
  auto reader = ContainerReader::Open(file->get());
  ASSERT_TRUE(reader.ok());
  Value entry;
  ASSERT_TRUE(*(*reader)->Next(&entry));
  const Value* df = entry.FieldById(2);
  EXPECT_EQ(df->FieldById(104)->long_value(), 1406875);
  // Metrics maps are arrays of {key, value} records; every column has a size.
  const Value* sizes = df->FieldById(108);
  ASSERT_EQ(sizes->type(), Type::kArray);
  EXPECT_EQ(sizes->size(), 16u);
  EXPECT_EQ(sizes->item(0).FieldById(117)->int_value(), 1);
  // The embedded schema keeps its ids when written back.
  std::string text = (*reader)->writer_schema().ToString();
  EXPECT_NE(text.find(R"("field-id":117)"), std::string::npos);
}

}  // namespace
}  // namespace floe::avro
