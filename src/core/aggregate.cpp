#include "aggregate.h"

#include <algorithm>

namespace thermograph {

const char* layer_name(Layer layer) {
  // @js (LAYER_NAMES in build/gen/constants.mjs)
  static const char* const kNames[kLayerCount] = {
      "clicks",   "move",      "rage",      "dead",     "error",     "fixed_clicks",
      "reach_px", "reach_pct", "attention", "click_pv", "route_from"};
  return layer < kLayerCount ? kNames[layer] : "?";
}

const char* page_counter_name(PageCounter c) {
  static const char* const kNames[kPageCounterCount] = {
      "page_views",       "conversions",      "pv_clicked",     "pv_rage",         "pv_dead",
      "pv_error",         "fold_sum",         "doc_height_sum", "engaged_seconds", "pv_quick_exit",
      "pv_scroll_thrash", "pv_cursor_thrash", "pv_dead_swipe"};
  return c < kPageCounterCount ? kNames[c] : "?";
}

const char* element_counter_name(ElementCounter c) {
  static const char* const kNames[kElementCounterCount] = {"clicks",
                                                           "rage",
                                                           "dead",
                                                           "error",
                                                           "hover",
                                                           "pv_clicked",
                                                           "pv_hovered",
                                                           "pv_rage",
                                                           "pv_dead",
                                                           "pv_error",
                                                           "pv_converted",
                                                           "hesitation_lt_1s",
                                                           "hesitation_1_3s",
                                                           "hesitation_3_10s",
                                                           "hesitation_ge_10s",
                                                           "pv_hover_clicked",
                                                           "pv_exposed",
                                                           "exposure",
                                                           "pv_focused",
                                                           "pv_changed",
                                                           "pv_submitted",
                                                           "pv_exit",
                                                           "exit_seconds"};
  return c < kElementCounterCount ? kNames[c] : "?";
}

bool ElementStats::empty() const {
  for (uint32_t v : counters)
    if (v) return false;
  return cells.empty() && next.empty();
}

namespace {
template <typename Vec>
auto lower(Vec& v, uint32_t key) {
  return std::lower_bound(v.begin(), v.end(), key,
                          [](const auto& e, uint32_t k) { return e.first < k; });
}
}  // namespace

ElementStats* Aggregate::find_element(uint32_t key) {
  auto it = lower(elements_, key);
  return (it != elements_.end() && it->first == key) ? &it->second : nullptr;
}

const ElementStats* Aggregate::find_element(uint32_t key) const {
  auto it = lower(elements_, key);
  return (it != elements_.end() && it->first == key) ? &it->second : nullptr;
}

ElementStats* Aggregate::element(uint32_t key, uint32_t max_elements) {
  auto it = lower(elements_, key);
  if (it != elements_.end() && it->first == key) return &it->second;
  if (elements_.size() >= max_elements) return nullptr;
  return &elements_.insert(it, {key, ElementStats{}})->second;
}

ElementStats& Aggregate::push_element_unchecked(uint32_t key) {
  elements_.push_back({key, ElementStats{}});
  return elements_.back().second;
}

namespace {
void merge_element(ElementStats& a, const ElementStats& b) {
  a.flags |= b.flags;
  if (b.stable && (!a.stable || b.stable < a.stable)) a.stable = b.stable;
  for (size_t i = 0; i < a.counters.size(); ++i)
    a.counters[i] = sat_add(a.counters[i], b.counters[i]);
  a.cells.merge(b.cells);
  a.next.merge(b.next);
}
}  // namespace

void Aggregate::merge(const Aggregate& other) {
  for (size_t i = 0; i < counters.size(); ++i)
    counters[i] = sat_add(counters[i], other.counters[i]);
  for (size_t i = 0; i < layers.size(); ++i) layers[i].merge(other.layers[i]);
  if (other.elements_.empty()) return;
  if (&other == this) {
    for (auto& [key, el] : elements_) merge_element(el, ElementStats(el));
    return;
  }
  // In place, from the back, as SparseVec::merge: grow once by the elements new to this one.
  size_t fresh = 0;
  {
    auto a = elements_.cbegin(), ae = elements_.cend();
    for (const auto& [key, el] : other.elements_) {
      while (a != ae && a->first < key) ++a;
      if (a == ae || a->first != key) ++fresh;
    }
  }
  size_t i = elements_.size(), j = other.elements_.size(), w = i + fresh;
  elements_.resize(w);
  while (j > 0) {  // once `other` is used up, what is left of this one is in place (w == i)
    const auto& b = other.elements_[j - 1];
    if (i > 0 && elements_[i - 1].first > b.first) {
      --i;
      if (--w != i) elements_[w] = std::move(elements_[i]);  // a self-move would empty it
      continue;
    }
    if (i > 0 && elements_[i - 1].first == b.first) {
      --i;
      merge_element(elements_[i].second, b.second);
      if (--w != i) elements_[w] = std::move(elements_[i]);
    } else {
      elements_[--w] = b;
    }
    --j;
  }
}

void Aggregate::subtract(const Aggregate& other) {
  for (size_t i = 0; i < counters.size(); ++i)
    counters[i] = counters[i] > other.counters[i] ? counters[i] - other.counters[i] : 0;
  for (size_t i = 0; i < layers.size(); ++i) layers[i].subtract(other.layers[i]);
  for (auto& [key, el] : elements_) {
    const ElementStats* o = other.find_element(key);
    if (!o) continue;
    for (size_t i = 0; i < el.counters.size(); ++i)
      el.counters[i] = el.counters[i] > o->counters[i] ? el.counters[i] - o->counters[i] : 0;
    el.cells.subtract(o->cells);
    el.next.subtract(o->next);
  }
  // An element that gained nothing since the last snapshot is not repeated; its flags were sent.
  std::erase_if(elements_, [](const auto& e) { return e.second.empty(); });
}

bool Aggregate::empty() const {
  for (uint32_t v : counters)
    if (v) return false;
  for (const SparseVec& l : layers)
    if (!l.empty()) return false;
  return elements_.empty();
}

void Aggregate::clear() {
  *this = Aggregate{};
}

}  // namespace thermograph
