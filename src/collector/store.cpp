// Store helpers shared by every backend: row keys, tag matching and day numbers.
#include "store.h"

#include <cstdio>
#include <ctime>

#include "json/report_json.h"

namespace thermograph {

RowKey row_key(const Segment& s, int32_t day) {
  RowKey k;
  k.site = s.site;
  k.page = s.page;
  k.width_class = s.width_class;
  k.device = s.device;
  k.logged_in = s.logged_in;
  k.variant = s.variant;
  k.tags = to_json(s).at("tags").dump();  // nlohmann sorts object keys: one canonical form
  k.day = day;
  return k;
}

bool tags_match(const std::string& tags_json, const std::vector<Tag>& wanted) {
  if (wanted.empty()) return true;
  const auto j = nlohmann::json::parse(tags_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  for (const Tag& t : wanted) {
    auto it = j.find(t.key);
    if (it == j.end() || !it->is_string() || it->get<std::string>() != t.value) return false;
  }
  return true;
}

int32_t today_utc() {
  return static_cast<int32_t>(std::time(nullptr) / 86400);
}

// Howard Hinnant's civil-from-days / days-from-civil algorithms.
std::string day_to_date(int32_t day) {
  const int64_t z = int64_t{day} + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

std::optional<int32_t> date_to_day(const std::string& date) {
  int y, m, d;
  char tail;
  if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return std::nullopt;
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const int64_t yy = y - (m <= 2);
  const int64_t era = yy / 400;
  const int64_t yoe = yy - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int32_t day = static_cast<int32_t>(era * 146097 + doe - 719468);
  if (day_to_date(day) != date) return std::nullopt;  // rejects 2024-02-31
  return day;
}

}  // namespace thermograph
