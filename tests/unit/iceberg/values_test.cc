#include "floe/iceberg/values.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace floe::iceberg {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

std::string Ser(const Literal& v) {
  Result<std::string> r = SerializeValue(v);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

TEST(ValuesTest, SerializesEachTypeAsTheSpecSays) {
  EXPECT_EQ(Ser(Literal::Boolean(true)), Bytes({1}));
  EXPECT_EQ(Ser(Literal::Boolean(false)), Bytes({0}));
  EXPECT_EQ(Ser(Literal::Int(1)), Bytes({1, 0, 0, 0}));
  EXPECT_EQ(Ser(Literal::Int(-2)), Bytes({0xFE, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(Ser(Literal::Long(258)), Bytes({2, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Ser(Literal::Float(1.0f)), Bytes({0, 0, 0x80, 0x3F}));
  EXPECT_EQ(Ser(Literal::Double(1.0)), Bytes({0, 0, 0, 0, 0, 0, 0xF0, 0x3F}));
  EXPECT_EQ(Ser(Literal::Date(17486)), Bytes({0x4E, 0x44, 0, 0}));
  EXPECT_EQ(Ser(Literal::TimestampTz(1)), Bytes({1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Ser(Literal::String("iceberg")), "iceberg");
  EXPECT_EQ(Ser(Literal::Binary(Bytes({0, 1, 2}))), Bytes({0, 1, 2}));
  Uuid u = *Uuid::Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7");
  EXPECT_EQ(Ser(Literal::UuidValue(u)).substr(0, 4), Bytes({0xF7, 0x9C, 0x3E, 0x09}));
  // Decimals: minimal big-endian two's complement (FORMAT_NOTES §5).
  EXPECT_EQ(Ser(Literal::Decimal(0, 9, 2)), Bytes({0x00}));
  EXPECT_EQ(Ser(Literal::Decimal(127, 9, 2)), Bytes({0x7F}));
  EXPECT_EQ(Ser(Literal::Decimal(128, 9, 2)), Bytes({0x00, 0x80}));
  EXPECT_EQ(Ser(Literal::Decimal(-1, 9, 2)), Bytes({0xFF}));
  EXPECT_EQ(Ser(Literal::Decimal(-128, 9, 2)), Bytes({0x80}));
  EXPECT_EQ(Ser(Literal::Decimal(-129, 9, 2)), Bytes({0xFF, 0x7F}));
  EXPECT_FALSE(SerializeValue(Literal::Null(Type::Primitive(TypeId::kInt))).ok());
}

TEST(ValuesTest, RoundTripsEveryType) {
  Uuid u = *Uuid::Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7");
  Int128 big = static_cast<Int128>(std::numeric_limits<int64_t>::max()) * 1000 + 7;
  for (const Literal& v :
       {Literal::Boolean(true), Literal::Int(-7),
        Literal::Long(std::numeric_limits<int64_t>::min()), Literal::Float(-2.5f),
        Literal::Double(3.25), Literal::Date(-1), Literal::Time(81068000000),
        Literal::Timestamp(-5), Literal::TimestampTz(1510871468000000), Literal::String("héllo"),
        Literal::Binary(Bytes({0, 0xFF})), Literal::Fixed(Bytes({1, 2, 3})), Literal::UuidValue(u),
        Literal::Decimal(-1420, 9, 2), Literal::Decimal(big, 38, 5),
        Literal::Decimal(-big, 38, 5)}) {
    std::string bytes = Ser(v);
    Result<Literal> back = DeserializeValue(v.type(), AsBytes(bytes));
    ASSERT_TRUE(back.ok()) << v.ToString() << ": " << back.status().ToString();
    EXPECT_EQ(*back, v) << v.ToString();
  }
}

TEST(ValuesTest, ReadsPromotedBoundsAndRejectsBadLengths) {
  std::string int_bytes = Bytes({0xFE, 0xFF, 0xFF, 0xFF});
  Result<Literal> widened = DeserializeValue(Type::Primitive(TypeId::kLong), AsBytes(int_bytes));
  ASSERT_TRUE(widened.ok());
  EXPECT_EQ(widened->long_value(), -2);
  std::string float_bytes = Bytes({0, 0, 0x80, 0x3F});
  Result<Literal> dbl = DeserializeValue(Type::Primitive(TypeId::kDouble), AsBytes(float_bytes));
  ASSERT_TRUE(dbl.ok());
  EXPECT_EQ(dbl->double_value(), 1.0);
  EXPECT_EQ(DeserializeValue(Type::Primitive(TypeId::kInt), AsBytes(Bytes({1, 2}))).status().kind(),
            ErrorKind::kCorrupt);
  EXPECT_FALSE(DeserializeValue(Type::Fixed(4), AsBytes(Bytes({1, 2}))).ok());
  EXPECT_FALSE(DeserializeValue(Type::Decimal(9, 2), AsBytes(std::string())).ok());
  EXPECT_FALSE(DeserializeValue(Type::Decimal(38, 2), AsBytes(std::string(17, 'x'))).ok());
}

TEST(ValuesTest, ConvertsParquetDecimalStatistics) {
  // INT32 little-endian 1420 → 05 8C; INT64 -1 → FF; FLBA sign-padded → minimal.
  std::string i32 = Bytes({0x8C, 0x05, 0, 0});
  EXPECT_EQ(*ParquetBoundToIceberg(Type::Decimal(9, 2), parquet::PhysicalType::kInt32, i32),
            Bytes({0x05, 0x8C}));
  std::string i64(8, '\xFF');
  EXPECT_EQ(*ParquetBoundToIceberg(Type::Decimal(18, 2), parquet::PhysicalType::kInt64, i64),
            Bytes({0xFF}));
  std::string flba = Bytes({0, 0, 0, 0, 0x80});
  EXPECT_EQ(
      *ParquetBoundToIceberg(Type::Decimal(20, 2), parquet::PhysicalType::kFixedLenByteArray, flba),
      Bytes({0x00, 0x80}));
  // Other types pass through.
  EXPECT_EQ(
      *ParquetBoundToIceberg(Type::Primitive(TypeId::kInt), parquet::PhysicalType::kInt32, i32),
      i32);
  EXPECT_FALSE(
      ParquetBoundToIceberg(Type::Decimal(9, 2), parquet::PhysicalType::kInt32, "ab").ok());
}

TEST(ValuesTest, DecimalText) {
  EXPECT_EQ(DecimalToString(1420, 2), "14.20");
  EXPECT_EQ(DecimalToString(-5, 3), "-0.005");
  EXPECT_EQ(DecimalToString(42, 0), "42");
  EXPECT_EQ(*ParseDecimal("14.2", 2), 1420);
  EXPECT_EQ(*ParseDecimal("-0.005", 3), -5);
  EXPECT_EQ(*ParseDecimal("12345.00", 2), 1234500);
  EXPECT_FALSE(ParseDecimal("1.234", 2).ok());
  EXPECT_FALSE(ParseDecimal("abc", 2).ok());
  EXPECT_FALSE(ParseDecimal("", 2).ok());
}

TEST(ValuesTest, TruncatedBounds) {
  EXPECT_EQ(TruncateStringLowerBound("iceberg", 3), "ice");
  EXPECT_EQ(TruncateStringLowerBound("\xC3\xA9t\xC3\xA9", 2), "\xC3\xA9t");
  EXPECT_EQ(*TruncateStringUpperBound("iceberg", 3), "icf");
  EXPECT_EQ(*TruncateStringUpperBound("ice", 3), "ice");  // short enough: unchanged
  EXPECT_EQ(*TruncateStringUpperBound("ab\xED\x9F\xBFz", 3), "ab\xEE\x80\x80");  // U+D7FF→U+E000
  EXPECT_EQ(*TruncateStringUpperBound("a\xF4\x8F\xBF\xBFz", 2), "b");            // U+10FFFF dropped
  EXPECT_EQ(TruncateStringUpperBound("\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBFz", 2), std::nullopt);
  EXPECT_EQ(*TruncateStringUpperBound("a\x7Fz", 2), "a\xC2\x80");  // U+007F → U+0080
  EXPECT_EQ(TruncateBinaryLowerBound(Bytes({1, 2, 3}), 2), Bytes({1, 2}));
  EXPECT_EQ(*TruncateBinaryUpperBound(Bytes({1, 2, 3}), 2), Bytes({1, 3}));
  EXPECT_EQ(*TruncateBinaryUpperBound(Bytes({1, 0xFF, 3}), 2), Bytes({2}));
  EXPECT_EQ(*TruncateBinaryUpperBound(Bytes({1, 2}), 2), Bytes({1, 2}));
  EXPECT_EQ(TruncateBinaryUpperBound(Bytes({0xFF, 0xFF, 3}), 2), std::nullopt);
}

TEST(ValuesTest, ComparesInBoundOrder) {
  EXPECT_EQ(*CompareLiterals(Literal::Int(-1), Literal::Int(1)), -1);
  EXPECT_EQ(*CompareLiterals(Literal::String("\xC3\xA9"), Literal::String("z")), 1);  // é > z
  EXPECT_EQ(*CompareLiterals(Literal::Binary(Bytes({0x80})), Literal::Binary(Bytes({0x7F}))), 1);
  EXPECT_EQ(*CompareLiterals(Literal::Double(-0.0), Literal::Double(0.0)), -1);
  EXPECT_EQ(*CompareLiterals(Literal::Double(std::nan("")), Literal::Double(1e300)), 1);
  EXPECT_EQ(*CompareLiterals(Literal::Decimal(-5, 9, 2), Literal::Decimal(3, 9, 2)), -1);
  EXPECT_FALSE(CompareLiterals(Literal::Int(1), Literal::Long(1)).ok());
}

}  // namespace
}  // namespace floe::iceberg
