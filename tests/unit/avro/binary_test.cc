#include "floe/avro/binary.h"

#include <gtest/gtest.h>

#include <cmath>

#include "floe/avro/datum_reader.h"

namespace floe::avro {
namespace {

Schema Parse(const char* text) {
  auto s = Schema::Parse(text);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Schema();
}

std::string Encode(const Schema& s, const Value& v) {
  Buffer out;
  Status st = EncodeValue(s.root(), v, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return std::string(out.string_view());
}

Value Decode(const Schema& s, const std::string& bytes) {
  auto v = DecodeValue(s, AsBytes(bytes));
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value();
}

// Encodes, checks the bytes, decodes and checks the value comes back.
void RoundTrip(const Schema& s, const Value& v, const std::string& bytes) {
  EXPECT_EQ(Encode(s, v), bytes);
  Value back = Decode(s, bytes);
  EXPECT_EQ(back, v) << back.ToJson().dump() << " vs " << v.ToJson().dump();
}

// The examples of the Avro specification ("Binary Encoding") and FORMAT_NOTES §8.
TEST(AvroBinaryTest, SpecExamples) {
  Schema l = Parse(R"("long")");
  RoundTrip(l, Value::Long(0), std::string("\x00", 1));
  RoundTrip(l, Value::Long(-1), "\x01");
  RoundTrip(l, Value::Long(1), "\x02");
  RoundTrip(l, Value::Long(-2), "\x03");
  RoundTrip(l, Value::Long(2), "\x04");
  RoundTrip(l, Value::Long(-64), "\x7f");
  RoundTrip(l, Value::Long(64), "\x80\x01");
  RoundTrip(l, Value::Long(INT64_MIN), "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
  Schema i = Parse(R"("int")");
  RoundTrip(i, Value::Int(-64), "\x7f");
  RoundTrip(i, Value::Int(INT32_MAX), "\xfe\xff\xff\xff\x0f");
  RoundTrip(Parse(R"("string")"), Value::String("foo"),
            "\x06"
            "foo");
  RoundTrip(Parse(R"("bytes")"), Value::Bytes(std::string("\x00\xff", 2)),
            std::string("\x04\x00\xff", 3));
  RoundTrip(Parse(R"("null")"), Value::Null(), "");
  RoundTrip(Parse(R"("boolean")"), Value::Boolean(true), "\x01");
  RoundTrip(Parse(R"("boolean")"), Value::Boolean(false), std::string("\x00", 1));
  RoundTrip(Parse(R"("float")"), Value::Float(1.0f), std::string("\x00\x00\x80\x3f", 4));
  RoundTrip(Parse(R"("double")"), Value::Double(1.0),
            std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8));
  // {"type":"array","items":"long"} with [3, 27] → 04 06 36 00.
  RoundTrip(Parse(R"({"type":"array","items":"long"})"),
            Value::Array({Value::Long(3), Value::Long(27)}), std::string("\x04\x06\x36\x00", 4));
  RoundTrip(Parse(R"({"type":"array","items":"long"})"), Value::Array({}), std::string("\x00", 1));
  // ["null","string"]: null → 00; "a" → 02 02 61.
  Schema u = Parse(R"(["null","string"])");
  EXPECT_EQ(Encode(u, Value::Null()), std::string("\x00", 1));
  EXPECT_EQ(Encode(u, Value::String("a")),
            "\x02\x02"
            "a");
  Value a = Decode(u,
                   "\x02\x02"
                   "a");
  EXPECT_EQ(a.string_value(), "a");
  EXPECT_EQ(a.union_branch(), 1);
  // ["null","long"]: 5 → 02 0A.
  EXPECT_EQ(Encode(Parse(R"(["null","long"])"), Value::Long(5)), "\x02\x0a");
  // The spec's record example: {"a": 27, "b": "foo"} → 36 06 66 6f 6f.
  Schema rec = Parse(
      R"({"type":"record","name":"test","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]})");
  RoundTrip(rec, Value::Record(rec.root_ref(), {Value::Long(27), Value::String("foo")}),
            "\x36\x06"
            "foo");
  // fixed: the bytes, no length; enum: the index.
  RoundTrip(Parse(R"({"type":"fixed","name":"f","size":3})"), Value::Fixed("abc"), "abc");
  RoundTrip(Parse(R"({"type":"enum","name":"e","symbols":["A","B","C"]})"), Value::Enum(2, "C"),
            "\x04");
  // map {"a": 1}: 02 02 61 02 00.
  RoundTrip(Parse(R"({"type":"map","values":"long"})"), Value::Map({{"a", Value::Long(1)}}),
            std::string("\x02\x02"
                        "a"
                        "\x02\x00",
                        5));
}

TEST(AvroBinaryTest, NegativeBlockCountsWithByteSizes) {
  Schema s = Parse(R"({"type":"array","items":"long"})");
  // count -2, byte size 2, items 3 and 27, end.
  Value v = Decode(s, std::string("\x03\x04\x06\x36\x00", 5));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v.item(1).long_value(), 27);
  // Two blocks.
  v = Decode(s, std::string("\x02\x06\x02\x36\x00", 5));
  EXPECT_EQ(v.size(), 2u);
}

TEST(AvroBinaryTest, EncoderPicksUnionBranchAndPromotes) {
  Schema s = Parse(R"(["null","int","string",{"type":"record","name":"r","fields":[]}])");
  EXPECT_EQ(Encode(s, Value::Int(1)), "\x02\x02");
  EXPECT_EQ(Encode(s, Value::String("")), std::string("\x04\x00", 2));
  EXPECT_EQ(Encode(s, Value::Record(s.Share(s.FindNamed("r")), {})), "\x06");
  // An explicit branch wins; an out-of-range branch is an error.
  Value v = Value::Null();
  v.set_union_branch(0);
  EXPECT_EQ(Encode(s, v), std::string("\x00", 1));
  Buffer out;
  Value bad = Value::Int(1);
  bad.set_union_branch(9);
  EXPECT_FALSE(EncodeValue(s.root(), bad, &out).ok());
  EXPECT_FALSE(EncodeValue(s.root(), Value::Double(1.5), &out).ok());
  // int → long, long → int when it fits.
  EXPECT_EQ(Encode(Parse(R"("long")"), Value::Int(64)), "\x80\x01");
  EXPECT_EQ(Encode(Parse(R"("int")"), Value::Long(2)), "\x04");
  EXPECT_FALSE(EncodeValue(Parse(R"("int")").root(), Value::Long(int64_t{1} << 40), &out).ok());
  EXPECT_FALSE(EncodeValue(Parse(R"("string")").root(), Value::Long(1), &out).ok());
  EXPECT_FALSE(EncodeValue(Parse(R"({"type":"fixed","name":"f","size":2})").root(),
                           Value::Fixed("abc"), &out)
                   .ok());
}

TEST(AvroBinaryTest, CorruptInputs) {
  struct Case {
    const char* schema;
    std::string bytes;
  } cases[] = {
      {R"("long")", ""},                                          // truncated
      {R"("long")", "\x80\x80"},                                  // unterminated varint
      {R"("long")", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"},  // overflows 64 bits
      {R"("int")", "\x80\x80\x80\x80\x20"},                       // outside int32
      {R"("string")",
       "\x0a"
       "ab"},                                                          // length past the end
      {R"("string")", "\x01"},                                         // negative length
      {R"("boolean")", "\x02"},                                        // not 0/1
      {R"("double")", "\x00\x00"},                                     // short
      {R"(["null","long"])", "\x04"},                                  // union index 2 of 2
      {R"(["null","long"])", "\x01"},                                  // union index -1
      {R"({"type":"enum","name":"e","symbols":["A"]})", "\x02"},       // enum index 1 of 1
      {R"({"type":"array","items":"long"})", "\xfe\xff\xff\xff\x0f"},  // huge count, no items
      {R"({"type":"array","items":"null"})", "\xfe\xff\xff\xff\xff\xff\xff\xff\x7f"},
      {R"({"type":"map","values":"null"})", "\x7e"},  // count 63, 0 bytes left
      {R"({"type":"fixed","name":"f","size":4})", "abc"},
  };
  for (const Case& c : cases) {
    auto s = Schema::Parse(c.schema);
    ASSERT_TRUE(s.ok());
    auto v = DecodeValue(*s, AsBytes(c.bytes));
    EXPECT_FALSE(v.ok()) << c.schema << " decoded " << v->ToJson().dump();
    if (!v.ok()) {
      EXPECT_EQ(v.status().kind(), ErrorKind::kCorrupt) << v.status().ToString();
    }
  }
}

TEST(AvroBinaryTest, DepthLimit) {
  // A recursive list 100 deep: within a schema of depth 2, a value deeper than the limit.
  Schema s =
      Parse(R"({"type":"record","name":"node","fields":[{"name":"next","type":["null","node"]}]})");
  std::string bytes;
  for (int i = 0; i < 100; ++i) bytes += "\x02";
  bytes += std::string("\x00", 1);
  auto v = DecodeValue(s, AsBytes(bytes));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("deeper"), std::string::npos);
  auto reader = DatumReader::Make(s, 400);
  ASSERT_TRUE(reader.ok());
  BinaryReader in(AsBytes(bytes));
  EXPECT_TRUE(reader->Read(&in).ok());
}

TEST(AvroBinaryTest, SkipValue) {
  Schema s = Parse(R"({"type":"record","name":"r","fields":[
      {"name":"a","type":{"type":"map","values":{"type":"array","items":"string"}}},
      {"name":"b","type":["null","double"]},
      {"name":"c","type":{"type":"fixed","name":"f","size":2}}]})");
  Value v = Value::Record(s.root_ref(), {Value::Map({{"k", Value::Array({Value::String("x")})}}),
                                         Value::Double(2.5), Value::Fixed("zz")});
  std::string bytes = Encode(s, v) + "tail";
  BinaryReader in(AsBytes(bytes));
  ASSERT_TRUE(SkipValue(s.root(), &in).ok());
  EXPECT_EQ(in.remaining(), 4u);
}

TEST(AvroBinaryTest, WideUnionReadsAsWritten) {
  // 20000 named branches: resolving a union against itself must not compare every pair.
  std::string text = "[";
  for (int i = 0; i < 20000; ++i) {
    text += (i ? "," : "") + std::string(R"({"type":"fixed","size":1,"name":"f)") +
            std::to_string(i) + "\"}";
  }
  text += "]";
  Schema s = Parse(text.c_str());
  ASSERT_EQ(s.root().branches.size(), 20000u);
  Value v = Value::Fixed("z");
  v.set_union_branch(19999);
  std::string bytes = Encode(s, v);
  EXPECT_EQ(bytes, "\xbe\xb8\x02z");
  Value back = Decode(s, bytes);
  EXPECT_EQ(back.union_branch(), 19999);
  EXPECT_EQ(back.bytes(), "z");
}

TEST(AvroBinaryTest, WideEnumAndLongReferenceChains) {
  std::string text =
      R"({"type":"record","name":"top","fields":[{"name":"e","type":{"type":"enum","name":"e","symbols":[)";
  for (int i = 0; i < 30000; ++i) text += (i ? ",\"s" : "\"s") + std::to_string(i) + "\"";
  text += "]}}";
  // 300 records, each holding the one before: deep by reference, shallow as written.
  for (int i = 0; i < 300; ++i) {
    text += R"(,{"name":"f)" + std::to_string(i) + R"(","type":{"type":"record","name":"T)" +
            std::to_string(i) + R"(","fields":[)" +
            (i ? R"({"name":"x","type":"T)" + std::to_string(i - 1) + "\"}" : std::string()) +
            "]}}";
  }
  text += "]}";
  Schema s = Parse(text.c_str());
  ASSERT_EQ(s.root().fields.size(), 301u);
  EXPECT_EQ(s.FindNamed("T299")->min_encoded_size, 0u);
  std::vector<Value> fields = {Value::Enum(29999, "s29999")};
  Value t = Value::Record(s.Share(s.FindNamed("T0")), {});
  for (int i = 0; i < 300; ++i) {
    fields.push_back(t);
    if (i + 1 < 300) t = Value::Record(s.Share(s.FindNamed("T" + std::to_string(i + 1))), {t});
  }
  Buffer out;
  // The value of f299 nests 300 records: beyond the default depth, fine with a larger one.
  EXPECT_FALSE(EncodeValue(s.root(), Value::Record(s.root_ref(), fields), &out).ok());
  out.Clear();
  ASSERT_TRUE(EncodeValue(s.root(), Value::Record(s.root_ref(), fields), &out, 400).ok());
  auto reader = DatumReader::Make(s, 400);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  BinaryReader in(out.view());
  auto back = reader->Read(&in);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Field("e")->bytes(), "s29999");
}

TEST(AvroBinaryTest, NanRoundTrips) {
  Schema s = Parse(R"("double")");
  Value back = Decode(s, Encode(s, Value::Double(std::nan(""))));
  EXPECT_TRUE(std::isnan(back.double_value()));
}

}  // namespace
}  // namespace floe::avro
