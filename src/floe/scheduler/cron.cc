#include "floe/scheduler/cron.h"

#include <array>
#include <cctype>
#include <vector>

#include "floe/iceberg/datetime.h"

namespace floe::scheduler {

namespace {

constexpr int64_t kMicrosPerMinute = 60 * 1000000LL;
constexpr int64_t kMinutesPerDay = 24 * 60;

struct FieldInfo {
  const char* name;
  int min;
  int max;
  const char* const* names;  // names[i] stands for min + i (null: numbers only)
  int name_count;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr std::array<FieldInfo, 5> kFields = {{
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day of month", 1, 31, nullptr, 0},
    {"month", 1, 12, kMonthNames, 12},
    {"day of week", 0, 7, kDayNames, 7},
}};

struct Alias {
  const char* name;
  const char* expansion;
};
constexpr Alias kAliases[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Parses one field (text[begin, end) of the full expression) into `bits` (index = value).
class FieldParser {
 public:
  FieldParser(std::string_view full, size_t begin, size_t end, int field_index)
      : full_(full), pos_(begin), end_(end), index_(field_index), info_(kFields[field_index]) {}

  Status Parse(std::vector<bool>* bits) {
    while (true) {
      FLOE_RETURN_IF_ERROR(ParseItem(bits));
      if (pos_ == end_) return Status::OK();
      if (full_[pos_] != ',') return Unexpected();
      ++pos_;
    }
  }

 private:
  Status Error(std::string what) const {
    return Status::InvalidArgument("cron \"" + std::string(full_) + "\": field " +
                                   std::to_string(index_ + 1) + " (" + info_.name + ") " +
                                   std::move(what));
  }
  std::string Column(size_t at) const { return "at column " + std::to_string(at + 1); }

  Status Unexpected() const {
    if (pos_ >= end_) return Error("ends early " + Column(pos_) + " (a value is missing)");
    return Error("has unexpected \"" + std::string(1, full_[pos_]) + "\" " + Column(pos_));
  }

  // A number or (for month and day of week) a name, range-checked.
  Status ParseValue(int* out) {
    size_t start = pos_;
    if (pos_ < end_ && std::isdigit(static_cast<unsigned char>(full_[pos_]))) {
      int64_t value = 0;
      while (pos_ < end_ && std::isdigit(static_cast<unsigned char>(full_[pos_]))) {
        if (value < 1000000) value = value * 10 + (full_[pos_] - '0');
        ++pos_;
      }
      if (value < info_.min || value > info_.max) {
        return Error("value " + std::string(full_.substr(start, pos_ - start)) + " " +
                     Column(start) + " is out of range " + std::to_string(info_.min) + "-" +
                     std::to_string(info_.max));
      }
      *out = static_cast<int>(value);
      return Status::OK();
    }
    if (pos_ < end_ && std::isalpha(static_cast<unsigned char>(full_[pos_]))) {
      while (pos_ < end_ && std::isalpha(static_cast<unsigned char>(full_[pos_]))) ++pos_;
      std::string word(full_.substr(start, pos_ - start));
      for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (int i = 0; i < info_.name_count; ++i) {
        if (word == info_.names[i]) {
          *out = info_.min + i;
          return Status::OK();
        }
      }
      if (info_.names == nullptr) {
        return Error("name \"" + std::string(full_.substr(start, pos_ - start)) + "\" " +
                     Column(start) + " is not allowed (numbers only)");
      }
      return Error("name \"" + std::string(full_.substr(start, pos_ - start)) + "\" " +
                   Column(start) + " is unknown (use " + info_.names[0] + "-" +
                   info_.names[info_.name_count - 1] + ")");
    }
    return Unexpected();
  }

  Status ParseItem(std::vector<bool>* bits) {
    size_t item_start = pos_;
    int from = info_.min;
    int to = info_.max;
    if (pos_ < end_ && full_[pos_] == '*') {
      ++pos_;
    } else {
      FLOE_RETURN_IF_ERROR(ParseValue(&from));
      to = from;
      if (pos_ < end_ && full_[pos_] == '-') {
        ++pos_;
        FLOE_RETURN_IF_ERROR(ParseValue(&to));
        if (to < from) {
          return Error("range " + std::string(full_.substr(item_start, pos_ - item_start)) + " " +
                       Column(item_start) + " is reversed (write the smaller value first)");
        }
      } else if (pos_ < end_ && full_[pos_] == '/') {
        to = info_.max;  // "a/n": from a to the end of the field
      }
    }
    int step = 1;
    if (pos_ < end_ && full_[pos_] == '/') {
      ++pos_;
      size_t step_start = pos_;
      if (pos_ == end_ || !std::isdigit(static_cast<unsigned char>(full_[pos_]))) {
        return Error("step " + Column(step_start) + " must be a number");
      }
      int64_t value = 0;
      while (pos_ < end_ && std::isdigit(static_cast<unsigned char>(full_[pos_]))) {
        if (value < 1000000) value = value * 10 + (full_[pos_] - '0');
        ++pos_;
      }
      if (value < 1 || value > info_.max - info_.min + 1) {
        return Error("step " + std::string(full_.substr(step_start, pos_ - step_start)) + " " +
                     Column(step_start) + " is out of range 1-" +
                     std::to_string(info_.max - info_.min + 1));
      }
      step = static_cast<int>(value);
    }
    for (int v = from; v <= to; v += step) (*bits)[static_cast<size_t>(v)] = true;
    return Status::OK();
  }

  std::string_view full_;
  size_t pos_;
  size_t end_;
  int index_;
  const FieldInfo& info_;
};

int DaysInMonth(int month) {
  static constexpr int kDays[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[month];  // February counts its leap day: it does occur
}

}  // namespace

Result<CronExpression> CronExpression::Parse(std::string_view text) {
  CronExpression cron;
  cron.text_ = std::string(text);
  std::string_view source = text;
  std::string expansion;
  size_t first = 0;
  while (first < text.size() && IsBlank(text[first])) ++first;
  if (first == text.size()) return Status::InvalidArgument("cron \"" + cron.text_ + "\": is empty");
  if (text[first] == '@') {
    size_t last = text.size();
    while (last > first && IsBlank(text[last - 1])) --last;
    std::string name(text.substr(first, last - first));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const Alias& alias : kAliases) {
      if (name == alias.name) expansion = alias.expansion;
    }
    if (expansion.empty()) {
      return Status::InvalidArgument("cron \"" + cron.text_ + "\": unknown alias at column " +
                                     std::to_string(first + 1) +
                                     " (use @yearly, @monthly, @weekly, @daily or @hourly)");
    }
    source = expansion;
  }

  // Split into fields, remembering where each starts so errors point into the original text.
  std::vector<std::pair<size_t, size_t>> fields;
  for (size_t i = 0; i < source.size();) {
    if (IsBlank(source[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < source.size() && !IsBlank(source[i])) ++i;
    fields.emplace_back(start, i);
  }
  if (fields.size() != 5) {
    return Status::InvalidArgument(
        "cron \"" + cron.text_ + "\": has " + std::to_string(fields.size()) +
        " field(s), expected 5 (minute hour day-of-month month day-of-week) or an alias such as "
        "@daily");
  }

  std::array<std::vector<bool>, 5> bits;
  for (int f = 0; f < 5; ++f) {
    bits[f].assign(static_cast<size_t>(kFields[f].max + 1), false);
    FieldParser parser(source, fields[f].first, fields[f].second, f);
    FLOE_RETURN_IF_ERROR(parser.Parse(&bits[f]));
  }
  for (size_t v = 0; v < 60; ++v) cron.minutes_[v] = bits[0][v];
  for (size_t v = 0; v < 24; ++v) cron.hours_[v] = bits[1][v];
  for (size_t v = 1; v <= 31; ++v) cron.days_of_month_[v] = bits[2][v];
  for (size_t v = 1; v <= 12; ++v) cron.months_[v] = bits[3][v];
  for (size_t v = 0; v < 7; ++v) cron.days_of_week_[v] = bits[4][v];
  if (bits[4][7]) cron.days_of_week_[0] = true;  // 7 is Sunday too
  cron.day_of_month_star_ = source[fields[2].first] == '*';
  cron.day_of_week_star_ = source[fields[4].first] == '*';

  // With the day of week unrestricted only the day of month picks days; "30 2" would never run.
  if (cron.day_of_week_star_) {
    bool possible = false;
    int first_day = 0;
    for (int d = 31; d >= 1; --d) {
      if (cron.days_of_month_[static_cast<size_t>(d)]) first_day = d;
    }
    for (int m = 1; m <= 12 && !possible; ++m) {
      if (cron.months_[static_cast<size_t>(m)] && first_day <= DaysInMonth(m)) possible = true;
    }
    if (!possible) {
      return Status::InvalidArgument("cron \"" + cron.text_ +
                                     "\": field 3 (day of month) never falls in the months of "
                                     "field 4, so the expression would never run");
    }
  }
  return cron;
}

bool CronExpression::DayMatches(int64_t days_since_epoch) const {
  iceberg::CivilDate date = iceberg::CivilFromDays(days_since_epoch);
  if (!months_[static_cast<size_t>(date.month)]) return false;
  // 1970-01-01 was a Thursday (4).
  auto dow = static_cast<size_t>(iceberg::FloorMod(days_since_epoch + 4, 7));
  bool dom_ok = days_of_month_[static_cast<size_t>(date.day)];
  bool dow_ok = days_of_week_[dow];
  if (day_of_month_star_ || day_of_week_star_) return dom_ok && dow_ok;
  return dom_ok || dow_ok;
}

bool CronExpression::Matches(int64_t micros, int32_t utc_offset_minutes) const {
  int64_t minute = iceberg::FloorDiv(micros, kMicrosPerMinute) + utc_offset_minutes;
  int64_t day = iceberg::FloorDiv(minute, kMinutesPerDay);
  int64_t minute_of_day = minute - day * kMinutesPerDay;
  return DayMatches(day) && hours_[static_cast<size_t>(minute_of_day / 60)] &&
         minutes_[static_cast<size_t>(minute_of_day % 60)];
}

std::optional<int64_t> CronExpression::NextAfter(int64_t after_micros,
                                                 int32_t utc_offset_minutes) const {
  // Work in local minutes; the candidate is the minute after the one containing `after`.
  int64_t minute = iceberg::FloorDiv(after_micros, kMicrosPerMinute) + 1 + utc_offset_minutes;
  int64_t day = iceberg::FloorDiv(minute, kMinutesPerDay);
  int64_t start_minute_of_day = minute - day * kMinutesPerDay;
  // The rarest day Parse accepts is a leap day that must also be a given weekday ("*/28 2 MON"):
  // 28 years apart, 40 across a century year without a leap day. Other days match far sooner.
  for (int64_t i = 0; i < 366 * 41; ++i, ++day, start_minute_of_day = 0) {
    if (!DayMatches(day)) continue;
    for (int64_t m = start_minute_of_day; m < kMinutesPerDay; ++m) {
      if (!hours_[static_cast<size_t>(m / 60)]) {
        m = (m / 60) * 60 + 59;  // skip the rest of the hour
        continue;
      }
      if (minutes_[static_cast<size_t>(m % 60)]) {
        return (day * kMinutesPerDay + m - utc_offset_minutes) * kMicrosPerMinute;
      }
    }
  }
  return std::nullopt;
}

}  // namespace floe::scheduler
