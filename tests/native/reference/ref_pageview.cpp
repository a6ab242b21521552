#include "ref_pageview.h"

#include <algorithm>

namespace thermograph::ref {

void PageView::begin(uint32_t fold_px) {
  total_.clear();
  sent_.clear();
  reached_ = false;
  reach_band_ = reach_pct_ = 0;
  total_.counters[kPageViews] = 1;
  total_.counters[kFoldSum] = std::min<uint32_t>(fold_px, 1u << 16);
}

bool PageView::add(Layer layer, uint32_t index, uint32_t value) {
  if (layer >= kLayerCount || index >= layer_index_limit(layer)) return false;
  Caps caps = layer_caps(bounds_, layer);
  return total_.layers[layer].add(index, value, caps.cells, caps.value);
}

void PageView::set_counter(PageCounter c, uint32_t value) {
  if (c < kPageCounterCount) total_.counters[c] = std::max(total_.counters[c], value);
}

void PageView::raise_counter(PageCounter c, uint32_t value) {
  set_counter(c, value);
}

ElementStats* PageView::element(uint32_t key, uint8_t flags) {
  ElementStats* el = total_.element(key, bounds_.elements);
  if (el) el->flags |= flags & kElFlagMask;
  return el;
}

void PageView::add_element(ElementStats& el, ElementCounter c, uint32_t value) {
  if (c >= kElementCounterCount) return;
  uint32_t cap = c == kElHover       ? bounds_.element_hover_max
                 : c >= kElPvClicked ? 1
                                     : bounds_.element_event_max;
  el.counters[c] = std::min(sat_add(el.counters[c], value), cap);
}

bool PageView::add_element_cell(ElementStats& el, uint32_t sub_index) {
  if (sub_index >= kSubGrid * kSubGrid) return false;
  return el.cells.add(sub_index, 1, bounds_.element_cells, bounds_.element_event_max);
}

void PageView::reach(uint32_t band, uint32_t pct) {
  band = std::min(band, kMaxBands - 1);
  pct = std::min(pct, kPctBuckets - 1);
  if (reached_ && band <= reach_band_ && pct <= reach_pct_) return;
  uint32_t from_band = reached_ ? reach_band_ + 1 : 0;
  uint32_t from_pct = reached_ ? reach_pct_ + 1 : 0;
  for (uint32_t i = from_band; i <= band; ++i) total_.layers[kLayerReachPx].raise(i, 1);
  for (uint32_t i = from_pct; i <= pct; ++i) total_.layers[kLayerReachPct].raise(i, 1);
  reach_band_ = reached_ ? std::max(reach_band_, band) : band;
  reach_pct_ = reached_ ? std::max(reach_pct_, pct) : pct;
  reached_ = true;
}

Aggregate PageView::take_delta() {
  Aggregate delta = total_;
  delta.subtract(sent_);
  sent_ = total_;
  return delta;
}

}  // namespace thermograph::ref
