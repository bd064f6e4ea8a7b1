// `floe parquet-inspect` (the footer as JSON) and `floe parquet-cat` (rows as NDJSON, nested
// values reassembled from repetition and definition levels).

#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "floe/cli/commands.h"
#include "floe/io/file.h"
#include "floe/parquet/format.h"
#include "floe/parquet/reader.h"
#include "floe/parquet/schema.h"
#include "floe/util/base64.h"
#include "floe/util/uuid.h"

namespace floe::cli {

namespace {

using parquet::ColumnVector;
using parquet::FieldType;
using parquet::LeafColumn;
using parquet::PhysicalType;
namespace format = parquet::format;

// ------------------------------------------------------------------ value text

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        default:
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8 passes through when well formed; anything else becomes U+FFFD so the
    // output stays valid JSON.
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len == 2) ok = c >= 0xC2;
    if (ok && len == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out->append(s.data() + i, len);
      i += len;
    } else {
      out->append("\xEF\xBF\xBD");
      ++i;
    }
  }
  out->push_back('"');
}

template <typename T>
void AppendNumber(std::string* out, T v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

template <typename F>
void AppendFloat(std::string* out, F v) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    AppendNumber(out, v);  // shortest text that reads back as the same value
  }
}

void AppendDigits(std::string* out, int64_t v, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0 || n < width);
  while (n > 0) out->push_back(buf[--n]);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
void AppendDate(std::string* out, int64_t days) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  if (y < 0) {
    out->push_back('-');
    y = -y;
  }
  AppendDigits(out, y, 4);
  out->push_back('-');
  AppendDigits(out, m, 2);
  out->push_back('-');
  AppendDigits(out, d, 2);
}

// `units` of `per_second` into the day: HH:MM:SS.f (6 digits, 9 for nanoseconds).
void AppendTimeOfDay(std::string* out, int64_t units, int64_t per_second) {
  const int64_t seconds = units / per_second;
  AppendDigits(out, seconds / 3600, 2);
  out->push_back(':');
  AppendDigits(out, seconds / 60 % 60, 2);
  out->push_back(':');
  AppendDigits(out, seconds % 60, 2);
  out->push_back('.');
  int64_t frac = units % per_second;
  if (per_second == 1000) frac *= 1000;
  AppendDigits(out, frac, per_second == 1000000000 ? 9 : 6);
}

int64_t UnitsPerSecond(parquet::TimeUnit unit) {
  switch (unit) {
    case parquet::TimeUnit::kMillis: return 1000;
    case parquet::TimeUnit::kMicros: return 1000000;
    case parquet::TimeUnit::kNanos: return 1000000000;
  }
  return 1000000;
}

void AppendTimestamp(std::string* out, int64_t units, int64_t per_second, bool utc) {
  const int64_t per_day = per_second * 86400;
  const int64_t days = FloorDiv(units, per_day);
  out->push_back('"');
  AppendDate(out, days);
  out->push_back('T');
  AppendTimeOfDay(out, units - days * per_day, per_second);
  if (utc) out->push_back('Z');
  out->push_back('"');
}

void AppendDecimal(std::string* out, __int128 unscaled, int32_t scale) {
  const bool negative = unscaled < 0;
  unsigned __int128 mag = negative ? -static_cast<unsigned __int128>(unscaled)
                                   : static_cast<unsigned __int128>(unscaled);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag > 0);
  if (scale > 0) {
    while (digits.size() <= static_cast<size_t>(scale)) digits.push_back('0');
  }
  out->push_back('"');
  if (negative) out->push_back('-');
  for (size_t i = digits.size(); i > 0; --i) {
    out->push_back(digits[i - 1]);
    if (scale > 0 && i - 1 == static_cast<size_t>(scale)) out->push_back('.');
  }
  out->push_back('"');
}

// Big-endian two's complement, as Parquet stores decimals in byte arrays.
__int128 BigEndianSigned(std::string_view b) {
  if (b.empty()) return 0;
  unsigned __int128 v = static_cast<signed char>(b[0]) < 0 ? ~static_cast<unsigned __int128>(0) : 0;
  const size_t start = b.size() > 16 ? b.size() - 16 : 0;
  for (size_t i = start; i < b.size(); ++i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return static_cast<__int128>(v);
}

std::string_view BytesAt(const ColumnVector& c, int64_t i) {
  const auto k = static_cast<size_t>(i);
  return std::string_view(c.bytes).substr(c.offsets[k], c.offsets[k + 1] - c.offsets[k]);
}

// Appends value `i` (an index into the defined values) of a leaf column as JSON.
void AppendLeafValue(std::string* out, const LeafColumn& leaf, const ColumnVector& c, int64_t i) {
  const auto k = static_cast<size_t>(i);
  switch (leaf.physical) {
    case PhysicalType::kBoolean: out->append(c.bools[k] ? "true" : "false"); return;
    case PhysicalType::kFloat: AppendFloat(out, c.f32[k]); return;
    case PhysicalType::kDouble: AppendFloat(out, c.f64[k]); return;
    case PhysicalType::kInt32:
    case PhysicalType::kInt64: {
      const int64_t v = leaf.physical == PhysicalType::kInt32 ? c.i32[k] : c.i64[k];
      switch (leaf.type) {
        case FieldType::kDate:
          out->push_back('"');
          AppendDate(out, v);
          out->push_back('"');
          return;
        case FieldType::kTime: {
          const int64_t per_second = UnitsPerSecond(leaf.time_unit);
          out->push_back('"');
          AppendTimeOfDay(out, v - FloorDiv(v, per_second * 86400) * per_second * 86400,
                          per_second);
          out->push_back('"');
          return;
        }
        case FieldType::kTimestamp:
        case FieldType::kTimestampTz:
          AppendTimestamp(out, v, UnitsPerSecond(leaf.time_unit),
                          leaf.type == FieldType::kTimestampTz);
          return;
        case FieldType::kDecimal: AppendDecimal(out, v, leaf.decimal_scale); return;
        default: AppendNumber(out, v); return;
      }
    }
    case PhysicalType::kInt96: {
      // Legacy timestamps: nanoseconds of the day, then the Julian day, little-endian.
      const std::string_view b = BytesAt(c, i);
      int64_t nanos = 0;
      int32_t julian = 0;
      if (b.size() == 12) {
        std::memcpy(&nanos, b.data(), 8);
        std::memcpy(&julian, b.data() + 8, 4);
      }
      const int64_t days = static_cast<int64_t>(julian) - 2440588;
      AppendTimestamp(out, days * 86400000000000LL + nanos, 1000000000,
                      leaf.type == FieldType::kTimestampTz);
      return;
    }
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray: {
      const std::string_view b = BytesAt(c, i);
      switch (leaf.type) {
        case FieldType::kString: AppendJsonString(out, b); return;
        case FieldType::kDecimal:
          AppendDecimal(out, BigEndianSigned(b), leaf.decimal_scale);
          return;
        case FieldType::kUuid:
          if (b.size() == 16) {
            Uuid u;
            std::memcpy(u.bytes.data(), b.data(), 16);
            AppendJsonString(out, u.ToString());
            return;
          }
          break;
        default: break;
      }
      AppendJsonString(out, Base64Encode(b));
      return;
    }
  }
}

// ------------------------------------------------------------------ schema tree

struct Node {
  enum class Kind { kPrimitive, kStruct, kList, kMap };
  Kind kind = Kind::kStruct;
  std::string name;
  format::Repetition repetition = format::Repetition::kRequired;
  int16_t def = 0;  // definition level at which this node is present
  int16_t rep = 0;  // repetition level of this node's repeated ancestors, itself included
  int leaf = -1;    // primitives: index into the leaf columns
  int first_leaf = 0;
  int end_leaf = 0;
  std::vector<int> children;
  const format::SchemaElement* element = nullptr;
};

bool IsAnnotated(const format::SchemaElement& e, format::ConvertedType ct,
                 format::LogicalType::Kind lt) {
  return (e.converted_type && *e.converted_type == ct) ||
         (e.logical_type && e.logical_type->kind == lt);
}

class SchemaTree {
 public:
  // Builds from the file's schema; the reader has already validated its structure.
  Status Build(const std::vector<format::SchemaElement>& elements) {
    if (elements.empty()) return Status::Corrupt("empty schema");
    size_t pos = 0;
    int next_leaf = 0;
    FLOE_RETURN_IF_ERROR(Add(elements, &pos, 0, 0, true, &next_leaf, 0));
    return Status::OK();
  }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& root() const { return nodes_[0]; }

 private:
  Status Add(const std::vector<format::SchemaElement>& elements, size_t* pos, int16_t def,
             int16_t rep, bool is_root, int* next_leaf, int depth) {
    if (*pos >= elements.size() || depth > parquet::kMaxSchemaDepth) {
      return Status::Corrupt("schema ends inside a group");
    }
    const format::SchemaElement& e = elements[*pos];
    const int index = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    Node node;
    node.name = e.name;
    node.element = &e;
    node.repetition = is_root ? format::Repetition::kRequired
                              : e.repetition_type.value_or(format::Repetition::kOptional);
    node.def = static_cast<int16_t>(def + (node.repetition != format::Repetition::kRequired));
    node.rep = static_cast<int16_t>(rep + (node.repetition == format::Repetition::kRepeated));
    node.first_leaf = *next_leaf;
    ++*pos;
    const int32_t num_children = e.num_children.value_or(0);
    if (!is_root && num_children == 0 && e.type) {
      node.kind = Node::Kind::kPrimitive;
      node.leaf = (*next_leaf)++;
    } else {
      for (int32_t i = 0; i < num_children; ++i) {
        node.children.push_back(static_cast<int>(nodes_.size()));
        FLOE_RETURN_IF_ERROR(Add(elements, pos, node.def, node.rep, false, next_leaf, depth + 1));
      }
      node.kind = Node::Kind::kStruct;
      if (node.children.size() == 1) {
        const Node& child = nodes_[static_cast<size_t>(node.children[0])];
        if (child.repetition == format::Repetition::kRepeated) {
          if (IsAnnotated(e, format::ConvertedType::kList, format::LogicalType::Kind::kList)) {
            node.kind = Node::Kind::kList;
          } else if ((IsAnnotated(e, format::ConvertedType::kMap,
                                  format::LogicalType::Kind::kMap) ||
                      (e.converted_type &&
                       *e.converted_type == format::ConvertedType::kMapKeyValue)) &&
                     child.kind != Node::Kind::kPrimitive && !child.children.empty() &&
                     child.children.size() <= 2) {
            node.kind = Node::Kind::kMap;
          }
        }
      }
    }
    node.end_leaf = *next_leaf;
    nodes_[static_cast<size_t>(index)] = std::move(node);
    return Status::OK();
  }

  std::vector<Node> nodes_;
};

// ------------------------------------------------------------------ record assembly

// Walks the level entries of the leaf columns row by row and writes nested JSON. Every leaf below
// a node has exactly one entry where that node is null or an empty list, so skipping a null moves
// each of them by one; a repeated node continues while its first leaf's next repetition level
// equals the node's own.
class Assembler {
 public:
  Assembler(const SchemaTree& tree, const std::vector<LeafColumn>& leaves,
            std::vector<const ColumnVector*> columns)
      : nodes_(tree.nodes()),
        leaves_(leaves),
        columns_(std::move(columns)),
        level_pos_(leaves.size(), 0),
        value_pos_(leaves.size(), 0) {}

  // The value of top-level field `node` for the current row.
  void EmitField(int node, std::string* out) {
    const Node& n = nodes_[static_cast<size_t>(node)];
    if (n.repetition == format::Repetition::kRepeated) {
      EmitRepeated(node, '[', ']', out, [&](std::string* o) { EmitValue(node, false, o); });
    } else {
      EmitValue(node, true, out);
    }
  }

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  void Fail(const std::string& what) {
    if (error_.empty()) error_ = what;
  }
  bool HasEntry(int leaf) const {
    return level_pos_[static_cast<size_t>(leaf)] < columns_[static_cast<size_t>(leaf)]->num_levels;
  }
  int16_t Def(int leaf) {
    const ColumnVector& c = *columns_[static_cast<size_t>(leaf)];
    const int64_t p = level_pos_[static_cast<size_t>(leaf)];
    if (p >= c.num_levels) {
      Fail("levels of column '" + parquet::JoinPath(leaves_[static_cast<size_t>(leaf)].path) +
           "' end before the rows do");
      return 0;
    }
    return c.def_levels.empty() ? leaves_[static_cast<size_t>(leaf)].max_def
                                : c.def_levels[static_cast<size_t>(p)];
  }
  int16_t Rep(int leaf) const {
    const ColumnVector& c = *columns_[static_cast<size_t>(leaf)];
    const int64_t p = level_pos_[static_cast<size_t>(leaf)];
    return c.rep_levels.empty() ? 0 : c.rep_levels[static_cast<size_t>(p)];
  }
  void SkipOne(const Node& n) {
    for (int l = n.first_leaf; l < n.end_leaf; ++l) ++level_pos_[static_cast<size_t>(l)];
  }

  template <typename EmitElement>
  void EmitRepeated(int node, char open, char close, std::string* out, EmitElement emit) {
    const Node& n = nodes_[static_cast<size_t>(node)];
    if (n.first_leaf == n.end_leaf) {
      out->append(open == '[' ? "[]" : "{}");
      return;
    }
    if (Def(n.first_leaf) < n.def) {
      SkipOne(n);
      out->push_back(open);
      out->push_back(close);
      return;
    }
    out->push_back(open);
    for (bool first = true;; first = false) {
      if (!first) out->push_back(',');
      const int64_t before = level_pos_[static_cast<size_t>(n.first_leaf)];
      emit(out);
      if (failed()) return;
      if (level_pos_[static_cast<size_t>(n.first_leaf)] == before) {
        Fail("repeated field '" + n.name + "' consumed no levels");
        return;
      }
      if (!HasEntry(n.first_leaf) || Rep(n.first_leaf) < n.rep) break;
      if (Rep(n.first_leaf) > n.rep) {
        Fail("repetition level " + std::to_string(Rep(n.first_leaf)) + " of field '" + n.name +
             "' is deeper than its nesting");
        return;
      }
    }
    out->push_back(close);
  }

  void EmitValue(int node, bool check_null, std::string* out) {
    if (failed()) return;
    const Node& n = nodes_[static_cast<size_t>(node)];
    if (n.first_leaf == n.end_leaf) {  // a group without leaves
      out->append("{}");
      return;
    }
    if (check_null && Def(n.first_leaf) < n.def) {
      SkipOne(n);
      out->append("null");
      return;
    }
    switch (n.kind) {
      case Node::Kind::kPrimitive: {
        const auto l = static_cast<size_t>(n.leaf);
        const ColumnVector& c = *columns_[l];
        if (value_pos_[l] >= c.num_values) {
          Fail("values of column '" + parquet::JoinPath(leaves_[l].path) +
               "' end before their levels do");
          return;
        }
        AppendLeafValue(out, leaves_[l], c, value_pos_[l]++);
        ++level_pos_[l];
        return;
      }
      case Node::Kind::kStruct: {
        out->push_back('{');
        bool first = true;
        for (int child : n.children) {
          if (!first) out->push_back(',');
          first = false;
          AppendJsonString(out, nodes_[static_cast<size_t>(child)].name);
          out->push_back(':');
          EmitField(child, out);
        }
        out->push_back('}');
        return;
      }
      case Node::Kind::kList: {
        const int r = n.children[0];
        const Node& rn = nodes_[static_cast<size_t>(r)];
        // Backward-compatibility rules of LogicalTypes.md: a repeated group of one field named
        // "array" or "<list>_tuple" is the element itself, as is a repeated group of several
        // fields or a repeated primitive; otherwise its one field is the element.
        const bool group_is_element = rn.kind == Node::Kind::kPrimitive ||
                                      rn.children.size() != 1 || rn.name == "array" ||
                                      rn.name == n.name + "_tuple";
        EmitRepeated(r, '[', ']', out, [&](std::string* o) {
          if (group_is_element) {
            EmitValue(r, false, o);
          } else {
            EmitField(rn.children[0], o);
          }
        });
        return;
      }
      case Node::Kind::kMap: {
        const int r = n.children[0];
        const Node& rn = nodes_[static_cast<size_t>(r)];
        EmitRepeated(r, '{', '}', out, [&](std::string* o) {
          key_scratch_.clear();
          EmitField(rn.children[0], &key_scratch_);
          if (!key_scratch_.empty() && key_scratch_[0] == '"') {
            o->append(key_scratch_);
          } else {
            AppendJsonString(o, key_scratch_);
          }
          o->push_back(':');
          if (rn.children.size() > 1) {
            EmitField(rn.children[1], o);
          } else {
            o->append("null");
          }
        });
        return;
      }
    }
  }

  const std::vector<Node>& nodes_;
  const std::vector<LeafColumn>& leaves_;
  std::vector<const ColumnVector*> columns_;
  std::vector<int64_t> level_pos_;
  std::vector<int64_t> value_pos_;
  std::string key_scratch_;
  std::string error_;
};

// ------------------------------------------------------------------ commands

Result<std::unique_ptr<RandomAccessFile>> OpenInput(const std::string& path) {
  return OpenLocalFile(path);
}

int Fail(const CliContext& ctx, const std::string& command, const Status& s) {
  *ctx.err << "floe " << command << ": " << s.message() << "\n";
  return 1;
}

int RunCat(const Args& args, const CliContext& ctx) {
  if (args.positional().size() != 1) {
    *ctx.err << "floe parquet-cat: expected one FILE\n";
    return 2;
  }
  const std::string& path = args.positional()[0];
  int64_t limit = -1;
  if (args.Has("limit")) {
    const std::string text = args.Get("limit");
    auto r = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || limit < 0) {
      *ctx.err << "floe parquet-cat: --limit wants a non-negative integer, got '" << text << "'\n";
      return 2;
    }
  }
  auto file = OpenInput(path);
  if (!file.ok()) return Fail(ctx, "parquet-cat", file.status());
  auto reader = parquet::ParquetReader::Open(file->get());
  if (!reader.ok()) return Fail(ctx, "parquet-cat", reader.status());
  const parquet::ParquetReader& r = **reader;

  SchemaTree tree;
  Status built = tree.Build(r.metadata().schema);
  if (!built.ok()) return Fail(ctx, "parquet-cat", built.WithContext(r.location()));
  // Top-level fields to print, in the order asked for.
  std::vector<int> fields;
  if (args.Has("columns")) {
    const std::string list = args.Get("columns");
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      const std::string name = list.substr(start, comma - start);
      start = comma + 1;
      if (name.empty()) continue;
      int found = -1;
      for (int child : tree.root().children) {
        if (tree.nodes()[static_cast<size_t>(child)].name == name) found = child;
      }
      if (found < 0) {
        *ctx.err << "floe parquet-cat: " << r.location() << " has no top-level column '" << name
                 << "'\n";
        return 1;
      }
      fields.push_back(found);
    }
  } else {
    fields = tree.root().children;
  }
  std::vector<int> leaves;
  for (int f : fields) {
    const Node& n = tree.nodes()[static_cast<size_t>(f)];
    for (int l = n.first_leaf; l < n.end_leaf; ++l) leaves.push_back(l);
  }
  std::vector<std::string> keys;
  for (int f : fields) {
    std::string k;
    AppendJsonString(&k, tree.nodes()[static_cast<size_t>(f)].name);
    keys.push_back(k + ":");
  }

  std::string out;
  int64_t printed = 0;
  for (int g = 0; g < r.num_row_groups() && (limit < 0 || printed < limit); ++g) {
    parquet::RowBatch batch;
    Status s = r.ReadRowGroup(g, leaves, &batch);
    if (!s.ok()) return Fail(ctx, "parquet-cat", s);
    std::vector<const ColumnVector*> by_leaf(r.leaf_columns().size(), nullptr);
    for (size_t i = 0; i < leaves.size(); ++i) {
      by_leaf[static_cast<size_t>(leaves[i])] = &batch.columns[i];
    }
    Assembler assembler(tree, r.leaf_columns(), by_leaf);
    for (int64_t row = 0; row < batch.num_rows && (limit < 0 || printed < limit); ++row) {
      out.push_back('{');
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out.push_back(',');
        out.append(keys[i]);
        assembler.EmitField(fields[i], &out);
      }
      out.append("}\n");
      if (assembler.failed()) {
        ctx.out->write(out.data(), static_cast<std::streamsize>(out.size()));
        return Fail(ctx, "parquet-cat",
                    Status::Corrupt(r.location() + ": row group " + std::to_string(g) + ", row " +
                                    std::to_string(row) + ": " + assembler.error()));
      }
      ++printed;
      if (out.size() >= (1u << 20)) {
        ctx.out->write(out.data(), static_cast<std::streamsize>(out.size()));
        out.clear();
      }
    }
  }
  ctx.out->write(out.data(), static_cast<std::streamsize>(out.size()));
  ctx.out->flush();
  return 0;
}

std::string FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kBoolean: return "boolean";
    case FieldType::kInt: return "int";
    case FieldType::kLong: return "long";
    case FieldType::kFloat: return "float";
    case FieldType::kDouble: return "double";
    case FieldType::kDate: return "date";
    case FieldType::kTime: return "time";
    case FieldType::kTimestamp: return "timestamp";
    case FieldType::kTimestampTz: return "timestamptz";
    case FieldType::kString: return "string";
    case FieldType::kUuid: return "uuid";
    case FieldType::kBinary: return "binary";
    case FieldType::kFixed: return "fixed";
    case FieldType::kDecimal: return "decimal";
    case FieldType::kStruct: return "struct";
    case FieldType::kList: return "list";
    case FieldType::kMap: return "map";
  }
  return "unknown";
}

std::string RepetitionName(format::Repetition r) {
  switch (r) {
    case format::Repetition::kRequired: return "REQUIRED";
    case format::Repetition::kOptional: return "OPTIONAL";
    case format::Repetition::kRepeated: return "REPEATED";
  }
  return std::to_string(static_cast<int32_t>(r));
}

// A statistics bound (PLAIN, no length prefix) rendered like parquet-cat renders values; the
// raw bytes in base64 when they do not fit the column's type.
nlohmann::ordered_json StatValue(const LeafColumn& leaf, const std::string& bytes) {
  ColumnVector v;
  v.num_values = 1;
  size_t width = 0;
  switch (leaf.physical) {
    case PhysicalType::kBoolean: width = 1; break;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: width = 4; break;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: width = 8; break;
    case PhysicalType::kInt96: width = 12; break;
    default: break;
  }
  if (width != 0 && bytes.size() != width) return {{"raw_base64", Base64Encode(bytes)}};
  switch (leaf.physical) {
    case PhysicalType::kBoolean: v.bools.push_back(bytes[0] != 0); break;
    case PhysicalType::kInt32:
      v.i32.resize(1);
      std::memcpy(v.i32.data(), bytes.data(), 4);
      break;
    case PhysicalType::kInt64:
      v.i64.resize(1);
      std::memcpy(v.i64.data(), bytes.data(), 8);
      break;
    case PhysicalType::kFloat:
      v.f32.resize(1);
      std::memcpy(v.f32.data(), bytes.data(), 4);
      break;
    case PhysicalType::kDouble:
      v.f64.resize(1);
      std::memcpy(v.f64.data(), bytes.data(), 8);
      break;
    default: v.bytes = bytes; v.offsets = {0, static_cast<uint32_t>(bytes.size())};
  }
  std::string text;
  AppendLeafValue(&text, leaf, v, 0);
  return nlohmann::ordered_json::parse(text, nullptr, false);
}

nlohmann::ordered_json SchemaJson(const SchemaTree& tree, int node,
                                  const std::vector<LeafColumn>& leaves) {
  const Node& n = tree.nodes()[static_cast<size_t>(node)];
  const format::SchemaElement& e = *n.element;
  nlohmann::ordered_json j;
  j["name"] = e.name;
  if (e.field_id) j["field_id"] = *e.field_id;
  if (node != 0) j["repetition"] = RepetitionName(n.repetition);
  if (n.kind == Node::Kind::kPrimitive) {
    const LeafColumn& leaf = leaves[static_cast<size_t>(n.leaf)];
    j["physical_type"] = format::PhysicalTypeName(leaf.physical);
    if (leaf.physical == PhysicalType::kFixedLenByteArray) j["type_length"] = leaf.type_length;
    j["type"] = FieldTypeName(leaf.type);
    if (leaf.type == FieldType::kDecimal) {
      j["precision"] = leaf.decimal_precision;
      j["scale"] = leaf.decimal_scale;
    }
    if (leaf.type == FieldType::kTime || leaf.type == FieldType::kTimestamp ||
        leaf.type == FieldType::kTimestampTz) {
      j["unit"] = leaf.time_unit == parquet::TimeUnit::kMillis   ? "millis"
                  : leaf.time_unit == parquet::TimeUnit::kMicros ? "micros"
                                                                 : "nanos";
    }
    j["max_definition_level"] = leaf.max_def;
    j["max_repetition_level"] = leaf.max_rep;
  } else {
    j["type"] = n.kind == Node::Kind::kList  ? "list"
                : n.kind == Node::Kind::kMap ? "map"
                                             : "struct";
    if (e.converted_type) j["converted_type"] = static_cast<int32_t>(*e.converted_type);
    nlohmann::ordered_json children = nlohmann::ordered_json::array();
    for (int c : n.children) children.push_back(SchemaJson(tree, c, leaves));
    j["children"] = std::move(children);
  }
  return j;
}

int RunInspect(const Args& args, const CliContext& ctx) {
  if (args.positional().size() != 1) {
    *ctx.err << "floe parquet-inspect: expected one FILE\n";
    return 2;
  }
  auto file = OpenInput(args.positional()[0]);
  if (!file.ok()) return Fail(ctx, "parquet-inspect", file.status());
  auto reader = parquet::ParquetReader::Open(file->get());
  if (!reader.ok()) return Fail(ctx, "parquet-inspect", reader.status());
  const parquet::ParquetReader& r = **reader;
  SchemaTree tree;
  Status built = tree.Build(r.metadata().schema);
  if (!built.ok()) return Fail(ctx, "parquet-inspect", built.WithContext(r.location()));
  const auto& leaves = r.leaf_columns();

  nlohmann::ordered_json j;
  j["file"] = r.location();
  j["file_size"] = r.file_size();
  j["version"] = r.metadata().version;
  j["created_by"] = r.created_by();
  j["num_rows"] = r.num_rows();
  j["schema"] = SchemaJson(tree, 0, leaves);
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (int g = 0; g < r.num_row_groups(); ++g) {
    const format::RowGroup& rg = r.metadata().row_groups[static_cast<size_t>(g)];
    nlohmann::ordered_json gj;
    gj["num_rows"] = rg.num_rows;
    gj["total_byte_size"] = rg.total_byte_size;
    if (rg.total_compressed_size) gj["total_compressed_size"] = *rg.total_compressed_size;
    if (rg.file_offset) gj["file_offset"] = *rg.file_offset;
    nlohmann::ordered_json columns = nlohmann::ordered_json::array();
    for (size_t c = 0; c < leaves.size(); ++c) {
      const format::ColumnMetaData& m = r.column_metadata(g, static_cast<int>(c));
      nlohmann::ordered_json cj;
      cj["path"] = parquet::JoinPath(leaves[c].path);
      if (leaves[c].field_id >= 0) cj["field_id"] = leaves[c].field_id;
      cj["physical_type"] = format::PhysicalTypeName(m.type);
      nlohmann::ordered_json encodings = nlohmann::ordered_json::array();
      for (auto e : m.encodings) encodings.push_back(format::EncodingName(e));
      cj["encodings"] = std::move(encodings);
      cj["codec"] = format::CodecName(m.codec);
      cj["num_values"] = m.num_values;
      cj["total_compressed_size"] = m.total_compressed_size;
      cj["total_uncompressed_size"] = m.total_uncompressed_size;
      cj["data_page_offset"] = m.data_page_offset;
      if (m.dictionary_page_offset) cj["dictionary_page_offset"] = *m.dictionary_page_offset;
      if (m.statistics) {
        const format::Statistics& st = *m.statistics;
        nlohmann::ordered_json sj = nlohmann::ordered_json::object();
        if (st.null_count) sj["null_count"] = *st.null_count;
        if (st.distinct_count) sj["distinct_count"] = *st.distinct_count;
        if (st.nan_count) sj["nan_count"] = *st.nan_count;
        if (st.min_value) {
          sj["min"] = StatValue(leaves[c], *st.min_value);
        } else if (st.min) {
          sj["min_deprecated"] = StatValue(leaves[c], *st.min);
        }
        if (st.max_value) {
          sj["max"] = StatValue(leaves[c], *st.max_value);
        } else if (st.max) {
          sj["max_deprecated"] = StatValue(leaves[c], *st.max);
        }
        if (st.is_min_value_exact) sj["is_min_value_exact"] = *st.is_min_value_exact;
        if (st.is_max_value_exact) sj["is_max_value_exact"] = *st.is_max_value_exact;
        cj["statistics"] = std::move(sj);
      }
      columns.push_back(std::move(cj));
    }
    gj["columns"] = std::move(columns);
    groups.push_back(std::move(gj));
  }
  j["row_groups"] = std::move(groups);
  nlohmann::ordered_json kv = nlohmann::ordered_json::object();
  for (const auto& e : r.key_value_metadata()) {
    kv[e.key] = e.value ? nlohmann::ordered_json(*e.value) : nlohmann::ordered_json(nullptr);
  }
  j["key_value_metadata"] = std::move(kv);
  // Strings in a corrupt or foreign file need not be UTF-8; replace rather than throw.
  *ctx.out << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace

void AddParquetCommands(std::vector<Command>* commands) {
  commands->push_back(Command{
      "parquet-inspect",
      "print a Parquet file's schema, row groups, column chunks and metadata as JSON",
      "usage: floe parquet-inspect FILE\n\n"
      "Prints the footer of a Parquet file as JSON: the schema (field ids, types, repetition),\n"
      "the row groups and, per column chunk, its path, physical type, encodings, codec, sizes,\n"
      "value count and statistics (decoded), the key-value metadata and created_by.\n",
      {},
      RunInspect});
  commands->push_back(Command{
      "parquet-cat",
      "print the rows of a Parquet file as NDJSON",
      "usage: floe parquet-cat FILE [--limit N] [--columns a,b]\n\n"
      "Prints one JSON object per row. Structs are objects, lists arrays, maps objects keyed by\n"
      "the key's text; timestamps RFC 3339 UTC with 6 fractional digits, dates YYYY-MM-DD,\n"
      "decimals as strings, binary as base64, NaN and infinities as strings.\n"
      "  --limit N       print at most N rows\n"
      "  --columns a,b   print only these top-level columns, in this order\n",
      {},
      RunCat});
}

}  // namespace floe::cli
