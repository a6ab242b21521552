// The designer's module: one coarse Overlay object over the renderer and the aggregate it reads.
// JS holds exactly one handle and delete()s it on close; everything else crosses as plain values
// (numbers, strings, fresh JS objects), so nothing else needs freeing. Pixels stay in wasm memory
// and are exposed as a view that JS wraps right before putImageData (memory may grow later).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "core/codec.h"
#include "core/element_key.h"
#include "core/render.h"

using emscripten::val;

namespace thermograph {
namespace {

int g_live = 0;  // Overlay objects alive: the ownership test reads it

struct OverlayOptions {
  int layer = kLayerClicks;
  int scale = static_cast<int>(Scale::kLog);
  float radius = 40;
  bool anchored = true;
};

class Overlay {
 public:
  Overlay() {
    ++g_live;
    renderer_.set_data(&report_.data);
  }
  ~Overlay() { --g_live; }
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;

  // Decodes the collector's binary aggregate; returns "" or the decoder's precise message.
  std::string load(const std::string& bytes) {
    DecodeLimits limits;  // merged aggregates are far larger than one page view's report
    limits.max_cells_per_layer = 1u << 24;
    limits.max_elements = 1u << 20;
    Report r;
    const auto res =
        decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), r, limits);
    if (!res.ok()) return res.message.empty() ? decode_status_name(res.status) : res.message;
    report_ = std::move(r);
    renderer_.set_data(&report_.data);
    return "";
  }

  void set_options(const OverlayOptions& o) {
    renderer_.set_options({static_cast<Layer>(o.layer < 0 ? 0 : o.layer),
                           static_cast<Scale>(o.scale >= 0 && o.scale <= 2 ? o.scale : 1), o.radius,
                           o.anchored});
  }

  // `flat` is a Float64Array of [key, x, y, w, h] per element found on the live page.
  void set_anchors(const val& flat) {
    const auto v = emscripten::convertJSArrayToNumberVector<double>(flat);
    std::vector<Anchor> anchors;
    anchors.reserve(v.size() / 5);
    for (size_t i = 0; i + 4 < v.size(); i += 5)
      anchors.push_back({static_cast<uint32_t>(v[i]), float(v[i + 1]), float(v[i + 2]),
                         float(v[i + 3]), float(v[i + 4])});
    renderer_.set_anchors(std::move(anchors));
  }

  // Renders and returns a view of the pixels; valid until the next call into the module.
  val render(double scroll_x, double scroll_y, int width, int height) {
    const uint32_t w = width > 0 ? std::min(width, 16384) : 0;
    const uint32_t h = height > 0 ? std::min(height, 65536) : 0;
    pixels_.resize(size_t(w) * h * 4);
    renderer_.render({scroll_x, scroll_y, w, h}, pixels_.data());
    return val(emscripten::typed_memory_view(pixels_.size(), pixels_.data()));
  }

  val info() const {
    const Segment& s = report_.segment;
    const Aggregate& a = report_.data;
    val o = val::object();
    o.set("site", s.site);
    o.set("page", s.page);
    o.set("widthClass", s.width_class);
    o.set("device", s.device);
    o.set("variant", s.variant);
    for (uint8_t c = 0; c < kPageCounterCount; ++c)
      o.set(page_counter_name(static_cast<PageCounter>(c)), a.counters[c]);
    o.set("elementCount", a.elements().size());
    return o;
  }

  val elements() const {
    val list = val::array();
    int i = 0;
    for (const auto& [key, el] : report_.data.elements()) {
      val e = val::object();
      e.set("key", key);
      e.set("flags", el.flags);
      for (uint8_t c = 0; c < kElementCounterCount; ++c)
        e.set(element_counter_name(static_cast<ElementCounter>(c)), el.counters[c]);
      e.set("heat", static_cast<double>(el.cells.sum()));
      list.set(i++, e);
    }
    return list;
  }

  val legend() {
    val list = val::array();
    int i = 0;
    for (const LegendStop& s : renderer_.legend()) {
      val o = val::object();
      o.set("t", s.t);
      o.set("value", s.value);
      o.set("rgba", s.rgba);
      list.set(i++, o);
    }
    return list;
  }

  val reach_markers() const {
    const ReachMarkers m = renderer_.reach_markers();
    val o = val::object();
    o.set("p75", m.p75);
    o.set("p50", m.p50);
    o.set("p25", m.p25);
    o.set("fold", m.fold);
    return o;
  }

  val anchor_stats() const {
    const AnchorStats s = renderer_.anchor_stats();
    val o = val::object();
    o.set("total", s.total);
    o.set("anchored", s.anchored);
    o.set("elements", s.elements);
    o.set("found", s.found);
    return o;
  }

 private:
  Report report_;
  Renderer renderer_;
  std::vector<uint8_t> pixels_;
};

uint32_t element_key_js(const std::string& selector) {
  return element_key(selector);
}
int live_overlays() {
  return g_live;
}

}  // namespace
}  // namespace thermograph

EMSCRIPTEN_BINDINGS(thermograph_overlay) {
  using namespace thermograph;
  emscripten::value_object<OverlayOptions>("OverlayOptions")
      .field("layer", &OverlayOptions::layer)
      .field("scale", &OverlayOptions::scale)
      .field("radius", &OverlayOptions::radius)
      .field("anchored", &OverlayOptions::anchored);
  emscripten::class_<Overlay>("Overlay")
      .constructor<>()
      .function("load", &Overlay::load)
      .function("setOptions", &Overlay::set_options)
      .function("setAnchors", &Overlay::set_anchors)
      .function("render", &Overlay::render)
      .function("info", &Overlay::info)
      .function("elements", &Overlay::elements)
      .function("legend", &Overlay::legend)
      .function("reachMarkers", &Overlay::reach_markers)
      .function("anchorStats", &Overlay::anchor_stats);
  emscripten::function("elementKey", &element_key_js);
  emscripten::function("liveOverlays", &live_overlays);
}
