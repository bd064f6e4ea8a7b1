#include "support/rows.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "floe/common/logger.h"
#include "floe/util/base64.h"
#include "floe/util/uuid.h"

namespace floe::testing {

using parquet::ColumnVector;
using parquet::Field;
using parquet::FieldType;
using parquet::LeafColumn;
using parquet::PhysicalType;
using parquet::RowBatch;
using parquet::Schema;

namespace {

int DecimalBytes(int precision) {
  // Smallest n with 2^(8n-1) > 10^precision.
  for (int n = 1; n <= 16; ++n) {
    long double max = std::pow(2.0L, 8 * n - 1);
    if (max > std::pow(10.0L, precision)) return n;
  }
  return 16;
}

PhysicalType PhysicalOf(const Field& f) {
  switch (f.type) {
    case FieldType::kBoolean: return PhysicalType::kBoolean;
    case FieldType::kInt:
    case FieldType::kDate: return PhysicalType::kInt32;
    case FieldType::kLong:
    case FieldType::kTime:
    case FieldType::kTimestamp:
    case FieldType::kTimestampTz: return PhysicalType::kInt64;
    case FieldType::kFloat: return PhysicalType::kFloat;
    case FieldType::kDouble: return PhysicalType::kDouble;
    case FieldType::kString:
    case FieldType::kBinary: return PhysicalType::kByteArray;
    case FieldType::kUuid:
    case FieldType::kFixed: return PhysicalType::kFixedLenByteArray;
    case FieldType::kDecimal:
      if (f.decimal_precision <= 9) return PhysicalType::kInt32;
      if (f.decimal_precision <= 18) return PhysicalType::kInt64;
      return PhysicalType::kFixedLenByteArray;
    default: return PhysicalType::kByteArray;
  }
}

bool IsNested(const Field& f) {
  return f.type == FieldType::kStruct || f.type == FieldType::kList || f.type == FieldType::kMap;
}

void CollectLeaves(const Field& f, std::vector<std::string> path, int16_t def, int16_t rep,
                   std::vector<LeafColumn>* out) {
  path.push_back(f.name);
  if (!f.required) ++def;
  if (f.type == FieldType::kStruct) {
    for (const Field& c : f.children) CollectLeaves(c, path, def, rep, out);
    return;
  }
  if (f.type == FieldType::kList) {
    path.push_back("list");
    CollectLeaves(f.children[0], path, def + 1, rep + 1, out);
    return;
  }
  if (f.type == FieldType::kMap) {
    path.push_back("key_value");
    CollectLeaves(f.children[0], path, def + 1, rep + 1, out);
    CollectLeaves(f.children[1], path, def + 1, rep + 1, out);
    return;
  }
  LeafColumn leaf;
  leaf.path = path;
  leaf.field_id = f.field_id;
  leaf.physical = PhysicalOf(f);
  leaf.max_def = def;
  leaf.max_rep = rep;
  leaf.type = f.type;
  leaf.decimal_precision = f.decimal_precision;
  leaf.decimal_scale = f.decimal_scale;
  if (f.type == FieldType::kUuid) leaf.type_length = 16;
  if (f.type == FieldType::kFixed) leaf.type_length = f.fixed_length;
  if (f.type == FieldType::kDecimal && leaf.physical == PhysicalType::kFixedLenByteArray) {
    leaf.type_length = DecimalBytes(f.decimal_precision);
  }
  out->push_back(std::move(leaf));
}

int LeafCount(const Field& f) {
  if (!IsNested(f)) return 1;
  int n = 0;
  for (const Field& c : f.children) n += LeafCount(c);
  return n;
}

class Shredder {
 public:
  Shredder(const std::vector<LeafColumn>& leaves, RowBatch* batch) : leaves_(leaves), batch_(batch) {}

  Status Shred(const Field& f, const Value& v, int16_t def, int16_t rep, int16_t rep_depth, int leaf) {
    if (v.is_null()) {
      if (f.required) return Status::InvalidArgument("null in required field " + f.name);
      EmitNull(leaf, LeafCount(f), def, rep);
      return Status::OK();
    }
    int16_t d = f.required ? def : static_cast<int16_t>(def + 1);
    switch (f.type) {
      case FieldType::kStruct: {
        int l = leaf;
        for (size_t i = 0; i < f.children.size(); ++i) {
          const Value& child = i < v.items.size() ? v.items[i] : Value();
          FLOE_RETURN_IF_ERROR(Shred(f.children[i], child, d, rep, rep_depth, l));
          l += LeafCount(f.children[i]);
        }
        return Status::OK();
      }
      case FieldType::kList: {
        if (v.items.empty()) {
          EmitNull(leaf, LeafCount(f), d, rep);
          return Status::OK();
        }
        for (size_t i = 0; i < v.items.size(); ++i) {
          int16_t r = i == 0 ? rep : static_cast<int16_t>(rep_depth + 1);
          FLOE_RETURN_IF_ERROR(Shred(f.children[0], v.items[i], static_cast<int16_t>(d + 1), r,
                                     static_cast<int16_t>(rep_depth + 1), leaf));
        }
        return Status::OK();
      }
      case FieldType::kMap: {
        if (v.entries.empty()) {
          EmitNull(leaf, LeafCount(f), d, rep);
          return Status::OK();
        }
        for (size_t i = 0; i < v.entries.size(); ++i) {
          int16_t r = i == 0 ? rep : static_cast<int16_t>(rep_depth + 1);
          FLOE_RETURN_IF_ERROR(Shred(f.children[0], v.entries[i].first, static_cast<int16_t>(d + 1), r,
                                     static_cast<int16_t>(rep_depth + 1), leaf));
          FLOE_RETURN_IF_ERROR(Shred(f.children[1], v.entries[i].second, static_cast<int16_t>(d + 1), r,
                                     static_cast<int16_t>(rep_depth + 1), leaf + LeafCount(f.children[0])));
        }
        return Status::OK();
      }
      default:
        EmitValue(leaf, d, rep, f, v);
        return Status::OK();
    }
  }

 private:
  void EmitLevels(int leaf, int16_t def, int16_t rep) {
    ColumnVector& c = batch_->columns[leaf];
    if (leaves_[leaf].max_def > 0) c.def_levels.push_back(def);
    if (leaves_[leaf].max_rep > 0) c.rep_levels.push_back(rep);
    c.num_levels++;
  }
  void EmitNull(int first_leaf, int count, int16_t def, int16_t rep) {
    for (int l = first_leaf; l < first_leaf + count; ++l) EmitLevels(l, def, rep);
  }
  void EmitValue(int leaf, int16_t def, int16_t rep, const Field& f, const Value& v) {
    EmitLevels(leaf, def, rep);
    ColumnVector& c = batch_->columns[leaf];
    const LeafColumn& lc = leaves_[leaf];
    c.num_values++;
    switch (lc.physical) {
      case PhysicalType::kBoolean: c.bools.push_back(v.b ? 1 : 0); break;
      case PhysicalType::kInt32:
        c.i32.push_back(static_cast<int32_t>(f.type == FieldType::kDecimal ? static_cast<int64_t>(v.decimal) : v.i));
        break;
      case PhysicalType::kInt64:
        c.i64.push_back(f.type == FieldType::kDecimal ? static_cast<int64_t>(v.decimal) : v.i);
        break;
      case PhysicalType::kFloat: c.f32.push_back(static_cast<float>(v.d)); break;
      case PhysicalType::kDouble: c.f64.push_back(v.d); break;
      default: {
        if (c.offsets.empty()) c.offsets.push_back(0);
        if (f.type == FieldType::kDecimal) {
          int n = lc.type_length;
          for (int k = n - 1; k >= 0; --k) c.bytes.push_back(static_cast<char>(static_cast<uint8_t>(v.decimal >> (8 * k))));
        } else {
          c.bytes += v.bytes;
        }
        c.offsets.push_back(static_cast<uint32_t>(c.bytes.size()));
      }
    }
  }

  const std::vector<LeafColumn>& leaves_;
  RowBatch* batch_;
};

// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

std::string DateText(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string TimeText(int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld.%06lld", static_cast<long long>(micros / 3600000000LL),
                static_cast<long long>(micros / 60000000LL % 60), static_cast<long long>(micros / 1000000LL % 60),
                static_cast<long long>(micros % 1000000LL));
  return buf;
}

std::string TimestampText(int64_t micros, bool utc) {
  int64_t days = micros / 86400000000LL;
  int64_t rest = micros % 86400000000LL;
  if (rest < 0) {
    rest += 86400000000LL;
    days -= 1;
  }
  return DateText(days) + "T" + TimeText(rest) + (utc ? "Z" : "");
}

std::string DecimalText(__int128 unscaled, int scale) {
  bool neg = unscaled < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-unscaled) : static_cast<unsigned __int128>(unscaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u > 0);
  if (scale > 0) {
    while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
    digits.insert(digits.end() - scale, '.');
  }
  return (neg ? "-" : "") + digits;
}

template <typename F>
std::string FloatText(F v) {
  if (std::isnan(v)) return "\"NaN\"";
  if (std::isinf(v)) return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

void AppendValue(const Field& f, const Value& v, std::string* out);

std::string KeyText(const Field& f, const Value& v) {
  std::string s;
  AppendValue(f, v, &s);
  if (!s.empty() && s.front() == '"') return s;  // already a JSON string
  std::string q;
  AppendJsonString(&q, s);
  return q;
}

void AppendValue(const Field& f, const Value& v, std::string* out) {
  if (v.is_null()) {
    *out += "null";
    return;
  }
  switch (f.type) {
    case FieldType::kBoolean: *out += v.b ? "true" : "false"; break;
    case FieldType::kInt:
    case FieldType::kLong: *out += std::to_string(v.i); break;
    case FieldType::kFloat: *out += FloatText(static_cast<float>(v.d)); break;
    case FieldType::kDouble: *out += FloatText(v.d); break;
    case FieldType::kDate: AppendJsonString(out, DateText(v.i)); break;
    case FieldType::kTime: AppendJsonString(out, TimeText(v.i)); break;
    case FieldType::kTimestamp: AppendJsonString(out, TimestampText(v.i, false)); break;
    case FieldType::kTimestampTz: AppendJsonString(out, TimestampText(v.i, true)); break;
    case FieldType::kString: AppendJsonString(out, v.bytes); break;
    case FieldType::kBinary:
    case FieldType::kFixed: AppendJsonString(out, Base64Encode(v.bytes)); break;
    case FieldType::kUuid: {
      Uuid u;
      for (int k = 0; k < 16; ++k) u.bytes[k] = static_cast<uint8_t>(v.bytes[k]);
      AppendJsonString(out, u.ToString());
      break;
    }
    case FieldType::kDecimal: AppendJsonString(out, DecimalText(v.decimal, f.decimal_scale)); break;
    case FieldType::kStruct: {
      out->push_back('{');
      for (size_t i = 0; i < f.children.size(); ++i) {
        if (i) out->push_back(',');
        AppendJsonString(out, f.children[i].name);
        out->push_back(':');
        AppendValue(f.children[i], i < v.items.size() ? v.items[i] : Value(), out);
      }
      out->push_back('}');
      break;
    }
    case FieldType::kList: {
      out->push_back('[');
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out->push_back(',');
        AppendValue(f.children[0], v.items[i], out);
      }
      out->push_back(']');
      break;
    }
    case FieldType::kMap: {
      out->push_back('{');
      for (size_t i = 0; i < v.entries.size(); ++i) {
        if (i) out->push_back(',');
        *out += KeyText(f.children[0], v.entries[i].first);
        out->push_back(':');
        AppendValue(f.children[1], v.entries[i].second, out);
      }
      out->push_back('}');
      break;
    }
  }
}

Field Prim(int32_t id, std::string name, FieldType t, bool required) {
  Field f;
  f.field_id = id;
  f.name = std::move(name);
  f.type = t;
  f.required = required;
  return f;
}

}  // namespace

std::vector<LeafColumn> ModelLeaves(const Schema& schema) {
  std::vector<LeafColumn> out;
  for (const Field& f : schema.fields) CollectLeaves(f, {}, 0, 0, &out);
  return out;
}

Result<RowBatch> Shred(const Schema& schema, const std::vector<Row>& rows) {
  std::vector<LeafColumn> leaves = ModelLeaves(schema);
  RowBatch batch;
  batch.columns.resize(leaves.size());
  Shredder s(leaves, &batch);
  for (const Row& row : rows) {
    int leaf = 0;
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      const Value& v = i < row.size() ? row[i] : Value();
      FLOE_RETURN_IF_ERROR(s.Shred(schema.fields[i], v, 0, 0, 0, leaf));
      leaf += LeafCount(schema.fields[i]);
    }
    batch.num_rows++;
  }
  return batch;
}

std::string RowToJson(const Schema& schema, const Row& row) {
  std::string out = "{";
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, schema.fields[i].name);
    out.push_back(':');
    AppendValue(schema.fields[i], i < row.size() ? row[i] : Value(), &out);
  }
  out.push_back('}');
  return out;
}

Row RandomRows::Next(const Schema& schema) {
  Row row;
  for (const Field& f : schema.fields) row.push_back(NextValue(f));
  return row;
}

Value RandomRows::NextValue(const Field& f) {
  std::uniform_real_distribution<double> unit(0, 1);
  if (!f.required && unit(rng_) < null_probability) return Value::Null();
  auto pick = [&](int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); };
  switch (f.type) {
    case FieldType::kBoolean: return Value::Bool(rng_() & 1);
    case FieldType::kInt: {
      const int64_t extremes[] = {INT32_MIN, INT32_MAX, 0, -1, 1};
      return Value::Int(pick(8) == 0 ? extremes[pick(5)] : static_cast<int32_t>(rng_()) % 100000);
    }
    case FieldType::kLong: {
      const int64_t extremes[] = {INT64_MIN, INT64_MAX, 0, -1, 1};
      return Value::Int(pick(8) == 0 ? extremes[pick(5)] : static_cast<int64_t>(rng_()));
    }
    case FieldType::kFloat:
    case FieldType::kDouble: {
      const double specials[] = {std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity(), 0.0, -0.0,
                                 f.type == FieldType::kFloat ? 3.4028234663852886e38 : 1.7976931348623157e308,
                                 f.type == FieldType::kFloat ? 1.401298464324817e-45 : 4.9406564584124654e-324};
      if (pick(6) == 0) return Value::Double(specials[pick(7)]);
      double v = (unit(rng_) - 0.5) * std::pow(10.0, pick(12) - 4);
      return Value::Double(f.type == FieldType::kFloat ? static_cast<float>(v) : v);
    }
    case FieldType::kDate:
      return Value::Int(pick(10) == 0 && !modern_times_only ? -719162 + pick(3000000) : 20000 + pick(1000));
    case FieldType::kTime: return Value::Int(static_cast<int64_t>(rng_() % 86400000000ULL));
    case FieldType::kTimestamp:
    case FieldType::kTimestampTz:
      return Value::Int(pick(10) == 0 && !modern_times_only ? -62135596800000000LL + static_cast<int64_t>(rng_() % 315537897600000000ULL)
                                      : 1767225600000000LL + static_cast<int64_t>(rng_() % 86400000000ULL));
    case FieldType::kString: {
      static const char* kPieces[] = {"a", "é", "✓", "日本", "😀", " ", "\"", "\\", "\n", "z", "\t"};
      int len = pick(10) == 0 ? 2000 + pick(3000) : pick(20);
      std::string s;
      for (int k = 0; k < len; ++k) s += kPieces[pick(11)];
      return Value::Bytes(std::move(s));
    }
    case FieldType::kBinary: {
      std::string s(static_cast<size_t>(pick(40)), '\0');
      for (char& c : s) c = static_cast<char>(rng_());
      return Value::Bytes(std::move(s));
    }
    case FieldType::kFixed:
    case FieldType::kUuid: {
      std::string s(static_cast<size_t>(f.type == FieldType::kUuid ? 16 : f.fixed_length), '\0');
      for (char& c : s) c = static_cast<char>(rng_());
      return Value::Bytes(std::move(s));
    }
    case FieldType::kDecimal: {
      __int128 max = 1;
      for (int k = 0; k < f.decimal_precision; ++k) max *= 10;
      max -= 1;
      if (pick(8) == 0) return Value::Decimal(pick(2) ? max : -max);
      __int128 v = (static_cast<__int128>(rng_()) << 64 | rng_()) % (max + 1);
      return Value::Decimal(pick(2) ? v : -v);
    }
    case FieldType::kStruct: {
      std::vector<Value> items;
      for (const Field& c : f.children) items.push_back(NextValue(c));
      return Value::Struct(std::move(items));
    }
    case FieldType::kList: {
      int n = pick(5) == 0 ? 0 : pick(6);
      std::vector<Value> items;
      for (int k = 0; k < n; ++k) items.push_back(NextValue(f.children[0]));
      return Value::List(std::move(items));
    }
    case FieldType::kMap: {
      int n = pick(5) == 0 ? 0 : pick(4);
      std::vector<std::pair<Value, Value>> entries;
      for (int k = 0; k < n; ++k) {
        Value key = NextValue(f.children[0]);
        if (f.children[0].type == FieldType::kString) key.bytes = "k" + std::to_string(k) + key.bytes;
        entries.emplace_back(std::move(key), NextValue(f.children[1]));
      }
      return Value::Map(std::move(entries));
    }
  }
  return Value::Null();
}

Schema EveryTypeSchema() {
  Schema s;
  int32_t id = 1;
  const FieldType prims[] = {FieldType::kBoolean, FieldType::kInt, FieldType::kLong, FieldType::kFloat,
                             FieldType::kDouble, FieldType::kDate, FieldType::kTime, FieldType::kTimestamp,
                             FieldType::kTimestampTz, FieldType::kString, FieldType::kUuid,
                             FieldType::kBinary, FieldType::kFixed, FieldType::kDecimal};
  const char* names[] = {"bool", "int", "long", "float", "double", "date", "time", "ts", "tstz",
                         "str", "uuid", "bin", "fixed", "dec"};
  for (bool required : {true, false}) {
    for (size_t k = 0; k < std::size(prims); ++k) {
      Field f = Prim(id++, std::string(required ? "r_" : "o_") + names[k], prims[k], required);
      if (prims[k] == FieldType::kFixed) f.fixed_length = 7;
      if (prims[k] == FieldType::kDecimal) {
        f.decimal_precision = 9;
        f.decimal_scale = 2;
      }
      s.fields.push_back(f);
    }
  }
  Field d18 = Prim(id++, "dec18", FieldType::kDecimal, false);
  d18.decimal_precision = 18;
  d18.decimal_scale = 6;
  s.fields.push_back(d18);
  Field d38 = Prim(id++, "dec38", FieldType::kDecimal, false);
  d38.decimal_precision = 38;
  d38.decimal_scale = 10;
  s.fields.push_back(d38);
  // struct<a: int, b: list<string>, c: struct<x: double required>>
  Field st = Prim(id++, "st", FieldType::kStruct, false);
  st.children.push_back(Prim(id++, "a", FieldType::kInt, false));
  Field b = Prim(id++, "b", FieldType::kList, false);
  b.children.push_back(Prim(id++, "element", FieldType::kString, false));
  st.children.push_back(b);
  Field c = Prim(id++, "c", FieldType::kStruct, false);
  c.children.push_back(Prim(id++, "x", FieldType::kDouble, true));
  st.children.push_back(c);
  s.fields.push_back(st);
  // list<required long>, required list
  Field l = Prim(id++, "longs", FieldType::kList, true);
  l.children.push_back(Prim(id++, "element", FieldType::kLong, true));
  s.fields.push_back(l);
  // list<list<optional int>>
  Field ll = Prim(id++, "nested_lists", FieldType::kList, false);
  Field inner = Prim(id++, "element", FieldType::kList, false);
  inner.children.push_back(Prim(id++, "element", FieldType::kInt, false));
  ll.children.push_back(inner);
  s.fields.push_back(ll);
  // map<string, struct<n: int required>>
  Field m = Prim(id++, "attrs", FieldType::kMap, false);
  m.children.push_back(Prim(id++, "key", FieldType::kString, true));
  Field mv = Prim(id++, "value", FieldType::kStruct, false);
  mv.children.push_back(Prim(id++, "n", FieldType::kInt, true));
  m.children.push_back(mv);
  s.fields.push_back(m);
  // list<struct<k: string, v: list<timestamptz>>>
  Field ls = Prim(id++, "events", FieldType::kList, false);
  Field lse = Prim(id++, "element", FieldType::kStruct, true);
  lse.children.push_back(Prim(id++, "k", FieldType::kString, false));
  Field lsv = Prim(id++, "v", FieldType::kList, false);
  lsv.children.push_back(Prim(id++, "element", FieldType::kTimestampTz, false));
  lse.children.push_back(lsv);
  ls.children.push_back(lse);
  s.fields.push_back(ls);
  return s;
}

Schema UniqueLeafNamesSchema() {
  Schema every = EveryTypeSchema();
  Schema s;
  for (const Field& f : every.fields) {
    if (f.name == "nested_lists" || f.name == "events") continue;
    if (f.name == "st") {
      Field st = f;
      st.children.erase(st.children.begin() + 1);  // drop the list<string> inside the struct
      s.fields.push_back(st);
      continue;
    }
    s.fields.push_back(f);
  }
  return s;
}

}  // namespace floe::testing
