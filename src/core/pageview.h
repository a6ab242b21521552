// One page view's bounded, cumulative totals and the deltas it sends, in fixed-capacity storage.
//
// Bounds are enforced as data arrives, with first-come admission of cells and clamped values.
// Both are monotone, so the cumulative totals only grow and every delta (totals now minus
// totals sent) is non-negative; the sum of a page view's deltas equals its bounded totals.
//
// This runs in every visitor's browser, so its storage is fixed arrays sized by the compile-time
// maxima of Bounds: no allocator, no vector growth paths, and each cell keeps its own `sent`
// part, so a delta is encoded straight from the arrays (encode_delta) in wire format v1.
// The collector works on Aggregate (aggregate.h); totals() gives that view for tests and tools.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "aggregate.h"
#include "wire.h"

namespace thermograph {

// Storage capacities: the largest contribution bounds a page view can be configured with.
inline constexpr uint32_t kMaxClickCells = 64;
inline constexpr uint32_t kMaxMoveCells = 512;
inline constexpr uint32_t kMaxFrustrationCells = 32;
inline constexpr uint32_t kMaxElements = 128;
inline constexpr uint32_t kMaxElementCells = 32;
inline constexpr uint32_t kMaxClickPvCells = 4;
inline constexpr uint32_t kMaxTransitions = 8;

// Contribution bounds per page view (defaults documented in docs/configuration.md). They cap
// what one page view can add to any grid, which is what central differential privacy needs.
// The cell and element counts are clamped to the capacities above: the defaults are the maxima.
struct Bounds {
  uint32_t click_cells = kMaxClickCells;  // distinct page cells with clicks
  uint32_t click_max = 20;                // clicks per cell
  // The click_pv layer: the first distinct page cells a page view clicked, 1 each. Its L1
  // sensitivity is this number, which is what makes a DP click map useful (docs/privacy-dp.md).
  uint32_t click_pv_cells = kMaxClickPvCells;
  uint32_t move_cells = kMaxMoveCells;                // distinct cells with pointer dwell
  uint32_t move_max = 200;                            // dwell units per cell (200 x 50 ms = 10 s)
  uint32_t frustration_cells = kMaxFrustrationCells;  // distinct cells per rage/dead/error layer
  uint32_t frustration_max = 10;                      // events per cell
  uint32_t attention_max = 3000;                      // units per band (3000 x 100 ms = 5 min)
  uint32_t elements = kMaxElements;                   // distinct elements
  uint32_t element_cells = kMaxElementCells;          // sub-grid cells per element
  // Distinct elements per page view credited pv_clicked (and pv_converted): DP sensitivity of
  // element click rates. Later elements still get their clicks, hover and cells.
  uint32_t clicked_elements = 4;
  uint32_t element_event_max = 20;       // clicks (and rage/dead/error) per element
  uint32_t element_hover_max = 600;      // hover units per element (30 s)
  uint32_t element_exposure_max = 3000;  // exposure units per element (5 min)
  uint32_t exit_seconds_max = 1800;      // seconds from the last interaction to the end (30 min)
  uint32_t engaged_seconds_max = 3600;
  // Distinct element -> element transitions per page view (journeys), 1 each: their L1
  // sensitivity. Clamped to kMaxTransitions.
  uint32_t transitions = kMaxTransitions;
};

// What one page view adds to an element counter at most: hover and exposure time, event counts,
// 1 for the page-view counters (kElementFlagCounters: pv_* and hesitation buckets). The tracker,
// the collector's bounds check and the DP sensitivities all read it here.
[[gnu::always_inline]] inline uint32_t element_counter_cap(const Bounds& b, ElementCounter c) {
  return c == kElHover         ? b.element_hover_max
         : c == kElExposure    ? b.element_exposure_max
         : c == kElExitSeconds ? b.exit_seconds_max
         : c >= kElPvClicked   ? 1
                               : b.element_event_max;
}
// Its 1s are the 0/1 counters a delta sends as a bit (a comparison costs the visitor's wasm less
// than a mask test).
static_assert(kElementFlagCounters ==
              (((1u << kElementCounterCount) - 1) & ~((1u << kElPvClicked) - 1) &
               ~(1u << kElExposure | 1u << kElExitSeconds)));

struct Caps {
  uint32_t cells;
  uint32_t value;
};
// Inline and always inlined: a struct returned from a call goes through a stack slot in the
// visitor's wasm, at every PageView::add.
[[gnu::always_inline]] inline Caps layer_caps(const Bounds& b, Layer layer) {
  switch (layer) {
    case kLayerClicks:
    case kLayerFixedClicks:
      return {b.click_cells, b.click_max};
    case kLayerMove:
      return {b.move_cells, b.move_max};
    case kLayerRage:
    case kLayerDead:
    case kLayerError:
      return {b.frustration_cells, b.frustration_max};
    case kLayerReachPx:
      return {kMaxBands, 1};
    case kLayerReachPct:
      return {kPctBuckets, 1};
    case kLayerAttention:
      return {kMaxBands, b.attention_max};
    case kLayerClickPv:
      return {b.click_pv_cells, 1};
    case kLayerRouteFrom:
      return {1, 1};
    default:
      return {0, 0};
  }
}

// Where the first NUL byte of s is, its size when there is none. One plain loop for every NUL
// check of the visitor's strings (string_view::find and std::memchr link library searches).
// Pointer and length first: a string_view built only to call this costs the visitor's wasm a
// constructor call writing to a stack slot.
inline size_t nul_at(const char* s, size_t size) {
  size_t n = 0;
  while (n < size && s[n] != '\0') ++n;
  return n;
}
inline size_t nul_at(std::string_view s) {
  return nul_at(s.data(), s.size());
}

// FixedString's assignment, one function for every N: copies what fits of s into data (at most
// max bytes) and returns its length.
size_t fixed_assign(char* data, size_t max, const char* s, size_t n);

// A bounded string in place; assignment truncates to N bytes.
template <size_t N>
struct FixedString {
  uint16_t len = 0;
  char bytes[N] = {};

  // Cuts at a NUL and at N bytes, backing off to a UTF-8 boundary: the decoder rejects a whole
  // report whose strings hold a NUL or a split character (a 64-byte cut through a CJK or emoji
  // variant name would otherwise lose the page view).
  FixedString& operator=(std::string_view s) { return assign(s.data(), s.size()); }
  FixedString& assign(const char* s, size_t n) {  // the same, from pointer and length
    len = static_cast<uint16_t>(fixed_assign(bytes, N, s, n));
    return *this;
  }
  operator std::string_view() const { return {bytes, len}; }
  bool empty() const { return len == 0; }
  // As std::string spells them, for wire::put_segment.
  const char* data() const { return bytes; }
  size_t size() const { return len; }
};

struct FixedTag {
  FixedString<kMaxShortStringBytes> key;
  FixedString<kMaxShortStringBytes> value;
};

// Segment (aggregate.h) without allocation: the visitor's identity of its page view.
struct FixedSegment {
  FixedString<kMaxShortStringBytes> site;
  FixedString<kMaxPageKeyBytes> page;
  uint8_t width_class = 0;
  uint8_t device = kDeviceUnknown;
  bool logged_in = false;
  bool second_tag = false;  // Segment::second_tag
  FixedString<kMaxShortStringBytes> variant;
  uint16_t tracker_version = 0;
  uint8_t ntags = 0;
  FixedTag tags[kMaxTags];  // sorted by key

  // Sets or replaces a tag. Refuses (false) an empty or over-long key or value, and a ninth tag.
  bool set_tag(std::string_view key, std::string_view value);
  Segment to_segment() const;  // for tests and tools
};

// A cell with its cumulative total and the part of it already sent.
struct DeltaCell {
  uint32_t index;
  uint32_t total;
  uint32_t sent;
};

// Cells a page view holds per layer. The reach layers (6, 7) are cumulative prefixes kept as
// two integers each (see PageView::reach), so they take no cells.
inline constexpr uint32_t kLayerCapacity[kLayerCount] = {kMaxClickCells,
                                                         kMaxMoveCells,
                                                         kMaxFrustrationCells,
                                                         kMaxFrustrationCells,
                                                         kMaxFrustrationCells,
                                                         kMaxClickCells,
                                                         0,
                                                         0,
                                                         kMaxBands,
                                                         kMaxClickPvCells,
                                                         1};
constexpr uint32_t layer_pool_offset(uint32_t layer) {
  uint32_t o = 0;
  for (uint32_t i = 0; i < layer; ++i) o += kLayerCapacity[i];
  return o;
}
// The same for every layer as constant data: called at run time, the loop above was compiled
// into the visitor's wasm.
struct LayerPoolOffsets {
  uint32_t at[kLayerCount];
};
inline constexpr LayerPoolOffsets kLayerPoolOffsets = [] {
  LayerPoolOffsets o{};
  for (uint32_t l = 0; l < kLayerCount; ++l) o.at[l] = layer_pool_offset(l);
  return o;
}();

namespace detail {

// A page view's counters and counts: PageView::begin clears them with one memset (the visitor's
// wasm had a store or memset per field).
struct PageViewCounts {
  uint32_t total_[kPageCounterCount] = {};
  uint32_t sent_[kPageCounterCount] = {};
  uint32_t ncells_[kLayerCount] = {};
  // Reach as counts of bands/buckets reached (0..n-1 all reached) and the part already sent.
  uint32_t reach_px_ = 0, reach_px_sent_ = 0, reach_pct_ = 0, reach_pct_sent_ = 0;
  uint32_t nelements_ = 0;
  // Journeys: distinct element-key pairs from | to << 32 in arrival order, and how many were
  // sent. Little-endian, as the wire lays them out (encode_delta copies them).
  uint64_t steps_[kMaxTransitions] = {};
  uint32_t nsteps_ = 0, nsteps_sent_ = 0;
};
static_assert(std::is_trivially_copyable_v<PageViewCounts>,
              "PageView::begin clears it with memset");

}  // namespace detail

class PageView : private detail::PageViewCounts {
 public:
  struct Element {
    uint32_t key;
    uint32_t stable;  // stable key still to send (0: sent, unknown, or equal to the key)
    uint32_t flags;   // kEl* flags; a whole i32 (byte loads and stores cost the wasm more)
    uint32_t ncells;
    uint32_t total[kElementCounterCount];
    uint32_t sent[kElementCounterCount];
    double entered;  // when the pointer entered it for its first dwell (valid once hover > 0)
    DeltaCell cells[kMaxElementCells];  // click sub-grid, sorted by index
  };

  // The largest delta encode_delta() can write: every string, cell and counter at its maximum.
  static constexpr size_t kMaxDeltaBytes =
      4 + wire::string_max(kMaxShortStringBytes) * 2 + wire::string_max(kMaxPageKeyBytes) + 3 +
      wire::kMaxVarintBytes + 1 + kMaxTags * 2 * wire::string_max(kMaxShortStringBytes) +
      wire::counters_max(kPageCounterCount) + 1 + kLayerCount +
      wire::sparse_max(2 * kMaxClickCells + kMaxClickPvCells + kMaxMoveCells +
                       3 * kMaxFrustrationCells + 2 * kMaxBands + kPctBuckets) +
      kLayerCount * wire::kMaxVarintBytes + wire::kMaxVarintBytes +
      kMaxElements *
          (9 + wire::counters_max(kElementCounterCount) + wire::sparse_max(kMaxElementCells)) +
      wire::kMaxVarintBytes + kMaxTransitions * 9;
  static_assert(std::endian::native == std::endian::little,
                "steps_ are copied as the wire has them");

  constexpr explicit PageView(const Bounds& bounds = {}) : bounds_(bounds) {}

  // Starts a new page view with `bounds`: clears everything and counts it once.
  void begin(uint32_t fold_px);
  void begin(const Bounds& bounds, uint32_t fold_px) {
    bounds_ = bounds;
    begin(fold_px);
  }

  // Bounded additions. They return false when a bound refused the addition.
  bool add(Layer layer, uint32_t index, uint32_t value);
  void set_counter(PageCounter c, uint32_t value);  // 0/1 flags and per-page-view values
  void raise_counter(PageCounter c, uint32_t value) { set_counter(c, value); }
  [[gnu::noinline]] Element* element(uint32_t key, uint8_t flags);  // nullptr at the element cap

  // The stable key of an element key the page computed (element_key.h), remembered so the
  // element's first delta of a page view can carry it. Recent keys only (a direct-mapped cache
  // that outlives page views: the page keys an element once).
  void remember_stable_key(uint32_t key, uint32_t stable) {
    stable_cache_[key % kStableCache][0] = key;
    stable_cache_[key % kStableCache][1] = stable;
  }
  Element* find_element(uint32_t key);
  void add_element(Element& el, ElementCounter c, uint32_t value);
  bool add_element_cell(Element& el, uint32_t sub_index);
  // A journey step from the element keyed `from` to the one keyed `to`: each distinct pair once
  // per page view, the first Bounds::transitions pairs only.
  void add_transition(uint32_t from, uint32_t to);

  // Cumulative reach: marks bands 0..band (px) and buckets 0..pct as reached.
  void reach(uint32_t band, uint32_t pct);

  // Writes the delta since the previous call as a kKindDelta report into `out` (at least
  // kMaxDeltaBytes) and marks it sent. Returns its size, 0 when nothing changed.
  size_t encode_delta(const FixedSegment& segment, uint8_t* out);

  Aggregate totals() const;  // cumulative totals as an Aggregate (tests, tools)

  // The counters of `el` a delta holds back (bit i: counter i): hover and pv_hovered on an
  // element neither interactive nor clicked in this page view (dropped when the page view ends).
  static uint32_t held(const Element& el);
  const Bounds& bounds() const { return bounds_; }
  Bounds& bounds() { return bounds_; }

 private:
  // Sparse layers share one pool, a slice each; the reach layers are two integers each.
  static constexpr uint32_t kPoolCells = layer_pool_offset(kLayerCount);
  DeltaCell* layer_cells(uint32_t layer) { return pool_ + kLayerPoolOffsets.at[layer]; }
  const DeltaCell* layer_cells(uint32_t layer) const { return pool_ + kLayerPoolOffsets.at[layer]; }

  Bounds bounds_;
  DeltaCell pool_[kPoolCells] = {};
  static constexpr uint32_t kStableCache = 128;
  uint32_t stable_cache_[kStableCache][2] = {};
  uint8_t order_[kMaxElements] = {};     // element slots sorted by key
  Element elements_[kMaxElements] = {};  // in arrival order, so pointers stay valid
};

}  // namespace thermograph
