// Per-site bounds on what one day may hold. Anyone with the public site key can invent page
// keys, variants and tag values; without bounds one client fills the store with rows nobody can
// list. Past a bound, values are folded into "(other)" and counted, not refused: the page view
// still counts, and a site that really has more pages sees how much traffic "(other)" holds.
//
// k-anonymity: a page key, variant or tag value that fewer than K page views of its day carried
// is stored as "(rare)": a value seen in one page view (a name typed into a tag by a site owner,
// an order number in a path) would single out that visitor. Until a value reaches K page views
// it lives only in this class's memory, never on disk.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "store.h"

namespace thermograph {

inline constexpr const char* kOtherValue = "(other)";
inline constexpr const char* kRareValue = "(rare)";

struct SegmentLimits {
  uint32_t pages_per_day = 1000;          // distinct page keys per site and UTC day
  uint32_t variants_per_page_day = 32;    // distinct variants per page and day
  uint32_t tag_values_per_page_day = 64;  // distinct tag key:value pairs per page and day
  uint32_t k_anonymity = 5;  // page views a value needs in its day before it is stored (1: off)
  // Values still under K that one site and day tracks; past it a new value stays "(rare)".
  uint32_t rare_values_per_site_day = 100000;
};

// Applies SegmentLimits to reports in arrival order. Not thread-safe: the ingest writer thread
// owns it. What a site and day already holds is read from the store the first time that day is
// seen, so a restart keeps the bounds.
class SegmentGuard {
 public:
  SegmentGuard(Store& store, SegmentLimits limits) : store_(store), limits_(limits) {}

  // Folds whatever is rare or past a bound, in place, and adds to `counts`:
  // - a page key, variant or tag value that has not reached k_anonymity page views in this site
  //   and day (this report's included) becomes "(rare)" (a page: with its page counters only)
  //   -> pages_rare, variants_rare, tags_rare (per tag); the K-th page view stores the value;
  // - a new page past pages_per_day becomes page "(other)" with its page counters only (no grid
  //   or elements: the heat of unrelated pages does not add up to anything) -> pages_folded;
  // - a new variant past variants_per_page_day becomes "(other)" -> variants_folded;
  // - a new tag value past tag_values_per_page_day becomes "(other)" when its key is known for
  //   the page and day, else the tag is dropped -> tags_folded (per tag).
  void apply(Report& report, int32_t day, StatsMap& counts);

  // Forgets what it learned (after a failed commit: those values may not be stored).
  void forget() { days_.clear(); }

 private:
  struct PageDay {
    std::set<std::string> variants;
    std::set<std::pair<std::string, std::string>> tags;
    std::set<std::string> tag_keys;
  };
  struct SiteDay {
    std::unordered_map<std::string, PageDay> pages;  // "(other)" included, not counted
    size_t counted = 0;
    // Page views so far of values not yet stored, by kind + '\0' + page [+ '\0' + value].
    std::unordered_map<std::string, uint64_t> rare;
  };
  SiteDay* site_day(const std::string& site, int32_t day);
  // Adds `page_views` to a value's count; true once it reaches k_anonymity (then forgotten
  // here: the value is stored from now on and known through the store).
  bool reaches_k(SiteDay& sd, const std::string& id, uint64_t page_views);

  Store& store_;
  const SegmentLimits limits_;
  std::map<std::pair<std::string, int32_t>, SiteDay> days_;
};

}  // namespace thermograph
