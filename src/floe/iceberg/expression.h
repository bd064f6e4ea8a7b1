#pragma once

// Row filters over a table's columns: an expression tree parsed from SQL-like text
// (`type = 'click' AND timestamp >= '2026-01-01T00:00:00Z' OR user_id IS NULL`) and bound to a
// schema, which resolves column names to field ids and coerces the literals to the column types.
//
//   FLOE_ASSIGN_OR_RETURN(Expression unbound, ParseExpression(text));
//   FLOE_ASSIGN_OR_RETURN(Expression bound, BindExpression(unbound, schema));
//
// Semantics are SQL's three-valued logic: a comparison with a null value is unknown, and a row
// matches only when the whole expression is true (so `x != 1` does not match a null x).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/types.h"
#include "floe/iceberg/values.h"

namespace floe::iceberg {

enum class ExprOp {
  kTrue,
  kFalse,
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kNotNull,
  kEq,
  kNotEq,
  kLt,
  kLtEq,
  kGt,
  kGtEq,
  kIn,
  kNotIn,
};

// "=", "!=", "<", ..., "IN", "IS NULL", "AND" (for messages and ToString).
std::string_view ExprOpName(ExprOp op);

// A literal as written in the text, before binding gives it the column's type.
struct ExprLiteral {
  enum class Kind { kString, kNumber, kBoolean, kBinary };
  Kind kind = Kind::kString;
  std::string text;  // the string's characters, the number's digits, "true"/"false", raw bytes

  friend bool operator==(const ExprLiteral&, const ExprLiteral&) = default;
};

// One node. Predicates (kIsNull .. kNotIn) name a column; after binding they also carry its
// field id and type, and `values` holds the literals in that type (IN lists sorted, without
// duplicates).
struct Expression {
  ExprOp op = ExprOp::kTrue;
  std::vector<Expression> children;  // kAnd, kOr: two; kNot: one

  std::string column;
  size_t position = 0;  // offset of the column name in the parsed text (for messages)
  std::vector<ExprLiteral> literals;

  bool bound = false;
  int32_t field_id = 0;
  Type type;
  std::vector<Literal> values;

  bool is_predicate() const { return op >= ExprOp::kIsNull; }

  static Expression True() { return Expression{}; }
  static Expression False() {
    Expression e;
    e.op = ExprOp::kFalse;
    return e;
  }
  static Expression And(Expression a, Expression b);
  static Expression Or(Expression a, Expression b);
  static Expression Not(Expression a);

  // The expression as text that parses back to it: `(a = 'x' AND b IS NULL)`.
  std::string ToString() const;
};

// Nesting deeper than this (parentheses, NOT chains) is rejected, so untrusted text cannot
// exhaust the stack.
constexpr int kMaxExpressionDepth = 200;
// Likewise the number of AND/OR operators (a chain of them is a tree that deep).
constexpr int kMaxExpressionTerms = 1000;

// Parses the filter syntax (see docs/cli.md "Filter expressions"). Errors are kInvalidArgument and
// name the position (0-based character offset) and what was expected there.
Result<Expression> ParseExpression(std::string_view text);

// Resolves column names against `schema` (exact dotted name first, then a case-insensitive match
// of a top-level column) and converts each literal to the column's type: numbers to int, long,
// float, double or decimal (too many fraction digits is an error); strings to dates
// ('2026-01-01'), times, timestamps ('2026-01-01T10:00:00', with 'Z' or an offset for
// timestamptz; a space instead of 'T' and a date alone are accepted), uuids, or bytes.
// Comparisons need a primitive column; errors name the column and its position.
Result<Expression> BindExpression(const Expression& unbound, const Schema& schema);

// The same condition without kNot nodes (pushed into the predicates, exact under three-valued
// logic: NOT (a = 1) is a != 1, NOT (a AND b) is NOT a OR NOT b).
Expression RewriteNot(const Expression& expr);

// The field ids a bound expression reads, sorted, without duplicates.
std::vector<int32_t> ReferencedFieldIds(const Expression& expr);

}  // namespace floe::iceberg
