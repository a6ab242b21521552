// The visitor-side brain: turns a stream of timestamped browser events into one page view's
// bounded aggregate. JavaScript only observes the DOM and forwards events in batches; every
// decision (rage, dead and error clicks, dwell, attention, reach) is made here, so it is
// unit-tested natively and behaves identically in every browser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "aggregate.h"
#include "pageview.h"

namespace thermograph {

// Constants marked `// @js` are also JavaScript's: scripts/gen-constants.mjs generates
// build/gen/constants.mjs from them at build time (js/tracker, js/overlay import it).

// Event records as laid out in the shared buffer: 8 doubles each, [type, t_ms, a0..a5].
// @js
inline constexpr int kEventSlots = 8;
// @js
enum EventType : uint8_t {
  kEvMove = 1,        // x, y (page px), element key, element flags, rel_x, rel_y (0..1)
  kEvPointerOut = 2,  // the pointer left the page or the touch ended: dwell stops
  kEvClick = 3,       // x, y (page px, viewport px when fixed), key, click flags, rel_x, rel_y
  kEvScroll = 4,      // scroll_top, viewport_h, document_h (of the main scroller)
  kEvReaction = 5,    // reaction kind (ReactionKind)
  kEvError = 6,       // an uncaught error or unhandled rejection
  kEvVisibility = 7,  // 1 visible, 0 hidden
  kEvGoal = 8,        // the page view reached a goal
  kEvInput = 9,       // keyboard or wheel activity (keeps the page view engaged)
  kEvSwipe = 10,  // x, y, key, flags: a touch swipe that moved nothing while the finger was down
  kEvField = 11,  // field event (FieldEvent), -, key, flags: a form field's focus, change, submit
  kEvExposure = 12,  // ms, -, key, flags: the element was at least half visible this long at once
};

// @js
enum FieldEvent : uint8_t { kFieldFocus = 1, kFieldChange = 2, kFieldSubmit = 3 };

// @js
enum ClickFlag : uint32_t {
  kClickFixed = kElFixed,  // target is position: fixed/sticky; x, y are viewport coordinates
  kClickInteractive = kElInteractive,  // a, button, input, [role=button], [onclick], label...
  kClickNoRage = 4,  // stepper/pager, text-selection target, data-thermograph-no-rage
  kClickNoDead = 8,  // links, form controls, modifier clicks, data-thermograph-no-dead
};

// @js
enum ReactionKind : uint8_t {
  kReactMutation = 1,
  kReactScroll = 2,
  kReactSelection = 3,
  kReactFocus = 4,  // focus or visibility change
  kReactNavigation = 5,
  kReactKindCount = 6,
};

// At least half visible this long at once: "exposed" (TrackerConfig::exposure_ms's default; the
// tracker's JS also reads it to time its stints).
// @js
inline constexpr uint32_t kExposureMs = 1000;

// Published defaults (docs/configuration.md explains each choice). Every member is a uint32_t: the
// page sets member i through tg_set_number(kNumConfig + i), its option named after the member
// (TRACKER_CONFIG_NAMES in build/gen/constants.mjs: the camelCase names, in this order; the
// tracker needs no defaults in JS, they live here).
// @js names
struct TrackerConfig {
  uint32_t rage_clicks = 3;      // clicks in one burst to call it rage (PostHog: 3)
  uint32_t rage_radius_px = 30;  // Manhattan distance from the burst's first click
  uint32_t rage_gap_ms = 1000;   // max gap between consecutive clicks of a burst
  uint32_t dead_mutation_ms = 2500;
  uint32_t dead_scroll_ms = 100;  // scroll or selection change
  uint32_t dead_focus_ms = 1000;  // focus or visibility change
  uint32_t error_window_ms = 1000;
  uint32_t max_rest_ms = 10000;  // longest pointer rest credited as dwell from one sample
  uint32_t idle_ms = 30000;      // no input for this long: attention and engagement pause
  uint32_t hover_pv_ms = 500;    // hover on an element counts as "page view hovered" from here
  // Behaviour signals (wire version 4, docs/configuration.md).
  uint32_t quick_exit_ms = 5000;       // a page view ending sooner without a click is a quick exit
  uint32_t scroll_reversals = 4;       // scroll direction reversals for excessive scrolling ...
  uint32_t scroll_leg_px = 100;        // ... each after a leg at least this long ...
  uint32_t scroll_gap_ms = 2000;       // ... and at most this long after the previous one
  uint32_t cursor_reversals = 5;       // pointer direction reversals for a thrashed cursor ...
  uint32_t cursor_leg_px = 30;         // ... each after a leg at least this long ...
  uint32_t cursor_gap_ms = 500;        // ... and at most this long after the previous one
  uint32_t exposure_ms = kExposureMs;  // at least half visible this long at once: "exposed"
};

namespace detail {

// Quick back-and-forth along one axis: counts reversals of direction that follow a leg of at
// least `leg` px and come within `gap` ms of the previous reversal (a slower one starts over).
struct Reversals {
  int32_t dir = 0;     // +1 or -1 once the first leg is long enough, 0 before
  double extreme = 0;  // the furthest point of the current leg (before the first: 0)
  double last_t = 0;   // time of the last reversal
  uint32_t count = 0;  // reversals in the current quick run

  // Adds a position at time t; returns the reversals of the current quick run.
  uint32_t add(double pos, double t, double leg, double gap) {
    const double d = pos - extreme;
    if (dir * d > 0) {  // onwards: the leg grows
      extreme = pos;
    } else if (dir == 0 ? d >= leg || d <= -leg : -dir * d >= leg) {
      if (dir != 0) {  // back a whole leg from the extreme: a reversal
        count = t - last_t <= gap ? count + 1 : 1;
        last_t = t;
      }
      dir = d > 0 ? 1 : -1;
      extreme = pos;
    }
    return count;
  }
};

// A click still waiting for a dead/error verdict. The flags are whole i32s, not bools: byte
// loads and stores of them cost the visitor's wasm 19 B gzip more.
struct PendingClick {
  double t;
  uint32_t cell;
  Layer layer;
  uint32_t key;
  uint32_t sub;
  uint32_t dead_candidate;
  uint32_t error_marked;
  uint32_t swipe;  // a touch swipe (kEvSwipe): dead makes it a dead swipe, nothing else
};

inline constexpr uint32_t kMaxPendingClicks = 64;

// One page view's state. Tracker::begin clears it with one memset, then sets the few fields that
// do not start at zero (the visitor's wasm had a store per field). Fields that begin() used to
// leave as they were (move_t_, burst_x_...) are only read after an event has set them.
// Its flags are whole i32s, not bools (-3 B gzip: no byte loads and stores in the wasm).
struct PageState {
  uint32_t active_ = 0;
  uint32_t visible_ = 1;
  double now_ = 0, last_input_ = 0;

  // Pointer dwell.
  uint32_t pointer_in_ = 0;
  double move_t_ = 0;
  uint32_t move_cell_ = 0, move_key_ = 0;
  uint32_t move_flags_ = 0;
  double move_carry_ms_ = 0;
  // Dwell units of the pointer's stay on move_key_, and how many of them its element has got.
  uint32_t hover_units_ = 0, hover_sent_ = 0;

  // Viewport attention and engagement.
  double view_top_ = 0, view_h_ = 0, doc_h_ = 0, view_carry_ms_ = 0;
  double engaged_ms_ = 0;

  // Rage bursts.
  double burst_x_ = 0, burst_y_ = 0, burst_last_t_ = -1e18;
  uint32_t burst_count_ = 0;
  uint32_t burst_fixed_ = 0;

  uint32_t goal_ = 0;
  uint32_t interacted_ = 0;  // a click, tap, swipe or form field use (not a quick exit)
  uint32_t last_key_ = 0;    // the element of the last click, tap or field event (the exit element)
  double last_t_ = 0;
  double begin_t_ = 0;
  double enter_t_ = 0;  // when the pointer entered move_key_
  Reversals scroll_rev_, cursor_x_, cursor_y_;
  // Survey triggers raised since take_signals() (kSignal*), and the element of the latest
  // frustration click among them (0: none).
  uint32_t signals_ = 0, signal_key_ = 0;
  uint32_t nrecent_ = 0;
  uint32_t nclicked_ = 0;
};
static_assert(std::is_trivially_copyable_v<PageState>, "Tracker::begin clears it with memset");

}  // namespace detail

// Micro-survey trigger bits (Tracker::take_signals, the visitor's tg_apply answer): one per
// frustration verdict, in the order of kElRage, kElDead, kElError, then the page view's first goal.
// js/tracker reads bit i as the survey trigger whose `on` starts with the i-th letter of "rdeg".
// @js
enum Signal : uint32_t { kSignalRage = 1, kSignalDead = 2, kSignalError = 4, kSignalGoal = 8 };

class Tracker : private detail::PageState {
 public:
  Tracker() = default;

  TrackerConfig& config() { return config_; }
  // The page view's own (set them before begin(): a page view reads them as it goes).
  Bounds& bounds() { return pv_.bounds(); }
  FixedSegment& segment() { return segment_; }

  // Starts a page view (also after an SPA navigation). Flush the previous one first.
  void begin(double t, double viewport_w, double viewport_h, double document_h);
  bool active() const { return active_; }

  // Applies one event record. Out-of-order or malformed records are ignored.
  void apply(const double* ev);

  // Brings time-based state up to `t` and encodes the delta since the last flush into `out`,
  // which holds at least PageView::kMaxDeltaBytes. `final` settles pending dead clicks as alive:
  // the page is going away, which is a navigation. Returns the size, 0 when nothing is new.
  size_t flush(double t, bool final, uint8_t* out);

  const PageView& page_view() const { return pv_; }

  // Micro-survey triggers (js/survey): the kSignal* bits raised since the last call, then clear.
  uint32_t take_signals() {
    const uint32_t s = signals_;
    signals_ = 0;
    return s;
  }
  // The element key of the latest frustration click that raised a signal (0: none), then clear.
  uint32_t take_signal_key() {
    const uint32_t k = signal_key_;
    signal_key_ = 0;
    return k;
  }

  // The route hash (page_key.h) of the page an SPA navigation leaves, for the next begin() to
  // count in kLayerRouteFrom; 0: none (the first page view of a document, the same page).
  void set_route_from(uint32_t hash) { route_from_ = hash; }

  // See PageView::remember_stable_key.
  void remember_stable_key(uint32_t key, uint32_t stable) { pv_.remember_stable_key(key, stable); }

 private:
  void settle(double now, bool final);
  void accrue(double t);
  void on_move(const double* ev);
  void on_click(const double* ev);
  void on_scroll(const double* ev);
  void on_reaction(double t, uint32_t kind);
  void on_error(double t);
  [[gnu::noinline]] PageView::Element* element_of(const double* ev);
  void on_field(uint32_t kind, const double* ev);
  void step_to(uint32_t key, double t);
  [[gnu::noinline]] void reversal(detail::Reversals& r, double pos, double t, const uint32_t* cfg,
                                  PageCounter c);
  void on_exposure(double ms, const double* ev);
  // Marks a frustration click: c is kElRage, kElDead or kElError.
  void mark(ElementCounter c, const detail::PendingClick& click);
  void touch_input(double t) { last_input_ = t; }

  TrackerConfig config_;
  FixedSegment segment_;
  PageView pv_;
  uint32_t route_from_ = 0;
  // Read up to their counts (PageState) only.
  // Clicks still waiting for a dead/error verdict, oldest first; the oldest is dropped when full.
  detail::PendingClick recent_[detail::kMaxPendingClicks] = {};
  uint32_t clicked_keys_[kMaxElements] = {};  // only admitted elements, so at most kMaxElements
};

// Layout-width classes: class i holds viewport widths from kWidthBreakpoints[i - 1] (class 0: from
// 0) up to kWidthBreakpoints[i], exclusive: <480, 480-767, 768-1023, 1024-1439, >=1440 px.
// @js
inline constexpr uint32_t kWidthBreakpoints[] = {480, 768, 1024, 1440};
uint8_t width_class(double viewport_w);

}  // namespace thermograph
