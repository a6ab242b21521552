// thermograph-fixture: builds a merged aggregate from a small JSON spec and writes the collector's
// binary form on stdout, encoded by the real codec. Browser tests and benchmarks feed the overlay
// with it, so no test ever carries hand-written wire bytes.
//
// Spec (every field optional):
//   {"site": "s", "page": "https://x/p", "widthClass": 4, "device": 1,
//    "counters": {"page_views": 40, "fold_sum": 28000, ...},        // page_counter_name()s
//    "layers": {"clicks": [[x_px, y_px, n], ...], "fixed_clicks": [...],  // layer_name()s
//               "reach_px": [[band, n], ...]},
//    "elements": [{"selector": "body>main>button.buy", "flags": 2,   // both keys from it
//                  "counters": {"clicks": 9, "pv_clicked": 7}, "cells": [[sx, sy, n], ...]}],
//    "random": {"clicks": 100000, "seed": 1, "width": 1280, "height": 8000}}
// Random clicks follow a seeded mixture of hot spots, so runs compare (bench/overlay.mjs).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "core/codec.h"
#include "core/element_key.h"
#include "core/splitmix.h"

using namespace thermograph;
using nlohmann::json;

namespace {

template <typename Name, typename Count>
int index_of(const std::string& name, Name name_of, Count n) {
  for (int i = 0; i < int(n); ++i)
    if (name == name_of(static_cast<decltype(n)>(i))) return i;
  return -1;
}

struct Rng {  // splitmix64, same as the native tests
  uint64_t s;
  uint64_t next() { return splitmix64(s); }
  double unit() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
};

void add_random(Aggregate& a, const json& r) {
  Rng rng{r.value("seed", 1ull)};
  const double w = r.value("width", 1280.0), h = r.value("height", 8000.0);
  const uint64_t n = r.value("clicks", 1000ull);
  double spots[64][3];  // x, y, spread
  for (auto& s : spots) s[0] = rng.unit() * w, s[1] = rng.unit() * h, s[2] = 5 + rng.unit() * 60;
  for (uint64_t i = 0; i < n; ++i) {
    double x, y;
    if (rng.unit() < 0.2) {  // background noise: clicks anywhere
      x = rng.unit() * w, y = rng.unit() * h;
    } else {  // Box-Muller around a hot spot
      const auto& s = spots[rng.next() % 64];
      const double u = std::max(1e-12, rng.unit()), v = rng.unit();
      const double m = std::sqrt(-2 * std::log(u)) * s[2];
      x = s[0] + m * std::cos(6.283185307 * v), y = s[1] + m * std::sin(6.283185307 * v);
    }
    a.layers[kLayerClicks].add(cell_index(std::clamp(x, 0.0, w - 1), std::clamp(y, 0.0, h - 1)), 1);
  }
}

}  // namespace

int main() {
  std::string text;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) text.append(buf, n);
  json spec = json::parse(text, nullptr, false);
  if (spec.is_discarded() || !spec.is_object()) {
    std::fprintf(stderr, "thermograph-fixture: stdin is not a JSON object\n");
    return 64;
  }
  Report r;
  r.kind = kKindAggregate;
  r.segment.site = spec.value("site", "site_test");
  r.segment.page = spec.value("page", "http://127.0.0.1/");
  r.segment.width_class = spec.value("widthClass", kMixed);
  r.segment.device = spec.value("device", kMixed);
  r.segment.variant = spec.value("variant", "");
  Aggregate& a = r.data;
  // value() returns a copy: keep it alive for the loop (items() of a temporary dangles).
  const json counters = spec.value("counters", json::object()),
             layers = spec.value("layers", json::object());
  for (auto& [name, v] : counters.items()) {
    const int c = index_of(name, page_counter_name, kPageCounterCount);
    if (c < 0)
      return std::fprintf(stderr, "thermograph-fixture: unknown counter %s\n", name.c_str()), 64;
    a.counters[c] = v.get<uint32_t>();
  }
  for (auto& [name, cells] : layers.items()) {
    const int l = index_of(name, layer_name, kLayerCount);
    if (l < 0)
      return std::fprintf(stderr, "thermograph-fixture: unknown layer %s\n", name.c_str()), 64;
    for (const auto& c : cells) {
      const bool band = l >= kLayerReachPx;
      const uint32_t index =
          band ? c[0].get<uint32_t>() : cell_index(c[0].get<double>(), c[1].get<double>());
      a.layers[l].add(index, c[band ? 1 : 2].get<uint32_t>());
    }
  }
  const json elements = spec.value("elements", json::array());
  for (const auto& e : elements) {
    // kFull, as this native tool always did; the visitor and overlay use kCompact (pii.h), which
    // gives the same keys for every selector whose tokens the full detectors pass. Both keys, as
    // the tracker sends them (the stable one only when it differs).
    const std::string selector = e.value("selector", "");
    const ElementKeys keys = element_keys(selector, PiiProfile::kFull);
    ElementStats* el = a.element(keys.specific);
    if (keys.stable != keys.specific) el->stable = keys.stable;
    el->flags |= e.value("flags", 0) & kElFlagMask;
    const json el_counters = e.value("counters", json::object()),
               cells = e.value("cells", json::array());
    for (auto& [name, v] : el_counters.items()) {
      const int c = index_of(name, element_counter_name, kElementCounterCount);
      if (c >= 0) el->counters[c] += v.get<uint32_t>();
    }
    for (const auto& c : cells)
      el->cells.add(c[1].get<uint32_t>() * kSubGrid + c[0].get<uint32_t>(), c[2].get<uint32_t>());
  }
  if (spec.contains("random")) add_random(a, spec["random"]);
  const auto bytes = encode(r);
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  return 0;
}
