// Reference encoder of the wire format over a whole Report (collector, tools, tests). The
// visitor encodes straight from its page view (PageView::encode_delta) with the same primitives.
#include "codec.h"

namespace thermograph {
namespace {

// An upper bound of the encoding, so the writer can fill a pre-sized buffer.
size_t max_size(const Report& r) {
  const Segment& s = r.segment;
  size_t n = 4 + wire::string_max(s.site.size()) + wire::string_max(s.page.size()) + 3 +
             wire::string_max(s.variant.size()) + wire::kMaxVarintBytes + 1;
  for (const Tag& t : s.tags)
    n += wire::string_max(t.key.size()) + wire::string_max(t.value.size());
  n += wire::counters_max(kPageCounterCount) + 1;
  for (const SparseVec& l : r.data.layers) n += 1 + wire::sparse_max(l.size());
  n += wire::kMaxVarintBytes;
  for (const auto& [key, el] : r.data.elements())
    n += 9 + wire::counters_max(kElementCounterCount) + wire::sparse_max(el.cells.size()) +
         el.next.size() * (8 + wire::kMaxVarintBytes);
  n += wire::kMaxVarintBytes;
  return n;
}

void put_sparse(wire::Writer& w, const SparseVec& v) {
  wire::put_sparse(w, v.cells().data(), static_cast<uint32_t>(v.size()));
}

}  // namespace

void encode(const Report& r, std::vector<uint8_t>& out) {
  encode(r, r.kind, out);
}

void encode(const Report& r, ReportKind kind, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  out.resize(start + max_size(r));
  wire::Writer w{out.data() + start};
  w.header(kind);
  const Segment& s = r.segment;
  wire::put_segment(w, s, s.tags, static_cast<uint32_t>(s.tags.size()));

  const Aggregate& a = r.data;
  // A delta's 0/1 counters and journey step counts are 1 (what check_bounds accepts), and their
  // values are left out; an aggregate carries its sums.
  const bool delta = kind == kKindDelta;
  w.counters(a.counters.data(), kPageCounterCount, delta ? kPageFlagCounters : 0);
  uint8_t layers = 0;
  for (const SparseVec& l : a.layers) layers += l.empty() ? 0 : 1;
  w.u8(layers);
  for (uint8_t i = 0; i < kLayerCount; ++i) {
    if (a.layers[i].empty()) continue;
    w.u8(i);
    put_sparse(w, a.layers[i]);
  }
  w.varint(static_cast<uint32_t>(a.elements().size()));
  for (const auto& [key, el] : a.elements()) {
    w.u32le(key);
    w.u8(el.flags | (el.stable ? kElWireStableKey : 0));
    if (el.stable) w.u32le(el.stable);
    w.counters(el.counters.data(), kElementCounterCount, delta ? kElementFlagCounters : 0);
    put_sparse(w, el.cells);
  }
  // Journey steps: every (element, next element) pair, then (an aggregate) their counts in the
  // same order.
  uint32_t steps = 0;
  for (const auto& [key, el] : a.elements()) steps += static_cast<uint32_t>(el.next.size());
  w.varint(steps);
  for (const auto& [key, el] : a.elements())
    for (const auto& c : el.next.cells()) {
      w.u32le(key);
      w.u32le(c.index);
    }
  for (const auto& [key, el] : a.elements())
    for (const auto& c : el.next.cells())
      if (!delta) w.varint(c.value);
  out.resize(static_cast<size_t>(w.p - out.data()));
}

std::vector<uint8_t> encode_v5(const Report& report) {
  std::vector<uint8_t> out;
  encode(report, kKindAggregate, out);  // an aggregate's layout is version 5's
  out[2] = 5;
  out[3] = report.kind;
  return out;
}

std::string delta_shape_error(const Report& r) {
  const auto over = [](const std::string& what, uint32_t v) {
    return what + " is " + std::to_string(v) + ": one page view's delta holds 0 or 1";
  };
  for (uint32_t i = 0; i < kPageCounterCount; ++i)
    if (kPageFlagCounters >> i & 1 && r.data.counters[i] > 1)
      return over(std::string("page counter ") + page_counter_name(PageCounter(i)),
                  r.data.counters[i]);
  for (const auto& [key, el] : r.data.elements()) {
    for (uint32_t i = 0; i < kElementCounterCount; ++i)
      if (kElementFlagCounters >> i & 1 && el.counters[i] > 1)
        return over("element " + std::to_string(key) + " counter " +
                        element_counter_name(ElementCounter(i)),
                    el.counters[i]);
    for (const auto& c : el.next.cells())
      if (c.value > 1)
        return over("journey step " + std::to_string(key) + " -> " + std::to_string(c.index),
                    c.value);
  }
  return {};
}

std::vector<uint8_t> encode(const Report& report) {
  std::vector<uint8_t> out;
  encode(report, out);
  return out;
}

}  // namespace thermograph
