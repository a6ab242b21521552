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

namespace {

bool placeholder(const std::string& v) {
  return v == kOtherValue || v == kRareValue;
}

// A page folded into "(other)" or "(rare)" keeps its page counters only: the heat of unrelated
// pages does not add up to anything.
void keep_counters_only(Report& report, const char* page) {
  report.segment.page = page;
  Aggregate counters_only;
  counters_only.counters = report.data.counters;
  report.data = std::move(counters_only);
}

}  // namespace

bool SegmentGuard::reaches_k(SiteDay& sd, const std::string& id, uint64_t page_views) {
  if (limits_.k_anonymity <= 1) return true;
  auto it = sd.rare.find(id);
  if (it == sd.rare.end()) {
    if (sd.rare.size() >= limits_.rare_values_per_site_day) return false;
    it = sd.rare.emplace(id, 0).first;
  }
  it->second += page_views;
  if (it->second < limits_.k_anonymity) return false;
  sd.rare.erase(it);
  return true;
}

void SegmentGuard::apply(Report& report, int32_t day, StatsMap& counts) {
  Segment& s = report.segment;
  SiteDay* sd = site_day(s.site, day);
  if (!sd) return;
  const uint64_t pv = report.data.counters[kPageViews];
  auto page = sd->pages.find(s.page);
  if (page == sd->pages.end()) {
    // A value is rare only while there is room for it: past a bound it is "(other)" at once.
    const bool room = !placeholder(s.page) && sd->counted < limits_.pages_per_day;
    if (room && !reaches_k(*sd, std::string("p\0", 2) + s.page, pv)) {
      keep_counters_only(report, kRareValue);
      ++counts["pages_rare"];
    } else if (room) {
      ++sd->counted;
    } else if (s.page != kRareValue) {
      keep_counters_only(report, kOtherValue);
      ++counts["pages_folded"];
    }
    page = sd->pages.try_emplace(s.page).first;
  }
  PageDay& pd = page->second;
  const std::string in_page = s.page + '\0';
  if (!s.variant.empty() && !pd.variants.count(s.variant) && !placeholder(s.variant) &&
      pd.variants.size() < limits_.variants_per_page_day &&
      !reaches_k(*sd, std::string("v\0", 2) + in_page + s.variant, pv)) {
    s.variant = kRareValue;
    ++counts["variants_rare"];
  }
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
    if (!pd.tags.count({t.key, t.value}) && !placeholder(t.value) &&
        pd.tags.size() < limits_.tag_values_per_page_day &&
        !reaches_k(*sd, std::string("t\0", 2) + in_page + t.key + '\0' + t.value, pv)) {
      t.value = kRareValue;
      ++counts["tags_rare"];
    }
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
