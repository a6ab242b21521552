// One page view's bounded, cumulative aggregate and the deltas it sends.
//
// Bounds are enforced as data arrives, with first-come admission of cells and clamped values.
// Both are monotone, so the cumulative totals only grow and every delta (totals now minus
// totals sent) is non-negative; the sum of a page view's deltas equals its bounded totals.
#pragma once

#include <cstdint>

#include "aggregate.h"

namespace thermograph {

// Contribution bounds per page view (defaults documented in docs/configuration.md). They cap
// what one page view can add to any grid, which is what central differential privacy needs.
struct Bounds {
  uint32_t click_cells = 64;          // distinct page cells with clicks
  uint32_t click_max = 20;            // clicks per cell
  uint32_t move_cells = 512;          // distinct cells with pointer dwell
  uint32_t move_max = 200;            // dwell units per cell (200 x 50 ms = 10 s)
  uint32_t frustration_cells = 32;    // distinct cells per rage/dead/error layer
  uint32_t frustration_max = 10;      // events per cell
  uint32_t attention_max = 3000;      // units per band (3000 x 100 ms = 5 min)
  uint32_t elements = 128;            // distinct elements
  uint32_t element_cells = 32;        // sub-grid cells per element
  uint32_t element_event_max = 20;    // clicks (and rage/dead/error) per element
  uint32_t element_hover_max = 600;   // hover units per element (30 s)
  uint32_t engaged_seconds_max = 3600;
};

struct Caps {
  uint32_t cells;
  uint32_t value;
};
Caps layer_caps(const Bounds& b, Layer layer);

class PageView {
 public:
  explicit PageView(const Bounds& bounds = {}) : bounds_(bounds) {}

  // Starts a new page view: clears everything and counts it once.
  void begin(uint32_t fold_px);

  // Bounded additions. They return false when a bound refused the addition.
  bool add(Layer layer, uint32_t index, uint32_t value);
  void set_counter(PageCounter c, uint32_t value);  // 0/1 flags and per-page-view values
  void raise_counter(PageCounter c, uint32_t value);
  ElementStats* element(uint32_t key, uint8_t flags);  // nullptr once the element cap is hit
  ElementStats* find_element(uint32_t key) { return total_.find_element(key); }
  void add_element(ElementStats& el, ElementCounter c, uint32_t value);
  bool add_element_cell(ElementStats& el, uint32_t sub_index);

  // Cumulative reach: marks bands 0..band (px) and buckets 0..pct as reached.
  void reach(uint32_t band, uint32_t pct);

  // The additive delta since the previous call; empty when nothing changed.
  Aggregate take_delta();

  const Aggregate& totals() const { return total_; }
  const Bounds& bounds() const { return bounds_; }

 private:
  Bounds bounds_;
  Aggregate total_;
  Aggregate sent_;
  uint32_t reach_band_ = 0, reach_pct_ = 0;
  bool reached_ = false;
};

}  // namespace thermograph
