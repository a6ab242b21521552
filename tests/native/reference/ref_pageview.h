// TEST-ONLY REFERENCE: the vector-based page view as it was before the visitor got fixed-capacity
// storage (src/core/pageview.h). Frozen; pageview_equiv_test.cpp compares the bytes both produce.
//
// One page view's bounded, cumulative aggregate and the deltas it sends.
//
// Bounds are enforced as data arrives, with first-come admission of cells and clamped values.
// Both are monotone, so the cumulative totals only grow and every delta (totals now minus
// totals sent) is non-negative; the sum of a page view's deltas equals its bounded totals.
#pragma once

#include <cstdint>

#include "core/aggregate.h"
#include "core/pageview.h"

namespace thermograph::ref {

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

}  // namespace thermograph::ref
