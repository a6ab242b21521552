// The data model: what one page view contributes and what the collector adds up.
//
// Every field is an additive, saturating counter. A page view keeps cumulative totals and sends
// differences (deltas); the collector sums deltas. Fields that must count page views rather than
// events (pv_* counters, reach curves) are kept as 0/1 or cumulative-monotone values, so a page
// view adds exactly 1 however many deltas it sends. See docs/wire-format.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sparse.h"

namespace thermograph {

// Constants marked `// @js` are also JavaScript's: scripts/gen-constants.mjs generates
// build/gen/constants.mjs from them at build time (js/tracker, js/overlay import it).

// Geometry. Page cells are document-relative CSS px; fixed cells are viewport-relative.
// @js
inline constexpr uint32_t kCellPx = 16;
inline constexpr uint32_t kGridCols = 256;    // 4096 px wide; wider points clamp to the last column
inline constexpr uint32_t kGridRows = 65536;  // ~1M px tall
inline constexpr uint32_t kBandPx = 100;      // depth bands for reach (px) and attention
inline constexpr uint32_t kMaxBands = 512;    // 51,200 px deep
inline constexpr uint32_t kPctBuckets = 101;  // reach in percent of document height, 0..100
inline constexpr uint32_t kSubGrid = 16;      // element-relative sub-grid is 16 x 16
// @js
inline constexpr uint32_t kDwellUnitMs = 50;  // pointer dwell and hover quantum
// Dwell is credited in steps of this much rest in one move cell: a shorter stay is the pointer
// settling or gliding on, and earns nothing (docs/configuration.md).
inline constexpr uint32_t kDwellStepMs = 100;
// @js
inline constexpr uint32_t kAttentionUnitMs = 100;

// The cell of a coordinate v (px) in a row or column of n cells: 0 below the first (and for NaN),
// n - 1 past the last.
inline uint32_t cell_of(double v, uint32_t n) {
  if (!(v > 0)) return 0;  // also catches NaN
  double c = v / kCellPx;
  return c >= n - 1 ? n - 1 : static_cast<uint32_t>(c);
}

inline uint32_t cell_index(double x, double y) {
  return cell_of(y, kGridRows) * kGridCols + cell_of(x, kGridCols);
}

// Names: layer_name() (aggregate.cpp).
// @js
enum Layer : uint8_t {
  kLayerClicks = 0,       // clicks and taps, page cells
  kLayerMove = 1,         // pointer dwell, page cells, units of kDwellUnitMs
  kLayerRage = 2,         // rage clicks (one per burst), page cells
  kLayerDead = 3,         // dead clicks, page cells
  kLayerError = 4,        // error clicks, page cells
  kLayerFixedClicks = 5,  // clicks on fixed/sticky elements, viewport cells
  kLayerReachPx = 6,      // page views whose viewport bottom reached band i (cumulative)
  kLayerReachPct = 7,     // same in percent of document height, i in 0..100
  kLayerAttention = 8,    // viewport dwell per band, units of kAttentionUnitMs
  kLayerClickPv = 9,      // page views that clicked the cell: 1 each, first Bounds::click_pv_cells
  // Wire version 5. Page views that came from another route of the same single-page app: index =
  // route_hash() (page_key.h) of the previous page key, 1 per page view (journeys across routes).
  kLayerRouteFrom = 10,
  kLayerCount = 11,
};
// Exclusive bound of a route hash: 31 bits.
inline constexpr uint32_t kRouteHashLimit = 1u << 31;

// Largest valid index per layer (exclusive).
inline uint32_t layer_index_limit(Layer layer) {
  switch (layer) {
    case kLayerReachPx:
    case kLayerAttention:
      return kMaxBands;
    case kLayerReachPct:
      return kPctBuckets;
    case kLayerRouteFrom:
      return kRouteHashLimit;
    default:
      return kGridCols * kGridRows;
  }
}
const char* layer_name(Layer layer);

enum PageCounter : uint8_t {
  kPageViews = 0,   // 1 per page view
  kConversions,     // page views that reached a goal
  kPvClicked,       // page views with at least one click
  kPvRage,          // ... with a rage click
  kPvDead,          // ... with a dead click
  kPvError,         // ... with an error click
  kFoldSum,         // sum of initial viewport heights (px): average fold = kFoldSum / kPageViews
  kDocHeightSum,    // sum of the deepest document height seen per page view (px)
  kEngagedSeconds,  // visible-and-active seconds
  // Wire version 4: behaviour signals, 0/1 per page view (thresholds: TrackerConfig, tracker.h).
  kPvQuickExit,     // ended within quick_exit_ms without a click or tap
  kPvScrollThrash,  // excessive scrolling: scroll_reversals quick direction reversals
  kPvCursorThrash,  // thrashed cursor: cursor_reversals quick back-and-forth pointer moves
  kPvDeadSwipe,     // a touch swipe that moved nothing and nothing answered
  kPageCounterCount,
};
const char* page_counter_name(PageCounter c);

enum ElementCounter : uint8_t {
  kElClicks = 0,
  kElRage,
  kElDead,
  kElError,
  kElHover,  // pointer dwell over the element, units of kDwellUnitMs
  kElPvClicked,
  kElPvHovered,
  kElPvRage,
  kElPvDead,
  kElPvError,
  kElPvConverted,  // page views that clicked the element and reached a goal
  // Wire version 4. Hesitation: page views whose first click on the element came this long after
  // the pointer first entered it (kHesitationMs; mouse and pen only, a finger has no hover).
  kElHesitation0,     // under 1 s
  kElHesitation1,     // 1-3 s
  kElHesitation2,     // 3-10 s
  kElHesitation3,     // 10 s or more
  kElPvHoverClicked,  // page views with pv_hovered that also clicked it (hovered, never clicked:
                      // pv_hovered - pv_hover_clicked)
  kElPvExposed,       // page views in which it was at least half visible for exposure_ms at once
  kElExposure,        // time at least half visible, units of kAttentionUnitMs
  kElPvFocused,       // form fields: page views that focused it
  kElPvChanged,       // ... changed its value (never the value itself)
  kElPvSubmitted,     // ... changed it, then submitted its form (abandoned: changed - submitted)
  kElPvExit,          // page views whose last interaction (click, tap, field) was on it
  kElExitSeconds,     // ... the seconds from that interaction to the end (mean: / pv_exit)
  kElementCounterCount,
};
const char* element_counter_name(ElementCounter c);
// Counters that are 0 or 1 per page view (bit i: counter i): page_views, conversions, pv_*, the
// hesitation buckets. What a page view adds to one is capped at 1 (element_counter_cap, the
// collector's bounds), and a delta (wire version 6) carries only its mask bit.
inline constexpr uint32_t kPageFlagCounters =
    ((1u << kPageCounterCount) - 1) &
    ~(1u << kFoldSum | 1u << kDocHeightSum | 1u << kEngagedSeconds);
inline constexpr uint32_t kElementFlagCounters =
    ((1u << kElementCounterCount) - 1) &
    ~(1u << kElClicks | 1u << kElRage | 1u << kElDead | 1u << kElError | 1u << kElHover |
      1u << kElExposure | 1u << kElExitSeconds);
// Hesitation bucket upper bounds (ms): bucket i holds [kHesitationMs[i - 1], kHesitationMs[i]).
// @js
inline constexpr uint32_t kHesitationMs[] = {1000, 3000, 10000};
// Counters a version-1..3 report may carry: version 4 added the rest.
inline constexpr uint32_t kPageCountersV3 = kPvQuickExit;
inline constexpr uint32_t kElementCountersV3 = kElHesitation0;

// @js
enum ElementFlag : uint8_t {
  kElFixed = 1,        // position: fixed/sticky, sub-grid and clicks are viewport-relative
  kElInteractive = 2,  // a, button, input, [role=button], ... (insights: heat on non-interactive)
  kElFlagMask = 3,
  // Wire only (version 2): a u32le stable key follows the flags. Never stored in `flags`.
  kElWireStableKey = 4,
};

struct ElementStats {
  uint8_t flags = 0;  // OR-merged
  // The element's stable key (element_key.h: no classes); 0 when it equals the key (an element
  // without classes) or is unknown (wire version 1). Every report of a specific key carries the
  // same stable key, so merging keeps any non-zero one (the smaller if two ever differ, which
  // keeps merge associative and commutative).
  uint32_t stable = 0;
  std::array<uint32_t, kElementCounterCount> counters{};
  SparseVec cells;  // click sub-grid, index = y * kSubGrid + x
  // Journeys (wire version 5): index = the key of the element interacted with next, value = page
  // views that went straight from this element to it (1 per page view and pair).
  SparseVec next;
  bool operator==(const ElementStats&) const = default;
  bool empty() const;
};

// What identifies an element across variants and deploys: its stable key when known.
inline uint32_t element_identity(uint32_t key, const ElementStats& el) {
  return el.stable ? el.stable : key;
}

class Aggregate {
 public:
  std::array<uint32_t, kPageCounterCount> counters{};
  std::array<SparseVec, kLayerCount> layers;

  ElementStats* find_element(uint32_t key);
  const ElementStats* find_element(uint32_t key) const;
  // Returns the element, creating it unless `max_elements` are held already (then nullptr).
  ElementStats* element(uint32_t key, uint32_t max_elements = kU32Max);
  const std::vector<std::pair<uint32_t, ElementStats>>& elements() const { return elements_; }
  // Appends an element; the caller guarantees strictly increasing keys.
  ElementStats& push_element_unchecked(uint32_t key);

  void merge(const Aggregate& other);     // saturating add; associative and commutative
  void subtract(const Aggregate& other);  // this - other for cumulative snapshots (flags kept)
  bool empty() const;
  void clear();
  bool operator==(const Aggregate&) const = default;

 private:
  std::vector<std::pair<uint32_t, ElementStats>> elements_;  // sorted by key
};

// @js names
enum Device : uint8_t { kDeviceUnknown = 0, kDeviceMouse = 1, kDeviceTouch = 2, kDevicePen = 3 };
inline constexpr uint8_t kMixed = 255;  // width class / device of a merged, multi-segment aggregate
inline constexpr uint8_t kWidthClasses = 5;  // width classes 0..4 (tracker.h width_class())
inline constexpr size_t kMaxTags = 8;
inline constexpr size_t kMaxPageKeyBytes = 512;
inline constexpr size_t kMaxShortStringBytes = 64;

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

struct Segment {
  std::string site;  // public site key
  std::string page;  // canonical page key (origin + templated path)
  uint8_t width_class = 0;
  uint8_t device = kDeviceUnknown;
  bool logged_in = false;
  // The page had a second Thermograph tag (ignored by the first): counted by the collector for
  // its data-health audit, never stored as a segment (segment flags bit 1).
  bool second_tag = false;
  std::string variant;
  uint16_t tracker_version = 0;
  std::vector<Tag> tags;  // at most kMaxTags, sorted by key
  bool operator==(const Segment&) const = default;
};

enum ReportKind : uint8_t {
  kKindDelta = 0,      // one page view's additive delta, sent by a tracker
  kKindAggregate = 1,  // a merge of many reports, served by the collector
};

struct Report {
  ReportKind kind = kKindDelta;
  Segment segment;
  Aggregate data;
  bool operator==(const Report&) const = default;
};

}  // namespace thermograph
