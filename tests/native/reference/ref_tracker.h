// TEST-ONLY REFERENCE: the tracker as it was before it moved to the fixed-capacity page view,
// over the vector-based reference page view and the reference encoder. Frozen; the equivalence
// test drives it and src/core/tracker.cpp with the same events and compares every delta byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/aggregate.h"
#include "core/tracker.h"
#include "ref_pageview.h"

namespace thermograph::ref {

class Tracker {
 public:
  Tracker() = default;

  TrackerConfig& config() { return config_; }
  Bounds& bounds() { return bounds_; }
  Segment& segment() { return segment_; }

  // Starts a page view (also after an SPA navigation). Flush the previous one first.
  void begin(double t, double viewport_w, double viewport_h, double document_h);
  bool active() const { return active_; }

  // Applies one event record. Out-of-order or malformed records are ignored.
  void apply(const double* ev);

  // Brings time-based state up to `t` and encodes the delta since the last flush into `out`
  // (cleared first). `final` settles pending dead clicks as alive: the page is going away,
  // which is a navigation. Returns false when there is nothing new to send.
  bool flush(double t, bool final, std::vector<uint8_t>& out);

  const PageView& page_view() const { return pv_; }

 private:
  struct PendingClick {
    double t;
    uint32_t cell;
    Layer layer;
    uint32_t key;
    uint32_t sub;
    bool dead_candidate;
    bool error_marked;
  };

  void settle(double now, bool final);
  void accrue(double t);
  void on_move(const double* ev);
  void on_click(const double* ev);
  void on_scroll(const double* ev);
  void on_reaction(double t, uint32_t kind);
  void on_error(double t);
  void mark(Layer layer, ElementCounter c, ElementCounter pv, PageCounter page_pv,
            const PendingClick& click);
  void touch_input(double t) { last_input_ = t; }

  TrackerConfig config_;
  Bounds bounds_;
  Segment segment_;
  PageView pv_{bounds_};
  bool active_ = false;
  bool visible_ = true;
  double now_ = 0, last_input_ = 0;

  // Pointer dwell.
  bool pointer_in_ = false;
  double move_t_ = 0;
  uint32_t move_cell_ = 0, move_key_ = 0;
  uint8_t move_flags_ = 0;
  double move_carry_ms_ = 0;
  double hover_ms_ = 0;  // on move_key_, for the pv_hovered flag

  // Viewport attention and engagement.
  double view_t_ = 0, view_top_ = 0, view_h_ = 0, doc_h_ = 0, view_carry_ms_ = 0;
  double engaged_ms_ = 0;

  // Rage bursts.
  double burst_x_ = 0, burst_y_ = 0, burst_last_t_ = -1e18;
  uint32_t burst_count_ = 0;
  bool burst_fixed_ = false;

  bool goal_ = false;
  std::vector<PendingClick> recent_;  // clicks still waiting for a dead/error verdict
  std::vector<uint32_t> clicked_keys_;
};

// Layout-width class from the viewport width: <480, 480-767, 768-1023, 1024-1439, >=1440.
uint8_t width_class(double viewport_w);

}  // namespace thermograph::ref
