// The page view (pageview.h) and the tracker over it (tracker.h) against an expected-output
// table, tests/native/data/pageview_expected.json: scripted inputs with the report bytes
// production sent for them. The table took over from a frozen copy of the former vector-based
// page view and tracker that served as the oracle: it was generated once from production after
// checking that the copy sent the same bytes for every input. Regenerating: table_util.h.
//
// Sections (an entry's input keys, then what is expected for it):
// - pageviews: a PageView driven op by op. Inputs: "bounds" (Bounds fields), "segment", "fold"
//   and "ops":
//     ["add", layer, index, value]        PageView::add
//     ["counter", counter, value]         set_counter (a name, or a number: out of range too)
//     ["element", key, flags]             element()
//     ["element_add", key, counter, value]    find_element(key), then add_element
//     ["element_cell", key, sub_index]        find_element(key), then add_element_cell
//     ["reach", band, pct]                reach
//     ["flush"]                           encode_delta
//   Expected: "returns", one character per op ('1'/'0' what add, element and element_cell
//   returned, '-' when find_element found nothing, '.' for ops without a result), and
//   "deltas", one per flush.
// - sessions: a Tracker fed event records. Inputs: "config" (TrackerConfig fields), "bounds",
//   "segment" and "steps":
//     ["begin", t, viewport_w, viewport_h, document_h]
//     [event, t, a0, ..., a5]   an event record (tracker.h); event is the name of kEvMove ..
//                               kEvInput ("move", "out", "click", "scroll", "reaction", "error",
//                               "visibility", "goal", "input") or a number; trailing zero slots
//                               are left out
//     ["flush", t, final]
//   Expected: "deltas", one per flush.
// A delta is null when nothing was sent, else {"hex": the report bytes, "report": their decoded
// JSON (json/report_json.h), for the reader; compared too}. Numbers that JSON lacks are "nan",
// "inf", "-inf". Scripted cases name what they exercise; the "random ..." cases were drawn once
// from seeded operation and session generators and are plain inputs now.
// Segment: {"site", "page", "width_class", "device", "logged_in", "variant", "tracker_version",
// "tags": [[key, value], ...]}, every field optional.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/pageview.h"
#include "core/tracker.h"
#include "json/report_json.h"
#include "table_util.h"

using namespace thermograph;
using test::Table;

namespace {

constexpr const char* kTableFile = "pageview_expected.json";

double num(const Table& j) {
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    FAIL("not a number: " << s);
  }
  return j.get<double>();
}

template <typename Name, typename Count>
uint32_t index_of(const Table& j, Name name_of, Count n) {
  if (j.is_number()) return j.get<uint32_t>();
  for (uint32_t i = 0; i < uint32_t(n); ++i)
    if (j.get<std::string>() == name_of(static_cast<decltype(n)>(i))) return i;
  FAIL("unknown name " << j.dump());
  return 0;
}
Layer layer_of(const Table& j) {
  return static_cast<Layer>(index_of(j, layer_name, kLayerCount));
}

Bounds bounds_of(const Table& entry) {
  Bounds b;
  const Table j = entry.value("bounds", Table::object());
  for (const auto& [key, value] : j.items()) {
    uint32_t* field = key == "click_cells"           ? &b.click_cells
                      : key == "click_max"           ? &b.click_max
                      : key == "move_cells"          ? &b.move_cells
                      : key == "move_max"            ? &b.move_max
                      : key == "frustration_cells"   ? &b.frustration_cells
                      : key == "frustration_max"     ? &b.frustration_max
                      : key == "attention_max"       ? &b.attention_max
                      : key == "elements"            ? &b.elements
                      : key == "element_cells"       ? &b.element_cells
                      : key == "element_event_max"   ? &b.element_event_max
                      : key == "element_hover_max"   ? &b.element_hover_max
                      : key == "engaged_seconds_max" ? &b.engaged_seconds_max
                                                     : nullptr;
    REQUIRE_MESSAGE(field, "unknown bounds field " << key);
    *field = value.get<uint32_t>();
  }
  return b;
}

TrackerConfig config_of(const Table& entry) {
  TrackerConfig c;
  const Table j = entry.value("config", Table::object());
  for (const auto& [key, value] : j.items()) {
    uint32_t* field = key == "rage_clicks"        ? &c.rage_clicks
                      : key == "rage_radius_px"   ? &c.rage_radius_px
                      : key == "rage_gap_ms"      ? &c.rage_gap_ms
                      : key == "dead_mutation_ms" ? &c.dead_mutation_ms
                      : key == "dead_scroll_ms"   ? &c.dead_scroll_ms
                      : key == "dead_focus_ms"    ? &c.dead_focus_ms
                      : key == "error_window_ms"  ? &c.error_window_ms
                      : key == "max_rest_ms"      ? &c.max_rest_ms
                      : key == "idle_ms"          ? &c.idle_ms
                      : key == "hover_pv_ms"      ? &c.hover_pv_ms
                                                  : nullptr;
    REQUIRE_MESSAGE(field, "unknown config field " << key);
    *field = value.get<uint32_t>();
  }
  return c;
}

FixedSegment segment_of(const Table& entry) {
  FixedSegment s;
  const Table j = entry.value("segment", Table::object());
  for (const auto& [key, value] : j.items()) {
    if (key == "site") {
      s.site = test::bytes_from(value);
    } else if (key == "page") {
      s.page = test::bytes_from(value);
    } else if (key == "variant") {
      s.variant = test::bytes_from(value);
    } else if (key == "width_class") {
      s.width_class = value.get<uint8_t>();
    } else if (key == "device") {
      s.device = value.get<uint8_t>();
    } else if (key == "logged_in") {
      s.logged_in = value.get<bool>();
    } else if (key == "tracker_version") {
      s.tracker_version = value.get<uint16_t>();
    } else if (key == "tags") {
      for (const Table& tag : value)
        s.set_tag(test::bytes_from(tag.at(0)), test::bytes_from(tag.at(1)));
    } else {
      FAIL("unknown segment field " << key);
    }
  }
  return s;
}

// A delta as the table writes it; checks on the way that the bytes decode.
Table delta_json(const uint8_t* bytes, size_t n) {
  if (n == 0) return nullptr;
  Report r;
  const DecodeResult res = decode(bytes, n, r);
  REQUIRE_MESSAGE(res.ok(), res.message);
  return {{"hex", test::to_hex(bytes, n)}, {"report", Table(to_json(r))}};
}

Table run_pageview(const Table& entry) {
  auto pv = std::make_unique<PageView>();
  const FixedSegment seg = segment_of(entry);
  pv->begin(bounds_of(entry), entry.value("fold", 0u));
  std::string returns;
  Table deltas = Table::array();
  std::vector<uint8_t> out(PageView::kMaxDeltaBytes);
  for (const Table& op : entry.at("ops")) {
    const std::string name = op.at(0);
    char r = '.';
    if (name == "add") {
      r = pv->add(layer_of(op.at(1)), op.at(2), op.at(3)) ? '1' : '0';
    } else if (name == "counter") {
      pv->set_counter(
          static_cast<PageCounter>(index_of(op.at(1), page_counter_name, kPageCounterCount)),
          op.at(2));
    } else if (name == "element") {
      r = pv->element(op.at(1), op.at(2)) ? '1' : '0';
    } else if (name == "element_add" || name == "element_cell") {
      PageView::Element* el = pv->find_element(op.at(1));
      if (!el) {
        r = '-';
      } else if (name == "element_add") {
        pv->add_element(*el,
                        static_cast<ElementCounter>(
                            index_of(op.at(2), element_counter_name, kElementCounterCount)),
                        op.at(3));
      } else {
        r = pv->add_element_cell(*el, op.at(2)) ? '1' : '0';
      }
    } else if (name == "reach") {
      pv->reach(op.at(1), op.at(2));
    } else if (name == "flush") {
      deltas.push_back(delta_json(out.data(), pv->encode_delta(seg, out.data())));
    } else {
      FAIL("unknown op " << op.dump());
    }
    returns += r;
  }
  return {{"returns", returns}, {"deltas", deltas}};
}

int event_type(const Table& j) {
  if (j.is_number()) return j.get<int>();
  static const char* const kNames[] = {"move",  "out",        "click", "scroll", "reaction",
                                       "error", "visibility", "goal",  "input"};
  for (int i = 0; i < 9; ++i)
    if (j.get<std::string>() == kNames[i]) return kEvMove + i;
  FAIL("unknown event " << j.dump());
  return 0;
}

// The deltas of a page view that ended with a flush add up to its totals, except what was never
// news: elements admitted without any count, and flags an element gained after its last delta.
void check_deltas_add_up(const Aggregate& sum, const Aggregate& totals) {
  CHECK(sum.counters == totals.counters);
  CHECK(sum.layers == totals.layers);
  for (const auto& [key, el] : totals.elements()) {
    const ElementStats* got = sum.find_element(key);
    if (!got) {
      CHECK(el.empty());
      continue;
    }
    CHECK(got->counters == el.counters);
    CHECK(got->cells == el.cells);
    CHECK((got->flags & ~el.flags) == 0);
  }
}

Table run_session(const Table& entry) {
  auto tr = std::make_unique<Tracker>();
  tr->config() = config_of(entry);
  tr->bounds() = bounds_of(entry);
  tr->segment() = segment_of(entry);
  Table deltas = Table::array();
  std::vector<uint8_t> out(PageView::kMaxDeltaBytes);
  Aggregate sum;
  bool flushed = false;  // the page view's last step was a flush: all of it was sent
  for (const Table& step : entry.at("steps")) {
    const Table& kind = step.at(0);
    if (kind == "begin") {
      if (flushed) check_deltas_add_up(sum, tr->page_view().totals());
      tr->begin(num(step.at(1)), num(step.at(2)), num(step.at(3)), num(step.at(4)));
      sum = Aggregate();
      flushed = false;
    } else if (kind == "flush") {
      const size_t n = tr->flush(num(step.at(1)), step.at(2).get<bool>(), out.data());
      deltas.push_back(delta_json(out.data(), n));
      Report r;
      if (n && decode(out.data(), n, r).ok()) sum.merge(r.data);
      flushed = true;
    } else {
      double ev[kEventSlots] = {};
      ev[0] = event_type(kind);
      REQUIRE(step.size() <= size_t(kEventSlots));
      for (size_t i = 1; i < step.size(); ++i) ev[i] = num(step.at(i));
      tr->apply(ev);
      flushed = false;
    }
  }
  if (flushed) check_deltas_add_up(sum, tr->page_view().totals());
  return {{"deltas", deltas}};
}

bool is_input_key(const std::string& key) {
  return key == "name" || key == "bounds" || key == "segment" || key == "fold" || key == "ops" ||
         key == "config" || key == "steps";
}

using Run = Table (*)(const Table& entry);
struct Section {
  const char* name;
  Run run;
};
constexpr Section kSections[] = {{"pageviews", run_pageview}, {"sessions", run_session}};

}  // namespace

TEST_CASE("pageview table: page views and tracker sessions send the expected bytes") {
  Table table = test::load_table(kTableFile);
  size_t cases = 0;
  for (const Section& section : kSections) {
    for (Table& entry : table.at(section.name)) {
      ++cases;
      const std::string name = entry.value("name", "?");
      CAPTURE(name);
      const Table got = section.run(entry);
      if (test::regenerating()) {
        Table in = Table::object();
        for (const auto& [key, value] : entry.items())
          if (is_input_key(key)) in[key] = value;
        in.update(got);
        entry = in;
        continue;
      }
      // Field by field, delta by delta, so a failure names the first differing delta.
      for (const auto& [key, have] : got.items()) {
        CAPTURE(key);
        REQUIRE(entry.contains(key));
        const Table& want = entry.at(key);
        if (!have.is_array()) {
          CHECK(have.dump() == want.dump());
          continue;
        }
        REQUIRE(have.size() == want.size());
        for (size_t i = 0; i < have.size(); ++i) {
          CAPTURE(i);
          CHECK(have.at(i).dump() == want.at(i).dump());
        }
      }
    }
  }
  CHECK(cases >= 40);
  if (test::regenerating()) {
    test::write_table(kTableFile, table, "deltas");
    MESSAGE("rewrote " << test::table_path(kTableFile) << " (" << cases << " cases)");
  }
}
