#pragma once

// A tiny row model for tests: values as trees, shredded into Parquet column vectors by a
// straightforward Dremel implementation of its own (independent of the writer's code), and
// rendered as the canonical JSON that `floe parquet-cat` prints. Tests compare floe's output
// against this model.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "floe/common/result.h"
#include "floe/parquet/types.h"

namespace floe::testing {

struct Value {
  enum class Kind { kNull, kBool, kInt, kDouble, kBytes, kDecimal, kList, kStruct, kMap };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;        // int, long, date, time, timestamp(tz)
  double d = 0;         // float, double
  std::string bytes;    // string, binary, fixed, uuid (16 bytes)
  __int128 decimal = 0; // unscaled
  std::vector<Value> items;                    // list elements, struct fields (schema order)
  std::vector<std::pair<Value, Value>> entries;  // map

  static Value Null() { return {}; }
  static Value Bool(bool v) { Value x; x.kind = Kind::kBool; x.b = v; return x; }
  static Value Int(int64_t v) { Value x; x.kind = Kind::kInt; x.i = v; return x; }
  static Value Double(double v) { Value x; x.kind = Kind::kDouble; x.d = v; return x; }
  static Value Bytes(std::string v) { Value x; x.kind = Kind::kBytes; x.bytes = std::move(v); return x; }
  static Value Decimal(__int128 v) { Value x; x.kind = Kind::kDecimal; x.decimal = v; return x; }
  static Value List(std::vector<Value> v) { Value x; x.kind = Kind::kList; x.items = std::move(v); return x; }
  static Value Struct(std::vector<Value> v) { Value x; x.kind = Kind::kStruct; x.items = std::move(v); return x; }
  static Value Map(std::vector<std::pair<Value, Value>> v) {
    Value x; x.kind = Kind::kMap; x.entries = std::move(v); return x;
  }
  bool is_null() const { return kind == Kind::kNull; }
};

using Row = std::vector<Value>;  // one value per top-level field

// The leaf columns of `schema` as this model derives them (path, max levels, field ids).
std::vector<parquet::LeafColumn> ModelLeaves(const parquet::Schema& schema);

// Shreds rows into one ColumnVector per leaf. Fails on a null in a required field.
Result<parquet::RowBatch> Shred(const parquet::Schema& schema, const std::vector<Row>& rows);

// One row as canonical JSON (the parquet-cat format): timestamps RFC 3339 with 6 digits, dates
// YYYY-MM-DD, time HH:MM:SS.ffffff, decimals as strings, binary/fixed base64, uuids as text,
// floats shortest round-trip, NaN/Infinity as strings, maps as objects keyed by the key's text.
std::string RowToJson(const parquet::Schema& schema, const Row& row);

// Random values for a schema: nulls in optional fields, empty and long lists, extreme values,
// NaN and infinities, non-ASCII and long strings.
class RandomRows {
 public:
  explicit RandomRows(uint64_t seed) : rng_(seed) {}
  Row Next(const parquet::Schema& schema);
  Value NextValue(const parquet::Field& field);
  double null_probability = 0.2;
  // Dates and timestamps from 1970 on only (some third-party readers round older ones).
  bool modern_times_only = false;

 private:
  std::mt19937_64 rng_;
};

// A schema with every type, required and optional, nested in structs, lists and maps. Field ids
// from 1.
parquet::Schema EveryTypeSchema();

// Every primitive type, required and optional, a struct, one list and one map, with leaf names
// unique in the file (check-parquet.mjs matches leaves across readers by name).
parquet::Schema UniqueLeafNamesSchema();

}  // namespace floe::testing
