#include "floe/avro/binary.h"

#include <bit>
#include <cstring>

#include "floe/util/endian.h"
#include "floe/util/varint.h"

namespace floe::avro {

void WriteLong(Buffer* out, int64_t v) {
  uint8_t* p = out->EnsureTail(kMaxVarint64Bytes);
  size_t n = EncodeUleb128(ZigZagEncode64(v), p);
  out->Resize(out->size() + n);
}

void WriteFloat(Buffer* out, float v) {
  uint8_t b[4];
  StoreLE<float>(b, v);
  out->Append(b, 4);
}

void WriteDouble(Buffer* out, double v) {
  uint8_t b[8];
  StoreLE<double>(b, v);
  out->Append(b, 8);
}

void WriteBytes(Buffer* out, std::string_view bytes) {
  WriteLong(out, static_cast<int64_t>(bytes.size()));
  out->Append(bytes);
}

Status BinaryReader::Truncated(const char* what, size_t need) const {
  return Status::Corrupt("avro: " + std::string(what) + " of " + std::to_string(need) +
                         " bytes at offset " + std::to_string(pos_) + " runs past the end (" +
                         std::to_string(remaining()) + " bytes remain)");
}

Result<int64_t> BinaryReader::ReadLongSlow() {
  const uint8_t* p = data_.data() + pos_;
  const uint8_t* end = data_.data() + data_.size();
  uint64_t v = 0;
  if (!DecodeUleb128(&p, end, &v)) {
    return Status::Corrupt("avro: bad or truncated varint at offset " + std::to_string(pos_));
  }
  pos_ = static_cast<size_t>(p - data_.data());
  return ZigZagDecode64(v);
}

Result<int32_t> BinaryReader::ReadIntSlow() {
  size_t at = pos_;
  FLOE_ASSIGN_OR_RETURN(int64_t v, ReadLong());
  if (v < INT32_MIN || v > INT32_MAX) {
    return Status::Corrupt("avro: int at offset " + std::to_string(at) +
                           " out of range: " + std::to_string(v));
  }
  return static_cast<int32_t>(v);
}

Result<bool> BinaryReader::ReadBoolean() {
  if (remaining() < 1) return Truncated("boolean", 1);
  uint8_t b = data_[pos_];
  if (b > 1) {
    return Status::Corrupt("avro: boolean at offset " + std::to_string(pos_) + " is " +
                           std::to_string(b) + ", not 0 or 1");
  }
  ++pos_;
  return b == 1;
}

Result<float> BinaryReader::ReadFloat() {
  if (remaining() < 4) return Truncated("float", 4);
  float v = LoadLE<float>(data_.data() + pos_);
  pos_ += 4;
  return v;
}

Result<double> BinaryReader::ReadDouble() {
  if (remaining() < 8) return Truncated("double", 8);
  double v = LoadLE<double>(data_.data() + pos_);
  pos_ += 8;
  return v;
}

Result<std::string_view> BinaryReader::ReadBytes() {
  size_t at = pos_;
  FLOE_ASSIGN_OR_RETURN(int64_t n, ReadLong());
  if (n < 0) {
    return Status::Corrupt("avro: negative length " + std::to_string(n) + " at offset " +
                           std::to_string(at));
  }
  if (static_cast<uint64_t>(n) > remaining())
    return Truncated("byte string", static_cast<size_t>(n));
  std::string_view out(reinterpret_cast<const char*>(data_.data() + pos_), static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return out;
}

Result<std::string_view> BinaryReader::ReadFixed(size_t n) {
  if (n > remaining()) return Truncated("fixed", n);
  std::string_view out(reinterpret_cast<const char*>(data_.data() + pos_), n);
  pos_ += n;
  return out;
}

Status BinaryReader::Skip(size_t n) {
  if (n > remaining()) return Truncated("skipped value", n);
  pos_ += n;
  return Status::OK();
}

namespace {

std::string Describe(const Node& n) {
  std::string out(TypeName(n.type));
  if (!n.name.empty()) out += " " + n.name;
  return out;
}

Status Mismatch(const Node& schema, const Value& value) {
  return Status::InvalidArgument("avro: a " + std::string(TypeName(value.type())) +
                                 " value cannot be written as " + Describe(schema));
}

// How well a value's kind fits a union branch: 2 exact, 1 by promotion, 0 not at all.
int Fit(const Node& branch, const Value& v) {
  Type t = v.type();
  if (branch.type == t) {
    if (t == Type::kRecord && v.schema() && branch.name != v.schema()->name) return 1;
    return 2;
  }
  switch (branch.type) {
    case Type::kLong: return t == Type::kInt ? 1 : 0;
    case Type::kFloat: return t == Type::kInt || t == Type::kLong ? 1 : 0;
    case Type::kDouble: return t == Type::kInt || t == Type::kLong || t == Type::kFloat ? 1 : 0;
    case Type::kInt:
      return t == Type::kLong && v.long_value() >= INT32_MIN && v.long_value() <= INT32_MAX ? 1 : 0;
    case Type::kFixed:
      return t == Type::kBytes && static_cast<int64_t>(v.bytes().size()) == branch.fixed_size ? 1
                                                                                              : 0;
    default: return 0;
  }
}

Status Encode(const Node& s, const Value& v, Buffer* out, int depth, int max_depth) {
  if (depth > max_depth) {
    return Status::InvalidArgument("avro: value nested deeper than " + std::to_string(max_depth));
  }
  Type t = v.type();
  switch (s.type) {
    case Type::kNull:
      if (t != Type::kNull) return Mismatch(s, v);
      return Status::OK();
    case Type::kBoolean:
      if (t != Type::kBoolean) return Mismatch(s, v);
      out->PushBack(v.boolean_value() ? 1 : 0);
      return Status::OK();
    case Type::kInt:
      if (t != Type::kInt && Fit(s, v) == 0) return Mismatch(s, v);
      WriteLong(out, v.long_value());
      return Status::OK();
    case Type::kLong:
      if (t != Type::kLong && t != Type::kInt) return Mismatch(s, v);
      WriteLong(out, v.long_value());
      return Status::OK();
    case Type::kFloat:
      if (t != Type::kFloat && Fit(s, v) == 0) return Mismatch(s, v);
      WriteFloat(out, static_cast<float>(t == Type::kInt || t == Type::kLong
                                             ? static_cast<double>(v.long_value())
                                             : v.double_value()));
      return Status::OK();
    case Type::kDouble:
      if (t != Type::kDouble && Fit(s, v) == 0) return Mismatch(s, v);
      WriteDouble(out, t == Type::kInt || t == Type::kLong ? static_cast<double>(v.long_value())
                                                           : v.double_value());
      return Status::OK();
    case Type::kBytes:
    case Type::kString:
      if (t != s.type) return Mismatch(s, v);
      WriteBytes(out, v.bytes());
      return Status::OK();
    case Type::kFixed:
      if ((t != Type::kFixed && t != Type::kBytes) ||
          static_cast<int64_t>(v.bytes().size()) != s.fixed_size) {
        return Status::InvalidArgument(
            "avro: fixed " + s.name + " needs " + std::to_string(s.fixed_size) + " bytes, got a " +
            std::string(TypeName(t)) + " of " + std::to_string(v.bytes().size()));
      }
      out->Append(v.bytes());
      return Status::OK();
    case Type::kEnum: {
      if (t != Type::kEnum) return Mismatch(s, v);
      // The index is trusted when it names the same symbol: no search per value.
      int index = v.enum_index();
      bool index_fits = index >= 0 && static_cast<size_t>(index) < s.symbols.size();
      if (!v.bytes().empty() && !(index_fits && s.symbols[index] == v.bytes())) {
        index = s.SymbolIndex(v.bytes());
      }
      if (index < 0 || static_cast<size_t>(index) >= s.symbols.size()) {
        return Status::InvalidArgument("avro: enum " + s.name + " has no symbol \"" + v.bytes() +
                                       "\" (index " + std::to_string(v.enum_index()) + ")");
      }
      WriteLong(out, index);
      return Status::OK();
    }
    case Type::kArray:
      if (t != Type::kArray) return Mismatch(s, v);
      if (v.size() > 0) {
        WriteLong(out, static_cast<int64_t>(v.size()));
        for (size_t i = 0; i < v.size(); ++i) {
          Status st = Encode(*s.items, v.item(i), out, depth + 1, max_depth);
          if (!st.ok()) return st.WithContext("item " + std::to_string(i));
        }
      }
      out->PushBack(0);
      return Status::OK();
    case Type::kMap:
      if (t != Type::kMap) return Mismatch(s, v);
      if (v.size() > 0) {
        WriteLong(out, static_cast<int64_t>(v.size()));
        for (size_t i = 0; i < v.size(); ++i) {
          WriteBytes(out, v.map_key(i));
          Status st = Encode(*s.values, v.item(i), out, depth + 1, max_depth);
          if (!st.ok()) return st.WithContext("key \"" + v.map_key(i) + "\"");
        }
      }
      out->PushBack(0);
      return Status::OK();
    case Type::kRecord: {
      if (t != Type::kRecord) return Mismatch(s, v);
      if (v.field_count() != s.fields.size()) {
        return Status::InvalidArgument("avro: record " + s.name + " has " +
                                       std::to_string(s.fields.size()) + " fields, the value " +
                                       std::to_string(v.field_count()));
      }
      for (size_t i = 0; i < s.fields.size(); ++i) {
        Status st = Encode(*s.fields[i].type, v.field(i), out, depth + 1, max_depth);
        if (!st.ok()) return st.WithContext("field " + s.name + "." + s.fields[i].name);
      }
      return Status::OK();
    }
    case Type::kUnion: {
      int branch = v.union_branch();
      if (branch >= 0) {
        if (static_cast<size_t>(branch) >= s.branches.size()) {
          return Status::InvalidArgument("avro: union branch " + std::to_string(branch) +
                                         " of a union of " + std::to_string(s.branches.size()));
        }
      } else {
        int best = 0;
        for (size_t i = 0; i < s.branches.size(); ++i) {
          int fit = Fit(*s.branches[i], v);
          if (fit > best) {
            best = fit;
            branch = static_cast<int>(i);
            if (fit == 2) break;
          }
        }
        if (branch < 0) return Mismatch(s, v);
      }
      WriteLong(out, branch);
      return Encode(*s.branches[branch], v, out, depth + 1, max_depth);
    }
  }
  return Status::Internal("avro: unknown schema type");
}

}  // namespace

Status EncodeValue(const Node& schema, const Value& value, Buffer* out, int max_depth) {
  return Encode(schema, value, out, 0, max_depth);
}

size_t MinEncodedSize(const Node& s) { return s.min_encoded_size; }

Status CheckBlockCount(const Node& item, bool is_map, int64_t count, size_t remaining,
                       size_t offset) {
  size_t min_size = is_map ? 1 : item.min_encoded_size;
  // Items that take no bytes (nulls, empty records) cannot be bounded by the input; they get a
  // fixed cap so a corrupt count cannot make a reader loop or allocate without end.
  uint64_t limit = min_size == 0 ? kMaxZeroSizeItems : remaining / min_size;
  if (static_cast<uint64_t>(count) > limit) {
    return Status::Corrupt("avro: block count " + std::to_string(count) + " at offset " +
                           std::to_string(offset) + " exceeds what the " +
                           std::to_string(remaining) + " bytes that remain can hold");
  }
  return Status::OK();
}

namespace {

Status SkipBlocks(const Node& item, bool is_map, BinaryReader* in, int depth, int max_depth);

Status Skip(const Node& s, BinaryReader* in, int depth, int max_depth) {
  if (depth > max_depth) {
    return Status::Corrupt("avro: value nested deeper than " + std::to_string(max_depth));
  }
  switch (s.type) {
    case Type::kNull: return Status::OK();
    case Type::kBoolean: return in->Skip(1);
    case Type::kInt:
    case Type::kLong:
    case Type::kEnum: return in->ReadLong().status();
    case Type::kFloat: return in->Skip(4);
    case Type::kDouble: return in->Skip(8);
    case Type::kBytes:
    case Type::kString: return in->ReadBytes().status();
    case Type::kFixed: return in->Skip(static_cast<size_t>(s.fixed_size));
    case Type::kArray: return SkipBlocks(*s.items, false, in, depth, max_depth);
    case Type::kMap: return SkipBlocks(*s.values, true, in, depth, max_depth);
    case Type::kRecord:
      for (const Field& f : s.fields) FLOE_RETURN_IF_ERROR(Skip(*f.type, in, depth + 1, max_depth));
      return Status::OK();
    case Type::kUnion: {
      size_t at = in->position();
      FLOE_ASSIGN_OR_RETURN(int64_t b, in->ReadLong());
      if (b < 0 || static_cast<uint64_t>(b) >= s.branches.size()) {
        return Status::Corrupt("avro: union branch " + std::to_string(b) + " at offset " +
                               std::to_string(at) + " out of range (" +
                               std::to_string(s.branches.size()) + " branches)");
      }
      return Skip(*s.branches[b], in, depth + 1, max_depth);
    }
  }
  return Status::Internal("avro: unknown schema type");
}

Status SkipBlocks(const Node& item, bool is_map, BinaryReader* in, int depth, int max_depth) {
  while (true) {
    size_t at = in->position();
    FLOE_ASSIGN_OR_RETURN(int64_t count, in->ReadLong());
    if (count == 0) return Status::OK();
    if (count < 0) {
      FLOE_ASSIGN_OR_RETURN(int64_t bytes, in->ReadLong());
      if (bytes < 0) {
        return Status::Corrupt("avro: negative block size at offset " + std::to_string(at));
      }
      FLOE_RETURN_IF_ERROR(in->Skip(static_cast<size_t>(bytes)));
      continue;
    }
    FLOE_RETURN_IF_ERROR(CheckBlockCount(item, is_map, count, in->remaining(), at));
    for (int64_t i = 0; i < count; ++i) {
      if (is_map) FLOE_RETURN_IF_ERROR(in->ReadBytes().status());
      FLOE_RETURN_IF_ERROR(Skip(item, in, depth + 1, max_depth));
    }
  }
}

}  // namespace

Status SkipValue(const Node& schema, BinaryReader* in, int max_depth) {
  return Skip(schema, in, 0, max_depth);
}

}  // namespace floe::avro
