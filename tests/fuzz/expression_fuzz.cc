// libFuzzer target: a `floe scan --where` filter from untrusted text. Parsing must fail cleanly
// or succeed; a parsed expression's text must parse back to the same text; binding, NOT
// rewriting, row evaluation, metrics and partition pruning must not crash on whatever binds.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "floe/iceberg/evaluator.h"
#include "floe/iceberg/expression.h"
#include "fuzz_check.h"

namespace {

using namespace floe::iceberg;

using floe::fuzz::Check;

NestedField Field(int32_t id, const char* name, Type type) {
  return NestedField{id, name, false, std::move(type), {}, {}, {}};
}

const Schema& TestSchema() {
  static const Schema* schema =
      new Schema(0, {Field(1, "type", Type::Primitive(TypeId::kString)),
                     Field(2, "timestamp", Type::Primitive(TypeId::kTimestampTz)),
                     Field(3, "user_id", Type::Primitive(TypeId::kString)),
                     Field(4, "n", Type::Primitive(TypeId::kInt)),
                     Field(5, "price", Type::Primitive(TypeId::kDouble)),
                     Field(6, "amount", Type::Decimal(10, 2)),
                     Field(7, "blob", Type::Primitive(TypeId::kBinary)),
                     Field(8, "day", Type::Primitive(TypeId::kDate)),
                     Field(9, "odd name", Type::Primitive(TypeId::kLong)),
                     Field(10, "id", Type::Primitive(TypeId::kUuid)),
                     Field(11, "ok", Type::Primitive(TypeId::kBoolean)),
                     Field(12, "local", Type::Primitive(TypeId::kTimestamp))});
  return *schema;
}

const PartitionSpec& TestSpec() {
  static const PartitionSpec* spec = [] {
    auto* s = new PartitionSpec;
    s->spec_id = 1;
    s->fields = {{2, 1000, "timestamp_day", Transform::Day()},
                 {4, 1001, "n_bucket", Transform::Bucket(8)},
                 {1, 1002, "type_trunc", Transform::Truncate(3)},
                 {8, 1003, "day_month", Transform::Month()},
                 {6, 1004, "amount", Transform::Identity()}};
    return s;
  }();
  return *spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseExpression(text);
  if (!parsed.ok()) {
    Check(parsed.status().kind() == floe::ErrorKind::kInvalidArgument);
    return 0;
  }
  std::string once = parsed->ToString();
  auto again = ParseExpression(once);
  Check(again.ok());
  Check(again->ToString() == once);

  auto bound = BindExpression(*parsed, TestSchema());
  if (!bound.ok()) {
    Check(bound.status().kind() == floe::ErrorKind::kInvalidArgument);
    return 0;
  }
  // The bound text parses again (binding it may fail for values it cannot print back exactly).
  Check(ParseExpression(bound->ToString()).ok());
  Expression rewritten = RewriteNot(*bound);
  (void)ReferencedFieldIds(rewritten);

  std::vector<int32_t> ids;
  std::vector<Literal> nulls, values;
  for (const NestedField& f : TestSchema().fields()) {
    ids.push_back(f.id);
    nulls.push_back(Literal::Null(f.type));
  }
  values = {Literal::String("click"),    Literal::TimestampTz(1767225600000000),
            Literal::String("u1"),       Literal::Int(5),
            Literal::Double(2.5),        Literal::Decimal(1250, 10, 2),
            Literal::Binary("\x01\x02"), Literal::Date(19000),
            Literal::Long(-1),           Literal::UuidValue(floe::Uuid{}),
            Literal::Boolean(true),      Literal::Timestamp(0)};
  RowEvaluator row(*bound, ids);
  // NOT rewriting is exact under three-valued logic.
  RowEvaluator row_rewritten(rewritten, ids);
  Check(row.Evaluate(nulls) == row_rewritten.Evaluate(nulls));
  Check(row.Evaluate(values) == row_rewritten.Evaluate(values));

  DataFile file;
  file.record_count = 10;
  file.value_counts = {{4, 10}, {1, 10}};
  file.null_value_counts = {{4, 0}, {1, 10}};
  file.lower_bounds[4] = std::string("\x01\x00\x00\x00", 4);
  file.upper_bounds[4] = std::string("\x09\x00\x00\x00", 4);
  (void)FileMightMatch(*bound, file);

  auto projected = ProjectToPartition(*bound, TestSpec(), TestSchema());
  if (projected.ok()) {
    std::vector<Literal> partition = {Literal::Date(20454), Literal::Int(3), Literal::String("cli"),
                                      Literal::Int(600), Literal::Decimal(1250, 10, 2)};
    (void)PartitionMightMatch(*projected, TestSpec(), partition);
  }
  return 0;
}
