#include "floe/ingest/event_mapper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "floe/catalog/events_table.h"
#include "floe/iceberg/datetime.h"
#include "floe/ingest/decoder.h"
#include "floe/ingest/event_mapper_values.h"

namespace floe::ingest {
namespace {

using iceberg::Literal;
using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;
using ::testing::HasSubstr;

constexpr int64_t kReceived = 1767618300000000;  // 2026-01-05T13:05:00Z

// Column positions of EventsTableSchema().
enum { kEventId, kTimestamp, kType, kSource, kSubject, kUserId, kSessionId, kData, kExt, kRecv };

// Maps `json` with Map (the JSON parser) and, when DecodeBody takes it, its decoded text with
// MapRow(decoded) (the compact scan): both must give the same row, or the same error.
Result<MappedEvent> MapBothWays(const EventMapper& mapper, std::string_view json) {
  auto parsed = mapper.Map(json, kReceived);
  // One object (an array would be decoded into its elements).
  auto body = DecodeBody("application/cloudevents+json", "", json, DecodeLimits{});
  if (body.ok() && body->events.size() == 1) {
    MapScratch scratch;
    MappedRow row;
    Status st = mapper.MapRow(body->events[0].json, kReceived, &scratch, &row, /*decoded=*/true);
    EXPECT_EQ(st.ok(), parsed.ok()) << json << ": " << st.ToString();
    if (st.ok() && parsed.ok()) {
      EXPECT_EQ(row.id, parsed->id) << json;
      for (size_t i = 0; i < parsed->values.size(); ++i) {
        EXPECT_EQ(row.LiteralAt(i, mapper.schema().fields()[i].type), parsed->values[i])
            << json << ", column " << i;
      }
    } else if (!st.ok() && !parsed.ok()) {
      EXPECT_EQ(st.message(), parsed.status().message()) << json;
    }
    // The validating scan of the same text as an unvalidated line, when it decides, maps it
    // the same way too.
    if (mapper.MapUnvalidatedRow(body->events[0].json, 64, kReceived, &scratch, &row)) {
      EXPECT_TRUE(parsed.ok()) << json;
      for (size_t i = 0; parsed.ok() && i < parsed->values.size(); ++i) {
        EXPECT_EQ(row.LiteralAt(i, mapper.schema().fields()[i].type), parsed->values[i])
            << json << ", column " << i;
      }
    }
  }
  return parsed;
}

NestedField Field(int32_t id, const char* name, bool required, Type type) {
  NestedField f;
  f.id = id;
  f.name = name;
  f.required = required;
  f.type = std::move(type);
  return f;
}

Literal Str(std::string s) { return Literal::String(std::move(s)); }
Literal NullStr() { return Literal::Null(Type::Primitive(TypeId::kString)); }
Literal Tz(int64_t micros) { return Literal::TimestampTz(micros); }
int64_t Micros(std::string_view iso) {
  auto v = iceberg::ParseTimestamp(iso, true);
  EXPECT_TRUE(v.has_value()) << iso;
  return v.value_or(0);
}

class EventsMapperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = EventMapper::Make(EventsTableSchema());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    mapper_.emplace(std::move(*m));
  }

  MappedEvent Map(std::string_view json) {
    auto r = MapBothWays(*mapper_, json);
    EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
    if (!r.ok()) return MappedEvent{"", std::vector<Literal>(10)};
    EXPECT_EQ(r->values.size(), 10u);
    return std::move(*r);
  }

  std::string Reject(std::string_view json) {
    auto r = MapBothWays(*mapper_, json);
    EXPECT_FALSE(r.ok()) << json;
    if (r.ok()) return "";
    EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
    return r.status().message();
  }

  std::optional<EventMapper> mapper_;
  MapScratch scratch_;
};

TEST_F(EventsMapperTest, DetectsTheEventsTable) {
  EXPECT_TRUE(mapper_->is_events_table());
  // Column order and ids do not matter.
  std::vector<NestedField> fields = EventsTableSchema().fields();
  std::reverse(fields.begin(), fields.end());
  auto reversed = EventMapper::Make(iceberg::Schema(0, fields));
  ASSERT_TRUE(reversed.ok());
  EXPECT_TRUE(reversed->is_events_table());
  // A column of another type makes it an ordinary table.
  fields[0].type = Type::Primitive(TypeId::kLong);
  auto other = EventMapper::Make(iceberg::Schema(0, fields));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->is_events_table());
}

TEST_F(EventsMapperTest, CloudEventFieldByField) {
  MappedEvent e = Map(
      R"({"specversion":"1.0","id":"e-1","source":"/web","type":"page.view",)"
      R"("time":"2026-01-05T13:05:00.123456Z","subject":"home","datacontenttype":"application/json",)"
      R"("data":{"user_id":"u-7","session_id":"s-9","path":["a", 1.50]},"traceparent":"00-ab"})");
  EXPECT_EQ(e.id, "e-1");
  EXPECT_EQ(e.values[kEventId], Str("e-1"));
  EXPECT_EQ(e.values[kTimestamp], Tz(Micros("2026-01-05T13:05:00.123456Z")));
  EXPECT_EQ(e.values[kType], Str("page.view"));
  EXPECT_EQ(e.values[kSource], Str("/web"));
  EXPECT_EQ(e.values[kSubject], Str("home"));
  EXPECT_EQ(e.values[kUserId], Str("u-7"));
  EXPECT_EQ(e.values[kSessionId], Str("s-9"));
  EXPECT_EQ(e.values[kData], Str(R"({"user_id":"u-7","session_id":"s-9","path":["a",1.50]})"));
  EXPECT_EQ(e.values[kExt], Str(R"({"specversion":"1.0","datacontenttype":"application/json",)"
                                R"("traceparent":"00-ab"})"));
  EXPECT_EQ(e.values[kRecv], Tz(kReceived));
}

TEST_F(EventsMapperTest, MinimalEventGetsDefaults) {
  MappedEvent e = Map(R"({"type":"t"})");
  EXPECT_EQ(e.id, "");
  EXPECT_EQ(e.values[kEventId], Str(""));
  EXPECT_EQ(e.values[kTimestamp], Tz(kReceived));  // no time: received_at
  EXPECT_EQ(e.values[kSource], Str(""));
  for (int i : {kSubject, kUserId, kSessionId, kData, kExt}) {
    EXPECT_EQ(e.values[i], NullStr()) << i;
  }
}

TEST_F(EventsMapperTest, IdAndEventId) {
  EXPECT_EQ(Map(R"({"type":"t","event_id":"a"})").values[kEventId], Str("a"));
  EXPECT_EQ(Map(R"({"type":"t","id":42})").id, "42");
  // `id` wins; the other member is kept in extensions.
  MappedEvent e = Map(R"({"event_id":"b","type":"t","id":"a"})");
  EXPECT_EQ(e.id, "a");
  EXPECT_EQ(e.values[kExt], Str(R"({"event_id":"b"})"));
  EXPECT_THAT(Reject(R"({"type":"t","id":{"x":1}})"),
              HasSubstr("\"id\" must be a string or a number, not object"));
}

TEST_F(EventsMapperTest, TimeFormats) {
  auto ts = [&](std::string_view time_json) {
    return Map(R"({"type":"t","time":)" + std::string(time_json) + "}").values[kTimestamp];
  };
  int64_t base = Micros("2026-01-05T13:05:00Z");
  EXPECT_EQ(ts(R"("2026-01-05T13:05:00Z")"), Tz(base));
  EXPECT_EQ(ts(R"("2026-01-05t13:05:00z")"), Tz(base));
  EXPECT_EQ(ts(R"("2026-01-05 13:05:00Z")"), Tz(base));
  EXPECT_EQ(ts(R"("2026-01-05T15:05:00+02:00")"), Tz(base));
  EXPECT_EQ(ts(R"("2026-01-05T13:05:00")"), Tz(base));  // no offset: UTC
  EXPECT_EQ(ts(R"("2026-01-05T13:05:00.123456789Z")"), Tz(base + 123456));
  EXPECT_EQ(ts("1767618300000"), Tz(base));  // epoch milliseconds
  EXPECT_EQ(ts("1767618300000.5"), Tz(base + 500));
  EXPECT_EQ(ts(R"("1767618300000")"), Tz(base));
  EXPECT_EQ(ts("-1000"), Tz(-1000000));
  EXPECT_EQ(ts("null"), Tz(kReceived));
  EXPECT_EQ(Map(R"({"type":"t","timestamp":1767618300000})").values[kTimestamp], Tz(base));

  EXPECT_EQ(Reject(R"({"type":"t","time":"yesterday"})"),
            R"("time" is not an RFC 3339 timestamp or epoch milliseconds: "yesterday")");
  EXPECT_THAT(Reject(R"({"type":"t","time":"2026-02-30T00:00:00Z"})"),
              HasSubstr("is not an RFC 3339 timestamp"));
  EXPECT_THAT(Reject(R"({"type":"t","timestamp":true})"),
              HasSubstr("\"timestamp\" is not an RFC 3339 timestamp or epoch milliseconds: true"));
  EXPECT_THAT(Reject(R"({"type":"t","time":1e300})"), HasSubstr("is not an RFC 3339"));
}

TEST_F(EventsMapperTest, Type) {
  EXPECT_EQ(Reject(R"({"id":"x","data":{}})"), "event has no type");
  EXPECT_EQ(Reject(R"({"type":null})"), "event has no type");
  EXPECT_EQ(Reject(R"({"type":""})"), "event has an empty \"type\"");
  EXPECT_EQ(Reject(R"({"type":7})"), "\"type\" must be a string, not number");
  EXPECT_EQ(Map(R"({"event_type":"signup"})").values[kType], Str("signup"));
  MappedEvent both = Map(R"({"event_type":"b","type":"a"})");
  EXPECT_EQ(both.values[kType], Str("a"));
  EXPECT_EQ(both.values[kExt], Str(R"({"event_type":"b"})"));
}

TEST_F(EventsMapperTest, SourceAndSubject) {
  EXPECT_EQ(Map(R"({"type":"t","source":null})").values[kSource], Str(""));
  EXPECT_EQ(Reject(R"({"type":"t","source":["x"]})"), "\"source\" must be a string, not array");
  EXPECT_EQ(Reject(R"({"type":"t","subject":1})"), "\"subject\" must be a string, not number");
}

TEST_F(EventsMapperTest, UserAndSession) {
  MappedEvent top = Map(R"({"type":"t","user_id":123,"session_id":"s"})");
  EXPECT_EQ(top.values[kUserId], Str("123"));
  EXPECT_EQ(top.values[kSessionId], Str("s"));
  EXPECT_EQ(top.values[kExt], NullStr());
  // data.* wins; a different top-level member is kept in extensions.
  MappedEvent both = Map(R"({"type":"t","user_id":"top","data":{"user_id":"inner"}})");
  EXPECT_EQ(both.values[kUserId], Str("inner"));
  EXPECT_EQ(both.values[kSessionId], NullStr());
  EXPECT_EQ(both.values[kExt], Str(R"({"user_id":"top"})"));
  EXPECT_THAT(Reject(R"({"type":"t","data":{"user_id":[1]}})"),
              HasSubstr("\"user_id\" must be a string or a number, not array"));
}

TEST_F(EventsMapperTest, Data) {
  EXPECT_EQ(Map(R"({"type":"t","data":"abc"})").values[kData], Str("\"abc\""));
  EXPECT_EQ(Map(R"({"type":"t","data":[1, {"a" : true}]})").values[kData],
            Str(R"([1,{"a":true}])"));
  EXPECT_EQ(Map(R"({"type":"t","data":null})").values[kData], NullStr());
  EXPECT_EQ(Map(R"({"type":"t","data":{"s":"\u00e9\n"}})").values[kData],
            Str(R"({"s":"\u00e9\n"})"));
}

TEST_F(EventsMapperTest, ExtensionsKeepOtherMembersAsSent) {
  MappedEvent e =
      Map(R"({"type":"t","a\"b":1,"received_at":"x","extensions":{"k":[]},"n":null,"f":1.0})");
  EXPECT_EQ(e.values[kExt],
            Str(R"({"a\"b":1,"received_at":"x","extensions":{"k":[]},"n":null,"f":1.0})"));
  EXPECT_EQ(e.values[kRecv], Tz(kReceived));
}

TEST_F(EventsMapperTest, RejectedEvents) {
  EXPECT_EQ(Reject(R"({"type":"a","type":"b"})"), "member \"type\" appears more than once");
  EXPECT_EQ(Reject(R"({"type":"a","data":1,"data":2})"), "member \"data\" appears more than once");
  EXPECT_EQ(Reject(R"([{"type":"a"}])"), "event is a JSON array, expected an object");
  EXPECT_THAT(Reject(R"({"type":"a",)"), HasSubstr("malformed JSON"));
  EXPECT_THAT(Reject(R"({"type":"a"} x)"), HasSubstr("malformed JSON"));
  EXPECT_THAT(Reject("{\"type\":\"a\xff\"}"), HasSubstr("malformed JSON: invalid UTF-8"));
  EXPECT_THAT(Reject(R"({"type":"a","b":"unclosed})"),
              HasSubstr("malformed JSON: unclosed string"));
}

TEST_F(EventsMapperTest, ExtraColumnsByName) {
  std::vector<NestedField> fields = EventsTableSchema().fields();
  fields.push_back(Field(11, "country", false, Type::Primitive(TypeId::kString)));
  fields.push_back(Field(12, "amount", false, Type::Decimal(9, 2)));
  auto m = EventMapper::Make(iceberg::Schema(0, fields));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->is_events_table());
  auto e = m->Map(R"({"type":"t","country":"NL","amount":"12.5","other":1})", kReceived);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->values[10], Str("NL"));
  EXPECT_EQ(e->values[11], Literal::Decimal(1250, 9, 2));
  EXPECT_EQ(e->values[kExt], Str(R"({"other":1})"));
}

TEST_F(EventsMapperTest, DeepValuesAreCopied) {
  // The decoder bounds nesting; the mapper copies what it does not read without recursing.
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  MappedEvent e = Map(R"({"type":"a","x":)" + deep + R"(,"data":{"d":)" + deep + "}}");
  EXPECT_EQ(e.values[kExt].bytes_value().size(), 20000u + 6);
  EXPECT_EQ(e.values[kData].bytes_value().size(), 20000u + 6);
}

TEST_F(EventsMapperTest, MegabyteString) {
  std::string big(1 << 20, 'x');
  MappedEvent e = Map(R"({"type":"t","data":{"s":")" + big + "\"}}");
  EXPECT_EQ(e.values[kData].bytes_value().size(), big.size() + 8);
}

// Keys and strings with escapes, read by the scan as the parser reads them (MapBothWays).
TEST_F(EventsMapperTest, EscapesAreReadAsSent) {
  MappedEvent e = Map(
      R"({"ty\u0070e":"a\"b\\c\n","id":"\ud83d\ude00\u00e9","source":"\/x",)"
      R"("data":{"us\u0065r_id":"u\"1","s":"x\\"},"we\"ird":"\\","t2":["\"]",{"a":"}"}]})");
  EXPECT_EQ(e.values[kType], Str("a\"b\\c\n"));
  EXPECT_EQ(e.id, "\xF0\x9F\x98\x80\xC3\xA9");
  EXPECT_EQ(e.values[kSource], Str("/x"));
  EXPECT_EQ(e.values[kUserId], Str("u\"1"));
  EXPECT_EQ(e.values[kData], Str(R"({"us\u0065r_id":"u\"1","s":"x\\"})"));
  EXPECT_EQ(e.values[kExt], Str(R"({"we\"ird":"\\","t2":["\"]",{"a":"}"}]})"));
  // Members repeated through escapes are still repeated.
  EXPECT_EQ(Reject(R"({"type":"a","t\u0079pe":"b"})"), "member \"type\" appears more than once");
}

// A line DecodeBody left unvalidated: the scan maps it only when it is valid JSON that every
// parser takes alike, and otherwise leaves it to the decoder's validation.
TEST_F(EventsMapperTest, UnvalidatedLinesAreMappedOnlyWhenValid) {
  MappedRow row;
  std::string padded;  // the line and the padding a decoded body has after it; `row` views it
  auto scan = [&](std::string_view line, int max_depth = 64) {
    padded.assign(line);
    padded.append(kEventPadding, '\0');
    return mapper_->MapUnvalidatedRow(std::string_view(padded.data(), line.size()), max_depth,
                                      kReceived, &scratch_, &row);
  };
  const std::string valid =
      R"({"id":"x","type":"a\"b\\\/\b\f\n\r\t\u00e9\ud83d\ude00","time":1767618300000,)"
      R"("data":{"user_id":"u","n":[0,-0,1.5,-0.25e+10,12345678901234567,1E-99,true,false,null],)"
      R"("o":{"k\"":"v","e":{},"a":[[]]}},"x":-1})";
  MapScratch scratch;
  MappedRow decoded;
  // A decoded event has kEventPadding readable bytes after it (the scan reads ahead into them).
  std::string valid_padded = valid + std::string(kEventPadding, '\0');
  ASSERT_TRUE(mapper_->MapRow(std::string_view(valid_padded.data(), valid.size()), kReceived,
                              &scratch, &decoded, /*decoded=*/true)
                  .ok());
  ASSERT_TRUE(scan(valid));
  for (size_t i = 0; i < row.values.size(); ++i) {
    const Type& type = mapper_->schema().fields()[i].type;
    EXPECT_EQ(row.LiteralAt(i, type), decoded.LiteralAt(i, type)) << "column " << i;
  }
  EXPECT_EQ(row.id, "x");
  // Depth: the data object is at 2, "n" and "o" at 3, "e" and "a" at 4, "a"'s inner array at 5.
  EXPECT_TRUE(scan(valid, 5));
  EXPECT_FALSE(scan(valid, 4));
  EXPECT_FALSE(scan(R"({"type":"a","data":{}})", 1));
  EXPECT_FALSE(scan(R"({"type":"a","x":[]})", 1));

  for (std::string_view line : {
           // Malformed.
           R"({"type":"a")", R"({"type":"a"}})", R"({"type":"a",})", R"({"type" "a"})",
           R"({"type":"a","x":[1,]})", R"({"type":"a","x":[1}})", R"({"type":"a","x":{"k"}})",
           R"({"type":"a","x":{"k":1,}})", R"({"type":"a","x":{1:2}})", R"({type:"a"})",
           R"({"type":'a'})", R"({"type":"a","x":tru})", R"({"type":"a","x":nul})",
           R"({"type":"a","x":truex})", R"({"type":"a","x":01})", R"({"type":"a","x":1.})",
           R"({"type":"a","x":.5})", R"({"type":"a","x":-})", R"({"type":"a","x":1e})",
           R"({"type":"a","x":1e+})", R"({"type":"a","x":+1})", R"({"type":"a","x":0x1})",
           R"({"type":"a","x":"\x"})", R"({"type":"a","x":"\u12"})", R"({"type":"a","x":"\u12G4"})",
           R"({"type":"a","data":{"s":"\q"}})", R"({"type":"a","x":["a\"]})",
           R"({"type":"a","x":["\q"]})", R"({"type":"a","x":{"k":"\u12"}})",
           R"({"type":"a","x":{"k\v":1}})",
           "{\"type\":\"a\",\"x\":\"tab\there\"}", "{\"type\":\"a\",\"x\":[\"nl\n\"]}",
           R"({"type":"a"}{"type":"b"})",
           // Valid, but left to the decoder: whitespace (not compact), surrogates not in pairs,
           // numbers a parser may read differently (past 17 digits, 3-digit exponents).
           R"({"type": "a"})", R"({ "type":"a"})", R"({"type":"a","x":[1, 2]})",
           R"({"type":"a","x":"\ud800"})", R"({"type":"a","x":"\udc00"})",
           R"({"type":"a","x":"\ud800\u0041"})", R"({"type":"a","x":["\ud800"]})",
           R"({"type":"a","x":["\udc00\ud800"]})", R"({"type":"a","x":["\ud800\u0041"]})",
           R"({"type":"a","x":{"\ud800":1}})", R"({"type":"a","x":{"\udc00\ud800":1}})",
           R"({"type":"a","x":{"\ud800\u0041":1}})", R"({"type":"a","x":{"\udc00\udc00":1}})",
           R"({"type":"a","x":123456789012345678})",
           R"({"type":"a","x":1.00000000000000000})", R"({"type":"a","x":1e308})",
           // Valid JSON, rejected by the mapping: the decoder's validation comes first.
           R"({"x":1})", R"({"type":"a","type":"b"})"}) {
    EXPECT_FALSE(scan(line)) << line;
  }
}

TEST_F(EventsMapperTest, WithoutScratch) {
  auto r = mapper_->Map(R"({"type":"t","id":"x"})", kReceived);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, "x");
}

// Other tables: members by column name, coerced.
class TableMapperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int id = 0;
    auto col = [&](const char* name, Type type, bool required = false) {
      return Field(++id, name, required, std::move(type));
    };
    std::vector<NestedField> fields = {
        col("id", Type::Primitive(TypeId::kLong), true),
        col("name", Type::Primitive(TypeId::kString)),
        col("active", Type::Primitive(TypeId::kBoolean)),
        col("qty", Type::Primitive(TypeId::kInt)),
        col("price", Type::Decimal(10, 2)),
        col("ratio", Type::Primitive(TypeId::kFloat)),
        col("score", Type::Primitive(TypeId::kDouble)),
        col("day", Type::Primitive(TypeId::kDate)),
        col("at", Type::Primitive(TypeId::kTime)),
        col("ts", Type::Primitive(TypeId::kTimestamp)),
        col("tstz", Type::Primitive(TypeId::kTimestampTz)),
        col("u", Type::Primitive(TypeId::kUuid)),
        col("blob", Type::Primitive(TypeId::kBinary)),
        col("f4", Type::Fixed(4)),
    };
    auto m = EventMapper::Make(iceberg::Schema(0, fields));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    mapper_.emplace(std::move(*m));
    ASSERT_FALSE(mapper_->is_events_table());
  }

  // The value of `column` (position) after mapping {"id":1, <member>}.
  Literal Value(int column, std::string_view member) {
    auto r = MapBothWays(*mapper_, R"({"id":1,)" + std::string(member) + "}");
    EXPECT_TRUE(r.ok()) << member << ": " << r.status().ToString();
    if (!r.ok()) return Literal();
    return r->values[column];
  }
  std::string Reject(std::string_view member) {
    auto r = MapBothWays(*mapper_, R"({"id":1,)" + std::string(member) + "}");
    EXPECT_FALSE(r.ok()) << member;
    return r.ok() ? "" : r.status().message();
  }

  std::optional<EventMapper> mapper_;
};

TEST_F(TableMapperTest, ByNameWithNullsForAbsentColumns) {
  auto r = mapper_->Map(R"({"name":"n","id":"17","unknown":{"x":1}})", kReceived);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->values.size(), 14u);
  EXPECT_EQ(r->id, "17");  // the dedup key
  EXPECT_EQ(r->values[0], Literal::Long(17));
  EXPECT_EQ(r->values[1], Str("n"));
  EXPECT_EQ(r->values[2], Literal::Null(Type::Primitive(TypeId::kBoolean)));
  EXPECT_EQ(r->values[13], Literal::Null(Type::Fixed(4)));
}

TEST_F(TableMapperTest, RequiredColumns) {
  auto missing = mapper_->Map(R"({"name":"n"})", kReceived);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "column \"id\" is required but the event has no \"id\"");
  auto null = mapper_->Map(R"({"id":null})", kReceived);
  ASSERT_FALSE(null.ok());
  EXPECT_EQ(null.status().message(), "column \"id\" is required but \"id\" is null");
}

TEST_F(TableMapperTest, Strings) {
  EXPECT_EQ(Value(1, R"("name":12.50)"), Str("12.50"));
  EXPECT_EQ(Value(1, R"("name":true)"), Str("true"));
  EXPECT_EQ(Value(1, R"("name":{"a": [1, 2]})"), Str(R"({"a":[1,2]})"));
  EXPECT_EQ(Value(1, R"("name":"caf\u00e9")"), Str("café"));
}

TEST_F(TableMapperTest, Booleans) {
  EXPECT_EQ(Value(2, R"("active":true)"), Literal::Boolean(true));
  EXPECT_EQ(Value(2, R"("active":"false")"), Literal::Boolean(false));
  EXPECT_EQ(Reject(R"("active":1)"),
            "column \"active\" (boolean): the number 1 is not true or false");
}

TEST_F(TableMapperTest, Integers) {
  EXPECT_EQ(Value(3, R"("qty":"42")"), Literal::Int(42));
  EXPECT_EQ(Value(3, R"("qty":3.0)"), Literal::Int(3));
  EXPECT_EQ(Value(3, R"("qty":-2147483648)"), Literal::Int(-2147483648));
  auto max = mapper_->Map(R"({"id":9223372036854775807})", kReceived);
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  EXPECT_EQ(max->values[0], Literal::Long(9223372036854775807));
  EXPECT_EQ(Reject(R"("qty":3000000000)"),
            "column \"qty\" (int): the number 3000000000 is out of range for int");
  EXPECT_EQ(Reject(R"("qty":3.5)"),
            "column \"qty\" (int): the number 3.5 is not a whole number in the range of int");
  EXPECT_THAT(Reject(R"("qty":"three")"), HasSubstr("the string \"three\" is not a whole number"));
}

TEST_F(TableMapperTest, Decimals) {
  EXPECT_EQ(Value(4, R"("price":12.3)"), Literal::Decimal(1230, 10, 2));
  EXPECT_EQ(Value(4, R"("price":"-0.50")"), Literal::Decimal(-50, 10, 2));
  EXPECT_EQ(Value(4, R"("price":7.1000)"), Literal::Decimal(710, 10, 2));  // zeros lose nothing
  EXPECT_EQ(Reject(R"("price":1.234)"),
            "column \"price\" (decimal(10,2)): the number 1.234 is not a decimal with at most 2 "
            "fraction digits");
  EXPECT_THAT(Reject(R"("price":123456789.1)"), HasSubstr("more than 10 digits"));
  EXPECT_THAT(Reject(R"("price":1e3)"), HasSubstr("exponent notation"));
}

TEST_F(TableMapperTest, FloatingPoint) {
  EXPECT_EQ(Value(5, R"("ratio":0.5)"), Literal::Float(0.5f));
  EXPECT_EQ(Value(6, R"("score":"1e-3")"), Literal::Double(1e-3));
  EXPECT_TRUE(std::isinf(Value(6, R"("score":"-Infinity")").double_value()));
  EXPECT_THAT(Reject(R"("ratio":1e300)"), HasSubstr("out of range for float"));
  EXPECT_THAT(Reject(R"("score":[1])"), HasSubstr("the array [1] is not a number"));
}

TEST_F(TableMapperTest, DatesAndTimes) {
  EXPECT_EQ(Value(7, R"("day":"2026-01-05")"), Literal::Date(20458));
  EXPECT_EQ(Value(8, R"("at":"13:05:00.5")"), Literal::Time(47100500000));
  EXPECT_EQ(Value(9, R"("ts":"2026-01-05T13:05:00")"), Literal::Timestamp(kReceived));
  EXPECT_EQ(Value(10, R"("tstz":"2026-01-05T14:05:00+01:00")"), Literal::TimestampTz(kReceived));
  EXPECT_EQ(Value(10, R"("tstz":1767618300000)"), Literal::TimestampTz(kReceived));
  EXPECT_THAT(Reject(R"("day":"05/01/2026")"), HasSubstr("not an ISO date"));
  EXPECT_THAT(Reject(R"("at":"25:00:00")"), HasSubstr("not an ISO time"));
  EXPECT_THAT(Reject(R"("ts":"soon")"),
              HasSubstr("column \"ts\" (timestamp): the string \"soon\" is not an RFC 3339"));
}

TEST_F(TableMapperTest, UuidAndBytes) {
  Literal u = Value(11, R"("u":"123E4567-e89b-12d3-a456-426614174000")");
  EXPECT_EQ(u.uuid_value().ToString(), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(Value(12, R"("blob":"AAEC")"), Literal::Binary(std::string("\0\1\2", 3)));
  EXPECT_EQ(Value(13, R"("f4":"AAECAw==")"), Literal::Fixed(std::string("\0\1\2\3", 4)));
  EXPECT_THAT(Reject(R"("u":"nope")"), HasSubstr("not a UUID"));
  EXPECT_THAT(Reject(R"("blob":"!!")"), HasSubstr("not base64"));
  EXPECT_THAT(Reject(R"("f4":"AAE=")"), HasSubstr("decodes to 2 bytes, not 4"));
}

TEST_F(TableMapperTest, LongValuesAreCutInMessages) {
  std::string msg = Reject(R"("qty":")" + std::string(1 << 20, '9') + "\"");
  EXPECT_LT(msg.size(), 200u);
  EXPECT_THAT(msg, HasSubstr("...\" is not a whole number"));
}

// "2026-01-05T13:05:00.123Z", nearly every event's form, is parsed where it lies, without the
// normalized copy: it must give what iceberg::ParseTimestamp gives (fraction past microseconds
// dropped) and refuse what it refuses.
TEST(ParseEventTimeTest, CanonicalUtcAsTheGeneralParserReadsIt) {
  uint32_t seed = 1;
  auto next = [&](uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  for (int i = 0; i < 50000; ++i) {
    char text[64];
    int n = std::snprintf(text, sizeof(text), "%04u-%02u-%02uT%02u:%02u:%02u", next(10000),
                          next(14), next(33), next(25), next(61), next(61));
    std::string t(text, static_cast<size_t>(n));
    uint32_t fraction = next(11);  // 0: none, 1: a bare dot, else 1..9 digits
    std::string digits;
    if (fraction > 0) {
      t += '.';
      for (uint32_t k = 1; k < fraction; ++k) digits += static_cast<char>('0' + next(10));
      t += digits;
    }
    t += 'Z';
    std::string reference = t.substr(0, 19);
    if (fraction > 0) reference += "." + digits.substr(0, 6);
    reference += 'Z';
    std::optional<int64_t> want = iceberg::ParseTimestamp(reference, true);
    EXPECT_EQ(ParseEventTime(t), want) << t;
  }
  EXPECT_EQ(ParseEventTime("2024-02-29T23:59:59.999999999Z"),
            iceberg::ParseTimestamp("2024-02-29T23:59:59.999999Z", true));
  EXPECT_EQ(ParseEventTime("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseEventTime("2026-01-05T24:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseEventTime("2026-01-05T13:05:00.Z"), std::nullopt);
  EXPECT_EQ(ParseEventTime("2026-01-05T13:05:00.1234567890Z"), std::nullopt);
}

TEST(EventMapperMakeTest, NestedColumnsAreNotSupportedYet) {
  std::vector<NestedField> fields = {
      Field(1, "tags", false, Type::List(2, Type::Primitive(TypeId::kString), false))};
  auto m = EventMapper::Make(iceberg::Schema(0, fields));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().kind(), ErrorKind::kNotSupported);
  EXPECT_THAT(m.status().message(), HasSubstr("column \"tags\" has the nested type list<string>"));
}

}  // namespace
}  // namespace floe::ingest
