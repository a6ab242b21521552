// Aggregate and Segment views of a page view, for tests and tools. Kept apart from pageview.cpp
// so the visitor module, which never needs them, links no vector or string code.
#include "pageview.h"

namespace thermograph {

Segment FixedSegment::to_segment() const {
  Segment s;
  s.site = std::string_view(site);
  s.page = std::string_view(page);
  s.width_class = width_class;
  s.device = device;
  s.logged_in = logged_in;
  s.second_tag = second_tag;
  s.variant = std::string_view(variant);
  s.tracker_version = tracker_version;
  for (uint32_t i = 0; i < ntags; ++i)
    s.tags.push_back(
        {std::string(std::string_view(tags[i].key)), std::string(std::string_view(tags[i].value))});
  return s;
}

Aggregate PageView::totals() const {
  Aggregate a;
  for (uint32_t c = 0; c < kPageCounterCount; ++c) a.counters[c] = total_[c];
  for (uint32_t l = 0; l < kLayerCount; ++l) {
    SparseVec& v = a.layers[l];
    if (l == kLayerReachPx || l == kLayerReachPct) {
      const uint32_t n = l == kLayerReachPx ? reach_px_ : reach_pct_;
      for (uint32_t i = 0; i < n; ++i) v.push_back_unchecked(i, 1);
      continue;
    }
    const DeltaCell* cells = layer_cells(l);
    for (uint32_t i = 0; i < ncells_[l]; ++i) v.push_back_unchecked(cells[i].index, cells[i].total);
  }
  for (uint32_t i = 0; i < nelements_; ++i) {
    const Element& el = elements_[order_[i]];
    ElementStats& s = a.push_element_unchecked(el.key);
    s.flags = el.flags;
    for (uint32_t c = 0; c < kElementCounterCount; ++c)  // what the deltas add up to
      s.counters[c] = held(el) >> c & 1 ? 0 : el.total[c];
    for (uint32_t k = 0; k < el.ncells; ++k)
      s.cells.push_back_unchecked(el.cells[k].index, el.cells[k].total);
  }
  for (uint32_t i = 0; i < nsteps_; ++i)
    a.element(static_cast<uint32_t>(steps_[i]))
        ->next.add(static_cast<uint32_t>(steps_[i] >> 32), 1);
  return a;
}

}  // namespace thermograph
