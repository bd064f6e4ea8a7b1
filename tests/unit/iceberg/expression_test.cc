#include "floe/iceberg/expression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "floe/iceberg/datetime.h"

namespace floe::iceberg {
namespace {

using ::testing::HasSubstr;

NestedField Field(int32_t id, std::string name, Type type, bool required = false) {
  return NestedField{id, std::move(name), required, std::move(type), {}, {}, {}};
}

Schema EventsSchema() {
  return Schema(
      0, {Field(1, "event_id", Type::Primitive(TypeId::kString), true),
          Field(2, "timestamp", Type::Primitive(TypeId::kTimestampTz), true),
          Field(3, "type", Type::Primitive(TypeId::kString), true),
          Field(4, "user_id", Type::Primitive(TypeId::kString)),
          Field(5, "n", Type::Primitive(TypeId::kInt)),
          Field(6, "big", Type::Primitive(TypeId::kLong)),
          Field(7, "price", Type::Primitive(TypeId::kDouble)),
          Field(8, "amount", Type::Decimal(10, 2)), Field(9, "day", Type::Primitive(TypeId::kDate)),
          Field(10, "local", Type::Primitive(TypeId::kTimestamp)),
          Field(11, "id", Type::Primitive(TypeId::kUuid)),
          Field(12, "blob", Type::Primitive(TypeId::kBinary)),
          Field(13, "ok", Type::Primitive(TypeId::kBoolean)),
          Field(14, "tags", Type::List(15, Type::Primitive(TypeId::kString), false)),
          Field(16, "Mixed", Type::Primitive(TypeId::kString))});
}

Expression Parse(std::string_view text) {
  Result<Expression> e = ParseExpression(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
  return e.ok() ? *e : Expression::False();
}

Expression ParseBind(std::string_view text) {
  Result<Expression> b = BindExpression(Parse(text), EventsSchema());
  EXPECT_TRUE(b.ok()) << text << ": " << b.status().ToString();
  return b.ok() ? *b : Expression::False();
}

Status BindError(std::string_view text) {
  Result<Expression> e = ParseExpression(text);
  if (!e.ok()) return e.status();
  Result<Expression> b = BindExpression(*e, EventsSchema());
  return b.ok() ? Status::OK() : b.status();
}

TEST(ExpressionParseTest, PrecedenceAndOrNot) {
  Expression e = Parse("type = 'click' AND timestamp >= '2026-01-01T00:00:00Z' OR user_id IS NULL");
  ASSERT_EQ(e.op, ExprOp::kOr);
  EXPECT_EQ(e.children[0].op, ExprOp::kAnd);
  EXPECT_EQ(e.children[1].op, ExprOp::kIsNull);
  EXPECT_EQ(e.children[1].column, "user_id");
  EXPECT_EQ(e.ToString(),
            "((type = 'click' AND timestamp >= '2026-01-01T00:00:00Z') OR user_id IS NULL)");

  Expression n = Parse("NOT (a = 1 OR b != 2) and not c <> 3");
  ASSERT_EQ(n.op, ExprOp::kAnd);
  EXPECT_EQ(n.children[0].op, ExprOp::kNot);
  EXPECT_EQ(n.children[1].op, ExprOp::kNot);
  EXPECT_EQ(n.children[1].children[0].op, ExprOp::kNotEq);
}

TEST(ExpressionParseTest, LongChainsPrintFlatAndParseBack) {
  // Found by expression_fuzz: a chain of 60 ORs printed one parenthesis per term and the text
  // no longer parsed (nesting limit).
  std::string text = "a = 0";
  for (int i = 1; i < 300; ++i) text += " OR a = " + std::to_string(i);
  text += " AND (b = 1 OR (c = 2 OR d = 3))";
  Expression e = Parse(text);
  std::string printed = e.ToString();
  EXPECT_EQ(printed.substr(0, 22), "(a = 0 OR a = 1 OR a =");
  EXPECT_NE(printed.find("(b = 1 OR (c = 2 OR d = 3))"), std::string::npos) << printed;
  Expression again = Parse(printed);
  EXPECT_EQ(again.ToString(), printed);
}

TEST(ExpressionParseTest, EveryOperatorAndLiteral) {
  struct Case {
    const char* text;
    ExprOp op;
    size_t literals;
  };
  for (const Case& c : std::vector<Case>{{"a = 1", ExprOp::kEq, 1},
                                         {"a == 1", ExprOp::kEq, 1},
                                         {"a != -1.5e3", ExprOp::kNotEq, 1},
                                         {"a <> 'x'", ExprOp::kNotEq, 1},
                                         {"a < 1", ExprOp::kLt, 1},
                                         {"a <= 1", ExprOp::kLtEq, 1},
                                         {"a > 1", ExprOp::kGt, 1},
                                         {"a >= true", ExprOp::kGtEq, 1},
                                         {"a IN (1, 2, 3)", ExprOp::kIn, 3},
                                         {"a not in ('x')", ExprOp::kNotIn, 1},
                                         {"a IS NULL", ExprOp::kIsNull, 0},
                                         {"a is not null", ExprOp::kNotNull, 0},
                                         {"a = X'00ff'", ExprOp::kEq, 1},
                                         {"a = DATE '2026-01-01'", ExprOp::kEq, 1},
                                         {"`odd name` = 1", ExprOp::kEq, 1},
                                         {"\"quoted\" = 1", ExprOp::kEq, 1}}) {
    Expression e = Parse(c.text);
    EXPECT_EQ(e.op, c.op) << c.text;
    EXPECT_EQ(e.literals.size(), c.literals) << c.text;
    // The text form parses back to the same tree.
    Expression again = Parse(e.ToString());
    EXPECT_EQ(again.ToString(), e.ToString()) << c.text;
  }
  EXPECT_EQ(Parse("a = 'it''s'").literals[0].text, "it's");
  EXPECT_EQ(Parse("a = X'00ff'").literals[0].text, std::string("\x00\xff", 2));
  EXPECT_EQ(Parse("`odd name` = 1").column, "odd name");
  EXPECT_EQ(Parse("TRUE").op, ExprOp::kTrue);
  EXPECT_EQ(Parse("false OR true").op, ExprOp::kOr);
}

TEST(ExpressionParseTest, BetweenBecomesTwoComparisons) {
  Expression e = Parse("x BETWEEN 0.05 AND 0.07 AND y < 24");
  ASSERT_EQ(e.op, ExprOp::kAnd);
  ASSERT_EQ(e.children[0].op, ExprOp::kAnd);
  EXPECT_EQ(e.children[0].children[0].op, ExprOp::kGtEq);
  EXPECT_EQ(e.children[0].children[1].op, ExprOp::kLtEq);
  EXPECT_EQ(Parse("x NOT BETWEEN 1 AND 2").op, ExprOp::kNot);
}

TEST(ExpressionParseTest, ColumnsNamedLikeKeywords) {
  // DESIGN.md's events table has columns "timestamp" and "type".
  Expression e = Parse("timestamp >= TIMESTAMPTZ '2026-01-01 00:00:00+00' AND type = 'x'");
  EXPECT_EQ(e.children[0].column, "timestamp");
  EXPECT_EQ(e.children[0].literals[0].text, "2026-01-01 00:00:00+00");
  EXPECT_EQ(e.children[1].column, "type");
}

TEST(ExpressionParseTest, ErrorsNamePosition) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c :
       std::vector<Case>{{"", "position 0: the expression is empty"},
                         {"a = ", "position 4: expected a literal"},
                         {"a = 'open", "position 4: unterminated quoted text"},
                         {"a IS 5", "position 5: expected NULL"},
                         {"a = 1 b = 2", "position 6: expected AND, OR or the end"},
                         {"(a = 1", "position 6: expected ')'"},
                         {"a ~ 1", "position 2: unexpected character '~'"},
                         {"a = NULL", "position 4: compare with NULL using IS NULL"},
                         {"a IN 1", "position 5: expected '(' after IN"},
                         {"a IN (1 2)", "position 8: expected ',' or ')'"},
                         {"a = X'0'", "even number of hex digits"},
                         {"= 1", "position 0: expected a column name"},
                         {"a", "position 1: expected a comparison"}}) {
    Result<Expression> e = ParseExpression(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().kind(), ErrorKind::kInvalidArgument) << c.text;
    EXPECT_THAT(e.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(ExpressionParseTest, DepthAndLengthAreBounded) {
  std::string deep(kMaxExpressionDepth + 10, '(');
  deep += "a = 1";
  deep += std::string(kMaxExpressionDepth + 10, ')');
  EXPECT_THAT(ParseExpression(deep).status().message(), HasSubstr("nested too deeply"));
  std::string nots;
  for (int i = 0; i < kMaxExpressionDepth + 10; ++i) nots += "NOT ";
  EXPECT_THAT(ParseExpression(nots + "a = 1").status().message(), HasSubstr("nested too deeply"));
  std::string chain = "a = 1";
  for (int i = 0; i < kMaxExpressionTerms + 1; ++i) chain += " AND a = 1";
  EXPECT_THAT(ParseExpression(chain).status().message(), HasSubstr("too many AND/OR terms"));
  std::string ok = "a = 1";
  for (int i = 0; i < 100; ++i) ok += " OR a = 1";
  EXPECT_TRUE(ParseExpression(ok).ok());
}

TEST(ExpressionBindTest, CoercesLiteralsToColumnTypes) {
  Expression e = ParseBind("timestamp >= '2026-01-01T00:00:00Z'");
  ASSERT_TRUE(e.bound);
  EXPECT_EQ(e.field_id, 2);
  EXPECT_EQ(e.values[0], Literal::TimestampTz(*ParseTimestamp("2026-01-01T00:00:00Z", true)));
  // SQL spellings of the same instant.
  EXPECT_EQ(ParseBind("timestamp >= TIMESTAMPTZ '2026-01-01 00:00:00+00'").values[0], e.values[0]);
  EXPECT_EQ(ParseBind("timestamp >= '2026-01-01 01:00:00+01:00'").values[0], e.values[0]);
  EXPECT_EQ(ParseBind("timestamp >= '2026-01-01'").values[0], e.values[0]);
  EXPECT_EQ(ParseBind("local = '1970-01-01T00:00:01'").values[0], Literal::Timestamp(1000000));
  EXPECT_EQ(ParseBind("n = 7").values[0], Literal::Int(7));
  EXPECT_EQ(ParseBind("big = -9223372036854775808").values[0],
            Literal::Long(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(ParseBind("price < 2").values[0], Literal::Double(2));
  EXPECT_EQ(ParseBind("amount = 12.3").values[0], Literal::Decimal(1230, 10, 2));
  EXPECT_EQ(ParseBind("day = DATE '1970-01-02'").values[0], Literal::Date(1));
  EXPECT_EQ(ParseBind("ok = true").values[0], Literal::Boolean(true));
  EXPECT_EQ(ParseBind("blob = X'0102'").values[0], Literal::Binary("\x01\x02"));
  EXPECT_EQ(ParseBind("id = 'F79C3E09-677C-4BBD-A479-3F349CB785E7'").values[0],
            Literal::UuidValue(*Uuid::Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7")));
  // Case-insensitive fallback for top-level names; the bound column keeps the schema's name.
  Expression m = ParseBind("mixed = 'x'");
  EXPECT_EQ(m.field_id, 16);
  EXPECT_EQ(m.column, "Mixed");
  EXPECT_EQ(ParseBind("tags IS NOT NULL").field_id, 14);
}

TEST(ExpressionBindTest, InListsAreSortedAndDeduplicated) {
  Expression e = ParseBind("n IN (3, 1, 3, 2)");
  ASSERT_EQ(e.values.size(), 3u);
  EXPECT_EQ(e.values[0], Literal::Int(1));
  EXPECT_EQ(e.values[2], Literal::Int(3));
  EXPECT_EQ(ParseBind("n IN (4, 4)").op, ExprOp::kEq);
  EXPECT_EQ(ParseBind("n NOT IN (4)").op, ExprOp::kNotEq);
}

TEST(ExpressionBindTest, ErrorsNameColumnAndPosition) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"type = 'a' AND nope = 1", "column 'nope' at position 15: no such column (columns:"},
           {"n = 'abc'", "column 'n' at position 0: cannot compare a int column with 'abc'"},
           {"n = 3000000000", "out of range for an int column"},
           // Found by expression_fuzz: an overflowing literal bound as infinity printed back as
           // text that no longer parsed.
           {"price < 1e400", "out of range for a double"},
           {"amount = 1.234", "at most 2 fraction digits"},
           {"day = '2026-13-01'", "is not a date"},
           {"timestamp < 'yesterday'", "is not a timestamp"},
           {"id = 'not-a-uuid'", "is not a uuid"},
           {"type = 5", "cannot compare a string column with 5"},
           {"ok = 1", "cannot compare a boolean column"},
           {"tags = 'x'", "can only be tested with IS [NOT] NULL"}}) {
    Status s = BindError(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.kind(), ErrorKind::kInvalidArgument) << c.text;
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(ExpressionBindTest, BoundTextBindsToTheSameValues) {
  for (const char* text :
       {"timestamp >= '2026-01-01T00:00:00.5Z'", "amount IN (1.50, -2)", "blob = X'FF00'",
        "price > -0.25", "day < '0011-03-05'", "NOT (n = 1 OR user_id IS NULL)"}) {
    Expression bound = ParseBind(text);
    Expression again = ParseBind(bound.ToString());
    EXPECT_EQ(again.ToString(), bound.ToString()) << text;
  }
}

TEST(ExpressionRewriteNotTest, PushesNotIntoPredicates) {
  Expression e = RewriteNot(ParseBind("NOT (n = 1 OR (user_id IS NULL AND NOT n IN (2, 3)))"));
  EXPECT_EQ(e.ToString(), "(n != 1 AND (user_id IS NOT NULL OR n IN (2, 3)))");
  EXPECT_EQ(RewriteNot(ParseBind("NOT n < 5")).op, ExprOp::kGtEq);
  EXPECT_EQ(RewriteNot(ParseBind("NOT NOT n <= 5")).op, ExprOp::kLtEq);
  EXPECT_EQ(RewriteNot(ParseBind("NOT TRUE")).op, ExprOp::kFalse);
  EXPECT_EQ(ReferencedFieldIds(ParseBind("n = 1 OR type = 'a' OR n = 2")),
            (std::vector<int32_t>{3, 5}));
}

}  // namespace
}  // namespace floe::iceberg
