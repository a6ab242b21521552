#include "bounds.h"

#include "core/page_key.h"
#include "core/pii.h"
#include "sanitize.h"

namespace thermograph {
namespace {

constexpr uint32_t kMaxPx = kGridRows * kCellPx;  // tallest document the grid can hold

uint32_t page_counter_cap(PageCounter c, const Bounds& b) {
  if (kPageFlagCounters >> c & 1) return 1;                      // page_views, conversions and pv_*
  return c == kEngagedSeconds ? b.engaged_seconds_max : kMaxPx;  // fold and document heights
}

Error over(const std::string& what, uint64_t got, uint64_t cap) {
  return Error{what + " is " + std::to_string(got) + ", a page view contributes at most " +
               std::to_string(cap)};
}

}  // namespace

Expected<void> check_bounds(const Aggregate& a, const Bounds& b) {
  for (uint8_t i = 0; i < kPageCounterCount; ++i) {
    const auto c = static_cast<PageCounter>(i);
    if (a.counters[i] > page_counter_cap(c, b))
      return over(std::string("counter ") + page_counter_name(c), a.counters[i],
                  page_counter_cap(c, b));
  }
  for (uint8_t l = 0; l < kLayerCount; ++l) {
    const Caps caps = layer_caps(b, static_cast<Layer>(l));
    const std::string name = std::string("layer '") + layer_name(static_cast<Layer>(l)) + "'";
    if (a.layers[l].size() > caps.cells)
      return over(name + " cell count", a.layers[l].size(), caps.cells);
    for (const auto& cell : a.layers[l].cells())
      if (cell.value > caps.value)
        return over(name + " cell " + std::to_string(cell.index), cell.value, caps.value);
  }
  // Elements named only as the start of a journey step are bounded by the step count.
  size_t elements = 0, transitions = 0;
  for (const auto& [key, el] : a.elements()) {
    transitions += el.next.size();
    elements += el.cells.empty() && el.counters == decltype(el.counters){} ? 0 : 1;
  }
  if (elements > b.elements) return over("element count", elements, b.elements);
  if (transitions > b.transitions)
    return over("element transition count", transitions, b.transitions);
  for (const auto& [key, el] : a.elements()) {
    const std::string name = "element " + std::to_string(key);
    for (uint8_t i = 0; i < kElementCounterCount; ++i) {
      const auto c = static_cast<ElementCounter>(i);
      if (el.counters[i] > element_counter_cap(b, c))
        return over(name + " counter " + element_counter_name(c), el.counters[i],
                    element_counter_cap(b, c));
    }
    if (el.cells.size() > b.element_cells)
      return over(name + " cell count", el.cells.size(), b.element_cells);
    for (const auto& cell : el.cells.cells())
      if (cell.value > b.element_event_max)
        return over(name + " cell " + std::to_string(cell.index), cell.value, b.element_event_max);
    for (const auto& next : el.next.cells())
      if (next.value > 1 || next.index == key)
        return Error{name + " transition to " + std::to_string(next.index) +
                     " is not one step to another element"};
  }
  return {};
}

}  // namespace thermograph

namespace thermograph {

int sanitize_segment(Segment& s) {
  int removed = 0;
  s.page = sanitize_page_key(s.page, removed);
  if (!s.page.empty()) s.page = fold_index_document(s.page);  // "/index.html" is "/": not PII
  // Variants and tags must be labels (is_label: what our tracker lets through) and pass the
  // detectors in every variant form.
  const auto refused = [](const std::string& v) {
    return !is_label(v) || find_pii_variants(v) != PiiRule::kNone;
  };
  if (!s.variant.empty() && refused(s.variant)) {
    s.variant.clear();
    ++removed;
  }
  removed += static_cast<int>(
      std::erase_if(s.tags, [&](const Tag& t) { return refused(t.key) || refused(t.value); }));
  return removed;
}

}  // namespace thermograph
