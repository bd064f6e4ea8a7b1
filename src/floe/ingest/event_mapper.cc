#include "floe/ingest/event_mapper.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include "floe/iceberg/datetime.h"
#include "floe/ingest/decoder.h"
#include "floe/ingest/decoder_json.h"
#include "floe/ingest/event_mapper_values.h"
#include "floe/util/buffer.h"

namespace floe::ingest {

namespace od = simdjson::ondemand;
using iceberg::Literal;
using iceberg::Type;
using iceberg::TypeId;

struct MapScratch::Impl {
  od::parser parser;
  Buffer padded;  // the event text followed by SIMDJSON_PADDING bytes
  Buffer unescaped;  // keys and strings with escapes, unescaped by the compact scan
  // Texts rows view that are not in the event as sent.
  std::string data;        // the compact text of `data`
  std::string extensions;  // the extensions object
};

MapScratch::MapScratch() : impl_(std::make_unique<Impl>()) {}
MapScratch::~MapScratch() = default;
MapScratch::MapScratch(MapScratch&&) noexcept = default;
MapScratch& MapScratch::operator=(MapScratch&&) noexcept = default;

namespace {

struct EventsColumn {
  std::string_view name;
  TypeId type;
  EventMapper::Source source;
};

constexpr EventsColumn kEventsColumns[] = {
    {"event_id", TypeId::kString, EventMapper::Source::kEventId},
    {"timestamp", TypeId::kTimestampTz, EventMapper::Source::kTimestamp},
    {"type", TypeId::kString, EventMapper::Source::kType},
    {"source", TypeId::kString, EventMapper::Source::kSource},
    {"subject", TypeId::kString, EventMapper::Source::kSubject},
    {"user_id", TypeId::kString, EventMapper::Source::kUserId},
    {"session_id", TypeId::kString, EventMapper::Source::kSessionId},
    {"data", TypeId::kString, EventMapper::Source::kData},
    {"extensions", TypeId::kString, EventMapper::Source::kExtensions},
    {"received_at", TypeId::kTimestampTz, EventMapper::Source::kReceivedAt},
};

// The members of an event that feed the events table's columns. Each alias pair keeps both
// members: the preferred one supplies the column, the other goes to extensions.
enum Slot : uint8_t {
  kSlotId,
  kSlotEventId,
  kSlotTime,
  kSlotTimestamp,
  kSlotType,
  kSlotEventType,
  kSlotSource,
  kSlotSubject,
  kSlotUserId,
  kSlotSessionId,
  kSlotData,
  kSlotDataUserId,
  kSlotDataSessionId,
  kSlotCount,
  kNoSlot = kSlotCount,
};

// Whether `key` is `word`. The literal's length is a constant here, so the comparison is a load
// or two, not the call to memcmp that `key == "..."` makes (6 % of the mapping's samples).
template <size_t N>
bool Is(std::string_view key, const char (&word)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), word, N - 1) == 0;
}

Slot EventsSlotOf(std::string_view key) {
  switch (key.size()) {
    case 2: return Is(key, "id") ? kSlotId : kNoSlot;
    case 4:
      if (Is(key, "time")) return kSlotTime;
      if (Is(key, "type")) return kSlotType;
      if (Is(key, "data")) return kSlotData;
      return kNoSlot;
    case 6: return Is(key, "source") ? kSlotSource : kNoSlot;
    case 7:
      if (Is(key, "subject")) return kSlotSubject;
      if (Is(key, "user_id")) return kSlotUserId;
      return kNoSlot;
    case 8: return Is(key, "event_id") ? kSlotEventId : kNoSlot;
    case 9: return Is(key, "timestamp") ? kSlotTimestamp : kNoSlot;
    case 10:
      if (Is(key, "event_type")) return kSlotEventType;
      if (Is(key, "session_id")) return kSlotSessionId;
      return kNoSlot;
    default: return kNoSlot;
  }
}

// One member value read once: its JSON text as sent and, for scalars, its text value.
struct Member {
  std::string_view escaped_key;  // between the quotes, as sent
  std::string_view key;          // unescaped
  od::json_type type = od::json_type::null;
  std::string_view raw;   // the value's JSON text
  std::string_view text;  // strings unescaped; numbers and booleans as sent
  bool present = false;
};

// The escaped key text of `field` (between its quotes); stage 1 has checked the string closes.
std::string_view EscapedKey(od::field& field) {
  const char* begin = field.key().raw();
  const char* p = begin;
  while (*p != '"') p += (*p == '\\') ? 2 : 1;
  return {begin, static_cast<size_t>(p - begin)};
}

std::string_view TrimRight(const char* begin, const char* end) {
  while (end > begin && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
    --end;
  return {begin, static_cast<size_t>(end - begin)};
}

class EventReader {
 public:
  EventReader(od::document* doc, std::string_view text) : doc_(doc), text_(text) {}

  // Reads `value` into `member`: strings unescaped, other scalars as their token, objects and
  // arrays as their text. Objects and arrays are skipped, not validated again: the event text
  // comes from DecodeBody, which validated all of it.
  simdjson::error_code Read(od::value value, Member* member) {
    if (auto err = value.type().get(member->type)) return err;
    std::string_view token = value.raw_json_token();
    member->raw = TrimRight(token.data(), token.data() + token.size());
    member->present = true;
    switch (member->type) {
      case od::json_type::string: return value.get_string().get(member->text);
      case od::json_type::object: {
        od::object object;
        if (auto err = value.get_object().get(object)) return err;
        if (auto err = object.raw_json().get(token)) return err;
        member->raw = TrimRight(token.data(), token.data() + token.size());
        return simdjson::SUCCESS;
      }
      case od::json_type::array: {
        od::array array;
        if (auto err = value.get_array().get(array)) return err;
        if (auto err = array.raw_json().get(token)) return err;
        member->raw = TrimRight(token.data(), token.data() + token.size());
        return simdjson::SUCCESS;
      }
      default: member->text = member->raw; return simdjson::SUCCESS;
    }
  }

  // Where the iterator stands now (the token after the value just read).
  const char* End() {
    const char* at = nullptr;
    if (doc_->current_location().get(at) != simdjson::SUCCESS) return text_.data() + text_.size();
    return at;
  }

 private:
  od::document* doc_;
  std::string_view text_;
};

// Reads the members of an event's text as DecodeBody made it (compact: no whitespace outside
// strings, and validated), without a parser: a scan for quotes and brackets. It checks only what
// it relies on; text it does not expect (whitespace, a malformed token) makes it give up, and the
// caller maps the event with the parser instead, which decides and says why.
//
// With a nesting limit it also validates text DecodeBody left unvalidated (RawEvent::validated
// false), conservatively: it goes on only over what every JSON parser takes (strict grammar; no
// control characters in strings; escapes \uXXXX only as characters or surrogate pairs; numbers
// of at most 17 digits and a two-digit exponent, which no parser rejects as out of range;
// containers within the limit) and gives up on anything else, valid or not, for the decoder's
// validation to decide. The body's UTF-8 was validated whole by DecodeBody.
class CompactScanner {
 public:
  // Keys and strings with escapes are unescaped by `parser` (allocated), as the parser path
  // unescapes them, into `unescaped`, whose capacity (the text's size and SIMDJSON_PADDING: a
  // string's value is never longer than its escaped text) is never exceeded, so views of it stay
  // valid. `text` is followed by SIMDJSON_PADDING readable bytes. `max_depth`: 0 for validated
  // text, else the nesting limit to validate with (the top-level object is at depth 1).
  CompactScanner(std::string_view text, const od::parser* parser, Buffer* unescaped,
                 int max_depth = 0)
      : p_(text.data()),
        end_(text.data() + text.size()),
        parser_(*parser),
        unescaped_(*unescaped),
        max_depth_(max_depth) {}

  bool validating() const { return max_depth_ > 0; }
  // Whether a container at nesting `depth` may be read.
  bool Within(int depth) const { return !validating() || depth <= max_depth_; }

  bool Consume(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  char Peek() const { return p_ == end_ ? '\0' : *p_; }
  bool AtEnd() const { return p_ == end_; }
  const char* position() const { return p_; }

  // The string at the position: its text between the quotes and its value.
  bool String(std::string_view* escaped, std::string_view* value) {
    if (!Consume('"')) return false;
    const char* begin = p_;
    bool has_escape = false;
    if (!SkipStringRest(&has_escape)) return false;
    // From a local, not read back from *escaped: a 16-byte load of the two 8-byte stores just
    // made cannot be forwarded from them, and that stall was half of this function's samples.
    const std::string_view text(begin, static_cast<size_t>(p_ - 1 - begin));
    *escaped = text;
    if (!has_escape) {
      *value = text;
      return true;
    }
    if (unescaped_.capacity() - unescaped_.size() < text.size() + simdjson::SIMDJSON_PADDING) {
      return false;
    }
    uint8_t* dst = unescaped_.data() + unescaped_.size();
    auto raw = simdjson::ondemand::raw_json_string(reinterpret_cast<const uint8_t*>(begin));
    if (parser_.unescape(raw, dst).get(*value) != simdjson::SUCCESS) return false;
    unescaped_.Resize(unescaped_.size() + value->size());
    return true;
  }

  // A member's key and the colon after it.
  bool Key(Member* m) { return String(&m->escaped_key, &m->key) && Consume(':'); }

  // The value at the position, read as EventReader::Read reads it. `depth`: the nesting a
  // container here has (validating only).
  bool Value(Member* m, int depth) {
    const char* begin = p_;
    std::string_view escaped;
    switch (Peek()) {
      case '"':
        m->type = od::json_type::string;
        if (!String(&escaped, &m->text)) return false;
        break;
      case '{':
        m->type = od::json_type::object;
        if (!(validating() ? ValidContainer(depth) : SkipContainer())) return false;
        break;
      case '[':
        m->type = od::json_type::array;
        if (!(validating() ? ValidContainer(depth) : SkipContainer())) return false;
        break;
      case 't':
      case 'f':
        m->type = od::json_type::boolean;
        if (!Atom()) return false;
        break;
      case 'n':
        m->type = od::json_type::null;
        if (!Atom()) return false;
        break;
      default:
        if (Peek() != '-' && (Peek() < '0' || Peek() > '9')) return false;
        m->type = od::json_type::number;
        if (!Atom()) return false;
        break;
    }
    const std::string_view raw(begin, static_cast<size_t>(p_ - begin));  // not read back: String
    m->raw = raw;
    if (m->type != od::json_type::string) m->text = raw;
    m->present = true;
    return !raw.empty();
  }

  bool SkipValue(int depth) {
    Member ignored;
    return Value(&ignored, depth);
  }

 private:
  static int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // The code unit of "\\uXXXX" at q, or -1.
  int UnicodeEscape(const char* q) const {
    if (end_ - q < 6 || q[0] != '\\' || q[1] != 'u') return -1;
    int unit = 0;
    for (int i = 2; i < 6; ++i) {
      const int d = HexDigit(q[i]);
      if (d < 0) return -1;
      unit = unit * 16 + d;
    }
    return unit;
  }

  // The length of the escape at q (a backslash): 2, 6 (\\uXXXX) or 12 (a surrogate pair);
  // 0 when it is not one every parser takes.
  size_t EscapeLength(const char* q) const {
    if (end_ - q < 2) return 0;
    switch (q[1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't': return 2;
      case 'u': {
        const int unit = UnicodeEscape(q);
        if (unit < 0) return 0;
        if (unit < 0xD800 || unit > 0xDFFF) return 6;
        if (unit > 0xDBFF) return 0;  // a low surrogate first
        const int low = UnicodeEscape(q + 6);
        return low >= 0xDC00 && low <= 0xDFFF ? 12 : 0;
      }
      default: return 0;
    }
  }

  // From just after an opening quote to just after its closing one; *has_escape when the
  // string holds a backslash.
  bool SkipStringRest(bool* has_escape) {
    while (true) {
      const char* q = FindStringStop(p_, end_);
      if (q == end_ || static_cast<unsigned char>(*q) < 0x20) return false;
      if (*q == '"') {
        p_ = q + 1;
        return true;
      }
      *has_escape = true;
      const size_t escape = EscapeLength(q);
      if (escape == 0) return false;
      p_ = q + escape;
    }
  }

  // Validating: the container at the position (its nesting `depth`) and all it holds.
  bool ValidContainer(int depth) {
    if (!Within(depth)) return false;
    const char close = *p_++ == '{' ? '}' : ']';
    if (Consume(close)) return true;
    while (true) {
      if (close == '}') {
        bool has_escape = false;
        if (!Consume('"') || !SkipStringRest(&has_escape) || !Consume(':')) return false;
      }
      if (!SkipValue(depth + 1)) return false;
      if (Consume(',')) continue;
      return Consume(close);
    }
  }

  // A number, true, false or null: up to the next ',', '}' or ']'. Validating, only the
  // literals themselves and numbers of the grammar that every parser takes alike.
  bool Atom() {
    const char* begin = p_;
    SkipAtom();
    if (!validating()) return true;
    const std::string_view atom(begin, static_cast<size_t>(p_ - begin));
    if (Is(atom, "true") || Is(atom, "false") || Is(atom, "null")) return true;
    return PlainNumber(atom);
  }

  // A number with at most 17 digits before the exponent and at most two in it.
  static bool PlainNumber(std::string_view s) {
    const JsonNumber n = ReadJsonNumber(s);
    return n.valid && n.digits <= 17 && n.exponent_digits <= 2;
  }

  bool SkipContainer() {
    int depth = 0;
    while (p_ != end_) {
      char c = *p_++;
      if (c == '"') {
        bool has_escape = false;
        if (!SkipStringRest(&has_escape)) return false;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return true;
      }
    }
    return false;
  }

  // Through a local pointer: a char read may alias the member p_, so a loop on p_ itself
  // stores and reloads it at every byte.
  void SkipAtom() {
    const char* p = p_;
    while (p != end_ && *p != ',' && *p != '}' && *p != ']') ++p;
    p_ = p;
  }

  const char* p_;
  const char* end_;
  const od::parser& parser_;
  Buffer& unescaped_;
  int max_depth_;
};

std::string Compact(std::string_view json) {
  std::string out;
  AppendCompactJson(json, &out);
  return out;
}

JsonKind KindOf(od::json_type type) {
  switch (type) {
    case od::json_type::object: return JsonKind::kObject;
    case od::json_type::array: return JsonKind::kArray;
    case od::json_type::string: return JsonKind::kString;
    case od::json_type::number: return JsonKind::kNumber;
    case od::json_type::boolean: return JsonKind::kBoolean;
    case od::json_type::null: return JsonKind::kNull;
  }
  return JsonKind::kNull;
}

Result<Literal> CoerceMember(const Member& m, std::string_view column, const Type& type) {
  if (type.id == TypeId::kString &&
      (m.type == od::json_type::object || m.type == od::json_type::array)) {
    return Literal::String(Compact(m.raw));
  }
  return CoerceValue({KindOf(m.type), m.text, m.raw}, column, type);
}

Status Reject(std::string message) { return Status::InvalidArgument(std::move(message)); }

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A string or number member as text (ids, user ids).
Result<std::string_view> IdText(const Member& m, std::string_view what) {
  if (m.type == od::json_type::string || m.type == od::json_type::number) return m.text;
  return Reject(Quoted(what) + " must be a string or a number, not " +
                std::string(TypeName(m.type)));
}

Result<std::string_view> StringText(const Member& m, std::string_view what) {
  if (m.type == od::json_type::string) return m.text;
  return Reject(Quoted(what) + " must be a string, not " + std::string(TypeName(m.type)));
}

class MapRun {
 public:
  MapRun(const std::vector<EventMapper::Column>& columns, bool events_table, od::document* doc,
         std::string_view text, std::string* data, std::string* extensions, MappedRow* out)
      : columns_(columns),
        events_table_(events_table),
        reader_(doc, text),
        data_(*data),
        extensions_(*extensions),
        out_(*out) {
    out_.id = {};
    out_.values.assign(columns_.size(), RowValue{});
    out_.literals.clear();
    extensions_.clear();
  }

  // Maps the event the parser iterates: any JSON object text.
  Status Run(od::object& object, int64_t received_at) {
    for (auto field_result : object) {
      od::field field;
      FLOE_RETURN_IF_ERROR(Check(std::move(field_result).get(field)));
      Member m;
      m.escaped_key = EscapedKey(field);
      FLOE_RETURN_IF_ERROR(Check(field.unescaped_key().get(m.key)));
      if (IsData(m.key)) {
        FLOE_RETURN_IF_ERROR(ReadData(field.value(), &m));
      } else {
        FLOE_RETURN_IF_ERROR(Check(reader_.Read(field.value(), &m)));
      }
      FLOE_RETURN_IF_ERROR(OnMember(m));
    }
    return Finish(received_at);
  }

  // Maps a RawEvent's text (compact and validated by DecodeBody) with a CompactScanner, several
  // times faster than the parser; nullopt when the scan gives up, and the run must not be used
  // again (the caller maps the event with Run on a new one). `max_depth` > 0: the text is an
  // unvalidated line, validated by the scan on the way (see CompactScanner); an error status
  // may then come before the scan has seen the whole text.
  std::optional<Status> RunCompact(std::string_view text, const od::parser* parser,
                                   Buffer* unescaped, int64_t received_at, int max_depth = 0) {
    compact_ = true;
    CompactScanner scan(text, parser, unescaped, max_depth);
    if (!scan.Consume('{')) return std::nullopt;
    if (!scan.Consume('}')) {
      while (true) {
        Member m;
        if (!scan.Key(&m)) return std::nullopt;
        const bool read =
            IsData(m.key) && scan.Peek() == '{' ? ScanData(&scan, &m) : scan.Value(&m, 2);
        if (!read) return std::nullopt;
        Status st = OnMember(m);
        if (!st.ok()) return st;
        if (scan.Consume(',')) continue;
        if (scan.Consume('}')) break;
        return std::nullopt;
      }
    }
    if (!scan.AtEnd()) return std::nullopt;
    return Finish(received_at);
  }

 private:
  Status Check(simdjson::error_code err) {
    if (err == simdjson::SUCCESS) return Status::OK();
    return Reject("malformed JSON: " + JsonErrorText(err));
  }

  // `data` of the events table: its members user_id and session_id are read on the way.
  bool IsData(std::string_view key) const { return events_table_ && Is(key, "data"); }
  static Slot DataSlotOf(std::string_view key) {
    return Is(key, "user_id")      ? kSlotDataUserId
           : Is(key, "session_id") ? kSlotDataSessionId
                                   : kNoSlot;
  }

  // A member read whole, by either reader.
  Status OnMember(const Member& m) {
    if (events_table_) {
      Slot slot = EventsSlotOf(m.key);
      if (slot != kNoSlot) {
        if (slots_[slot].present) return Duplicate(m.key);
        slots_[slot] = m;
        return Status::OK();
      }
    }
    int column = ColumnByName(m.key);
    if (column >= 0) return ReadColumn(column, m);
    if (!events_table_) {
      NoteDedupId(m);
      return Status::OK();
    }
    AppendExtension(m);
    return Status::OK();
  }

  int ColumnByName(std::string_view key) const {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].source == EventMapper::Source::kByName && columns_[i].name == key) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  Status Duplicate(std::string_view key) {
    return Reject("member " + Quoted(key) + " appears more than once");
  }

  // `data` (m has its key): its text, and data.user_id / data.session_id when it is an object
  // (the first of each, unless an earlier `data` gave them).
  Status ReadData(od::value value, Member* m) {
    od::json_type type{};  // GCC 12 -O3: maybe-uninitialized false positive
    FLOE_RETURN_IF_ERROR(Check(value.type().get(type)));
    if (type != od::json_type::object) return Check(reader_.Read(value, m));
    const char* begin = value.raw_json_token().data();
    od::object object;
    FLOE_RETURN_IF_ERROR(Check(value.get_object().get(object)));
    for (auto field_result : object) {
      od::field field;
      FLOE_RETURN_IF_ERROR(Check(std::move(field_result).get(field)));
      std::string_view inner_escaped = EscapedKey(field);
      std::string_view inner;
      FLOE_RETURN_IF_ERROR(Check(field.unescaped_key().get(inner)));
      Slot slot = DataSlotOf(inner);
      if (slot != kNoSlot && !slots_[slot].present) {
        slots_[slot].escaped_key = inner_escaped;
        slots_[slot].key = inner;
        FLOE_RETURN_IF_ERROR(Check(reader_.Read(field.value(), &slots_[slot])));
      }
    }
    m->type = od::json_type::object;
    m->raw = TrimRight(begin, reader_.End());
    m->present = true;
    return Status::OK();
  }

  // ReadData for the compact scan, at the object's '{'.
  bool ScanData(CompactScanner* scan, Member* m) {
    const char* begin = scan->position();
    if (!scan->Within(2)) return false;
    scan->Consume('{');
    if (!scan->Consume('}')) {
      while (true) {
        Member inner;
        if (!scan->Key(&inner)) return false;
        Slot slot = DataSlotOf(inner.key);
        if (slot != kNoSlot && !slots_[slot].present) {
          if (!scan->Value(&inner, 3)) return false;
          slots_[slot] = inner;
        } else if (!scan->SkipValue(3)) {
          return false;
        }
        if (scan->Consume(',')) continue;
        if (scan->Consume('}')) break;
        return false;
      }
    }
    m->type = od::json_type::object;
    m->raw = std::string_view(begin, static_cast<size_t>(scan->position() - begin));
    m->present = true;
    return true;
  }

  Status ReadColumn(int column, const Member& m) {
    if (out_.values[column].kind != RowValue::Kind::kUnset) return Duplicate(m.key);
    if (!events_table_) NoteDedupId(m);
    const EventMapper::Column& c = columns_[column];
    FLOE_ASSIGN_OR_RETURN(Literal literal, CoerceMember(m, c.name, c.type));
    RowValue& v = out_.values[column];
    if (literal.is_null()) {
      v.kind = RowValue::Kind::kNull;
      return Status::OK();
    }
    v.kind = RowValue::Kind::kLiteral;
    v.literal = out_.literals.size();
    out_.literals.push_back(std::move(literal));
    return Status::OK();
  }

  // Other tables: "id" (else "event_id") is the dedup key when it is a string or a number.
  void NoteDedupId(const Member& m) {
    if (m.type != od::json_type::string && m.type != od::json_type::number) return;
    if (m.key == "id") {
      out_.id = m.text;
      id_from_id_ = true;
    } else if (m.key == "event_id" && !id_from_id_) {
      out_.id = m.text;
    }
  }

  void AppendExtension(const Member& m) {
    extensions_ += extensions_.empty() ? "{\"" : ",\"";
    extensions_ += m.escaped_key;
    extensions_ += "\":";
    if (compact_) {
      extensions_ += m.raw;
    } else {
      AppendCompactJson(m.raw, &extensions_);
    }
  }

  // The preferred member of an alias pair; the other one, if also sent, goes to extensions.
  const Member* Pick(Slot preferred, Slot other) {
    if (slots_[preferred].present) {
      if (slots_[other].present) AppendExtension(slots_[other]);
      return &slots_[preferred];
    }
    return slots_[other].present ? &slots_[other] : nullptr;
  }

  Status Finish(int64_t received_at) {
    if (events_table_) FLOE_RETURN_IF_ERROR(ResolveEventsColumns(received_at));
    for (size_t i = 0; i < columns_.size(); ++i) {
      const EventMapper::Column& c = columns_[i];
      RowValue& v = out_.values[i];
      if (v.kind == RowValue::Kind::kUnset) {
        if (c.required) {
          return Reject("column " + Quoted(c.name) + " is required but the event has no " +
                        Quoted(c.name));
        }
        v.kind = RowValue::Kind::kNull;
      } else if (c.required && v.kind == RowValue::Kind::kNull) {
        return Reject("column " + Quoted(c.name) + " is required but " + Quoted(c.name) +
                      " is null");
      }
    }
    return Status::OK();
  }

  static RowValue Str(std::string_view text) {
    RowValue v;
    v.kind = RowValue::Kind::kString;
    v.text = text;
    return v;
  }
  static RowValue Null() {
    RowValue v;
    v.kind = RowValue::Kind::kNull;
    return v;
  }
  static RowValue TimestampTz(int64_t micros) {
    RowValue v;
    v.kind = RowValue::Kind::kTimestampTz;
    v.micros = micros;
    return v;
  }

  Status ResolveEventsColumns(int64_t received_at) {
    const Member* id_member = Pick(kSlotId, kSlotEventId);
    const Member* time = Pick(kSlotTime, kSlotTimestamp);
    const Member* type = Pick(kSlotType, kSlotEventType);
    const Member* user = slots_[kSlotDataUserId].present ? &slots_[kSlotDataUserId] : nullptr;
    const Member* session =
        slots_[kSlotDataSessionId].present ? &slots_[kSlotDataSessionId] : nullptr;
    if (user != nullptr && slots_[kSlotUserId].present) AppendExtension(slots_[kSlotUserId]);
    if (user == nullptr && slots_[kSlotUserId].present) user = &slots_[kSlotUserId];
    if (session != nullptr && slots_[kSlotSessionId].present) {
      AppendExtension(slots_[kSlotSessionId]);
    }
    if (session == nullptr && slots_[kSlotSessionId].present) session = &slots_[kSlotSessionId];

    if (type == nullptr || type->type == od::json_type::null) return Reject("event has no type");
    FLOE_ASSIGN_OR_RETURN(std::string_view type_text, StringText(*type, type->key));
    if (type_text.empty()) return Reject("event has an empty " + Quoted(type->key));

    std::string_view event_id;
    if (id_member != nullptr && id_member->type != od::json_type::null) {
      FLOE_ASSIGN_OR_RETURN(event_id, IdText(*id_member, id_member->key));
    }
    int64_t timestamp = received_at;
    if (time != nullptr && time->type != od::json_type::null) {
      FLOE_ASSIGN_OR_RETURN(timestamp, EventTimestamp(*time));
    }
    for (size_t i = 0; i < columns_.size(); ++i) {
      RowValue& v = out_.values[i];
      switch (columns_[i].source) {
        case EventMapper::Source::kByName: break;
        case EventMapper::Source::kEventId: v = Str(event_id); break;
        case EventMapper::Source::kTimestamp: v = TimestampTz(timestamp); break;
        case EventMapper::Source::kType: v = Str(type_text); break;
        case EventMapper::Source::kSource: {
          FLOE_ASSIGN_OR_RETURN(v, OptionalString(slots_[kSlotSource]));
          if (v.kind == RowValue::Kind::kNull) v = Str("");
          break;
        }
        case EventMapper::Source::kSubject: {
          FLOE_ASSIGN_OR_RETURN(v, OptionalString(slots_[kSlotSubject]));
          break;
        }
        case EventMapper::Source::kUserId: {
          FLOE_ASSIGN_OR_RETURN(v, OptionalId(user));
          break;
        }
        case EventMapper::Source::kSessionId: {
          FLOE_ASSIGN_OR_RETURN(v, OptionalId(session));
          break;
        }
        case EventMapper::Source::kData: {
          const Member& data = slots_[kSlotData];
          if (!data.present || data.type == od::json_type::null) {
            v = Null();
          } else if (compact_) {
            v = Str(data.raw);  // compact already: view the event's text
          } else {
            data_.clear();
            AppendCompactJson(data.raw, &data_);
            v = Str(data_);
          }
          break;
        }
        case EventMapper::Source::kExtensions:
          break;  // below, once every alias left over has been added
        case EventMapper::Source::kReceivedAt: v = TimestampTz(received_at); break;
      }
    }
    if (!extensions_.empty()) extensions_ += "}";
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].source != EventMapper::Source::kExtensions) continue;
      out_.values[i] = extensions_.empty() ? Null() : Str(extensions_);
    }
    out_.id = event_id;
    return Status::OK();
  }

  Result<int64_t> EventTimestamp(const Member& m) {
    std::optional<int64_t> micros;
    if (m.type == od::json_type::number || m.type == od::json_type::string) {
      micros = ParseEventTime(m.text);
    }
    if (!micros) {
      return Reject(Quoted(m.key) +
                    " is not an RFC 3339 timestamp or epoch milliseconds: " + QuoteValue(m.raw));
    }
    return *micros;
  }

  static Result<RowValue> OptionalString(const Member& m) {
    if (!m.present || m.type == od::json_type::null) return Null();
    FLOE_ASSIGN_OR_RETURN(std::string_view s, StringText(m, m.key));
    return Str(s);
  }

  static Result<RowValue> OptionalId(const Member* m) {
    if (m == nullptr || m->type == od::json_type::null) return Null();
    FLOE_ASSIGN_OR_RETURN(std::string_view s, IdText(*m, m->key));
    return Str(s);
  }

  const std::vector<EventMapper::Column>& columns_;
  bool events_table_;
  EventReader reader_;
  std::string& data_;
  std::string& extensions_;  // "{..." without the closing brace while members are added
  MappedRow& out_;
  Member slots_[kSlotCount];
  bool id_from_id_ = false;
  bool compact_ = false;  // mapping compact text: raw texts need no compacting
};

}  // namespace

Result<EventMapper> EventMapper::Make(const iceberg::Schema& schema) {
  std::vector<Column> columns;
  for (const iceberg::NestedField& f : schema.fields()) {
    if (f.type.is_nested()) {
      return Status::NotSupported("column " + Quoted(f.name) + " has the nested type " +
                                  f.type.ToString() +
                                  ": mapping events to nested columns is not supported yet");
    }
    columns.push_back({f.name, f.type, f.required, Source::kByName});
  }
  size_t matched = 0;
  for (const EventsColumn& ec : kEventsColumns) {
    for (const Column& c : columns) {
      if (c.name == ec.name && c.type.id == ec.type) ++matched;
    }
  }
  bool events_table = matched == std::size(kEventsColumns);
  if (events_table) {
    for (Column& c : columns) {
      for (const EventsColumn& ec : kEventsColumns) {
        if (c.name == ec.name) c.source = ec.source;
      }
    }
  }
  return EventMapper(schema, std::move(columns), events_table);
}

Literal MappedRow::LiteralAt(size_t column, const Type& type) const {
  const RowValue& v = values[column];
  switch (v.kind) {
    case RowValue::Kind::kString: return Literal::String(std::string(v.text));
    case RowValue::Kind::kTimestampTz: return Literal::TimestampTz(v.micros);
    case RowValue::Kind::kLiteral: return literals[v.literal];
    case RowValue::Kind::kUnset:
    case RowValue::Kind::kNull: break;
  }
  return Literal::Null(type);
}

Result<MappedEvent> EventMapper::Map(std::string_view event_json, int64_t received_at_micros,
                                     MapScratch* scratch) const {
  MapScratch local;
  MappedRow row;
  FLOE_RETURN_IF_ERROR(
      MapRow(event_json, received_at_micros, scratch != nullptr ? scratch : &local, &row));
  MappedEvent out;
  out.id = std::string(row.id);
  out.values.reserve(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i)
    out.values.push_back(row.LiteralAt(i, columns_[i].type));
  return out;
}

// The scan's buffers: `unescaped` sized for `text`, the parser allocated (the scan unescapes with
// its string routine).
static bool PrepareScan(std::string_view text, MapScratch::Impl* s) {
  s->unescaped.Clear();
  s->unescaped.Reserve(text.size() + simdjson::SIMDJSON_PADDING);
  return s->parser.capacity() != 0 || s->parser.allocate(kEventPadding) == simdjson::SUCCESS;
}

bool EventMapper::MapUnvalidatedRow(std::string_view event_json, int max_depth,
                                    int64_t received_at_micros, MapScratch* scratch,
                                    MappedRow* row) const {
  MapScratch::Impl* s = scratch->impl();
  if (max_depth < 1 || !PrepareScan(event_json, s)) return false;
  MapRun run(columns_, events_table_, nullptr, event_json, &s->data, &s->extensions, row);
  // A mapping error may come before the scan has validated the whole line: then the line's
  // validation decides first, as when DecodeBody validated it.
  std::optional<Status> mapped =
      run.RunCompact(event_json, &s->parser, &s->unescaped, received_at_micros, max_depth);
  return mapped.has_value() && mapped->ok();
}

Status EventMapper::MapRow(std::string_view event_json, int64_t received_at_micros,
                           MapScratch* scratch, MappedRow* row, bool decoded) const {
  static_assert(kEventPadding >= simdjson::SIMDJSON_PADDING);
  MapScratch::Impl* s = scratch->impl();
  if (decoded) {
    if (!PrepareScan(event_json, s)) {
      return Status::Internal("mapper: the JSON parser could not be allocated");
    }
    MapRun run(columns_, events_table_, nullptr, event_json, &s->data, &s->extensions, row);
    if (std::optional<Status> mapped =
            run.RunCompact(event_json, &s->parser, &s->unescaped, received_at_micros)) {
      return *mapped;
    }
  }
  std::string_view text = event_json;
  if (!decoded) {
    s->padded.Clear();
    s->padded.Reserve(event_json.size() + simdjson::SIMDJSON_PADDING);
    s->padded.Append(event_json.data(), event_json.size());
    std::memset(s->padded.EnsureTail(simdjson::SIMDJSON_PADDING), 0, simdjson::SIMDJSON_PADDING);
    text = s->padded.string_view();
  }

  od::document doc;
  simdjson::error_code err =
      s->parser.iterate(text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING)
          .get(doc);
  od::json_type type = od::json_type::object;
  if (!err) err = doc.type().get(type);
  if (!err && type != od::json_type::object) {
    return Status::InvalidArgument("event is a JSON " + std::string(TypeName(type)) +
                                   ", expected an object");
  }
  od::object object;
  if (!err) err = doc.get_object().get(object);
  if (err) return Status::InvalidArgument("malformed JSON: " + JsonErrorText(err));
  MapRun run(columns_, events_table_, &doc, text, &s->data, &s->extensions, row);
  FLOE_RETURN_IF_ERROR(run.Run(object, received_at_micros));
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return Status::InvalidArgument("unexpected content after the event object");
  }
  return Status::OK();
}

}  // namespace floe::ingest
