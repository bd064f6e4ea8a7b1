#include "floe/avro/datum_reader.h"

namespace floe::avro {

enum class Op : uint8_t {
  kNull,
  kBoolean,
  kInt,  // int → int
  kIntToLong,
  kIntToFloat,
  kIntToDouble,
  kLong,
  kLongToFloat,
  kLongToDouble,
  kFloat,
  kFloatToDouble,
  kDouble,
  kBytes,   // bytes or string → bytes
  kString,  // bytes or string → string
  kFixed,
  kEnum,
  kArray,
  kMap,
  kRecord,
  kWriterUnion,  // the writer wrote a union: pick the plan by its branch
  kReaderUnion,  // the writer wrote one type, the reader has a union: read into `reader_branch`
};

struct DatumReader::Plan {
  Op op = Op::kNull;
  const Node* writer = nullptr;
  NodeRef reader;  // keeps the reader schema alive; record values reference it
  // Array items, map values, the reader-union's inner plan.
  const Plan* child = nullptr;
  size_t child_min_size = 0;
  int32_t reader_branch = -1;
  // kEnum: writer symbol index → reader symbol index (-1: unknown, use the reader default).
  std::vector<int32_t> enum_map;
  int32_t enum_default = -1;
  // kRecord: writer fields in order; target -1 = skip.
  struct Step {
    int target = -1;
    const Node* writer_type = nullptr;
    const Plan* plan = nullptr;
  };
  std::vector<Step> steps;
  std::vector<std::pair<int, Value>> defaults;  // reader fields the writer lacks
  // kWriterUnion: per writer branch; null when that branch cannot be read as the reader type.
  std::vector<const Plan*> branches;
  std::vector<std::string> branch_errors;
};

namespace {

using Plan = DatumReader::Plan;

std::string Describe(const Node& n) {
  std::string out(TypeName(n.type));
  if (!n.name.empty()) out += " " + n.name;
  return out;
}

class Resolver {
 public:
  Resolver(const Schema& reader, std::vector<std::unique_ptr<Plan>>* plans)
      : reader_(reader), plans_(plans) {}

  Result<const Plan*> Resolve(const Node* w, const Node* r, const std::string& path, int depth) {
    auto key = std::make_pair(w, r);
    auto it = memo_.find(key);
    if (it != memo_.end()) return static_cast<const Plan*>(it->second);
    if (depth > 64) return Status::InvalidArgument("avro: schemas nested too deeply at " + path);
    plans_->push_back(std::make_unique<Plan>());
    Plan* p = plans_->back().get();
    p->writer = w;
    p->reader = reader_.Share(r);
    // Registered first so recursive types resolve to this plan.
    memo_[key] = p;
    Status st = Fill(p, w, r, path, depth);
    if (!st.ok()) {
      memo_.erase(key);
      return st;
    }
    return static_cast<const Plan*>(p);
  }

 private:
  Status Incompatible(const Node* w, const Node* r, const std::string& path) {
    return Status::InvalidArgument("avro: at " + path + ": writer type " + Describe(*w) +
                                   " cannot be read as " + Describe(*r));
  }

  static bool Promotable(Type w, Type r) {
    if (w == r) return true;
    switch (w) {
      case Type::kInt: return r == Type::kLong || r == Type::kFloat || r == Type::kDouble;
      case Type::kLong: return r == Type::kFloat || r == Type::kDouble;
      case Type::kFloat: return r == Type::kDouble;
      case Type::kString: return r == Type::kBytes;
      case Type::kBytes: return r == Type::kString;
      default: return false;
    }
  }

  Status Fill(Plan* p, const Node* w, const Node* r, const std::string& path, int depth) {
    if (w->type == Type::kUnion) {
      p->op = Op::kWriterUnion;
      for (const Node* b : w->branches) {
        // Read as written, each branch maps to itself (Decode records the branch); searching
        // the reader's branches would cost branches² on a union from an untrusted header.
        auto sub = w == r ? Resolve(b, b, path, depth + 1) : Resolve(b, r, path, depth + 1);
        p->branches.push_back(sub.ok() ? *sub : nullptr);
        p->branch_errors.push_back(sub.ok() ? "" : sub.status().message());
      }
      return Status::OK();
    }
    if (r->type == Type::kUnion) {
      // Prefer a branch of the same type (and name), then one the writer type promotes to.
      int chosen = -1;
      for (int pass = 0; pass < 3 && chosen < 0; ++pass) {
        for (size_t i = 0; i < r->branches.size() && chosen < 0; ++i) {
          const Node* b = r->branches[i];
          bool same = b->type == w->type;
          bool ok = pass == 0   ? same && (!b->is_named() || b->name == w->name)
                    : pass == 1 ? same
                                : Promotable(w->type, b->type);
          if (ok) chosen = static_cast<int>(i);
        }
      }
      if (chosen < 0) return Incompatible(w, r, path);
      p->op = Op::kReaderUnion;
      p->reader_branch = chosen;
      FLOE_ASSIGN_OR_RETURN(p->child, Resolve(w, r->branches[chosen], path, depth + 1));
      return Status::OK();
    }
    if (!Promotable(w->type, r->type)) return Incompatible(w, r, path);
    switch (r->type) {
      case Type::kNull: p->op = Op::kNull; break;
      case Type::kBoolean: p->op = Op::kBoolean; break;
      case Type::kInt: p->op = Op::kInt; break;
      case Type::kLong: p->op = w->type == Type::kInt ? Op::kIntToLong : Op::kLong; break;
      case Type::kFloat:
        p->op = w->type == Type::kInt    ? Op::kIntToFloat
                : w->type == Type::kLong ? Op::kLongToFloat
                                         : Op::kFloat;
        break;
      case Type::kDouble:
        p->op = w->type == Type::kInt     ? Op::kIntToDouble
                : w->type == Type::kLong  ? Op::kLongToDouble
                : w->type == Type::kFloat ? Op::kFloatToDouble
                                          : Op::kDouble;
        break;
      case Type::kBytes: p->op = Op::kBytes; break;
      case Type::kString: p->op = Op::kString; break;
      case Type::kFixed:
        if (w->fixed_size != r->fixed_size) return Incompatible(w, r, path);
        p->op = Op::kFixed;
        break;
      case Type::kEnum:
        p->op = Op::kEnum;
        for (size_t i = 0; i < w->symbols.size(); ++i) {
          // Same type: same positions (a search per symbol is quadratic in untrusted input).
          p->enum_map.push_back(w == r ? static_cast<int32_t>(i) : r->SymbolIndex(w->symbols[i]));
        }
        p->enum_default = r->enum_default ? r->SymbolIndex(*r->enum_default) : -1;
        break;
      case Type::kArray: {
        p->op = Op::kArray;
        FLOE_ASSIGN_OR_RETURN(p->child, Resolve(w->items, r->items, path + "[]", depth + 1));
        p->child_min_size = MinEncodedSize(*w->items);
        break;
      }
      case Type::kMap: {
        p->op = Op::kMap;
        FLOE_ASSIGN_OR_RETURN(p->child, Resolve(w->values, r->values, path + "{}", depth + 1));
        break;
      }
      case Type::kRecord: return FillRecord(p, w, r, path, depth);
      case Type::kUnion: break;
    }
    return Status::OK();
  }

  static int MatchField(const Node* w, const Field& rf) {
    if (rf.field_id) {
      int i = w->FieldIndexById(*rf.field_id);
      if (i >= 0) return i;
    }
    auto usable = [&](int i) {
      // A writer field with a different id is a different column, whatever its name.
      return i >= 0 && !(rf.field_id && w->fields[i].field_id) ? i : -1;
    };
    int i = usable(w->FieldIndex(rf.name));
    if (i >= 0) return i;
    for (const std::string& alias : rf.aliases) {
      i = usable(w->FieldIndex(alias));
      if (i >= 0) return i;
    }
    return -1;
  }

  Status FillRecord(Plan* p, const Node* w, const Node* r, const std::string& path, int depth) {
    p->op = Op::kRecord;
    p->steps.resize(w->fields.size());
    for (size_t i = 0; i < w->fields.size(); ++i) p->steps[i].writer_type = w->fields[i].type;
    for (size_t ri = 0; ri < r->fields.size(); ++ri) {
      const Field& rf = r->fields[ri];
      std::string fpath = path + "." + rf.name;
      int wi = w == r ? static_cast<int>(ri) : MatchField(w, rf);
      if (wi >= 0 && p->steps[wi].target < 0) {
        FLOE_ASSIGN_OR_RETURN(p->steps[wi].plan,
                              Resolve(w->fields[wi].type, rf.type, fpath, depth + 1));
        p->steps[wi].target = static_cast<int>(ri);
        continue;
      }
      if (rf.default_value) {
        auto v = DefaultValue(reader_.Share(rf.type), *rf.default_value);
        if (!v.ok()) return v.status().WithContext("avro: at " + fpath);
        p->defaults.emplace_back(static_cast<int>(ri), std::move(*v));
      } else if (rf.type->type == Type::kNull || rf.type->NullBranch() >= 0) {
        Value null;
        if (rf.type->type == Type::kUnion) null.set_union_branch(rf.type->NullBranch());
        p->defaults.emplace_back(static_cast<int>(ri), std::move(null));
      } else {
        return Status::InvalidArgument(
            "avro: at " + fpath + ": required reader field" +
            (rf.field_id ? " (field-id " + std::to_string(*rf.field_id) + ")" : std::string()) +
            " is not in the writer schema and has no default");
      }
    }
    return Status::OK();
  }

  const Schema& reader_;
  std::vector<std::unique_ptr<Plan>>* plans_;
  std::map<std::pair<const Node*, const Node*>, Plan*> memo_;
};

Result<Value> Decode(const Plan& p, BinaryReader* in, int depth, int max_depth);

Result<Value> DecodeBlocks(const Plan& p, BinaryReader* in, int depth, int max_depth) {
  bool is_map = p.op == Op::kMap;
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> entries;
  const Node& witem = is_map ? *p.writer->values : *p.writer->items;
  while (true) {
    size_t at = in->position();
    FLOE_ASSIGN_OR_RETURN(int64_t count, in->ReadLong());
    if (count == 0) break;
    if (count < 0) {
      if (count == INT64_MIN) {
        return Status::Corrupt("avro: bad block count at offset " + std::to_string(at));
      }
      count = -count;
      FLOE_ASSIGN_OR_RETURN(int64_t bytes, in->ReadLong());
      if (bytes < 0 || static_cast<uint64_t>(bytes) > in->remaining()) {
        return Status::Corrupt("avro: block size " + std::to_string(bytes) + " at offset " +
                               std::to_string(at) + " exceeds the bytes that remain");
      }
    }
    FLOE_RETURN_IF_ERROR(CheckBlockCount(witem, is_map, count, in->remaining(), at));
    if (items.size() + entries.size() + static_cast<uint64_t>(count) > kMaxZeroSizeItems &&
        (is_map ? false : p.child_min_size == 0)) {
      return Status::Corrupt("avro: more than " + std::to_string(kMaxZeroSizeItems) +
                             " empty items in one array at offset " + std::to_string(at));
    }
    for (int64_t i = 0; i < count; ++i) {
      if (is_map) {
        FLOE_ASSIGN_OR_RETURN(std::string_view key, in->ReadBytes());
        FLOE_ASSIGN_OR_RETURN(Value v, Decode(*p.child, in, depth + 1, max_depth));
        entries.emplace_back(std::string(key), std::move(v));
      } else {
        FLOE_ASSIGN_OR_RETURN(Value v, Decode(*p.child, in, depth + 1, max_depth));
        items.push_back(std::move(v));
      }
    }
  }
  return is_map ? Value::Map(std::move(entries)) : Value::Array(std::move(items));
}

Result<Value> Decode(const Plan& p, BinaryReader* in, int depth, int max_depth) {
  if (depth > max_depth) {
    return Status::Corrupt("avro: value nested deeper than " + std::to_string(max_depth));
  }
  switch (p.op) {
    case Op::kNull: return Value::Null();
    case Op::kBoolean: {
      FLOE_ASSIGN_OR_RETURN(bool b, in->ReadBoolean());
      return Value::Boolean(b);
    }
    case Op::kInt: {
      FLOE_ASSIGN_OR_RETURN(int32_t v, in->ReadInt());
      return Value::Int(v);
    }
    case Op::kIntToLong: {
      FLOE_ASSIGN_OR_RETURN(int32_t v, in->ReadInt());
      return Value::Long(v);
    }
    case Op::kIntToFloat: {
      FLOE_ASSIGN_OR_RETURN(int32_t v, in->ReadInt());
      return Value::Float(static_cast<float>(v));
    }
    case Op::kIntToDouble: {
      FLOE_ASSIGN_OR_RETURN(int32_t v, in->ReadInt());
      return Value::Double(v);
    }
    case Op::kLong: {
      FLOE_ASSIGN_OR_RETURN(int64_t v, in->ReadLong());
      return Value::Long(v);
    }
    case Op::kLongToFloat: {
      FLOE_ASSIGN_OR_RETURN(int64_t v, in->ReadLong());
      return Value::Float(static_cast<float>(v));
    }
    case Op::kLongToDouble: {
      FLOE_ASSIGN_OR_RETURN(int64_t v, in->ReadLong());
      return Value::Double(static_cast<double>(v));
    }
    case Op::kFloat: {
      FLOE_ASSIGN_OR_RETURN(float v, in->ReadFloat());
      return Value::Float(v);
    }
    case Op::kFloatToDouble: {
      FLOE_ASSIGN_OR_RETURN(float v, in->ReadFloat());
      return Value::Double(v);
    }
    case Op::kDouble: {
      FLOE_ASSIGN_OR_RETURN(double v, in->ReadDouble());
      return Value::Double(v);
    }
    case Op::kBytes: {
      FLOE_ASSIGN_OR_RETURN(std::string_view v, in->ReadBytes());
      return Value::Bytes(std::string(v));
    }
    case Op::kString: {
      FLOE_ASSIGN_OR_RETURN(std::string_view v, in->ReadBytes());
      return Value::String(std::string(v));
    }
    case Op::kFixed: {
      FLOE_ASSIGN_OR_RETURN(std::string_view v,
                            in->ReadFixed(static_cast<size_t>(p.writer->fixed_size)));
      return Value::Fixed(std::string(v));
    }
    case Op::kEnum: {
      size_t at = in->position();
      FLOE_ASSIGN_OR_RETURN(int64_t i, in->ReadLong());
      if (i < 0 || static_cast<uint64_t>(i) >= p.enum_map.size()) {
        return Status::Corrupt("avro: enum index " + std::to_string(i) + " at offset " +
                               std::to_string(at) + " out of range for " + p.writer->name);
      }
      int32_t r = p.enum_map[i] >= 0 ? p.enum_map[i] : p.enum_default;
      if (r < 0) {
        return Status::InvalidArgument("avro: enum symbol " + p.writer->symbols[i] +
                                       " is unknown to the reader's " + p.reader->name);
      }
      return Value::Enum(r, p.reader->symbols[r]);
    }
    case Op::kArray:
    case Op::kMap: return DecodeBlocks(p, in, depth, max_depth);
    case Op::kRecord: {
      std::vector<Value> fields(p.reader->fields.size());
      for (const Plan::Step& s : p.steps) {
        if (s.target < 0) {
          FLOE_RETURN_IF_ERROR(SkipValue(*s.writer_type, in, max_depth - depth));
        } else {
          FLOE_ASSIGN_OR_RETURN(fields[s.target], Decode(*s.plan, in, depth + 1, max_depth));
        }
      }
      for (const auto& [i, v] : p.defaults) fields[i] = v;
      return Value::Record(p.reader, std::move(fields));
    }
    case Op::kWriterUnion: {
      size_t at = in->position();
      FLOE_ASSIGN_OR_RETURN(int64_t b, in->ReadLong());
      if (b < 0 || static_cast<uint64_t>(b) >= p.branches.size()) {
        return Status::Corrupt("avro: union branch " + std::to_string(b) + " at offset " +
                               std::to_string(at) + " out of range (" +
                               std::to_string(p.branches.size()) + " branches)");
      }
      if (p.branches[b] == nullptr) return Status::InvalidArgument(p.branch_errors[b]);
      FLOE_ASSIGN_OR_RETURN(Value v, Decode(*p.branches[b], in, depth + 1, max_depth));
      // A plain union (same schema) keeps the writer's branch; a resolved one already has the
      // reader's from kReaderUnion.
      if (p.reader->type == Type::kUnion && v.union_branch() < 0) {
        v.set_union_branch(static_cast<int32_t>(b));
      }
      return v;
    }
    case Op::kReaderUnion: {
      FLOE_ASSIGN_OR_RETURN(Value v, Decode(*p.child, in, depth + 1, max_depth));
      v.set_union_branch(p.reader_branch);
      return v;
    }
  }
  return Status::Internal("avro: bad plan");
}

}  // namespace

Result<DatumReader> DatumReader::Make(const Schema& writer, const Schema& reader, int max_depth) {
  auto plans = std::make_shared<std::vector<std::unique_ptr<Plan>>>();
  Resolver resolver(reader, plans.get());
  FLOE_ASSIGN_OR_RETURN(const Plan* root, resolver.Resolve(&writer.root(), &reader.root(), "", 0));
  DatumReader out;
  out.plans_ = std::move(plans);
  out.root_ = root;
  out.max_depth_ = max_depth;
  return out;
}

Result<Value> DatumReader::Read(BinaryReader* in) const {
  return Decode(*root_, in, 0, max_depth_);
}

Result<Value> DecodeValue(const Schema& schema, ByteView data) {
  FLOE_ASSIGN_OR_RETURN(DatumReader reader, DatumReader::Make(schema));
  BinaryReader in(data);
  return reader.Read(&in);
}

}  // namespace floe::avro
