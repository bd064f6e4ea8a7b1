#include "floe/iceberg/transforms.h"

#include <gtest/gtest.h>

#include "floe/iceberg/datetime.h"

namespace floe::iceberg {
namespace {

constexpr int64_t kTs20171116T223108 = 1510871468000000;  // µs
constexpr int32_t kDate20171116 = 17486;

int32_t Hash(const Literal& v) {
  Result<int32_t> h = BucketHash(v);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? *h : 0;
}

Literal Apply(const Transform& t, const Literal& v) {
  Result<Literal> r = t.Apply(v);
  EXPECT_TRUE(r.ok()) << t.ToString() << "(" << v.ToString() << "): " << r.status().ToString();
  return r.ok() ? *r : Literal();
}

// Spec Appendix B, "32-bit Hash Requirements".
TEST(TransformsTest, BucketHashMatchesSpecAppendixB) {
  EXPECT_EQ(Hash(Literal::Int(34)), 2017239379);
  EXPECT_EQ(Hash(Literal::Long(34)), 2017239379);
  EXPECT_EQ(Hash(Literal::Decimal(1420, 9, 2)), -500754589);
  EXPECT_EQ(Hash(Literal::Date(kDate20171116)), -653330422);
  EXPECT_EQ(Hash(Literal::Time(81068000000)), -662762989);
  EXPECT_EQ(Hash(Literal::Timestamp(kTs20171116T223108)), -2047944441);
  // 2017-11-16T14:31:08-08:00 is the same instant.
  EXPECT_EQ(Hash(Literal::TimestampTz(*ParseTimestamp("2017-11-16T14:31:08-08:00", true))),
            -2047944441);
  EXPECT_EQ(Hash(Literal::String("iceberg")), 1210000089);
  EXPECT_EQ(Hash(Literal::UuidValue(*Uuid::Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7"))),
            1488055340);
  std::string b("\x00\x01\x02\x03", 4);
  EXPECT_EQ(Hash(Literal::Fixed(b)), -188683207);
  EXPECT_EQ(Hash(Literal::Binary(b)), -188683207);
  EXPECT_FALSE(BucketHash(Literal::Double(1.0)).ok());
}

TEST(TransformsTest, Bucket) {
  Transform t = Transform::Bucket(16);
  EXPECT_EQ(Apply(t, Literal::Int(34)), Literal::Int(2017239379 % 16));
  // A negative hash is masked to non-negative before the modulo.
  EXPECT_EQ(Apply(Transform::Bucket(10), Literal::Date(kDate20171116)),
            Literal::Int(((-653330422) & 0x7FFFFFFF) % 10));
  EXPECT_EQ(Apply(t, Literal::Null(Type::Primitive(TypeId::kString))),
            Literal::Null(Type::Primitive(TypeId::kInt)));
  EXPECT_FALSE(t.Apply(Literal::Boolean(true)).ok());
}

// Spec "Truncate Transform Details".
TEST(TransformsTest, TruncateMatchesSpecExamples) {
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Int(1)), Literal::Int(0));
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Int(-1)), Literal::Int(-10));
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Long(1)), Literal::Long(0));
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Long(-1)), Literal::Long(-10));
  EXPECT_EQ(Apply(Transform::Truncate(50), Literal::Decimal(1065, 9, 2)),
            Literal::Decimal(1050, 9, 2));
  EXPECT_EQ(Apply(Transform::Truncate(3), Literal::String("iceberg")), Literal::String("ice"));
  EXPECT_EQ(Apply(Transform::Truncate(3), Literal::Binary(std::string("\x01\x02\x03\x04", 4))),
            Literal::Binary(std::string("\x01\x02\x03", 3)));
  // Strings are cut by code points, never inside a UTF-8 sequence.
  EXPECT_EQ(Apply(Transform::Truncate(2), Literal::String("\xC3\xA9t\xC3\xA9")),
            Literal::String("\xC3\xA9t"));
  EXPECT_EQ(Apply(Transform::Truncate(5), Literal::String("ab")), Literal::String("ab"));
  EXPECT_FALSE(Transform::Truncate(3).Apply(Literal::Date(1)).ok());
}

TEST(TransformsTest, TimeTransformsUseFloorForNegativeValues) {
  int64_t ts = *ParseTimestamp("2024-01-15T13:05:00", false);
  EXPECT_EQ(Apply(Transform::Year(), Literal::Timestamp(ts)), Literal::Int(54));
  EXPECT_EQ(Apply(Transform::Month(), Literal::Timestamp(ts)), Literal::Int(648));
  EXPECT_EQ(Apply(Transform::Day(), Literal::Timestamp(ts)),
            Literal::Date(*ParseDate("2024-01-15")));
  EXPECT_EQ(Apply(Transform::Hour(), Literal::TimestampTz(ts)),
            Literal::Int(static_cast<int32_t>(ts / 3600000000)));
  for (const Transform& t : {Transform::Year(), Transform::Month(), Transform::Hour()}) {
    EXPECT_EQ(Apply(t, Literal::TimestampTz(-1)), Literal::Int(-1)) << t.ToString();
  }
  EXPECT_EQ(Apply(Transform::Day(), Literal::TimestampTz(-1)), Literal::Date(-1));
  EXPECT_EQ(Apply(Transform::Year(), Literal::Date(-1)), Literal::Int(-1));
  EXPECT_EQ(Apply(Transform::Month(), Literal::Date(-1)), Literal::Int(-1));
  EXPECT_EQ(Apply(Transform::Month(), Literal::Date(-31)), Literal::Int(-1));
  EXPECT_EQ(Apply(Transform::Month(), Literal::Date(-32)), Literal::Int(-2));
  EXPECT_EQ(Apply(Transform::Year(), Literal::Date(*ParseDate("1969-01-01"))), Literal::Int(-1));
  EXPECT_EQ(Apply(Transform::Year(), Literal::Date(*ParseDate("1968-12-31"))), Literal::Int(-2));
  EXPECT_FALSE(Transform::Hour().Apply(Literal::Date(1)).ok());
}

TEST(TransformsTest, VoidAndIdentity) {
  EXPECT_TRUE(Apply(Transform::Void(), Literal::Int(3)).is_null());
  EXPECT_EQ(Apply(Transform::Identity(), Literal::String("x")), Literal::String("x"));
}

TEST(TransformsTest, ParsesAndPrintsNames) {
  for (std::string_view name :
       {"identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"}) {
    Result<Transform> t = Transform::Parse(name);
    ASSERT_TRUE(t.ok()) << name;
    EXPECT_EQ(t->ToString(), name);
  }
  EXPECT_EQ(Transform::Parse("bucket[16]")->kind(), TransformKind::kBucket);
  EXPECT_EQ(Transform::Parse("bucket[16]")->param(), 16);
  EXPECT_FALSE(Transform::Parse("bucket[0]").ok());
  EXPECT_FALSE(Transform::Parse("truncate[x]").ok());
  // Unknown transforms are kept by name but cannot be applied.
  Result<Transform> unknown = Transform::Parse("zorder");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->kind(), TransformKind::kUnknown);
  EXPECT_EQ(unknown->ToString(), "zorder");
  EXPECT_FALSE(unknown->Apply(Literal::Int(1)).ok());
}

TEST(TransformsTest, ResultTypes) {
  Type ts = Type::Primitive(TypeId::kTimestampTz);
  EXPECT_EQ(*Transform::Day().ResultType(ts), Type::Primitive(TypeId::kDate));
  EXPECT_EQ(*Transform::Hour().ResultType(ts), Type::Primitive(TypeId::kInt));
  EXPECT_EQ(*Transform::Month().ResultType(ts), Type::Primitive(TypeId::kInt));
  EXPECT_EQ(*Transform::Year().ResultType(ts), Type::Primitive(TypeId::kInt));
  EXPECT_EQ(*Transform::Bucket(4).ResultType(Type::Primitive(TypeId::kString)),
            Type::Primitive(TypeId::kInt));
  EXPECT_EQ(*Transform::Truncate(4).ResultType(Type::Decimal(9, 2)), Type::Decimal(9, 2));
  EXPECT_EQ(*Transform::Identity().ResultType(ts), ts);
  EXPECT_FALSE(Transform::Hour().ResultType(Type::Primitive(TypeId::kDate)).ok());
  EXPECT_FALSE(Transform::Identity().ResultType(Type::Struct({})).ok());
}

TEST(TransformsTest, HumanStringsAsJavaWritesThem) {
  int64_t ts = *ParseTimestamp("2026-01-01T05:30:00", false);
  auto human = [](const Transform& t, const Literal& v) { return t.ToHumanString(*t.Apply(v)); };
  EXPECT_EQ(human(Transform::Day(), Literal::TimestampTz(ts)), "2026-01-01");
  EXPECT_EQ(human(Transform::Hour(), Literal::TimestampTz(ts)), "2026-01-01-05");
  EXPECT_EQ(human(Transform::Month(), Literal::TimestampTz(ts)), "2026-01");
  EXPECT_EQ(human(Transform::Year(), Literal::TimestampTz(ts)), "2026");
  EXPECT_EQ(human(Transform::Hour(), Literal::TimestampTz(-1)), "1969-12-31-23");
  EXPECT_EQ(human(Transform::Month(), Literal::Date(-1)), "1969-12");
  EXPECT_EQ(human(Transform::Identity(), Literal::TimestampTz(ts)), "2026-01-01T05:30:00+00:00");
  EXPECT_EQ(human(Transform::Identity(), Literal::Timestamp(ts + 12345)),
            "2026-01-01T05:30:00.012345");
  EXPECT_EQ(human(Transform::Identity(), Literal::Time(81068000000)), "22:31:08");
  EXPECT_EQ(human(Transform::Identity(), Literal::Binary("\x01\x02\x03")), "AQID");
  EXPECT_EQ(human(Transform::Identity(), Literal::Decimal(-1, 16, 11)), "-0.00000000001");
  EXPECT_EQ(human(Transform::Identity(), Literal::Double(1.0)), "1.0");
  EXPECT_EQ(human(Transform::Bucket(8), Literal::Int(34)), "3");
  EXPECT_EQ(human(Transform::Identity(), Literal::Long(-9223372036854775807 - 1)),
            "-9223372036854775808");
  EXPECT_EQ(Transform::Day().ToHumanString(Literal::Null(Type::Primitive(TypeId::kDate))), "null");
}

TEST(TransformsTest, HumanStringsParseBack) {
  struct Case {
    Transform t;
    Literal source;
  };
  int64_t ts = *ParseTimestamp("2026-03-04T05:06:07.5", false);
  Uuid u = *Uuid::Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7");
  for (const Case& c : std::vector<Case>{
           {Transform::Day(), Literal::TimestampTz(ts)},
           {Transform::Hour(), Literal::TimestampTz(ts)},
           {Transform::Hour(), Literal::TimestampTz(-1)},
           {Transform::Month(), Literal::Timestamp(ts)},
           {Transform::Month(), Literal::Date(-400)},
           {Transform::Year(), Literal::Date(-400)},
           {Transform::Bucket(7), Literal::String("x")},
           {Transform::Truncate(3), Literal::String("a b/c")},
           {Transform::Identity(), Literal::TimestampTz(ts)},
           {Transform::Identity(), Literal::Timestamp(ts)},
           {Transform::Identity(), Literal::Time(81068000001)},
           {Transform::Identity(), Literal::Boolean(true)},
           {Transform::Identity(), Literal::Long(-42)},
           {Transform::Identity(), Literal::Double(-2.5)},
           {Transform::Identity(), Literal::Decimal(-1, 16, 11)},
           {Transform::Identity(), Literal::Binary(std::string("\xAA\xBB\xCC", 3))},
           {Transform::Identity(), Literal::Fixed("abcd")},
           {Transform::Identity(), Literal::UuidValue(u)},
           {Transform::Identity(), Literal::Null(Type::Primitive(TypeId::kString))},
       }) {
    Literal result = *c.t.Apply(c.source);
    std::string text = c.t.ToHumanString(result);
    Result<Literal> back = c.t.ParseHumanString(result.type(), text);
    ASSERT_TRUE(back.ok()) << c.t.ToString() << " " << text << ": " << back.status().ToString();
    EXPECT_EQ(*back, result) << c.t.ToString() << " " << text;
  }
  EXPECT_FALSE(
      Transform::Day().ParseHumanString(Type::Primitive(TypeId::kDate), "2026-13-01").ok());
  EXPECT_FALSE(
      Transform::Hour().ParseHumanString(Type::Primitive(TypeId::kInt), "2026-01-01-24").ok());
}

TEST(TransformsTest, UrlEncodingIsJavaUrlEncoder) {
  EXPECT_EQ(UrlEncode("a b/c:d=e&é*_-."), "a+b%2Fc%3Ad%3De%26%C3%A9*_-.");
  EXPECT_EQ(*UrlDecode("a+b%2Fc%3Ad%3De%26%C3%A9*_-."), "a b/c:d=e&é*_-.");
  EXPECT_FALSE(UrlDecode("%4").ok());
  EXPECT_FALSE(UrlDecode("%zz").ok());
}

TEST(DateTimeTest, CalendarRoundTrips) {
  for (int64_t days : {-719528LL, -141427LL, -1LL, 0LL, 17486LL, 2932896LL}) {
    CivilDate c = CivilFromDays(days);
    EXPECT_EQ(DaysFromCivil(c.year, c.month, c.day), days);
    EXPECT_EQ(*ParseDate(FormatDate(days)), days) << FormatDate(days);
  }
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatDate(*ParseDate("0011-02-03")), "0011-02-03");
  EXPECT_FALSE(ParseDate("2023-02-29").has_value());
  EXPECT_TRUE(ParseDate("2024-02-29").has_value());
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00.012345+00:00", true), 12345);
  EXPECT_EQ(*ParseTimestamp("1970-01-01T01:00:00+01:00", true), 0);
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00Z", true), 0);
  EXPECT_FALSE(ParseTimestamp("1970-01-01T00:00:00", true).has_value());
  EXPECT_EQ(*ParseTime("00:00:00.012345"), 12345);
  EXPECT_EQ(FormatTimestamp(-1, true), "1969-12-31T23:59:59.999999+00:00");
}

}  // namespace
}  // namespace floe::iceberg
