#include <gtest/gtest.h>

#include <string>

#include "floe/parquet/thrift_compact.h"

namespace floe::parquet {
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

ByteView View(const std::string& s) { return AsBytes(s); }

TEST(ThriftWriter, ShortAndLongFieldHeaders) {
  std::string out;
  ThriftWriter w(&out);
  w.StructBegin();
  w.WriteI32Field(1, 2);    // delta 1: short form
  w.WriteI32Field(17, -1);  // delta 16: long form, id zigzag 34
  w.WriteI32Field(16, 1);   // delta negative: long form
  w.StructEnd();
  EXPECT_EQ(Hex(out), "15 04 05 22 01 05 20 02 00");
}

TEST(ThriftWriter, BoolInHeaderAndIntegers) {
  std::string out;
  ThriftWriter w(&out);
  w.StructBegin();
  w.WriteBoolField(1, true);
  w.WriteBoolField(2, false);
  w.WriteI8Field(3, -1);
  w.WriteI16Field(4, -2);
  w.WriteI64Field(5, 300);
  w.WriteBinaryField(6, "ab");
  w.StructEnd();
  EXPECT_EQ(Hex(out), "11 12 13 FF 14 03 16 D8 04 18 02 61 62 00");
}

TEST(ThriftWriter, NestedStructsRestoreTheOuterFieldId) {
  std::string out;
  ThriftWriter w(&out);
  w.StructBegin();
  w.WriteI32Field(5, 1);
  w.WriteStructFieldHeader(6);
  w.StructBegin();
  w.WriteI32Field(1, 1);
  w.StructEnd();
  w.WriteI32Field(7, 1);  // delta from 6, not from the inner 1
  w.StructEnd();
  EXPECT_EQ(Hex(out), "55 02 1C 15 02 00 15 02 00");
}

TEST(ThriftWriter, ListHeaders) {
  std::string out;
  ThriftWriter w(&out);
  w.WriteListHeader(ThriftType::kI32, 3);
  w.WriteListHeader(ThriftType::kBinary, 14);
  w.WriteListHeader(ThriftType::kStruct, 15);
  w.WriteListHeader(ThriftType::kStruct, 300);
  EXPECT_EQ(Hex(out), "35 E8 FC 0F FC AC 02");
}

TEST(ThriftReader, ReadsWhatTheWriterWrote) {
  std::string out;
  ThriftWriter w(&out);
  w.StructBegin();
  w.WriteBoolField(1, true);
  w.WriteI16Field(2, -300);
  w.WriteI32Field(40, INT32_MIN);
  w.WriteI64Field(41, INT64_MAX);
  w.WriteDoubleField(42, 1.5);
  w.WriteListField(43, ThriftType::kBinary, 2);
  w.WriteBinary("x");
  w.WriteBinary("");
  w.StructEnd();

  ThriftReader r(View(out));
  ASSERT_TRUE(r.StructBegin().ok());
  ThriftFieldHeader h;
  ASSERT_TRUE(r.ReadFieldHeader(&h).ok());
  EXPECT_EQ(h.id, 1);
  EXPECT_TRUE(ThriftReader::BoolFieldValue(h));
  ASSERT_TRUE(r.ReadFieldHeader(&h).ok());
  int16_t i16;
  ASSERT_TRUE(r.ReadI16(&i16).ok());
  EXPECT_EQ(i16, -300);
  ASSERT_TRUE(r.ReadFieldHeader(&h).ok());
  EXPECT_EQ(h.id, 40);
  int32_t i32;
  ASSERT_TRUE(r.ReadI32(&i32).ok());
  EXPECT_EQ(i32, INT32_MIN);
  ASSERT_TRUE(r.ReadFieldHeader(&h).ok());
  int64_t i64;
  ASSERT_TRUE(r.ReadI64(&i64).ok());
  EXPECT_EQ(i64, INT64_MAX);
  ASSERT_TRUE(r.ReadFieldHeader(&h).ok());
  double d;
  ASSERT_TRUE(r.ReadDouble(&d).ok());
  EXPECT_EQ(d, 1.5);
  ASSERT_TRUE(r.ReadFieldHeader(&h).ok());
  EXPECT_EQ(h.type, ThriftType::kList);
  ThriftListHeader lh;
  ASSERT_TRUE(r.ReadListHeader(&lh).ok());
  EXPECT_EQ(lh.size, 2);
  std::string s;
  ASSERT_TRUE(r.ReadBinary(&s).ok());
  EXPECT_EQ(s, "x");
  ASSERT_TRUE(r.ReadBinary(&s).ok());
  EXPECT_EQ(s, "");
  ASSERT_TRUE(r.ReadFieldHeader(&h).ok());
  EXPECT_EQ(h.type, ThriftType::kStop);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftReader, SkipsEveryType) {
  std::string out;
  ThriftWriter w(&out);
  w.StructBegin();
  w.WriteBoolField(1, false);
  w.WriteI8Field(2, 7);
  w.WriteI16Field(3, 7);
  w.WriteI32Field(4, 7);
  w.WriteI64Field(5, 7);
  w.WriteDoubleField(6, 7);
  w.WriteBinaryField(7, "seven");
  w.WriteListField(8, ThriftType::kBoolTrue, 2);
  w.WriteBool(true);
  w.WriteBool(false);
  w.WriteListField(9, ThriftType::kStruct, 1);
  w.StructBegin();
  w.WriteI32Field(1, 1);
  w.StructEnd();
  w.WriteStructFieldHeader(10);
  w.StructBegin();
  w.WriteListField(1, ThriftType::kList, 1);
  w.WriteListHeader(ThriftType::kI64, 1);
  w.WriteI64(9);
  w.StructEnd();
  w.StructEnd();
  // A map<i32,string> {1: "a"} and a set<i32> {3} as field 11 and 12, written by hand.
  out.pop_back();
  out += std::string("\x1B\x01\x58\x02\x01\x61\x1A\x15\x06", 9);
  out.push_back('\0');

  ThriftReader r(View(out));
  ASSERT_TRUE(r.Skip(ThriftType::kStruct).ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftReader, TruncationIsAnErrorNamingTheOffset) {
  std::string out;
  ThriftWriter w(&out);
  w.StructBegin();
  w.WriteBinaryField(1, "hello");
  w.StructEnd();
  for (size_t n = 0; n < out.size(); ++n) {
    std::string prefix = out.substr(0, n);
    ThriftReader r(View(prefix), 1000, "footer");
    Status s = r.Skip(ThriftType::kStruct);
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.kind(), ErrorKind::kCorrupt);
    EXPECT_NE(s.message().find("footer"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("at offset 10"), std::string::npos) << s.message();
  }
}

TEST(ThriftReader, ListSizeIsBoundedByTheBytesLeft) {
  // A list header claiming 2^31 elements with 2 bytes of input.
  std::string in("\xF5\x80\x80\x80\x80\x08\x00\x00", 8);
  ThriftReader r(View(in));
  ThriftListHeader h;
  Status s = r.ReadListHeader(&h);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exceeds"), std::string::npos) << s.message();
}

TEST(ThriftReader, BinaryLengthIsBoundedByTheBytesLeft) {
  std::string in("\x64xy", 3);
  ThriftReader r(View(in));
  std::string s;
  EXPECT_FALSE(r.ReadBinary(&s).ok());
}

TEST(ThriftReader, DepthIsLimited) {
  std::string in;
  for (int i = 0; i < 200; ++i) in.push_back('\x1C');  // field 1: struct, nested
  in.append(201, '\0');
  ThriftReader r(View(in));
  Status s = r.Skip(ThriftType::kStruct);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("deeper"), std::string::npos) << s.message();

  std::string lists;
  for (int i = 0; i < 200; ++i) lists.push_back('\x19');  // list of one list
  lists.append(10, '\0');
  ThriftReader r2(View(lists));
  EXPECT_FALSE(r2.Skip(ThriftType::kList).ok());
}

TEST(ThriftReader, RejectsUnknownTypeCodes) {
  std::string in("\x1E\x00", 2);  // type 14
  ThriftReader r(View(in));
  EXPECT_FALSE(r.Skip(ThriftType::kStruct).ok());
}

TEST(ThriftReader, OverlongVarintIsAnError) {
  std::string in(11, '\xFF');
  ThriftReader r(View(in));
  int64_t v;
  EXPECT_FALSE(r.ReadI64(&v).ok());
}

}  // namespace
}  // namespace floe::parquet
