// Store helpers shared by every backend: row keys, tag matching, day numbers, bounded merges
// and the grouped form of the counters.
#include "store.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

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
  k.tags = to_json(s.tags).dump();  // nlohmann sorts object keys: one canonical form
  k.day = day;
  return k;
}

std::vector<std::string> origins_from_json(const std::string& json) {
  std::vector<std::string> out;
  const auto origins = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (origins.is_array())
    for (const auto& o : origins)
      if (o.is_string()) out.push_back(o.get<std::string>());
  return out;
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

void merge_segment(Segment& into, const Segment& s) {
  if (into.width_class != s.width_class) into.width_class = kMixed;
  if (into.device != s.device) into.device = kMixed;
  if (into.variant != s.variant) into.variant.clear();
  if (into.logged_in != s.logged_in) into.logged_in = false;
  if (into.tracker_version != s.tracker_version) into.tracker_version = 0;
  std::erase_if(into.tags, [&](const Tag& t) {
    return std::find(s.tags.begin(), s.tags.end(), t) == s.tags.end();
  });
}

std::optional<Report> Store::merged(const RowFilter& filter) {
  std::optional<Report> out;
  for_each_row(filter, [&](const RowKey&, Report&& r) {
    if (!out) {
      out = std::move(r);
    } else {
      merge_segment(out->segment, r.segment);
      out->data.merge(r.data);
    }
  });
  if (out) out->kind = kKindAggregate;
  return out;
}

uint64_t cell_count(const Aggregate& a) {
  uint64_t n = 0;
  for (const SparseVec& l : a.layers) n += l.size();
  for (const auto& [key, el] : a.elements()) n += 1 + el.cells.size() + el.next.size();
  return n;
}

namespace {

// Adds `b` into `a`; cells new to `a` take one unit of `budget` each while it lasts, the rest
// are dropped. Returns how many were dropped.
uint64_t merge_cells(SparseVec& a, const SparseVec& b, uint64_t& budget) {
  if (b.size() <= budget) {  // nothing can be dropped: the plain merge
    const size_t before = a.size();
    a.merge(b);
    budget -= a.size() - before;
    return 0;
  }
  const auto& ac = a.cells();
  const auto& bc = b.cells();
  SparseVec out;
  out.reserve(ac.size() + budget);
  uint64_t dropped = 0;
  size_t i = 0, j = 0;
  while (i < ac.size() || j < bc.size()) {
    if (j == bc.size() || (i < ac.size() && ac[i].index < bc[j].index)) {
      out.push_back_unchecked(ac[i].index, ac[i].value);
      ++i;
    } else if (i == ac.size() || bc[j].index < ac[i].index) {
      if (budget > 0) {
        --budget;
        out.push_back_unchecked(bc[j].index, bc[j].value);
      } else {
        ++dropped;
      }
      ++j;
    } else {
      out.push_back_unchecked(ac[i].index, sat_add(ac[i].value, bc[j].value));
      ++i;
      ++j;
    }
  }
  a = std::move(out);
  return dropped;
}

void add_counters(ElementStats& into, const ElementStats& from) {
  into.flags |= from.flags;
  if (from.stable && (!into.stable || from.stable < into.stable)) into.stable = from.stable;
  for (size_t c = 0; c < into.counters.size(); ++c)
    into.counters[c] = sat_add(into.counters[c], from.counters[c]);
}

}  // namespace

uint64_t merge_bounded(Aggregate& row, const Aggregate& pending, uint64_t budget) {
  uint64_t dropped = 0;
  for (size_t c = 0; c < row.counters.size(); ++c)
    row.counters[c] = sat_add(row.counters[c], pending.counters[c]);
  for (size_t l = 0; l < row.layers.size(); ++l)
    dropped += merge_cells(row.layers[l], pending.layers[l], budget);
  if (pending.elements().empty()) return dropped;
  // Elements: one linear merge into a fresh list (inserting one by one would be quadratic).
  Aggregate out;
  out.counters = row.counters;
  out.layers = std::move(row.layers);
  const auto& a = row.elements();
  const auto& b = pending.elements();
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
      out.push_element_unchecked(a[i].first) = std::move(const_cast<ElementStats&>(a[i].second));
      ++i;
    } else if (i == a.size() || b[j].first < a[i].first) {
      const uint64_t cost = 1 + b[j].second.cells.size() + b[j].second.next.size();
      if (cost <= budget) {
        budget -= cost;
        out.push_element_unchecked(b[j].first) = b[j].second;
      } else {
        dropped += cost;
      }
      ++j;
    } else {
      ElementStats& el = out.push_element_unchecked(a[i].first);
      el = std::move(const_cast<ElementStats&>(a[i].second));
      add_counters(el, b[j].second);
      dropped += merge_cells(el.cells, b[j].second.cells, budget);
      dropped += merge_cells(el.next, b[j].second.next, budget);
      ++i;
      ++j;
    }
  }
  row = std::move(out);
  return dropped;
}

Aggregate merge_all(std::vector<Aggregate>& parts) {
  if (parts.empty()) return {};
  while (parts.size() > 1) {
    size_t w = 0;
    for (size_t i = 0; i < parts.size(); i += 2, ++w) {
      if (i + 1 < parts.size()) parts[i].merge(parts[i + 1]);
      if (w != i) parts[w] = std::move(parts[i]);
    }
    parts.resize(w);
  }
  return std::move(parts[0]);
}

nlohmann::json stats_json(const StatsMap& stats) {
  // Kept but changed: the report was stored, minus or folded parts.
  static const std::set<std::string> kAdjusted = {"pii_removed", "pages_folded", "variants_folded",
                                                  "tags_folded", "pages_rare",   "variants_rare",
                                                  "tags_rare"};
  // About stored data rather than reports.
  static const std::set<std::string> kStorage = {"cells_over_limit", "rows_quarantined",
                                                 "pending_deltas"};
  nlohmann::json rejected = nlohmann::json::object(), adjusted = nlohmann::json::object(),
                 storage = nlohmann::json::object(), surveys = nlohmann::json::object();
  uint64_t accepted = 0, rejected_total = 0;
  for (const auto& [reason, n] : stats) {
    if (reason.rfind(kSiteStatPrefix, 0) == 0) continue;  // one site's share, counted above too
    if (reason.rfind(kSurveyStatPrefix, 0) == 0) {        // survey answers are not reports
      surveys[reason.substr(std::string_view(kSurveyStatPrefix).size())] = n;
    } else if (reason == "accepted") {
      accepted = n;
    } else if (kAdjusted.count(reason)) {
      adjusted[reason] = n;
    } else if (kStorage.count(reason)) {
      storage[reason] = n;
    } else {
      rejected[reason] = n;
      rejected_total += n;
    }
  }
  return {{"accepted", accepted}, {"rejected", rejected}, {"rejected_total", rejected_total},
          {"adjusted", adjusted}, {"storage", storage},   {"surveys", surveys}};
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
