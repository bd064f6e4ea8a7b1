#include "floe/iceberg/partition_spec.h"

#include <gtest/gtest.h>

#include "floe/iceberg/datetime.h"
#include "floe/iceberg/json_serde.h"

namespace floe::iceberg {
namespace {

NestedField Field(int32_t id, std::string name, bool required, Type type) {
  return NestedField{id, std::move(name), required, std::move(type), {}, {}, {}};
}

Schema EventsSchema() {
  return Schema(0,
                {Field(1, "event_id", true, Type::Primitive(TypeId::kString)),
                 Field(2, "timestamp", true, Type::Primitive(TypeId::kTimestampTz)),
                 Field(3, "type", true, Type::Primitive(TypeId::kString)),
                 Field(4, "user_id", false, Type::Primitive(TypeId::kLong)),
                 Field(5, "tags", false, Type::List(6, Type::Primitive(TypeId::kString), false))});
}

PartitionSpec MultiSpec() {
  return PartitionSpec{3,
                       {{2, 1000, "timestamp_day", Transform::Day()},
                        {2, 1001, "ts_hour", Transform::Hour()},
                        {2, 1002, "ts_month", Transform::Month()},
                        {2, 1003, "ts_year", Transform::Year()},
                        {3, 1004, "type", Transform::Identity()},
                        {4, 1005, "user_id_bucket", Transform::Bucket(16)}}};
}

TEST(PartitionSpecTest, PartitionTypeHasTheResultTypes) {
  Result<Type> t = MultiSpec().PartitionType(EventsSchema());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->fields.size(), 6u);
  EXPECT_EQ(t->fields[0].id, 1000);
  EXPECT_EQ(t->fields[0].name, "timestamp_day");
  EXPECT_FALSE(t->fields[0].required);
  EXPECT_EQ(t->fields[0].type, Type::Primitive(TypeId::kDate));
  EXPECT_EQ(t->fields[1].type, Type::Primitive(TypeId::kInt));
  EXPECT_EQ(t->fields[4].type, Type::Primitive(TypeId::kString));
  EXPECT_EQ(t->fields[5].type, Type::Primitive(TypeId::kInt));

  PartitionSpec bad{0, {{99, 1000, "x", Transform::Identity()}}};
  Result<Type> missing = bad.PartitionType(EventsSchema());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("\"x\""), std::string::npos);
  PartitionSpec wrong{0, {{3, 1000, "type_hour", Transform::Hour()}}};
  EXPECT_FALSE(wrong.PartitionType(EventsSchema()).ok());
  EXPECT_FALSE(wrong.Validate(EventsSchema()).ok());
  PartitionSpec dup{0,
                    {{3, 1000, "a", Transform::Identity()}, {1, 1001, "a", Transform::Identity()}}};
  EXPECT_FALSE(dup.Validate(EventsSchema()).ok());
  EXPECT_TRUE(MultiSpec().Validate(EventsSchema()).ok());
}

TEST(PartitionSpecTest, PathFormAsJavaWritesIt) {
  PartitionSpec spec = MultiSpec();
  int64_t ts = *ParseTimestamp("2026-01-01T05:59:59", false);
  Result<std::vector<Literal>> values = ComputePartition(
      spec, {Literal::TimestampTz(ts), Literal::TimestampTz(ts), Literal::TimestampTz(ts),
             Literal::TimestampTz(ts), Literal::String("page view/a:b"),
             Literal::Null(Type::Primitive(TypeId::kLong))});
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  Result<std::string> path = PartitionPath(spec, *values);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path,
            "timestamp_day=2026-01-01/ts_hour=2026-01-01-05/ts_month=2026-01/ts_year=2026/"
            "type=page+view%2Fa%3Ab/user_id_bucket=null");
  Type ptype = *spec.PartitionType(EventsSchema());
  Result<std::vector<Literal>> back = ParsePartitionPath(spec, ptype, *path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *values);

  EXPECT_FALSE(ParsePartitionPath(spec, ptype, "timestamp_day=2026-01-01").ok());
  EXPECT_FALSE(ParsePartitionPath(spec, ptype, *path + "/extra=1").ok());
  EXPECT_FALSE(ParsePartitionPath(spec, ptype, "wrong=2026-01-01/" + path->substr(25)).ok());
  EXPECT_FALSE(ComputePartition(spec, {Literal::Int(1)}).ok());
  PartitionSpec unpartitioned;
  EXPECT_EQ(*PartitionPath(unpartitioned, {}), "");
}

TEST(PartitionSpecTest, SpecJson) {
  PartitionSpec spec{0, {{2, 1000, "ts_hour", Transform::Hour()}}};
  EXPECT_EQ(PartitionSpecToJsonString(spec),
            R"({"spec-id":0,"fields":[{"name":"ts_hour","transform":"hour","source-id":2,)"
            R"("field-id":1000}]})");
  Result<PartitionSpec> back = PartitionSpecFromJsonString(PartitionSpecToJsonString(MultiSpec()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, MultiSpec());
  EXPECT_EQ(PartitionSpec{}.LastAssignedFieldId(), 999);
  EXPECT_EQ(MultiSpec().LastAssignedFieldId(), 1005);
  // v2 requires field-id.
  Result<PartitionSpec> no_id = PartitionSpecFromJsonString(
      R"({"spec-id":0,"fields":[{"name":"a","transform":"identity","source-id":1}]})");
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.status().message().find("fields[0].field-id"), std::string::npos);
  EXPECT_FALSE(
      PartitionSpecFromJsonString(R"({"spec-id":0,"fields":[{"name":"a","transform":"bucket[-1]",)"
                                  R"("source-id":1,"field-id":1000}]})")
          .ok());
}

TEST(PartitionSpecTest, SortOrderJson) {
  SortOrder order{1,
                  {{Transform::Identity(), 3, SortDirection::kAsc, NullOrder::kNullsFirst},
                   {Transform::Day(), 2, SortDirection::kDesc, NullOrder::kNullsLast}}};
  std::string json = SortOrderToJsonString(order);
  EXPECT_EQ(json,
            R"({"order-id":1,"fields":[{"transform":"identity","source-id":3,"direction":"asc",)"
            R"("null-order":"nulls-first"},{"transform":"day","source-id":2,"direction":"desc",)"
            R"("null-order":"nulls-last"}]})");
  EXPECT_EQ(*SortOrderFromJsonString(json), order);
  EXPECT_EQ(SortOrderToJsonString(SortOrder::Unsorted()), R"({"order-id":0,"fields":[]})");
  EXPECT_FALSE(
      SortOrderFromJsonString(R"({"order-id":1,"fields":[{"transform":"identity","source-id":3,)"
                              R"("direction":"up","null-order":"nulls-first"}]})")
          .ok());
  EXPECT_FALSE(
      SortOrderFromJsonString(R"({"order-id":0,"fields":[{"transform":"identity","source-id":3,)"
                              R"("direction":"asc","null-order":"nulls-first"}]})")
          .ok());
}

}  // namespace
}  // namespace floe::iceberg
