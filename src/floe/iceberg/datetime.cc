#include "floe/iceberg/datetime.h"

#include <charconv>
#include <cstdio>
#include <limits>

namespace floe::iceberg {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms), in 400-year eras
// so negative years need no special case.
CivilDate CivilFromDays(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int32_t d = static_cast<int32_t>(doy - (153 * mp + 2) / 5 + 1);
  int32_t m = static_cast<int32_t>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{m <= 2 ? y + 1 : y, m, d};
}

int64_t DaysFromCivil(int64_t year, int32_t month, int32_t day) {
  int64_t y = month <= 2 ? year - 1 : year;
  int64_t era = FloorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t mp = month > 2 ? month - 3 : month + 9;
  int64_t doy = (153 * mp + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

namespace {

std::string FormatYear(int64_t year) {
  char buf[32];
  if (year > 9999) {
    std::snprintf(buf, sizeof(buf), "+%lld", static_cast<long long>(year));
  } else if (year < 0) {
    std::snprintf(buf, sizeof(buf), "-%04lld", static_cast<long long>(-year));
  } else {
    std::snprintf(buf, sizeof(buf), "%04lld", static_cast<long long>(year));
  }
  return buf;
}

bool DaysInMonthOk(int64_t year, int32_t month, int32_t day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max;
}

// Reads exactly `width` digits.
bool ReadDigits(std::string_view* s, size_t width, int64_t* out) {
  if (s->size() < width) return false;
  int64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = (*s)[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  s->remove_prefix(width);
  *out = v;
  return true;
}

bool Expect(std::string_view* s, char c) {
  if (s->empty() || s->front() != c) return false;
  s->remove_prefix(1);
  return true;
}

// Parses a date prefix, leaving the rest in *s.
std::optional<int64_t> ParseDatePrefix(std::string_view* s) {
  bool negative = false;
  if (!s->empty() && (s->front() == '-' || s->front() == '+')) {
    negative = s->front() == '-';
    s->remove_prefix(1);
  }
  size_t digits = 0;
  while (digits < s->size() && (*s)[digits] >= '0' && (*s)[digits] <= '9') ++digits;
  if (digits < 4 || digits > 9) return std::nullopt;
  int64_t year = 0, month = 0, day = 0;
  if (!ReadDigits(s, digits, &year)) return std::nullopt;
  if (negative) year = -year;
  if (!Expect(s, '-') || !ReadDigits(s, 2, &month) || !Expect(s, '-') || !ReadDigits(s, 2, &day)) {
    return std::nullopt;
  }
  if (!DaysInMonthOk(year, static_cast<int32_t>(month), static_cast<int32_t>(day))) {
    return std::nullopt;
  }
  return DaysFromCivil(year, static_cast<int32_t>(month), static_cast<int32_t>(day));
}

// Parses "HH:MM[:SS[.fraction]]" (fraction up to 6 digits kept, more digits must be zeros).
std::optional<int64_t> ParseTimePrefix(std::string_view* s) {
  int64_t h = 0, m = 0, sec = 0, frac = 0;
  if (!ReadDigits(s, 2, &h) || !Expect(s, ':') || !ReadDigits(s, 2, &m)) return std::nullopt;
  if (!s->empty() && s->front() == ':') {
    s->remove_prefix(1);
    if (!ReadDigits(s, 2, &sec)) return std::nullopt;
    if (!s->empty() && s->front() == '.') {
      s->remove_prefix(1);
      size_t n = 0;
      while (n < s->size() && (*s)[n] >= '0' && (*s)[n] <= '9') {
        if (n < 6) {
          frac = frac * 10 + ((*s)[n] - '0');
        } else if ((*s)[n] != '0') {
          return std::nullopt;  // sub-microsecond precision would be lost
        }
        ++n;
      }
      if (n == 0) return std::nullopt;
      for (size_t i = n; i < 6; ++i) frac *= 10;
      s->remove_prefix(n);
    }
  }
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  return ((h * 60 + m) * 60 + sec) * kMicrosPerSecond + frac;
}

}  // namespace

std::string FormatDate(int64_t days) {
  CivilDate c = CivilFromDays(days);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "-%02d-%02d", c.month, c.day);
  return FormatYear(c.year) + buf;
}

std::string FormatTime(int64_t micros_of_day) {
  int64_t secs = micros_of_day / kMicrosPerSecond;
  int64_t frac = micros_of_day % kMicrosPerSecond;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out = buf;
  if (frac != 0) {
    char f[8];
    std::snprintf(f, sizeof(f), "%06lld", static_cast<long long>(frac));
    std::string digits = f;
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

std::string FormatTimestamp(int64_t micros, bool with_zone) {
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  return FormatDate(days) + "T" + FormatTime(rest) + (with_zone ? "+00:00" : "");
}

std::optional<int32_t> ParseDate(std::string_view text) {
  std::optional<int64_t> days = ParseDatePrefix(&text);
  if (!days || !text.empty() || *days < std::numeric_limits<int32_t>::min() ||
      *days > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int32_t>(*days);
}

std::optional<int64_t> ParseTime(std::string_view text) {
  std::optional<int64_t> t = ParseTimePrefix(&text);
  if (!t || !text.empty()) return std::nullopt;
  return t;
}

std::optional<int64_t> ParseTimestamp(std::string_view text, bool with_zone) {
  std::optional<int64_t> days = ParseDatePrefix(&text);
  if (!days || !Expect(&text, 'T')) return std::nullopt;
  std::optional<int64_t> t = ParseTimePrefix(&text);
  if (!t) return std::nullopt;
  int64_t offset_micros = 0;
  if (with_zone) {
    if (text == "Z") {
      text.remove_prefix(1);
    } else if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
      int64_t sign = text.front() == '-' ? -1 : 1;
      text.remove_prefix(1);
      int64_t oh = 0, om = 0;
      if (!ReadDigits(&text, 2, &oh) || !Expect(&text, ':') || !ReadDigits(&text, 2, &om)) {
        return std::nullopt;
      }
      offset_micros = sign * (oh * 60 + om) * 60 * kMicrosPerSecond;
    } else {
      return std::nullopt;
    }
  }
  if (!text.empty()) return std::nullopt;
  if (*days > 106751991 || *days < -106751991) return std::nullopt;  // int64 micros range
  return *days * kMicrosPerDay + *t - offset_micros;
}

}  // namespace floe::iceberg
