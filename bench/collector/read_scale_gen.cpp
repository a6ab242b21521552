// Loads a realistic 30 days of one site into an SQLite store and a ClickHouse store at once,
// through the stores' own commit_batch (the code path of the collector's ingest and `import`),
// for bench/collector/read_scale.mjs. Pushing 10M reports through HTTP would take hours here,
// so the page views are simulated in C++ and summed per row key before they are stored.
//
//   collector_read_scale_gen --page-views N --db PATH --store URL --site KEY
//                            [--days 30] [--slices-per-day 1] [--pages 150] [--seed 1]
//   (--db - --store -: generate and count only, to size a run)
//
// The site (seeded, so runs compare):
// - `--pages` pages, traffic split by Zipf (s = 1: page i gets 1/(i+1) of page 0's share), so
//   page 0 ("/") is the busiest by construction; days weighted by weekday (weekends 0.7).
// - Segments per page view: width class (phones 30 %, tablets 15 %, desktops 55 %), device
//   (touch on phones and most tablets, else mouse), logged in (15 %), and on the 5 busiest pages
//   an A/B variant ("A" or "B", half each; B converts better).
// - Each page has 8..20 elements (boxes on the layout of each width class, one fixed header,
//   most interactive, half with a stable key). A page view: reach from its fold down an uneven
//   scroll depth (reach px and percent bands, attention per band), 0..4 clicks (mostly on
//   elements: element counters and sub-grid cells; clicks on the header go to the fixed
//   layer), on mouse devices 6..20 dwell samples (near elements, or resting in the reading
//   column, mostly in the first screen: move cells and element hover), rare rage, dead and
//   error clicks, conversions, fold, document height and engaged time.
// What is stored: every day is cut into `--slices-per-day` slices; per slice and row key (page,
// day, width, device, logged in, variant) one Report holds the sum of that slice's page views.
// The reports go into each store as commits of at most 1000 reports and 250,000 cells. SQLite
// merges them in place or appends pending deltas (folded by compact() after each day, as its
// compactor does). ClickHouse gets one INSERT per commit: hundreds of parts, with background
// merges left running. Its rows are what SummingMergeTree's merges make of a day's per-report
// rows; a real collector's table holds more, unmerged rows until its merges catch up.
// Prints JSON on stdout (page views, the busiest page and its page views, reports, commits,
// cells, seconds spent per store) and cells per layer on stderr.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "collector/store.h"
#include "core/splitmix.h"

using namespace thermograph;

namespace {

struct Rng {  // splitmix64
  uint64_t s;
  uint64_t next() { return splitmix64(s); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(unit() * n); }
  bool chance(double p) { return unit() < p; }
  double normal() {  // Irwin-Hall: close enough for scatter around a point
    double s = 0;
    for (int i = 0; i < 6; ++i) s += unit();
    return (s - 3) * 1.41;
  }
};

constexpr uint32_t kWidthPx[kWidthClasses] = {390, 820, 1280, 1536, 1920};
constexpr uint32_t kFoldPx[kWidthClasses] = {740, 1080, 720, 820, 960};
constexpr double kWidthShare[kWidthClasses] = {0.30, 0.15, 0.20, 0.25, 0.10};
constexpr uint32_t kMaxRowsCells = 900;  // 14,400 px: the tallest page layout below

struct Box {
  double x, y, w, h;  // fractions of the layout width and document height
};

struct ElementModel {
  uint32_t key = 0;
  uint32_t stable = 0;
  uint8_t flags = 0;
  Box box{};
  double weight = 1;  // how much attention it draws
};

struct PageModel {
  std::string key;
  uint32_t height_px = 0;              // at 1280 px; narrower layouts are taller
  std::vector<ElementModel> elements;  // sorted by key
  double weight_sum = 0;
  bool experiment = false;
};

uint32_t doc_height(const PageModel& p, uint8_t w) {
  const double scale = w == 0 ? 2.0 : w == 1 ? 1.4 : 1.0;
  return std::min<uint32_t>(static_cast<uint32_t>(p.height_px * scale), kMaxRowsCells * kCellPx);
}

std::vector<PageModel> make_pages(uint32_t n, const std::string& origin, Rng& rng) {
  static const char* kNamed[] = {"/",       "/pricing", "/products/:id", "/cart",  "/checkout",
                                 "/search", "/signup",  "/login",        "/about", "/docs"};
  std::vector<PageModel> pages(n);
  for (uint32_t i = 0; i < n; ++i) {
    PageModel& p = pages[i];
    p.key = origin + (i < std::size(kNamed) ? kNamed[i] : "/blog/post-" + std::to_string(i));
    p.height_px = 1800 + rng.below(5400);
    p.experiment = i < 5;
    const uint32_t count = 8 + rng.below(13);
    for (uint32_t e = 0; e < count; ++e) {
      ElementModel el;
      el.key = static_cast<uint32_t>(rng.next()) | 1;
      el.stable = rng.chance(0.5) ? static_cast<uint32_t>(rng.next()) | 1 : 0;
      el.flags = e == 0 ? (kElFixed | kElInteractive) : rng.chance(0.75) ? kElInteractive : 0;
      if (e == 0) {
        el.box = {0, 0, 1, 0.02};  // the sticky header
      } else {
        const double y = std::min(0.95, std::pow(rng.unit(), 1.6));  // more near the top
        el.box = {0.05 + 0.6 * rng.unit(), y, 0.1 + 0.3 * rng.unit(), 0.01 + 0.03 * rng.unit()};
      }
      el.weight = 1.0 / (1 + e * 0.6);
      p.weight_sum += el.weight;
      p.elements.push_back(el);
    }
    std::sort(p.elements.begin(), p.elements.end(),
              [](const ElementModel& a, const ElementModel& b) { return a.key < b.key; });
  }
  return pages;
}

// Sums page views of one row key: dense arrays with the cells touched listed, so a page view
// costs its own cells and emitting costs the distinct cells.
struct Accumulator {
  std::array<uint64_t, kPageCounterCount> counters{};
  std::vector<uint32_t> grid[kLayerCount];
  std::vector<uint32_t> touched[kLayerCount];
  std::vector<std::array<uint32_t, kElementCounterCount>> el_counters;
  std::vector<std::array<uint32_t, kSubGrid * kSubGrid>> el_cells;
  std::vector<uint8_t> el_touched;

  Accumulator() {
    for (uint8_t l = 0; l < kLayerCount; ++l)
      grid[l].assign(l == kLayerReachPx || l == kLayerAttention ? kMaxBands
                     : l == kLayerReachPct                      ? kPctBuckets
                                                                : kGridCols * kMaxRowsCells,
                     0);
  }
  void add(Layer l, uint32_t index, uint32_t v) {
    uint32_t& c = grid[l][index];
    if (c == 0) touched[l].push_back(index);
    c = sat_add(c, v);
  }
  void reset(size_t elements) {
    counters.fill(0);
    el_counters.assign(elements, {});
    el_cells.assign(elements, {});
    el_touched.assign(elements, 0);
  }
  // Moves the sums into `out` and clears the touched cells.
  void emit(const PageModel& page, Aggregate& out) {
    for (size_t c = 0; c < kPageCounterCount; ++c)
      out.counters[c] = static_cast<uint32_t>(std::min<uint64_t>(counters[c], kU32Max));
    for (uint8_t l = 0; l < kLayerCount; ++l) {
      std::sort(touched[l].begin(), touched[l].end());
      out.layers[l].reserve(touched[l].size());
      for (uint32_t i : touched[l]) {
        out.layers[l].push_back_unchecked(i, grid[l][i]);
        grid[l][i] = 0;
      }
      touched[l].clear();
    }
    for (size_t e = 0; e < page.elements.size(); ++e) {
      if (!el_touched[e]) continue;
      ElementStats& s = out.push_element_unchecked(page.elements[e].key);
      s.flags = page.elements[e].flags;
      s.stable = page.elements[e].stable;
      s.counters = el_counters[e];
      for (uint32_t i = 0; i < kSubGrid * kSubGrid; ++i)
        if (el_cells[e][i]) s.cells.push_back_unchecked(i, el_cells[e][i]);
    }
  }
};

size_t pick_element(const PageModel& p, Rng& rng) {
  double r = rng.unit() * p.weight_sum;
  for (size_t e = 0; e < p.elements.size(); ++e)
    if ((r -= p.elements[e].weight) <= 0) return e;
  return p.elements.size() - 1;
}

// One page view of `page` in segment (w, device, variant) added to `acc`.
void page_view(const PageModel& page, uint8_t w, uint8_t device, bool variant_b, Rng& rng,
               Accumulator& acc) {
  const double width = kWidthPx[w];
  const uint32_t height = doc_height(page, w);
  const uint32_t fold = std::min(kFoldPx[w], height);
  const double scrolled = std::pow(rng.unit(), 1.8) * (height - fold);
  const uint32_t bottom = fold + static_cast<uint32_t>(scrolled);  // deepest viewport bottom
  const bool converted = rng.chance(variant_b ? 0.04 : 0.03);
  acc.counters[kPageViews] += 1;
  acc.counters[kConversions] += converted;
  acc.counters[kFoldSum] += fold;
  acc.counters[kDocHeightSum] += height;
  acc.counters[kEngagedSeconds] += 3 + rng.below(120);
  const uint32_t bands = (bottom + kBandPx - 1) / kBandPx;
  for (uint32_t b = 0; b < bands; ++b) acc.add(kLayerReachPx, b, 1);
  const uint32_t pct = std::min<uint32_t>(100, bottom * 100 / height);
  for (uint32_t b = 0; b <= pct; ++b) acc.add(kLayerReachPct, b, 1);
  for (uint32_t b = 0; b < bands; ++b)
    if (b * kBandPx + kBandPx > static_cast<uint32_t>(scrolled) || rng.chance(0.3))
      acc.add(kLayerAttention, b, 1 + rng.below(b < fold / kBandPx ? 80 : 20));
  auto point = [&](const Box& b, double& x, double& y) {
    x = (b.x + b.w * rng.unit()) * width;
    y = (b.y + b.h * rng.unit()) * height;
  };
  // Per element, what this page view did to it (bits below): pv_* counters count it once.
  enum : uint8_t { kClicked = 1, kHovered = 2, kRage = 4, kDead = 8, kError = 16 };
  std::vector<uint8_t> did(page.elements.size(), 0);
  auto counters = [&](size_t e) -> std::array<uint32_t, kElementCounterCount>& {
    acc.el_touched[e] = 1;
    return acc.el_counters[e];
  };
  auto clamp_y = [&](double y) { return std::min<double>(std::max(0.0, y), height - 1); };
  // Clicks: mostly on elements above the deepest point seen.
  bool clicked = false, rage = false, dead = false, error = false;
  const uint32_t clicks = rng.chance(0.45) ? 1 + rng.below(rng.chance(0.2) ? 4 : 2) : 0;
  for (uint32_t c = 0; c < clicks; ++c) {
    double x, y;
    clicked = true;
    if (!rng.chance(0.8)) {
      x = (0.1 + 0.8 * rng.unit()) * width;
      y = rng.unit() * bottom;
      acc.add(kLayerClicks, cell_index(x, clamp_y(y)), 1);
      continue;
    }
    const size_t e = pick_element(page, rng);
    const ElementModel& el = page.elements[e];
    point(el.box, x, y);
    if (y > bottom) y = bottom * rng.unit();
    y = clamp_y(y);
    counters(e)[kElClicks] += 1;
    did[e] |= kClicked;
    const uint32_t sx = std::min<uint32_t>(kSubGrid - 1, rng.below(kSubGrid));
    const uint32_t sy = std::min<uint32_t>(kSubGrid - 1, rng.below(kSubGrid));
    acc.el_cells[e][sy * kSubGrid + sx] += 1;
    if (el.flags & kElFixed) {  // the sticky header: viewport cells
      acc.add(kLayerFixedClicks, cell_index(x, rng.unit() * 60), 1);
      continue;
    }
    acc.add(kLayerClicks, cell_index(x, y), 1);
    if (!(el.flags & kElInteractive) && rng.chance(0.15)) {
      counters(e)[kElDead] += 1;
      did[e] |= kDead;
      acc.add(kLayerDead, cell_index(x, y), 1);
      dead = true;
    }
    if (rng.chance(0.01)) {
      counters(e)[kElRage] += 1;
      did[e] |= kRage;
      acc.add(kLayerRage, cell_index(x, y), 1);
      rage = true;
    }
    if (rng.chance(0.004)) {
      counters(e)[kElError] += 1;
      did[e] |= kError;
      acc.add(kLayerError, cell_index(x, y), 1);
      error = true;
    }
  }
  // Pointer dwell on mouse devices: near elements, or along the reading column.
  if (device == kDeviceMouse) {
    const uint32_t samples = 6 + rng.below(15);
    for (uint32_t s = 0; s < samples; ++s) {
      double x, y;
      const uint32_t units = 1 + rng.below(rng.chance(0.1) ? 60 : 8);
      if (rng.chance(0.5)) {
        const size_t e = pick_element(page, rng);
        point(page.elements[e].box, x, y);
        if (y > bottom) continue;
        x += rng.normal() * 24;
        y += rng.normal() * 24;
        counters(e)[kElHover] += units;
        did[e] |= kHovered;
      } else {
        // Resting spots of the reading column, mostly in the first screen.
        x = width * (0.35 + 0.12 * rng.normal() / 1.41);
        y = rng.chance(0.7) ? fold * rng.unit() : rng.unit() * bottom;
      }
      acc.add(kLayerMove, cell_index(std::max(0.0, x), clamp_y(y)), units);
    }
  }
  for (size_t e = 0; e < did.size(); ++e) {
    if (!did[e]) continue;
    auto& k = acc.el_counters[e];
    k[kElPvClicked] += (did[e] & kClicked) != 0;
    k[kElPvHovered] += (did[e] & kHovered) != 0;
    k[kElPvRage] += (did[e] & kRage) != 0;
    k[kElPvDead] += (did[e] & kDead) != 0;
    k[kElPvError] += (did[e] & kError) != 0;
    k[kElPvConverted] += converted && (did[e] & kClicked);
  }
  acc.counters[kPvClicked] += clicked;
  acc.counters[kPvRage] += rage;
  acc.counters[kPvDead] += dead;
  acc.counters[kPvError] += error;
}

// Splits `total` over `weights` with the largest remainders: exact sums, no randomness.
std::vector<uint64_t> split(uint64_t total, const std::vector<double>& weights) {
  double sum = 0;
  for (double w : weights) sum += w;
  std::vector<uint64_t> out(weights.size());
  std::vector<std::pair<double, size_t>> rest;
  uint64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double exact = total * weights[i] / sum;
    out[i] = static_cast<uint64_t>(exact);
    given += out[i];
    rest.push_back({out[i] - exact, i});  // most negative = largest remainder
  }
  std::sort(rest.begin(), rest.end());
  for (size_t i = 0; given < total; ++i, ++given) out[rest[i % rest.size()].second] += 1;
  return out;
}

const char* arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t total = std::strtoull(arg(argc, argv, "--page-views", "0"), nullptr, 10);
  const std::string db = arg(argc, argv, "--db", "");
  const std::string url = arg(argc, argv, "--store", "");
  const std::string site = arg(argc, argv, "--site", "");
  const uint32_t days = std::atoi(arg(argc, argv, "--days", "30"));
  const uint32_t slices = std::atoi(arg(argc, argv, "--slices-per-day", "1"));
  const uint32_t npages = std::atoi(arg(argc, argv, "--pages", "150"));
  Rng rng{std::strtoull(arg(argc, argv, "--seed", "1"), nullptr, 10)};
  if (total == 0 || db.empty() || url.empty() || site.empty() || days == 0 || slices == 0 ||
      npages == 0) {
    std::fprintf(stderr,
                 "usage: collector_read_scale_gen --page-views N --db PATH --store URL --site KEY"
                 " [--days 30] [--slices-per-day 1] [--pages 150] [--seed 1]\n");
    return 2;
  }
  try {
    // --db - --store -: generate and count only (for sizing a run).
    const bool dry = db == "-";
    auto sqlite = dry ? nullptr : open_sqlite_store(db);
    auto clickhouse = dry ? nullptr : open_clickhouse_store(url);
    const std::vector<PageModel> pages = make_pages(npages, "https://shop.example", rng);
    std::vector<double> page_w, day_w, slice_w;
    for (uint32_t i = 0; i < npages; ++i) page_w.push_back(1.0 / (i + 1));
    const int32_t last = today_utc();
    const int32_t first = last - static_cast<int32_t>(days) + 1;
    for (int32_t d = first; d <= last; ++d)
      day_w.push_back((d + 4) % 7 % 6 == 0 ? 0.7 : 1.0);  // 0 Sunday, 6 Saturday (day 0: Thursday)
    for (uint32_t s = 0; s < slices; ++s)                 // a daily curve, low at night
      slice_w.push_back(1.2 + std::sin(6.2831853 * (s + 0.5) / slices - 1.8));
    const std::vector<uint64_t> per_day = split(total, day_w);

    Accumulator acc;
    uint64_t reports = 0, commits = 0, cells = 0, busiest_pv = 0;
    uint64_t by_layer[kLayerCount] = {};
    const auto t0 = std::chrono::steady_clock::now();
    double t_sqlite = 0, t_wait = 0, t_compact = 0;  // seconds spent in each, for tuning
    auto since = [](std::chrono::steady_clock::time_point t) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    // ClickHouse inserts run beside generation and SQLite, two at a time (as two collectors
    // would; the store picks the entry shard round robin).
    std::deque<std::future<void>> inflight;
    for (uint32_t di = 0; di < days; ++di) {
      const int32_t day = first + static_cast<int32_t>(di);
      const std::vector<uint64_t> per_page = split(per_day[di], page_w);
      std::vector<std::vector<uint64_t>> per_slice(npages);
      for (uint32_t p = 0; p < npages; ++p) per_slice[p] = split(per_page[p], slice_w);
      busiest_pv += per_page[0];
      for (uint32_t s = 0; s < slices; ++s) {
        std::vector<std::pair<RowKey, Report>> batch;
        for (uint32_t p = 0; p < npages; ++p) {
          const PageModel& page = pages[p];
          // Segment of each page view, then the page views of each segment summed.
          std::map<std::tuple<uint8_t, uint8_t, bool, uint8_t>, uint32_t> segs;
          for (uint64_t v = 0; v < per_slice[p][s]; ++v) {
            double r = rng.unit();
            uint8_t w = 0;
            while (w + 1 < kWidthClasses && (r -= kWidthShare[w]) > 0) ++w;
            const bool touch_dev = w == 0 || (w == 1 && rng.chance(0.8));
            const uint8_t device = touch_dev ? kDeviceTouch : kDeviceMouse;
            const uint8_t variant = page.experiment ? 1 + rng.below(2) : 0;
            ++segs[{w, device, rng.chance(0.15), variant}];
          }
          for (const auto& [seg, n] : segs) {
            const auto [w, device, logged_in, variant] = seg;
            acc.reset(page.elements.size());
            for (uint32_t v = 0; v < n; ++v) page_view(page, w, device, variant == 2, rng, acc);
            Report r;
            r.kind = kKindDelta;
            r.segment.site = site;
            r.segment.page = page.key;
            r.segment.width_class = w;
            r.segment.device = device;
            r.segment.logged_in = logged_in;
            r.segment.variant = variant == 0 ? "" : variant == 1 ? "A" : "B";
            r.segment.tracker_version = 2;
            acc.emit(page, r.data);
            cells += cell_count(r.data);
            for (uint8_t l = 0; l < kLayerCount; ++l) by_layer[l] += r.data.layers[l].size();
            batch.push_back({row_key(r.segment, day), std::move(r)});
          }
        }
        reports += batch.size();
        if (dry) continue;
        // Commits of at most 1000 reports and 250,000 cells (one ClickHouse insert must stay
        // under the test cluster's 1 GB per query), each into both stores.
        auto shared = std::make_shared<std::vector<std::pair<RowKey, Report>>>(std::move(batch));
        for (size_t at = 0; at < shared->size();) {
          std::vector<std::pair<RowKey, const Report*>> items;
          uint64_t held = 0;
          for (; at < shared->size() && items.size() < 1000 && (items.empty() || held < 250000);
               ++at) {
            items.push_back({(*shared)[at].first, &(*shared)[at].second});
            held += cell_count((*shared)[at].second.data);
          }
          auto t = std::chrono::steady_clock::now();
          sqlite->commit_batch(items, {});
          t_sqlite += since(t);
          t = std::chrono::steady_clock::now();
          if (inflight.size() >= 2) inflight.front().get(), inflight.pop_front();
          t_wait += since(t);
          inflight.push_back(std::async(std::launch::async, [&clickhouse, items, shared] {
            clickhouse->commit_batch(items, {});
          }));
          ++commits;
        }
      }
      const auto t = std::chrono::steady_clock::now();
      while (sqlite && sqlite->compact(true) > 0) {
      }
      t_compact += since(t);
    }
    {
      const auto t = std::chrono::steady_clock::now();
      for (auto& f : inflight) f.get();
      t_wait += since(t);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "{\"page_views\":%llu,\"days\":%u,\"pages\":%u,\"slices_per_day\":%u,\"busiest_page\":"
        "\"%s\",\"busiest_page_views\":%llu,\"reports\":%llu,\"commits\":%llu,"
        "\"cells\":%llu,\"seconds\":%.1f,\"sqlite_commit_seconds\":%.1f,"
        "\"sqlite_compact_seconds\":%.1f,\"clickhouse_wait_seconds\":%.1f}\n",
        static_cast<unsigned long long>(total), days, npages, slices, pages[0].key.c_str(),
        static_cast<unsigned long long>(busiest_pv), static_cast<unsigned long long>(reports),
        static_cast<unsigned long long>(commits), static_cast<unsigned long long>(cells), seconds,
        t_sqlite, t_compact, t_wait);
    std::fprintf(stderr, "cells by layer:");
    for (uint8_t l = 0; l < kLayerCount; ++l)
      std::fprintf(stderr, " %s %llu", layer_name(static_cast<Layer>(l)),
                   static_cast<unsigned long long>(by_layer[l]));
    std::fprintf(stderr, "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "collector_read_scale_gen: %s\n", e.what());
    return 1;
  }
  return 0;
}
