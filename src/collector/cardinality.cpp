#include "cardinality.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace thermograph {

SegmentGuard::SiteDay* SegmentGuard::site_day(const std::string& site, int32_t day) {
  const auto id = std::make_pair(site, day);
  if (auto it = days_.find(id); it != days_.end()) return &it->second;
  // Only today and yesterday take reports; older days are dropped from memory.
  std::erase_if(days_, [&](const auto& e) { return e.first.second < day - 1; });
  RowFilter f;
  f.site = site;
  f.from_day = f.to_day = day;
  std::vector<RowInfo> rows;
  try {
    rows = store_.rows(f);
  } catch (const std::exception& e) {
    // Unknown state: let this batch through unbounded rather than fold good data; the next
    // batch tries again.
    std::fprintf(stderr, "thermograph-collector: reading segment values failed: %s\n", e.what());
    return nullptr;
  }
  SiteDay& sd = days_[id];
  for (const RowInfo& r : rows) {
    auto [it, fresh] = sd.pages.try_emplace(r.key.page);
    if (fresh && r.key.page != kOtherValue) ++sd.counted;
    PageDay& pd = it->second;
    if (!r.key.variant.empty()) pd.variants.insert(r.key.variant);
    const auto tags = nlohmann::json::parse(r.key.tags, nullptr, false);
    if (!tags.is_object()) continue;
    for (const auto& [k, v] : tags.items()) {
      if (!v.is_string()) continue;
      pd.tag_keys.insert(k);
      pd.tags.insert({k, v.get<std::string>()});
    }
  }
  return &sd;
}

void SegmentGuard::apply(Report& report, int32_t day, StatsMap& counts) {
  Segment& s = report.segment;
  SiteDay* sd = site_day(s.site, day);
  if (!sd) return;
  auto page = sd->pages.find(s.page);
  if (page == sd->pages.end()) {
    if (s.page != kOtherValue && sd->counted < limits_.pages_per_day) {
      ++sd->counted;
    } else {
      s.page = kOtherValue;
      Aggregate counters_only;
      counters_only.counters = report.data.counters;
      report.data = std::move(counters_only);
      ++counts["pages_folded"];
    }
    page = sd->pages.try_emplace(s.page).first;
  }
  PageDay& pd = page->second;
  if (!s.variant.empty() && !pd.variants.count(s.variant)) {
    if (pd.variants.size() < limits_.variants_per_page_day) {
      pd.variants.insert(s.variant);
    } else {
      s.variant = kOtherValue;
      ++counts["variants_folded"];
    }
  }
  // Keys keep their order (values change, tags go), so the tags stay sorted.
  std::erase_if(s.tags, [&](Tag& t) {
    if (t.value == kOtherValue && pd.tag_keys.count(t.key)) return false;
    if (pd.tags.count({t.key, t.value})) return false;
    if (pd.tags.size() < limits_.tag_values_per_page_day) {
      pd.tags.insert({t.key, t.value});
      pd.tag_keys.insert(t.key);
      return false;
    }
    ++counts["tags_folded"];
    if (!pd.tag_keys.count(t.key)) return true;
    t.value = kOtherValue;
    return false;
  });
}

}  // namespace thermograph
