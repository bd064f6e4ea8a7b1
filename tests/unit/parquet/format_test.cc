#include "floe/parquet/format.h"

#include <gtest/gtest.h>

#include <string>

namespace floe::parquet::format {
namespace {

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

template <typename T>
T RoundTrip(const T& v) {
  std::string bytes = Serialize(v);
  size_t n = 0;
  auto parsed = T::Parse(AsBytes(bytes), &n);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return T{};
  EXPECT_EQ(n, bytes.size());
  return *parsed;
}

TEST(Format, SchemaElementMatchesTheVerifiedBytes) {
  SchemaElement e;
  e.type = PhysicalType::kInt64;
  e.repetition_type = Repetition::kOptional;
  e.name = "ts";
  e.converted_type = ConvertedType::kTimestampMicros;
  e.field_id = 3;
  e.logical_type = LogicalType::Timestamp(true, TimeUnit::kMicros);
  EXPECT_EQ(Hex(Serialize(e)), "15 04 25 02 18 02 74 73 25 14 35 06 1C 8C 11 1C 2C 00 00 00 00 00");
  EXPECT_EQ(RoundTrip(e), e);
}

TEST(Format, LogicalTypesRoundTrip) {
  using K = LogicalType::Kind;
  for (const LogicalType& t :
       {LogicalType::Of(K::kString), LogicalType::Of(K::kMap), LogicalType::Of(K::kList),
        LogicalType::Of(K::kEnum), LogicalType::Decimal(2, 20), LogicalType::Of(K::kDate),
        LogicalType::Time(false, TimeUnit::kMillis), LogicalType::Time(true, TimeUnit::kNanos),
        LogicalType::Timestamp(false, TimeUnit::kMicros), LogicalType::Integer(16, false),
        LogicalType::Of(K::kUnknown), LogicalType::Of(K::kJson), LogicalType::Of(K::kBson),
        LogicalType::Of(K::kUuid), LogicalType::Of(K::kFloat16)}) {
    SchemaElement e;
    e.name = "c";
    e.logical_type = t;
    EXPECT_EQ(RoundTrip(e), e) << static_cast<int>(t.kind);
  }
}

FileMetaData SampleFooter() {
  FileMetaData f;
  f.version = 1;
  SchemaElement root;
  root.name = "table";
  root.num_children = 1;
  SchemaElement leaf;
  leaf.name = "a";
  leaf.type = PhysicalType::kFixedLenByteArray;
  leaf.type_length = 16;
  leaf.repetition_type = Repetition::kRequired;
  leaf.field_id = 1;
  leaf.converted_type = ConvertedType::kDecimal;
  leaf.scale = 2;
  leaf.precision = 38;
  leaf.logical_type = LogicalType::Decimal(2, 38);
  f.schema = {root, leaf};
  f.num_rows = 1234567890123;
  RowGroup rg;
  ColumnChunk cc;
  cc.file_offset = 4;
  ColumnMetaData md;
  md.type = PhysicalType::kFixedLenByteArray;
  md.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  md.path_in_schema = {"a"};
  md.codec = CompressionCodec::kZstd;
  md.num_values = 10;
  md.total_uncompressed_size = 100;
  md.total_compressed_size = 50;
  md.data_page_offset = 40;
  md.dictionary_page_offset = 4;
  Statistics st;
  st.null_count = 0;
  st.min_value = std::string("\x00\x01", 2);
  st.max_value = std::string("\xFF\xFE", 2);
  st.is_max_value_exact = true;
  st.nan_count = 3;
  md.statistics = st;
  md.encoding_stats =
      std::vector<PageEncodingStats>{{PageType::kDictionaryPage, Encoding::kPlain, 1},
                                     {PageType::kDataPage, Encoding::kRleDictionary, 20}};
  md.key_value_metadata = std::vector<KeyValue>{{"k", "v"}, {"only-key", std::nullopt}};
  md.bloom_filter_offset = 999;
  md.bloom_filter_length = 12;
  cc.meta_data = md;
  cc.offset_index_offset = 1;
  cc.offset_index_length = 2;
  cc.column_index_offset = 3;
  cc.column_index_length = 4;
  rg.columns = {cc};
  rg.total_byte_size = 100;
  rg.num_rows = 10;
  rg.sorting_columns = std::vector<SortingColumn>{{0, true, false}};
  rg.file_offset = 4;
  rg.total_compressed_size = 50;
  rg.ordinal = 0;
  f.row_groups = {rg, rg};
  f.key_value_metadata = std::vector<KeyValue>{{"iceberg.schema", "{}"}};
  f.created_by = "floe version 0.1.0";
  f.column_orders = std::vector<ColumnOrder>{{ColumnOrder::kTypeOrder}};
  return f;
}

TEST(Format, FileMetaDataRoundTrips) {
  FileMetaData f = SampleFooter();
  EXPECT_EQ(RoundTrip(f), f);
}

TEST(Format, PageHeadersRoundTrip) {
  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.uncompressed_page_size = 100;
  dict.compressed_page_size = 80;
  dict.crc = -5;
  dict.dictionary_page_header = DictionaryPageHeader{3, Encoding::kPlain, false};
  EXPECT_EQ(RoundTrip(dict), dict);

  PageHeader v1;
  v1.uncompressed_page_size = 1 << 20;
  v1.compressed_page_size = 1000;
  DataPageHeader d;
  d.num_values = 5;
  d.encoding = Encoding::kRleDictionary;
  Statistics s;
  s.null_count = 1;
  d.statistics = s;
  v1.data_page_header = d;
  EXPECT_EQ(RoundTrip(v1), v1);

  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  DataPageHeaderV2 d2;
  d2.num_values = 5;
  d2.num_nulls = 1;
  d2.num_rows = 4;
  d2.encoding = Encoding::kDeltaBinaryPacked;
  d2.definition_levels_byte_length = 3;
  d2.repetition_levels_byte_length = 2;
  d2.is_compressed = false;
  v2.data_page_header_v2 = d2;
  EXPECT_EQ(RoundTrip(v2), v2);
}

TEST(Format, PageHeaderParseReportsTheHeaderLength) {
  PageHeader h;
  h.uncompressed_page_size = 7;
  h.compressed_page_size = 7;
  h.data_page_header = DataPageHeader{};
  std::string bytes = Serialize(h);
  size_t header_len = bytes.size();
  bytes += "payload";
  size_t n = 0;
  auto parsed = PageHeader::Parse(AsBytes(bytes), &n, 4);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(n, header_len);
}

TEST(Format, UnknownFieldsAreSkipped) {
  // A KeyValue with extra fields 3 (i32), 4 (struct with a list) and 20 (binary) from a newer
  // writer, in between the known ones.
  std::string bytes;
  ThriftWriter w(&bytes);
  w.StructBegin();
  w.WriteBinaryField(1, "k");
  w.WriteI32Field(3, 42);
  w.WriteStructFieldHeader(4);
  w.StructBegin();
  w.WriteListField(1, ThriftType::kI64, 2);
  w.WriteI64(1);
  w.WriteI64(2);
  w.StructEnd();
  w.WriteBinaryField(20, "zzz");
  w.StructEnd();
  auto kv = KeyValue::Parse(AsBytes(bytes));
  ASSERT_TRUE(kv.ok()) << kv.status().ToString();
  EXPECT_EQ(kv->key, "k");
  EXPECT_FALSE(kv->value.has_value());

  // Also in the middle of the footer: a future FileMetaData field 99.
  FileMetaData f = SampleFooter();
  std::string footer = Serialize(f);
  footer.pop_back();                             // the stop byte; the last field written was 7
  footer += std::string("\x0C\xC6\x01", 3);      // long-form header: struct, id zigzag(99) = 198
  footer += std::string("\x15\x02\x00\x00", 4);  // { 1: i32 1 } then FileMetaData's stop
  auto parsed = FileMetaData::Parse(AsBytes(footer));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, f);
}

TEST(Format, MissingRequiredFieldsAreNamed) {
  std::string bytes("\x15\x04\x00", 3);  // a SchemaElement with a type and no name
  auto parsed = SchemaElement::Parse(AsBytes(bytes));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().kind(), ErrorKind::kCorrupt);
  EXPECT_NE(parsed.status().message().find("name (4)"), std::string::npos)
      << parsed.status().message();

  auto ph = PageHeader::Parse(AsBytes(std::string("\x25\x02\x00", 3)), nullptr, 100);
  ASSERT_FALSE(ph.ok());
  EXPECT_NE(ph.status().message().find("type (1)"), std::string::npos) << ph.status().message();
}

TEST(Format, WrongWireTypeIsAnError) {
  std::string bytes("\x18\x01x\x00", 4);  // field 1 (type) as binary
  auto parsed = SchemaElement::Parse(AsBytes(bytes));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("SchemaElement.type"), std::string::npos)
      << parsed.status().message();
}

TEST(Format, UnknownPhysicalTypeIsAnError) {
  std::string bytes("\x15\x10\x00", 3);  // type 8
  EXPECT_FALSE(SchemaElement::Parse(AsBytes(bytes)).ok());
}

TEST(Format, UnionsNeedExactlyOneField) {
  std::string empty("\x00", 1);
  EXPECT_FALSE(ColumnOrder::Parse(AsBytes(empty)).ok());
  std::string two("\x1C\x00\x1C\x00\x00", 5);
  EXPECT_FALSE(ColumnOrder::Parse(AsBytes(two)).ok());
  std::string future("\x0C\x28\x00\x00", 4);  // field 20 (long form), a future order
  auto order = ColumnOrder::Parse(AsBytes(future));
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  EXPECT_EQ(order->kind, 20);
}

TEST(Format, EveryTruncationFailsCleanly) {
  std::string bytes = Serialize(SampleFooter());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto parsed = FileMetaData::Parse(AsBytes(std::string_view(bytes).substr(0, n)));
    EXPECT_FALSE(parsed.ok()) << n;
  }
}

}  // namespace
}  // namespace floe::parquet::format
