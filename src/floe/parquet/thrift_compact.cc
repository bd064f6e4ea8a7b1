#include "floe/parquet/thrift_compact.h"

#include <cstring>

#include "floe/util/endian.h"
#include "floe/util/varint.h"

namespace floe::parquet {

namespace {
bool IsKnownType(uint8_t t) { return t <= static_cast<uint8_t>(ThriftType::kStruct); }
}  // namespace

// ---- writer ----

void ThriftWriter::FieldHeader(int16_t id, ThriftType type) {
  int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    AppendUleb128(out_, ZigZagEncode32(id));
  }
  last_id_ = id;
}

void ThriftWriter::WriteBoolField(int16_t id, bool v) {
  FieldHeader(id, v ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}

void ThriftWriter::WriteI8Field(int16_t id, int8_t v) {
  FieldHeader(id, ThriftType::kI8);
  out_->push_back(static_cast<char>(v));
}

void ThriftWriter::WriteI16Field(int16_t id, int16_t v) {
  FieldHeader(id, ThriftType::kI16);
  AppendUleb128(out_, ZigZagEncode32(v));
}

void ThriftWriter::WriteI32Field(int16_t id, int32_t v) {
  FieldHeader(id, ThriftType::kI32);
  WriteI32(v);
}

void ThriftWriter::WriteI64Field(int16_t id, int64_t v) {
  FieldHeader(id, ThriftType::kI64);
  WriteI64(v);
}

void ThriftWriter::WriteDoubleField(int16_t id, double v) {
  FieldHeader(id, ThriftType::kDouble);
  char buf[8];
  StoreLE<double>(buf, v);
  out_->append(buf, 8);
}

void ThriftWriter::WriteBinaryField(int16_t id, std::string_view v) {
  FieldHeader(id, ThriftType::kBinary);
  WriteBinary(v);
}

void ThriftWriter::WriteListField(int16_t id, ThriftType elem, size_t size) {
  FieldHeader(id, ThriftType::kList);
  WriteListHeader(elem, size);
}

void ThriftWriter::StructBegin() {
  last_ids_.push_back(last_id_);
  last_id_ = 0;
}

void ThriftWriter::StructEnd() {
  out_->push_back('\0');
  if (last_ids_.empty()) {
    last_id_ = 0;
    return;
  }
  last_id_ = last_ids_.back();
  last_ids_.pop_back();
}

void ThriftWriter::WriteI32(int32_t v) { AppendUleb128(out_, ZigZagEncode32(v)); }
void ThriftWriter::WriteI64(int64_t v) { AppendUleb128(out_, ZigZagEncode64(v)); }

void ThriftWriter::WriteBinary(std::string_view v) {
  AppendUleb128(out_, v.size());
  out_->append(v);
}

void ThriftWriter::WriteListHeader(ThriftType elem, size_t size) {
  if (size <= 14) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<size_t>(elem)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<int>(elem)));
    AppendUleb128(out_, size);
  }
}

// ---- reader ----

Status ThriftReader::Error(std::string_view msg) const {
  std::string m = what_;
  m += ": ";
  m += msg;
  m += " at offset ";
  m += std::to_string(offset());
  return Status::Corrupt(std::move(m));
}

Status ThriftReader::ReadVarint(uint64_t* v) {
  const uint8_t* p = data_.data() + pos_;
  const uint8_t* end = data_.data() + data_.size();
  if (!DecodeUleb128(&p, end, v)) return Error("truncated or overlong varint");
  pos_ = static_cast<size_t>(p - data_.data());
  return Status::OK();
}

Status ThriftReader::StructBegin() {
  if (static_cast<int>(last_ids_.size()) >= max_depth_) {
    return Error("structs nested deeper than " + std::to_string(max_depth_));
  }
  last_ids_.push_back(last_id_);
  last_id_ = 0;
  return Status::OK();
}

void ThriftReader::StructEnd() {
  if (last_ids_.empty()) return;
  last_id_ = last_ids_.back();
  last_ids_.pop_back();
}

Status ThriftReader::ReadFieldHeader(ThriftFieldHeader* header) {
  if (pos_ >= data_.size()) return Error("input ends inside a struct");
  uint8_t byte = data_[pos_++];
  uint8_t type = byte & 0x0F;
  if (type == 0) {
    if (byte != 0) return Error("bad stop byte " + std::to_string(byte));
    header->type = ThriftType::kStop;
    header->id = 0;
    return Status::OK();
  }
  if (!IsKnownType(type)) return Error("unknown field type " + std::to_string(type));
  int delta = byte >> 4;
  int32_t id;
  if (delta != 0) {
    id = last_id_ + delta;
  } else {
    uint64_t raw;
    FLOE_RETURN_IF_ERROR(ReadVarint(&raw));
    if (raw > 0xFFFFFFFFull) return Error("field id out of range");
    id = ZigZagDecode32(static_cast<uint32_t>(raw));
  }
  if (id < INT16_MIN || id > INT16_MAX) return Error("field id out of range");
  header->type = static_cast<ThriftType>(type);
  header->id = static_cast<int16_t>(id);
  last_id_ = header->id;
  return Status::OK();
}

Status ThriftReader::ReadBoolElement(bool* v) {
  if (pos_ >= data_.size()) return Error("input ends inside a bool");
  *v = data_[pos_++] == 1;
  return Status::OK();
}

Status ThriftReader::ReadI8(int8_t* v) {
  if (pos_ >= data_.size()) return Error("input ends inside an i8");
  *v = static_cast<int8_t>(data_[pos_++]);
  return Status::OK();
}

Status ThriftReader::ReadI16(int16_t* v) {
  uint64_t raw;
  FLOE_RETURN_IF_ERROR(ReadVarint(&raw));
  int64_t d = ZigZagDecode64(raw);
  if (d < INT16_MIN || d > INT16_MAX) return Error("i16 out of range");
  *v = static_cast<int16_t>(d);
  return Status::OK();
}

Status ThriftReader::ReadI32(int32_t* v) {
  uint64_t raw;
  FLOE_RETURN_IF_ERROR(ReadVarint(&raw));
  int64_t d = ZigZagDecode64(raw);
  if (d < INT32_MIN || d > INT32_MAX) return Error("i32 out of range");
  *v = static_cast<int32_t>(d);
  return Status::OK();
}

Status ThriftReader::ReadI64(int64_t* v) {
  uint64_t raw;
  FLOE_RETURN_IF_ERROR(ReadVarint(&raw));
  *v = ZigZagDecode64(raw);
  return Status::OK();
}

Status ThriftReader::ReadDouble(double* v) {
  if (remaining() < 8) return Error("input ends inside a double");
  *v = LoadLE<double>(data_.data() + pos_);
  pos_ += 8;
  return Status::OK();
}

Status ThriftReader::ReadBinary(std::string* v) {
  uint64_t len;
  FLOE_RETURN_IF_ERROR(ReadVarint(&len));
  if (len > remaining()) {
    return Error("binary length " + std::to_string(len) + " exceeds the " +
                 std::to_string(remaining()) + " bytes left");
  }
  v->assign(reinterpret_cast<const char*>(data_.data() + pos_), len);
  pos_ += len;
  return Status::OK();
}

Status ThriftReader::ReadListHeader(ThriftListHeader* header) {
  if (pos_ >= data_.size()) return Error("input ends inside a list header");
  uint8_t byte = data_[pos_++];
  uint8_t elem = byte & 0x0F;
  if (elem == 0 || !IsKnownType(elem)) {
    return Error("bad list element type " + std::to_string(elem));
  }
  uint64_t size = byte >> 4;
  if (size == 15) FLOE_RETURN_IF_ERROR(ReadVarint(&size));
  if (size > remaining()) {
    return Error("list of " + std::to_string(size) + " elements exceeds the " +
                 std::to_string(remaining()) + " bytes left");
  }
  // Bool elements written as type 2 by some writers: treat both codes as bool.
  header->elem = elem == 2 ? ThriftType::kBoolTrue : static_cast<ThriftType>(elem);
  header->size = static_cast<int64_t>(size);
  return Status::OK();
}

Status ThriftReader::Skip(ThriftType type) { return SkipValue(type, 0); }

Status ThriftReader::SkipValue(ThriftType type, int depth) {
  if (depth > max_depth_) return Error("values nested deeper than " + std::to_string(max_depth_));
  switch (type) {
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse: return Status::OK();  // field value lives in its header
    case ThriftType::kI8: {
      int8_t v;
      return ReadI8(&v);
    }
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64: {
      uint64_t v;
      return ReadVarint(&v);
    }
    case ThriftType::kDouble:
      if (remaining() < 8) return Error("input ends inside a double");
      pos_ += 8;
      return Status::OK();
    case ThriftType::kBinary: {
      uint64_t len;
      FLOE_RETURN_IF_ERROR(ReadVarint(&len));
      if (len > remaining()) return Error("binary length exceeds the bytes left");
      pos_ += len;
      return Status::OK();
    }
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftListHeader h;
      FLOE_RETURN_IF_ERROR(ReadListHeader(&h));
      for (int64_t i = 0; i < h.size; ++i) {
        if (h.elem == ThriftType::kBoolTrue) {
          bool b;
          FLOE_RETURN_IF_ERROR(ReadBoolElement(&b));
        } else {
          FLOE_RETURN_IF_ERROR(SkipValue(h.elem, depth + 1));
        }
      }
      return Status::OK();
    }
    case ThriftType::kMap: {
      uint64_t size;
      FLOE_RETURN_IF_ERROR(ReadVarint(&size));
      if (size == 0) return Status::OK();
      if (size > remaining()) return Error("map size exceeds the bytes left");
      if (pos_ >= data_.size()) return Error("input ends inside a map header");
      uint8_t kv = data_[pos_++];
      auto key = static_cast<ThriftType>(kv >> 4);
      auto val = static_cast<ThriftType>(kv & 0x0F);
      if ((kv >> 4) == 0 || (kv & 0x0F) == 0 || !IsKnownType(kv >> 4) || !IsKnownType(kv & 0x0F)) {
        return Error("bad map key/value types");
      }
      for (uint64_t i = 0; i < size; ++i) {
        for (ThriftType t : {key, val}) {
          if (t == ThriftType::kBoolTrue || t == ThriftType::kBoolFalse) {
            bool b;
            FLOE_RETURN_IF_ERROR(ReadBoolElement(&b));
          } else {
            FLOE_RETURN_IF_ERROR(SkipValue(t, depth + 1));
          }
        }
      }
      return Status::OK();
    }
    case ThriftType::kStruct: {
      FLOE_RETURN_IF_ERROR(StructBegin());
      while (true) {
        ThriftFieldHeader h;
        FLOE_RETURN_IF_ERROR(ReadFieldHeader(&h));
        if (h.type == ThriftType::kStop) break;
        FLOE_RETURN_IF_ERROR(SkipValue(h.type, depth + 1));
      }
      StructEnd();
      return Status::OK();
    }
    case ThriftType::kStop: break;
  }
  return Error("cannot skip a value of type " + std::to_string(static_cast<int>(type)));
}

Status ThriftReader::ExpectType(const ThriftFieldHeader& h, ThriftType want,
                                std::string_view field) {
  bool ok = h.type == want;
  if (want == ThriftType::kBoolTrue || want == ThriftType::kBoolFalse) {
    ok = h.type == ThriftType::kBoolTrue || h.type == ThriftType::kBoolFalse;
  }
  if (ok) return Status::OK();
  return Error("field " + std::string(field) + " (id " + std::to_string(h.id) + ") has wire type " +
               std::to_string(static_cast<int>(h.type)) + ", expected " +
               std::to_string(static_cast<int>(want)));
}

Status ThriftReader::ExpectListOf(const ThriftListHeader& h, ThriftType want,
                                  std::string_view field) {
  if (h.elem == want) return Status::OK();
  return Error("list " + std::string(field) + " has element type " +
               std::to_string(static_cast<int>(h.elem)) + ", expected " +
               std::to_string(static_cast<int>(want)));
}

}  // namespace floe::parquet
