#include "floe/iceberg/schema_update.h"

#include <gtest/gtest.h>

namespace floe::iceberg {
namespace {

NestedField Field(int32_t id, std::string name, bool required, Type type) {
  return NestedField{id, std::move(name), required, std::move(type), {}, {}, {}};
}

Schema Base() {
  return Schema(
      0,
      {Field(1, "id", true, Type::Primitive(TypeId::kInt)),
       Field(2, "score", false, Type::Primitive(TypeId::kFloat)),
       Field(3, "name", false, Type::Primitive(TypeId::kString)),
       Field(4, "point", false,
             Type::Struct({Field(5, "x", true, Type::Primitive(TypeId::kDouble))})),
       Field(6, "items", false,
             Type::List(7, Type::Struct({Field(8, "sku", true, Type::Primitive(TypeId::kString))}),
                        true))},
      {1});
}

TEST(SchemaUpdateTest, AddsOptionalColumnsWithIdsFromLastColumnId) {
  SchemaUpdate update(Base(), 20);
  update.AddColumn("", "tags", Type::List(0, Type::Primitive(TypeId::kString), false), "labels")
      .AddColumn("point", "y", Type::Primitive(TypeId::kDouble))
      .AddColumn("items", "qty", Type::Primitive(TypeId::kInt));
  Result<AppliedSchemaUpdate> r = update.Apply(1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Schema& s = r->schema;
  EXPECT_EQ(s.schema_id(), 1);
  // The column first, then its nested ids.
  EXPECT_EQ(s.FindFieldByName("tags")->id, 21);
  EXPECT_EQ(s.FindFieldByName("tags.element")->id, 22);
  EXPECT_FALSE(s.FindFieldByName("tags")->required);
  EXPECT_EQ(s.FindFieldByName("tags")->doc, "labels");
  EXPECT_EQ(s.FindFieldByName("point.y")->id, 23);
  EXPECT_EQ(s.FindFieldByName("items.element.qty")->id, 24);
  EXPECT_EQ(r->last_column_id, 24);
  EXPECT_EQ(s.identifier_field_ids(), std::vector<int32_t>{1});
  EXPECT_EQ(s.fields().back().name, "tags");
}

TEST(SchemaUpdateTest, RenamesAndWidens) {
  SchemaUpdate update(Base(), 8);
  update.RenameColumn("name", "full_name")
      .RenameColumn("point.x", "lon")
      .UpdateColumnType("id", Type::Primitive(TypeId::kLong))
      .UpdateColumnType("score", Type::Primitive(TypeId::kDouble));
  Result<AppliedSchemaUpdate> r = update.Apply(1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->schema.FindFieldById(3)->name, "full_name");
  EXPECT_EQ(r->schema.FindColumnName(5), "point.lon");
  EXPECT_EQ(r->schema.FindFieldById(1)->type.id, TypeId::kLong);
  EXPECT_EQ(r->schema.FindFieldById(2)->type.id, TypeId::kDouble);
  EXPECT_EQ(r->last_column_id, 8);
}

TEST(SchemaUpdateTest, RejectsEverythingElse) {
  auto fails = [](auto&& change, ErrorKind kind) {
    SchemaUpdate update(Base(), 8);
    change(update);
    Result<AppliedSchemaUpdate> r = update.Apply(1);
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
      EXPECT_EQ(r.status().kind(), kind) << r.status().ToString();
    }
  };
  fails([](SchemaUpdate& u) { u.UpdateColumnType("id", Type::Primitive(TypeId::kString)); },
        ErrorKind::kInvalidArgument);
  fails([](SchemaUpdate& u) { u.UpdateColumnType("score", Type::Primitive(TypeId::kInt)); },
        ErrorKind::kInvalidArgument);
  fails([](SchemaUpdate& u) { u.UpdateColumnType("point", Type::Primitive(TypeId::kInt)); },
        ErrorKind::kInvalidArgument);
  fails([](SchemaUpdate& u) { u.AddRequiredColumn("", "z", Type::Primitive(TypeId::kInt)); },
        ErrorKind::kInvalidArgument);
  fails([](SchemaUpdate& u) { u.AddColumn("", "name", Type::Primitive(TypeId::kInt)); },
        ErrorKind::kAlreadyExists);
  fails([](SchemaUpdate& u) { u.AddColumn("", "a.b", Type::Primitive(TypeId::kInt)); },
        ErrorKind::kInvalidArgument);
  fails([](SchemaUpdate& u) { u.AddColumn("nope", "a", Type::Primitive(TypeId::kInt)); },
        ErrorKind::kNotFound);
  fails([](SchemaUpdate& u) { u.AddColumn("name", "a", Type::Primitive(TypeId::kInt)); },
        ErrorKind::kNotFound);
  fails([](SchemaUpdate& u) { u.RenameColumn("name", "id"); }, ErrorKind::kAlreadyExists);
  fails([](SchemaUpdate& u) { u.RenameColumn("missing", "x"); }, ErrorKind::kNotFound);
  fails([](SchemaUpdate& u) { u.RenameColumn("items.element", "x"); }, ErrorKind::kInvalidArgument);
  // The first error wins even when later changes are fine.
  SchemaUpdate update(Base(), 8);
  update.RenameColumn("missing", "x").AddColumn("", "ok", Type::Primitive(TypeId::kInt));
  EXPECT_NE(update.Apply(1).status().message().find("missing"), std::string::npos);
}

TEST(SchemaUpdateTest, NeverReusesIdsBelowTheHighestFieldId) {
  // A stale last-column-id must not hand out ids the schema already uses.
  SchemaUpdate update(Base(), 2);
  update.AddColumn("", "extra", Type::Primitive(TypeId::kInt));
  Result<AppliedSchemaUpdate> r = update.Apply(1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->schema.FindFieldByName("extra")->id, 9);
}

}  // namespace
}  // namespace floe::iceberg
