#include "floe/iceberg/evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>

namespace floe::iceberg {

namespace {

bool IsIntegral(TypeId id) {
  return id == TypeId::kInt || id == TypeId::kDate || id == TypeId::kLong || id == TypeId::kTime ||
         id == TypeId::kTimestamp || id == TypeId::kTimestampTz;
}

int64_t IntegralValue(const Literal& v) {
  TypeId id = v.type().id;
  return (id == TypeId::kInt || id == TypeId::kDate) ? v.int_value() : v.long_value();
}

bool IsNaN(const Literal& v) {
  if (v.is_null()) return false;
  if (v.type().id == TypeId::kFloat) return std::isnan(v.float_value());
  if (v.type().id == TypeId::kDouble) return std::isnan(v.double_value());
  return false;
}

Tri Not(Tri t) { return t == Tri::kTrue ? Tri::kFalse : t == Tri::kFalse ? Tri::kTrue : t; }
Tri FromBool(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

void AssignSlots(Expression* e, const std::unordered_map<int32_t, int32_t>& slots) {
  if (e->is_predicate()) {
    auto it = slots.find(e->field_id);
    e->field_id = it == slots.end() ? -1 : it->second;
  }
  for (Expression& c : e->children) AssignSlots(&c, slots);
}

}  // namespace

std::optional<int> CompareValues(const Literal& a, const Literal& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  TypeId ia = a.type().id, ib = b.type().id;
  if (ia != ib) {
    if (!IsIntegral(ia) || !IsIntegral(ib)) return std::nullopt;
    int64_t x = IntegralValue(a), y = IntegralValue(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  auto c = CompareLiterals(a, b);
  if (!c.ok()) return std::nullopt;
  return *c;
}

// ------------------------------------------------------------------ rows

RowEvaluator::RowEvaluator(const Expression& expr, const std::vector<int32_t>& field_ids)
    : expr_(expr) {
  std::unordered_map<int32_t, int32_t> slots;
  for (size_t i = 0; i < field_ids.size(); ++i)
    slots.emplace(field_ids[i], static_cast<int32_t>(i));
  AssignSlots(&expr_, slots);
}

Tri RowEvaluator::Eval(const Expression& e, const std::vector<Literal>& row) const {
  switch (e.op) {
    case ExprOp::kTrue: return Tri::kTrue;
    case ExprOp::kFalse: return Tri::kFalse;
    case ExprOp::kNot: return Not(Eval(e.children[0], row));
    case ExprOp::kAnd: {
      Tri a = Eval(e.children[0], row);
      if (a == Tri::kFalse) return a;
      Tri b = Eval(e.children[1], row);
      if (b == Tri::kFalse) return b;
      return (a == Tri::kTrue && b == Tri::kTrue) ? Tri::kTrue : Tri::kUnknown;
    }
    case ExprOp::kOr: {
      Tri a = Eval(e.children[0], row);
      if (a == Tri::kTrue) return a;
      Tri b = Eval(e.children[1], row);
      if (b == Tri::kTrue) return b;
      return (a == Tri::kFalse && b == Tri::kFalse) ? Tri::kFalse : Tri::kUnknown;
    }
    default: break;
  }
  static const Literal kNull;
  const Literal& v =
      (e.field_id >= 0 && static_cast<size_t>(e.field_id) < row.size()) ? row[e.field_id] : kNull;
  if (e.op == ExprOp::kIsNull) return FromBool(v.is_null());
  if (e.op == ExprOp::kNotNull) return FromBool(!v.is_null());
  if (v.is_null()) return Tri::kUnknown;
  if (e.op == ExprOp::kIn || e.op == ExprOp::kNotIn) {
    bool found = false;
    for (const Literal& lit : e.values) {
      auto c = CompareValues(v, lit);
      if (c && *c == 0) {
        found = true;
        break;
      }
    }
    return FromBool(found == (e.op == ExprOp::kIn));
  }
  if (e.values.empty()) return Tri::kUnknown;
  auto c = CompareValues(v, e.values[0]);
  if (!c) return Tri::kUnknown;
  switch (e.op) {
    case ExprOp::kEq: return FromBool(*c == 0);
    case ExprOp::kNotEq: return FromBool(*c != 0);
    case ExprOp::kLt: return FromBool(*c < 0);
    case ExprOp::kLtEq: return FromBool(*c <= 0);
    case ExprOp::kGt: return FromBool(*c > 0);
    case ExprOp::kGtEq: return FromBool(*c >= 0);
    default: return Tri::kUnknown;
  }
}

// ------------------------------------------------------------------ stats

namespace {

template <typename Map>
std::optional<int64_t> CountOf(const Map& m, int32_t id) {
  auto it = m.find(id);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::optional<Literal> Bound(const std::map<int32_t, std::string>& bounds, int32_t id,
                             const Type& type) {
  auto it = bounds.find(id);
  if (it == bounds.end() || !type.is_primitive()) return std::nullopt;
  auto v = DeserializeValue(
      type, ByteView(reinterpret_cast<const uint8_t*>(it->second.data()), it->second.size()));
  // A bound that does not decode (or is NaN, which old writers stored) says nothing.
  if (!v.ok() || IsNaN(*v)) return std::nullopt;
  return std::move(*v);
}

bool IsFloating(const Type& t) { return t.id == TypeId::kFloat || t.id == TypeId::kDouble; }

// Might a value described by `s` satisfy the predicate `e` (under SQL semantics)?
bool PredicateMightMatch(const Expression& e, const ColumnStats& s) {
  switch (e.op) {
    case ExprOp::kIsNull: return s.may_contain_null;
    case ExprOp::kNotNull: return !s.all_null;
    default: break;
  }
  if (s.all_null) return false;  // a comparison with null is never true
  if (e.values.empty()) return true;
  auto cmp = [](const std::optional<Literal>& bound, const Literal& lit) -> std::optional<int> {
    if (!bound) return std::nullopt;
    return CompareValues(*bound, lit);
  };
  const Literal& lit = e.values[0];
  if (e.op != ExprOp::kIn && e.op != ExprOp::kNotIn && IsNaN(lit)) {
    // NaN sorts above every number: only NaN values equal it and none exceeds it.
    if (e.op == ExprOp::kEq || e.op == ExprOp::kGtEq) return s.may_contain_nan;
    if (e.op == ExprOp::kGt) return false;
    return true;
  }
  switch (e.op) {
    case ExprOp::kLt: {
      auto c = cmp(s.lower, lit);
      return !(c && *c >= 0);
    }
    case ExprOp::kLtEq: {
      auto c = cmp(s.lower, lit);
      return !(c && *c > 0);
    }
    case ExprOp::kGt: {
      if (s.may_contain_nan) return true;
      auto c = cmp(s.upper, lit);
      return !(c && *c <= 0);
    }
    case ExprOp::kGtEq: {
      if (s.may_contain_nan) return true;
      auto c = cmp(s.upper, lit);
      return !(c && *c < 0);
    }
    case ExprOp::kEq: {
      auto lo = cmp(s.lower, lit), hi = cmp(s.upper, lit);
      if (lo && *lo > 0) return false;
      if (hi && *hi < 0) return false;
      return true;
    }
    case ExprOp::kNotEq:
    case ExprOp::kNotIn: {
      // Only a column holding one value (lower == upper), all of it excluded, cannot match.
      if (!s.lower || !s.upper || s.may_contain_nan) return true;
      auto same = CompareValues(*s.lower, *s.upper);
      if (!same || *same != 0) return true;
      for (const Literal& v : e.values) {
        auto c = CompareValues(*s.lower, v);
        if (c && *c == 0) return false;
      }
      return true;
    }
    case ExprOp::kIn: {
      for (const Literal& v : e.values) {
        if (IsNaN(v)) {
          if (s.may_contain_nan) return true;
          continue;
        }
        auto lo = cmp(s.lower, v), hi = cmp(s.upper, v);
        if ((lo && *lo > 0) || (hi && *hi < 0)) continue;
        return true;
      }
      return false;
    }
    default: return true;
  }
}

template <typename StatsFn>
bool MightMatch(const Expression& e, const StatsFn& stats) {
  switch (e.op) {
    case ExprOp::kTrue: return true;
    case ExprOp::kFalse: return false;
    case ExprOp::kAnd: return MightMatch(e.children[0], stats) && MightMatch(e.children[1], stats);
    case ExprOp::kOr: return MightMatch(e.children[0], stats) || MightMatch(e.children[1], stats);
    case ExprOp::kNot: return true;  // callers rewrite NOT away first
    default: return PredicateMightMatch(e, stats(e));
  }
}

}  // namespace

ColumnStats StatsOfFile(const DataFile& file, int32_t field_id, const Type& type) {
  ColumnStats s;
  auto nulls = CountOf(file.null_value_counts, field_id);
  auto values = CountOf(file.value_counts, field_id);
  auto nans = CountOf(file.nan_value_counts, field_id);
  s.may_contain_null = !(nulls && *nulls == 0);
  s.all_null = nulls && values && *nulls == *values;
  s.may_contain_nan = IsFloating(type) && !(nans && *nans == 0);
  s.lower = Bound(file.lower_bounds, field_id, type);
  s.upper = Bound(file.upper_bounds, field_id, type);
  return s;
}

namespace {
bool ContainsNot(const Expression& e) {
  if (e.op == ExprOp::kNot) return true;
  for (const Expression& c : e.children) {
    if (ContainsNot(c)) return true;
  }
  return false;
}
}  // namespace

bool FileMightMatch(const Expression& expr, const DataFile& file) {
  if (file.record_count == 0) return false;
  auto stats = [&](const Expression& p) { return StatsOfFile(file, p.field_id, p.type); };
  // Planning calls this per file with a filter already free of NOT: no copy then.
  if (!ContainsNot(expr)) return MightMatch(expr, stats);
  return MightMatch(RewriteNot(expr), stats);
}

// ------------------------------------------------------------------ partitions

namespace {

// v + delta (±1) for integral values (ints, longs, dates, times, timestamps, decimals' unscaled
// value); nullopt for other types or at the end of the range.
std::optional<Literal> StepIntegral(const Literal& v, int delta) {
  switch (v.type().id) {
    case TypeId::kInt:
    case TypeId::kDate: {
      int64_t n = static_cast<int64_t>(v.int_value()) + delta;
      if (n < INT32_MIN || n > INT32_MAX) return std::nullopt;
      return v.type().id == TypeId::kInt ? Literal::Int(static_cast<int32_t>(n))
                                         : Literal::Date(static_cast<int32_t>(n));
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      int64_t n = v.long_value();
      if ((delta < 0 && n == INT64_MIN) || (delta > 0 && n == INT64_MAX)) return std::nullopt;
      n += delta;
      switch (v.type().id) {
        case TypeId::kLong: return Literal::Long(n);
        case TypeId::kTime: return Literal::Time(n);
        case TypeId::kTimestamp: return Literal::Timestamp(n);
        default: return Literal::TimestampTz(n);
      }
    }
    case TypeId::kDecimal:
      return Literal::Decimal(v.decimal_unscaled() + delta, v.type().precision, v.type().scale);
    default: return std::nullopt;
  }
}

// The projection of one predicate through one partition field; TRUE when it cannot be carried.
Result<Expression> ProjectPredicate(const Expression& p, const PartitionField& field,
                                    const Type& result_type) {
  const Transform& t = field.transform;
  TransformKind kind = t.kind();
  if (kind == TransformKind::kVoid || kind == TransformKind::kUnknown) return Expression::True();
  Expression out;
  out.op = p.op;
  out.bound = true;
  out.field_id = field.field_id;
  out.type = result_type;
  out.column = field.name;
  if (p.op == ExprOp::kIsNull || p.op == ExprOp::kNotNull) return out;  // null ⇔ null
  bool identity = kind == TransformKind::kIdentity;
  if ((p.op == ExprOp::kNotEq || p.op == ExprOp::kNotIn) && !identity) return Expression::True();
  bool range =
      p.op == ExprOp::kLt || p.op == ExprOp::kLtEq || p.op == ExprOp::kGt || p.op == ExprOp::kGtEq;
  if (range && !identity) {
    if (!t.PreservesOrder() || kind == TransformKind::kBucket) return Expression::True();
    // A monotonic transform maps x < v to t(x) <= t(v) (several values share t(v)).
    out.op = (p.op == ExprOp::kLt || p.op == ExprOp::kLtEq) ? ExprOp::kLtEq : ExprOp::kGtEq;
  }
  for (const Literal& value : p.values) {
    if (IsNaN(value) && !identity) return Expression::True();
    Literal v = value;
    if (range && !identity && (p.op == ExprOp::kLt || p.op == ExprOp::kGt)) {
      // x < v is x <= v - 1 for integral values, which keeps t(v) out when v starts a unit
      // (ts < '2026-01-02T00:00:00' does not reach day 2026-01-02).
      int delta = p.op == ExprOp::kLt ? -1 : 1;
      auto shifted = StepIntegral(v, delta);
      if (shifted) {
        v = std::move(*shifted);
        out.op = p.op == ExprOp::kLt ? ExprOp::kLtEq : ExprOp::kGtEq;
      }
    }
    FLOE_ASSIGN_OR_RETURN(Literal r, t.Apply(v));
    out.values.push_back(std::move(r));
  }
  if (out.op == ExprOp::kIn || out.op == ExprOp::kNotIn) {
    std::sort(out.values.begin(), out.values.end(), [](const Literal& a, const Literal& b) {
      auto c = CompareValues(a, b);
      return c && *c < 0;
    });
    out.values.erase(std::unique(out.values.begin(), out.values.end(),
                                 [](const Literal& a, const Literal& b) {
                                   auto c = CompareValues(a, b);
                                   return c && *c == 0;
                                 }),
                     out.values.end());
  }
  return out;
}

Result<Expression> Project(const Expression& e, const PartitionSpec& spec, const Schema& schema) {
  switch (e.op) {
    case ExprOp::kTrue:
    case ExprOp::kFalse: return e;
    case ExprOp::kAnd:
    case ExprOp::kOr: {
      FLOE_ASSIGN_OR_RETURN(Expression a, Project(e.children[0], spec, schema));
      FLOE_ASSIGN_OR_RETURN(Expression b, Project(e.children[1], spec, schema));
      return e.op == ExprOp::kAnd ? Expression::And(std::move(a), std::move(b))
                                  : Expression::Or(std::move(a), std::move(b));
    }
    case ExprOp::kNot: return Expression::True();  // rewritten away before projecting
    default: break;
  }
  Expression result = Expression::True();
  for (const PartitionField& field : spec.fields) {
    if (field.source_id != e.field_id) continue;
    const NestedField* source = schema.FindFieldById(field.source_id);
    if (!source || !field.transform.CanTransform(source->type)) continue;
    FLOE_ASSIGN_OR_RETURN(Type result_type, field.transform.ResultType(source->type));
    auto projected = ProjectPredicate(e, field, result_type);
    // A value the transform rejects cannot narrow the partitions down.
    if (!projected.ok()) continue;
    result = Expression::And(std::move(result), std::move(*projected));
  }
  return result;
}

}  // namespace

Result<Expression> ProjectToPartition(const Expression& expr, const PartitionSpec& spec,
                                      const Schema& schema) {
  if (spec.fields.empty()) return Expression::True();
  return Project(RewriteNot(expr), spec, schema);
}

bool PartitionMightMatch(const Expression& projected, const PartitionSpec& spec,
                         const std::vector<Literal>& partition) {
  if (projected.op == ExprOp::kTrue) return true;
  return MightMatch(projected, [&](const Expression& p) {
    ColumnStats s;
    for (size_t i = 0; i < spec.fields.size() && i < partition.size(); ++i) {
      if (spec.fields[i].field_id != p.field_id) continue;
      const Literal& v = partition[i];
      s.may_contain_null = v.is_null();
      s.all_null = v.is_null();
      s.may_contain_nan = IsNaN(v);
      if (!v.is_null() && !IsNaN(v)) {
        s.lower = v;
        s.upper = v;
      }
    }
    return s;
  });
}

bool ManifestMightMatch(const Expression& projected, const PartitionSpec& spec,
                        const Type& partition_type, const ManifestFile& manifest) {
  if (projected.op == ExprOp::kTrue) return true;
  if (manifest.partitions.size() != spec.fields.size()) return true;
  return MightMatch(projected, [&](const Expression& p) {
    ColumnStats s;
    for (size_t i = 0; i < spec.fields.size(); ++i) {
      if (spec.fields[i].field_id != p.field_id) continue;
      const PartitionFieldSummary& sum = manifest.partitions[i];
      const Type& type = partition_type.fields[i].type;
      auto decode = [&](const std::optional<std::string>& b) -> std::optional<Literal> {
        if (!b) return std::nullopt;
        auto v = DeserializeValue(type,
                                  ByteView(reinterpret_cast<const uint8_t*>(b->data()), b->size()));
        if (!v.ok() || IsNaN(*v)) return std::nullopt;
        return std::move(*v);
      };
      s.lower = decode(sum.lower_bound);
      s.upper = decode(sum.upper_bound);
      s.may_contain_null = sum.contains_null;
      s.may_contain_nan = IsFloating(type) && sum.contains_nan.value_or(true);
      s.all_null = sum.contains_null && !sum.lower_bound && !sum.upper_bound && !s.may_contain_nan;
    }
    return s;
  });
}

}  // namespace floe::iceberg
