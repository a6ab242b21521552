// Insights: statistics over merged aggregates for designers (issue 10).
//
// Everything here is a pure function of one or two Aggregates plus inputs the aggregate does not
// carry (element boxes from the live DOM). Rates are per page view, never per click, because
// the pv_* counters survive merging (DESIGN.md "Rates need page views"). Every rule, formula
// and default is documented in docs/insights.md; the defaults live in InsightOptions.
#pragma once

#include <cstdint>
#include <vector>

#include "aggregate.h"
#include "stats.h"

namespace thermograph {

// An element's box in page px, measured by the overlay on the live DOM.
struct ElementBox {
  uint32_t key = 0;
  double x = 0, y = 0, w = 0, h = 0;
  bool interactive = false;
};

// Defaults: also the overlay's (INSIGHT_OPTIONS in build/gen/constants.mjs, generated from this
// declaration by scripts/gen-constants.mjs).
// @js
struct InsightOptions {
  double z = kZ95;                   // interval width
  double q = 0.05;                   // Benjamini-Hochberg false discovery rate
  uint32_t hot_min_clicks = 100;     // "hot" needs at least this many clicks ...
  double alpha = 0.05;               // ... and comparisons are powered for this alpha
  double power = 0.8;                // ... and this power
  double min_detectable_effect = 0;  // absolute rate difference; 0 = the observed effect
  double noise_variance = 0;         // variance of DP noise per released count (0 = exact)
  double min_expected = 5;           // below this expected cell count use Fisher's exact test
  // Prioritization weights (normalized by their sum).
  double w_engagement = 0.35, w_frustration = 0.35, w_reach = 0.15, w_interactivity = 0.15;
  // Element boxes: depth (box top) for reach and priority, geometry for near misses.
  std::vector<ElementBox> boxes;
  double near_miss_px = 12;           // max gap between a missed click cell and the element
  uint32_t near_miss_min_clicks = 5;  // smaller clusters are noise
  uint32_t max_hotspots = 20;
  double false_bottom_k = 3;            // drop > k x median per-band drop ...
  double false_bottom_min_drop = 0.10;  // ... and > this share of page views
  // Behaviour signals (find_signals): a floor on the share's n, then its Wilson interval at z
  // against a threshold, so a handful of page views never makes a finding.
  uint32_t signal_min_pv = 30;       // n (page views behind the share) at least this
  double seen_min_share = 0.5;       // "often seen": lower bound of pv_exposed / page views above
  double ignored_max_click = 0.05;   // "rarely clicked": upper bound of clicked / seen below
  double abandoned_min_share = 0.3;  // lower bound of (changed - submitted) / changed above
  double hesitant_min_share = 0.5;   // lower bound of (first clicks >= 3 s) / first clicks above
};

struct ElementInsight {
  uint32_t key = 0;
  bool interactive = false;
  uint32_t clicks = 0;
  double pv_clicked = 0;
  double rate = 0;  // pv_clicked / page views
  Interval ci;
  bool hot = false;  // clicks >= hot_min_clicks and ci.lo above the page mean rate
  // Prioritization (docs/insights.md "Priority score"), components in [0, 1].
  double engagement = 0, frustration = 0, reach = 1, interactivity = 0, score = 0;
  bool depth_known = false;
  // Conversions: goal rate of page views that clicked it vs those that did not.
  double conv_rate_clicked = 0, conv_rate_not = 0, conv_lift = 0;
  TestResult conv_test;
  double conv_p_adjusted = 1;
  bool conv_significant = false;
};

struct Hotspot {
  uint32_t cell = 0;           // page-cell index of the local maximum
  double x_px = 0, y_px = 0;   // centre of that cell
  uint64_t window_clicks = 0;  // clicks in the 3 x 3 cell window (48 x 48 px)
  double share = 0;            // window_clicks / all clicks on the page
  Interval ci;                 // Wilson interval of share
  uint32_t key = 0;            // a hot element's key (its clicks, its box centre), 0 = page cells
};

struct NearMiss {
  uint32_t target_key = 0;            // the interactive element they probably meant
  double x = 0, y = 0, w = 0, h = 0;  // bounding box of the cluster's cells, page px
  double cx = 0, cy = 0;              // click-weighted centroid
  uint64_t clicks = 0;
  double gap_px = 0;  // smallest cell-to-element gap in the cluster
};

inline constexpr size_t kFalseBottomWindow = 3;  // bands (300 px) over which stops are summed

struct FalseBottom {
  uint32_t band = 0;  // the steepest boundary of the window: reach drops between band-1 and band
  double depth_px = 0;
  double drop = 0;         // share of page views lost across the window's kFalseBottomWindow bands
  double median_drop = 0;  // the page's median window drop over the tested range
};

struct SeenElement {
  uint32_t key = 0;
  double depth_px = 0;
  double seen = 0;  // share of page views whose viewport bottom reached the element's top
};

struct ScrollInsight {
  std::vector<double> reach;  // share of page views per 100 px band (monotone)
  double fold_px = 0;         // average initial viewport height
  double half_depth_px = 0;   // depth reached by exactly half of the page views (interpolated)
  int half_pct = -1;          // first percent bucket reached by fewer than half (-1: none)
  std::vector<FalseBottom> false_bottoms;
  std::vector<SeenElement> elements;  // boxed elements, least seen first
};

// Findings from the behaviour signals of wire version 4 (docs/insights.md "Behaviour signals").
enum class SignalKind : uint8_t {
  kIgnored = 0,    // interactive, often seen, rarely clicked: k clicked of n pv_exposed
  kAbandoned = 1,  // form field changed, then left without submitting: k abandoned of n pv_changed
  kHesitant = 2,   // most first clicks came kHesitationMs[1] or more after the pointer entered:
                   // k such first clicks of n first clicks with a hesitation time
};
const char* signal_kind_name(SignalKind k);  // "ignored", "abandoned", "hesitant"

struct SignalInsight {
  uint32_t key = 0;
  SignalKind kind = SignalKind::kIgnored;
  double k = 0, n = 0;
  double share = 0;   // k / n
  Interval ci;        // Wilson interval of share at InsightOptions::z
  double seen = 0;    // pv_exposed / page views (every kind; 0 without exposure data)
  double visits = 0;  // page views affected / page views: n - k (kIgnored) or k, the ranking
};

// Journeys (wire version 5): the most travelled steps between elements, and the SPA routes
// visitors came from (route_hash values: the collector names them from its page list).
struct JourneyStep {
  uint32_t from = 0, to = 0;
  double page_views = 0;
  double share = 0;  // of the page's page views
};
struct RouteEntry {
  uint32_t hash = 0;
  double page_views = 0;
  double share = 0;
};
inline constexpr size_t kMaxJourneySteps = 20;  // steps listed, most page views first
inline constexpr size_t kMaxRoutes = 20;        // routes listed, most page views first
struct Journeys {
  std::vector<JourneyStep> steps;
  std::vector<RouteEntry> routes;
  double route_page_views = 0;  // page views that came from another route (all, not only listed)
};

struct Insights {
  double page_views = 0;
  double page_mean_rate = 0;             // mean of the element rates (the "hot" baseline)
  std::vector<ElementInsight> elements;  // by key
  std::vector<Hotspot> hotspots;         // by window_clicks, descending
  std::vector<NearMiss> near_misses;     // by clicks, descending
  ScrollInsight scroll;
  std::vector<SignalInsight> signals;  // by visits, descending
  Journeys journeys;
};

Insights compute_insights(const Aggregate& a, const InsightOptions& o = {});

// Pieces of compute_insights, exposed for tests and for callers that need one view only.
std::vector<Hotspot> find_hotspots(const Aggregate& a, const InsightOptions& o);
std::vector<NearMiss> find_near_misses(const Aggregate& a, const InsightOptions& o);
ScrollInsight scroll_insight(const Aggregate& a, const InsightOptions& o);
std::vector<SignalInsight> find_signals(const Aggregate& a, const InsightOptions& o);
Journeys find_journeys(const Aggregate& a);

struct CompareRow {
  // The element's identity (element_identity(): its stable key when known, so the same element
  // pairs across variants whose classes differ); 0 with is_page: the "clicked anything" rate.
  uint32_t key = 0;
  bool is_page = false;
  double k_a = 0, k_b = 0;
  double rate_a = 0, rate_b = 0, diff = 0, rel_change = 0;  // diff = b - a; rel = diff / a
  TestResult test;
  double p_adjusted = 1;
  bool significant = false;
  double needed_per_arm = 0;  // page views per arm for `power` at `alpha` (inf: no effect)
  double still_needed = 0;    // max(0, needed - min(page views a, page views b))
  bool ready = false;
};

struct Comparison {
  double page_views_a = 0, page_views_b = 0;
  CompareRow page;               // kPvClicked rate, not part of the BH family
  std::vector<CompareRow> rows;  // one per element seen in either arm, by key
  uint32_t significant = 0;
};

// Per element: pv_clicked / page views in a vs b; z-test (Fisher when an expected count is
// below min_expected), Benjamini-Hochberg across elements at q, readiness from power.
Comparison compare_segments(const Aggregate& a, const Aggregate& b, const InsightOptions& o = {});

}  // namespace thermograph
