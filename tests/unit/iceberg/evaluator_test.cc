#include "floe/iceberg/evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "floe/iceberg/datetime.h"

namespace floe::iceberg {
namespace {

NestedField Field(int32_t id, std::string name, Type type) {
  return NestedField{id, std::move(name), false, std::move(type), {}, {}, {}};
}

Schema TestSchema() {
  return Schema(
      0, {Field(1, "id", Type::Primitive(TypeId::kLong)),
          Field(2, "name", Type::Primitive(TypeId::kString)),
          Field(3, "ts", Type::Primitive(TypeId::kTimestampTz)),
          Field(4, "price", Type::Primitive(TypeId::kDouble)),
          Field(5, "n", Type::Primitive(TypeId::kInt)),
          Field(6, "d", Type::Primitive(TypeId::kDate)), Field(7, "amount", Type::Decimal(10, 2))});
}

Expression Bound(std::string_view text) {
  auto parsed = ParseExpression(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return Expression::False();
  auto bound = BindExpression(*parsed, TestSchema());
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  return bound.ok() ? *bound : Expression::False();
}

int64_t Ts(std::string_view iso) { return *ParseTimestamp(iso, true); }

std::string Bytes(const Literal& v) {
  auto b = SerializeValue(v);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : "";
}

// ------------------------------------------------------------------ rows

Tri Eval(std::string_view text, std::vector<Literal> row) {
  RowEvaluator ev(Bound(text), {1, 2, 3, 4, 5, 6, 7});
  return ev.Evaluate(row);
}

std::vector<Literal> Row(std::optional<int64_t> id, std::optional<std::string> name,
                         std::optional<double> price = std::nullopt) {
  return {id ? Literal::Long(*id) : Literal::Null(Type::Primitive(TypeId::kLong)),
          name ? Literal::String(*name) : Literal::Null(Type::Primitive(TypeId::kString)),
          Literal::TimestampTz(Ts("2026-01-01T10:00:00Z")),
          price ? Literal::Double(*price) : Literal::Null(Type::Primitive(TypeId::kDouble)),
          Literal::Int(5),
          Literal::Date(3),
          Literal::Decimal(1250, 10, 2)};
}

TEST(RowEvaluatorTest, ComparisonsAndThreeValuedLogic) {
  EXPECT_EQ(Eval("id = 1", Row(1, "a")), Tri::kTrue);
  EXPECT_EQ(Eval("id != 1", Row(2, "a")), Tri::kTrue);
  EXPECT_EQ(Eval("id < 1", Row(1, "a")), Tri::kFalse);
  EXPECT_EQ(Eval("name >= 'a' AND name < 'b'", Row(1, "abc")), Tri::kTrue);
  EXPECT_EQ(Eval("ts >= '2026-01-01' AND ts < '2026-01-02'", Row(1, "a")), Tri::kTrue);
  EXPECT_EQ(Eval("amount = 12.5 AND n IN (4, 5) AND d = '1970-01-04'", Row(1, "a")), Tri::kTrue);
  EXPECT_EQ(Eval("n NOT IN (4, 5)", Row(1, "a")), Tri::kFalse);
  // A null compares as unknown: neither x = 1 nor x != 1 matches, and NOT keeps it unknown.
  EXPECT_EQ(Eval("id = 1", Row(std::nullopt, "a")), Tri::kUnknown);
  EXPECT_EQ(Eval("id != 1", Row(std::nullopt, "a")), Tri::kUnknown);
  EXPECT_EQ(Eval("NOT id = 1", Row(std::nullopt, "a")), Tri::kUnknown);
  EXPECT_EQ(Eval("id IN (1, 2)", Row(std::nullopt, "a")), Tri::kUnknown);
  EXPECT_EQ(Eval("id IS NULL", Row(std::nullopt, "a")), Tri::kTrue);
  EXPECT_EQ(Eval("id IS NOT NULL", Row(std::nullopt, "a")), Tri::kFalse);
  EXPECT_EQ(Eval("id = 1 OR name = 'a'", Row(std::nullopt, "a")), Tri::kTrue);
  EXPECT_EQ(Eval("id = 1 OR name = 'b'", Row(std::nullopt, "a")), Tri::kUnknown);
  EXPECT_EQ(Eval("id = 1 AND name = 'b'", Row(std::nullopt, "a")), Tri::kFalse);
  EXPECT_FALSE(
      RowEvaluator(Bound("id != 1"), {1}).Matches({Literal::Null(Type::Primitive(TypeId::kLong))}));
  // NaN sorts above every number (as in DuckDB and PostgreSQL) and equals itself.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Eval("price > 1e300", Row(1, "a", nan)), Tri::kTrue);
  EXPECT_EQ(Eval("price = 'NaN'", Row(1, "a", nan)), Tri::kTrue);
  EXPECT_EQ(Eval("price < 0", Row(1, "a", nan)), Tri::kFalse);
}

TEST(RowEvaluatorTest, FieldsMissingFromTheRowAreNull) {
  RowEvaluator ev(Bound("name IS NULL AND id = 1"), {1});
  EXPECT_TRUE(ev.Matches({Literal::Long(1)}));
}

// ------------------------------------------------------------------ metrics

DataFile FileWithStats() {
  DataFile f;
  f.file_path = "file:///t/data/a.parquet";
  f.record_count = 100;
  f.value_counts = {{1, 100}, {2, 100}, {4, 100}};
  f.null_value_counts = {{1, 0}, {2, 10}, {4, 0}};
  f.nan_value_counts = {{4, 0}};
  f.lower_bounds = {{1, Bytes(Literal::Long(10))},
                    {2, Bytes(Literal::String("apple"))},
                    {4, Bytes(Literal::Double(1.0))}};
  f.upper_bounds = {{1, Bytes(Literal::Long(20))},
                    {2, Bytes(Literal::String("melon"))},
                    {4, Bytes(Literal::Double(3.0))}};
  return f;
}

bool Might(std::string_view text, const DataFile& f) { return FileMightMatch(Bound(text), f); }

TEST(MetricsEvaluatorTest, RangesAgainstBounds) {
  DataFile f = FileWithStats();
  EXPECT_TRUE(Might("id = 10", f));
  EXPECT_TRUE(Might("id = 20", f));
  EXPECT_FALSE(Might("id = 9", f));
  EXPECT_FALSE(Might("id = 21", f));
  EXPECT_FALSE(Might("id < 10", f));
  EXPECT_TRUE(Might("id <= 10", f));
  EXPECT_FALSE(Might("id > 20", f));
  EXPECT_TRUE(Might("id >= 20", f));
  EXPECT_TRUE(Might("id IN (1, 15, 99)", f));
  EXPECT_FALSE(Might("id IN (1, 2, 99)", f));
  EXPECT_TRUE(Might("id != 15", f));
  EXPECT_FALSE(Might("id = 5 OR id = 25", f));
  EXPECT_TRUE(Might("id = 5 OR name = 'banana'", f));
  EXPECT_FALSE(Might("NOT (id >= 10)", f));  // NOT is rewritten: id < 10
  EXPECT_TRUE(Might("name IS NULL", f));
  EXPECT_FALSE(Might("id IS NULL", f));
  DataFile empty = f;
  empty.record_count = 0;
  EXPECT_FALSE(Might("TRUE", empty));
}

TEST(MetricsEvaluatorTest, TruncatedStringBoundsStayInclusive) {
  // truncate(4) bounds of values between "abcdef" and "abcfzz".
  DataFile f;
  f.record_count = 3;
  f.lower_bounds[2] = TruncateStringLowerBound("abcdef", 4);   // "abcd"
  f.upper_bounds[2] = *TruncateStringUpperBound("abcfzz", 4);  // "abcg"
  EXPECT_TRUE(Might("name = 'abcdef'", f));
  EXPECT_TRUE(Might("name = 'abcfzz'", f));
  EXPECT_TRUE(Might("name = 'abcg'", f));  // cannot be excluded from the rounded-up bound
  EXPECT_FALSE(Might("name = 'abch'", f));
  EXPECT_FALSE(Might("name = 'abc'", f));
  EXPECT_TRUE(Might("name > 'abcf'", f));
  EXPECT_FALSE(Might("name > 'abcz'", f));
  EXPECT_FALSE(Might("name >= 'abcga'", f));
  EXPECT_FALSE(Might("name < 'abcd'", f));
  EXPECT_TRUE(Might("name <= 'abcd'", f));
  // Multi-byte code points: the bound holds whole characters.
  DataFile u;
  u.record_count = 1;
  u.lower_bounds[2] = TruncateStringLowerBound("żółw-long", 3);
  u.upper_bounds[2] = *TruncateStringUpperBound("żółw-long", 3);
  EXPECT_TRUE(Might("name = 'żółw-long'", u));
  EXPECT_TRUE(Might("name = 'żółx'", u));  // below the upper bound "żóŃ"
  EXPECT_FALSE(Might("name = 'żóź'", u));
}

TEST(MetricsEvaluatorTest, NullsAndMissingCounts) {
  DataFile f = FileWithStats();
  f.null_value_counts[1] = 100;  // all null
  f.lower_bounds.erase(1);
  f.upper_bounds.erase(1);
  EXPECT_FALSE(Might("id = 1", f));
  EXPECT_FALSE(Might("id != 1", f));
  EXPECT_FALSE(Might("id IS NOT NULL", f));
  EXPECT_TRUE(Might("id IS NULL", f));
  // Without null counts (PyIceberg manifests may omit them) IS NULL cannot prune.
  DataFile g = FileWithStats();
  g.null_value_counts.clear();
  EXPECT_TRUE(Might("id IS NULL", g));
  EXPECT_TRUE(Might("id IS NOT NULL", g));
  // No metrics at all: everything might match.
  DataFile bare;
  bare.record_count = 5;
  EXPECT_TRUE(Might("id = 1 AND name IS NULL AND price > 2", bare));
}

TEST(MetricsEvaluatorTest, NaNValuesAreOutsideTheBounds) {
  DataFile f = FileWithStats();  // price in [1, 3], no NaN
  EXPECT_FALSE(Might("price > 3", f));
  EXPECT_FALSE(Might("price = 'NaN'", f));
  f.nan_value_counts[4] = 2;  // NaN sorts above 3: price > 3 may hold
  EXPECT_TRUE(Might("price > 3", f));
  EXPECT_TRUE(Might("price = 'NaN'", f));
  EXPECT_FALSE(Might("price < 1", f));
  f.nan_value_counts.clear();  // unknown NaN count
  EXPECT_TRUE(Might("price >= 4", f));
  // A single-valued column holding only 2.0 cannot satisfy != 2 unless NaN may be there.
  DataFile one = FileWithStats();
  one.lower_bounds[4] = Bytes(Literal::Double(2.0));
  one.upper_bounds[4] = Bytes(Literal::Double(2.0));
  EXPECT_FALSE(Might("price != 2", one));
  EXPECT_FALSE(Might("price NOT IN (2, 7)", one));
  one.nan_value_counts[4] = 1;
  EXPECT_TRUE(Might("price != 2", one));
}

TEST(MetricsEvaluatorTest, PromotedColumnsReadNarrowBounds) {
  // An int column widened to long keeps 4-byte bounds in old files.
  DataFile f;
  f.record_count = 1;
  f.lower_bounds[1] = Bytes(Literal::Int(100));
  f.upper_bounds[1] = Bytes(Literal::Int(200));
  EXPECT_FALSE(Might("id > 200", f));
  EXPECT_TRUE(Might("id = 150", f));
}

// ------------------------------------------------------------------ partitions

PartitionSpec Spec(std::vector<PartitionField> fields) {
  PartitionSpec spec;
  spec.spec_id = 1;
  spec.fields = std::move(fields);
  return spec;
}

bool PartitionMight(std::string_view text, const PartitionSpec& spec,
                    std::vector<Literal> partition) {
  auto projected = ProjectToPartition(Bound(text), spec, TestSchema());
  EXPECT_TRUE(projected.ok()) << projected.status().ToString();
  return projected.ok() && PartitionMightMatch(*projected, spec, partition);
}

Literal DayOf(std::string_view iso) {
  return *Transform::Day().Apply(Literal::TimestampTz(Ts(iso)));
}

TEST(PartitionProjectionTest, DayOfTimestampAcrossBoundaries) {
  PartitionSpec spec = Spec({{3, 1000, "ts_day", Transform::Day()}});
  Literal jan1 = DayOf("2026-01-01T12:00:00Z");
  Literal jan2 = DayOf("2026-01-02T00:00:00Z");
  const char* range = "ts >= '2026-01-01T00:00:00Z' AND ts < '2026-01-02T00:00:00Z'";
  EXPECT_TRUE(PartitionMight(range, spec, {jan1}));
  EXPECT_FALSE(PartitionMight(range, spec, {jan2}));  // < midnight stops at the day before
  EXPECT_TRUE(PartitionMight("ts <= '2026-01-02T00:00:00Z'", spec, {jan2}));
  EXPECT_TRUE(PartitionMight("ts < '2026-01-02T00:00:00.000001Z'", spec, {jan2}));
  EXPECT_FALSE(PartitionMight("ts > '2026-01-01T23:59:59.999999Z'", spec, {jan1}));
  EXPECT_TRUE(PartitionMight("ts = '2026-01-01T23:59:59Z'", spec, {jan1}));
  EXPECT_FALSE(PartitionMight("ts = '2026-01-02T00:00:01Z'", spec, {jan1}));
  EXPECT_FALSE(
      PartitionMight("ts IN ('2025-12-31T10:00:00Z', '2026-01-02T10:00:00Z')", spec, {jan1}));
  // ts != x says nothing about days.
  EXPECT_TRUE(PartitionMight("ts != '2026-01-01T12:00:00Z'", spec, {jan1}));
  // Pre-epoch values floor to the earlier day.
  Literal before_epoch = DayOf("1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(before_epoch.int_value(), -1);
  EXPECT_TRUE(PartitionMight("ts >= '1969-12-31T23:30:00Z'", spec, {before_epoch}));
  EXPECT_FALSE(PartitionMight("ts >= '1970-01-01T00:00:00Z'", spec, {before_epoch}));
  // A null partition value holds only null timestamps.
  Literal null_day = Literal::Null(Type::Primitive(TypeId::kDate));
  EXPECT_FALSE(PartitionMight("ts >= '2026-01-01'", spec, {null_day}));
  EXPECT_TRUE(PartitionMight("ts IS NULL", spec, {null_day}));
  EXPECT_FALSE(PartitionMight("ts IS NULL", spec, {jan1}));
  // Read back as an int (readers must accept int for day), it still compares.
  EXPECT_FALSE(PartitionMight(range, spec, {Literal::Int(jan2.int_value())}));
}

TEST(PartitionProjectionTest, HourMonthYear) {
  Literal hour = *Transform::Hour().Apply(Literal::TimestampTz(Ts("2026-03-04T05:30:00Z")));
  PartitionSpec by_hour = Spec({{3, 1000, "ts_hour", Transform::Hour()}});
  EXPECT_TRUE(PartitionMight("ts >= '2026-03-04T05:59:59Z'", by_hour, {hour}));
  EXPECT_FALSE(PartitionMight("ts >= '2026-03-04T06:00:00Z'", by_hour, {hour}));
  EXPECT_FALSE(PartitionMight("ts < '2026-03-04T05:00:00Z'", by_hour, {hour}));
  Literal month = *Transform::Month().Apply(Literal::Date(*ParseDate("2024-01-15")));
  PartitionSpec by_month = Spec({{6, 1000, "d_month", Transform::Month()}});
  EXPECT_TRUE(PartitionMight("d BETWEEN '2024-01-31' AND '2024-02-10'", by_month, {month}));
  EXPECT_FALSE(PartitionMight("d >= '2024-02-01'", by_month, {month}));
  Literal year = *Transform::Year().Apply(Literal::Date(*ParseDate("2024-06-01")));
  PartitionSpec by_year = Spec({{6, 1000, "d_year", Transform::Year()}});
  EXPECT_TRUE(PartitionMight("d < '2025-01-01'", by_year, {year}));
  EXPECT_FALSE(PartitionMight("d < '2024-01-01'", by_year, {year}));
}

TEST(PartitionProjectionTest, IdentityBucketTruncateVoid) {
  PartitionSpec identity = Spec({{2, 1000, "name", Transform::Identity()}});
  EXPECT_TRUE(PartitionMight("name = 'a'", identity, {Literal::String("a")}));
  EXPECT_FALSE(PartitionMight("name != 'a'", identity, {Literal::String("a")}));
  EXPECT_FALSE(PartitionMight("name NOT IN ('a', 'b')", identity, {Literal::String("a")}));
  EXPECT_FALSE(PartitionMight("name > 'a'", identity, {Literal::String("a")}));

  PartitionSpec bucket = Spec({{1, 1000, "id_bucket", Transform::Bucket(16)}});
  Literal b34 = *Transform::Bucket(16).Apply(Literal::Long(34));
  Literal b35 = *Transform::Bucket(16).Apply(Literal::Long(35));
  ASSERT_NE(b34, b35);
  EXPECT_TRUE(PartitionMight("id = 34", bucket, {b34}));
  EXPECT_FALSE(PartitionMight("id = 34", bucket, {b35}));
  EXPECT_TRUE(PartitionMight("id IN (34, 35)", bucket, {b35}));
  EXPECT_TRUE(PartitionMight("id < 34", bucket, {b35}));  // buckets have no order
  EXPECT_TRUE(PartitionMight("id != 34", bucket, {b34}));

  PartitionSpec trunc = Spec({{5, 1000, "n_trunc", Transform::Truncate(10)},
                              {2, 1001, "name_trunc", Transform::Truncate(2)}});
  std::vector<Literal> p = {Literal::Int(-10), Literal::String("ab")};  // n in [-10, -1]
  EXPECT_TRUE(PartitionMight("n = -1", trunc, p));
  EXPECT_FALSE(PartitionMight("n = 0", trunc, p));
  EXPECT_FALSE(PartitionMight("n > -1", trunc, p));
  EXPECT_TRUE(PartitionMight("n >= -1", trunc, p));
  EXPECT_FALSE(PartitionMight("n < -10", trunc, p));
  EXPECT_TRUE(PartitionMight("name = 'abc' AND n <= -10", trunc, p));
  EXPECT_FALSE(PartitionMight("name = 'ac'", trunc, p));
  EXPECT_TRUE(PartitionMight("name < 'ab'", trunc, p));  // "aa…" < "ab" but "ab" ≤ "ab"

  PartitionSpec nothing = Spec({{1, 1000, "id_null", Transform::Void()}});
  Literal null_long = Literal::Null(Type::Primitive(TypeId::kLong));
  EXPECT_TRUE(PartitionMight("id = 1", nothing, {null_long}));
  EXPECT_TRUE(PartitionMight("id IS NOT NULL", nothing, {null_long}));
}

TEST(PartitionProjectionTest, ManifestSummaries) {
  PartitionSpec spec = Spec({{3, 1000, "ts_day", Transform::Day()}});
  Type ptype = *spec.PartitionType(TestSchema());
  ManifestFile m;
  m.partition_spec_id = 1;
  m.partitions.resize(1);
  m.partitions[0].contains_null = false;
  m.partitions[0].lower_bound = Bytes(DayOf("2026-01-01T00:00:00Z"));
  m.partitions[0].upper_bound = Bytes(DayOf("2026-01-03T00:00:00Z"));
  auto might = [&](std::string_view text) {
    auto projected = ProjectToPartition(Bound(text), spec, TestSchema());
    return projected.ok() && ManifestMightMatch(*projected, spec, ptype, m);
  };
  EXPECT_TRUE(might("ts >= '2026-01-03T23:00:00Z'"));
  EXPECT_FALSE(might("ts >= '2026-01-04T00:00:00Z'"));
  EXPECT_FALSE(might("ts < '2026-01-01T00:00:00Z'"));
  EXPECT_FALSE(might("ts IS NULL"));
  EXPECT_TRUE(might("id = 5"));  // not a partition source
  m.partitions[0].contains_null = true;
  EXPECT_TRUE(might("ts IS NULL"));
}

}  // namespace
}  // namespace floe::iceberg
