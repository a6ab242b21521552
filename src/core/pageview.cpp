#include "pageview.h"

#include <algorithm>
#include <cstring>

namespace thermograph {
namespace {

// One delta cell in wire order, as put_sparse reads it.
struct IndexValue {
  uint32_t index;
  uint32_t value;
};

// SparseVec::add semantics over a sorted fixed array: first-come admission of at most
// `max_cells` indexes, values clamped to `max_value`.
bool add_cell(DeltaCell* cells, uint32_t& n, uint32_t max_cells, uint32_t index, uint32_t v,
              uint32_t max_value) {
  if (v == 0) return true;
  uint32_t i = 0;
  while (i < n && cells[i].index < index) ++i;
  if (i < n && cells[i].index == index) {
    cells[i].total = min_of(sat_add(cells[i].total, v), max_value);
    return true;
  }
  if (n >= max_cells || max_value == 0) return false;
  std::memmove(cells + i + 1, cells + i, (n - i) * sizeof(DeltaCell));
  cells[i] = {index, min_of(v, max_value), 0};
  ++n;
  return true;
}

bool cells_pending(const DeltaCell* cells, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    if (cells[i].total != cells[i].sent) return true;
  return false;
}

// Moves the unsent part of every cell into `out`; returns how many cells had one.
uint32_t take_cells(DeltaCell* cells, uint32_t n, IndexValue* out) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (cells[i].total == cells[i].sent) continue;
    out[k++] = {cells[i].index, cells[i].total - cells[i].sent};
    cells[i].sent = cells[i].total;
  }
  return k;
}

// Byte order of a[0, an) and b as string_view::compare (unsigned bytes, then length): <0, 0 or
// >0. A plain loop: string_view's comparison operators pull char_traits::compare into the wasm
// (nul_at, pageview.h, does the NUL checks). `a` as pointer and length: a stored tag key
// converted to a string_view came back through a stack slot at every step.
int order(const char* a, size_t an, std::string_view b) {
  for (size_t i = 0; i < an && i < b.size(); ++i)
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]);
  return an < b.size() ? -1 : an > b.size();
}

}  // namespace

size_t fixed_assign(char* data, size_t max, const char* s, size_t size) {
  size_t n = nul_at(s, size);
  if (n > max) {
    n = max;
    while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xc0) == 0x80) --n;
  }
  std::memcpy(data, s, n);
  return n;
}

bool FixedSegment::set_tag(std::string_view key, std::string_view value) {
  if (key.empty() || key.size() > kMaxShortStringBytes || value.size() > kMaxShortStringBytes ||
      nul_at(key) < key.size() || nul_at(value) < value.size())
    return false;
  uint32_t i = 0;
  int c = 1;  // the order of tags[i] against key, once i stops
  while (i < ntags && (c = order(tags[i].key.data(), tags[i].key.size(), key)) < 0) ++i;
  if (i < ntags && c == 0) {
    tags[i].value = value;
    return true;
  }
  if (ntags >= kMaxTags) return false;
  for (uint32_t j = ntags; j > i; --j) tags[j] = tags[j - 1];
  tags[i].key = key;
  tags[i].value = value;
  ++ntags;
  return true;
}

void PageView::begin(uint32_t fold_px) {
  std::memset(static_cast<void*>(static_cast<detail::PageViewCounts*>(this)), 0,
              sizeof(detail::PageViewCounts));
  total_[kPageViews] = 1;
  total_[kFoldSum] = min_of<uint32_t>(fold_px, 1u << 16);
}

// The reach layers are cumulative prefixes: they change only through reach().
bool PageView::add(Layer layer, uint32_t index, uint32_t value) {
  if (layer >= kLayerCount || index >= layer_index_limit(layer) || !kLayerCapacity[layer])
    return false;
  const Caps caps = layer_caps(bounds_, layer);
  return add_cell(layer_cells(layer), ncells_[layer], min_of(caps.cells, kLayerCapacity[layer]),
                  index, value, caps.value);
}

void PageView::set_counter(PageCounter c, uint32_t value) {
  if (c < kPageCounterCount) total_[c] = max_of(total_[c], value);
}

PageView::Element* PageView::find_element(uint32_t key) {
  for (uint32_t i = 0; i < nelements_; ++i)
    if (elements_[order_[i]].key == key) return &elements_[order_[i]];
  return nullptr;
}

PageView::Element* PageView::element(uint32_t key, uint8_t flags) {
  Element* el = find_element(key);
  if (!el) {
    if (nelements_ >= min_of(bounds_.elements, kMaxElements)) return nullptr;
    uint32_t i = 0;
    while (i < nelements_ && elements_[order_[i]].key < key) ++i;
    std::memmove(order_ + i + 1, order_ + i, nelements_ - i);
    order_[i] = static_cast<uint8_t>(nelements_);
    el = &elements_[nelements_++];
    std::memset(el, 0, offsetof(Element, cells));
    el->key = key;
    // Its first delta carries the stable key, unless it equals the key (no classes).
    const uint32_t* c = stable_cache_[key % kStableCache];
    if (c[0] == key && c[1] != key) el->stable = c[1];
  }
  el->flags |= flags & kElFlagMask;
  return el;
}

void PageView::add_element(Element& el, ElementCounter c, uint32_t value) {
  if (c >= kElementCounterCount) return;
  el.total[c] = min_of(sat_add(el.total[c], value), element_counter_cap(bounds_, c));
}

bool PageView::add_element_cell(Element& el, uint32_t sub_index) {
  if (sub_index >= kSubGrid * kSubGrid) return false;
  return add_cell(el.cells, el.ncells, min_of(bounds_.element_cells, kMaxElementCells), sub_index,
                  1, bounds_.element_event_max);
}

void PageView::add_transition(uint32_t from, uint32_t to) {
  const uint64_t step = from | uint64_t{to} << 32;
  for (uint32_t i = 0; i < nsteps_; ++i)
    if (steps_[i] == step) return;
  if (nsteps_ < min_of(bounds_.transitions, kMaxTransitions)) steps_[nsteps_++] = step;
}

void PageView::reach(uint32_t band, uint32_t pct) {
  reach_px_ = max_of(reach_px_, min_of(band, kMaxBands - 1) + 1);
  reach_pct_ = max_of(reach_pct_, min_of(pct, kPctBuckets - 1) + 1);
}

// A paragraph's "hovered, never clicked" tells a designer nothing the move layer does not, and
// such entries were a fifth of a typical report. A later click sends the hover held so far, so
// the element's hesitation and pv_hover_clicked stay whole.
uint32_t PageView::held(const Element& el) {
  return (el.flags & kElInteractive) || el.total[kElClicks]
             ? 0
             : (1u << kElHover) | (1u << kElPvHovered);
}

size_t PageView::encode_delta(const FixedSegment& segment, uint8_t* out) {
  wire::Writer w{out};
  w.header(kKindDelta);
  wire::put_segment(w, segment, segment.tags, segment.ntags);

  bool any = w.counters_delta(total_, sent_, kPageCounterCount, kPageFlagCounters);

  uint8_t* const layer_count = w.p++;  // one byte, filled in once the layers are written
  uint8_t nlayers = 0;
  IndexValue cells[kMaxBands];  // the largest layer
  for (uint32_t l = 0; l < kLayerCount; ++l) {
    uint32_t n = 0;
    if (l == kLayerReachPx || l == kLayerReachPct) {
      uint32_t& total = l == kLayerReachPx ? reach_px_ : reach_pct_;
      uint32_t& sent = l == kLayerReachPx ? reach_px_sent_ : reach_pct_sent_;
      for (uint32_t i = sent; i < total; ++i) cells[n++] = {i, 1};
      sent = total;
    } else {
      n = take_cells(layer_cells(l), ncells_[l], cells);
    }
    if (n == 0) continue;
    w.u8(l);
    wire::put_sparse(w, cells, n);
    ++nlayers;
  }
  *layer_count = nlayers;

  // An element that gained nothing since the last delta is not repeated; its flags were sent.
  auto pending = [](const Element& el) {
    return wire::changed_mask(el.total, el.sent, kElementCounterCount, held(el)) ||
           cells_pending(el.cells, el.ncells);
  };
  uint32_t nchanged = 0;
  for (uint32_t i = 0; i < nelements_; ++i) nchanged += pending(elements_[i]);
  w.varint(nchanged);
  for (uint32_t i = 0; i < nelements_; ++i) {
    Element& el = elements_[order_[i]];
    if (!pending(el)) continue;
    w.u32le(el.key);
    // The stable key rides along once per page view: the collector keeps it with the element.
    w.u8(el.flags | (el.stable ? kElWireStableKey : 0));
    if (el.stable) w.u32le(el.stable);
    el.stable = 0;
    w.counters_delta(el.total, el.sent, kElementCounterCount, kElementFlagCounters, held(el));
    wire::put_sparse(w, cells, take_cells(el.cells, el.ncells, cells));
  }
  // Journey steps: the pairs not sent yet (u32le from, u32le to each); a delta leaves out their
  // page-view counts (wire version 6: 1 each).
  const uint32_t nsteps = nsteps_ - nsteps_sent_;
  w.varint(nsteps);
  std::memcpy(w.p, steps_ + nsteps_sent_, nsteps * 8);
  w.p += nsteps * 8;
  nsteps_sent_ = nsteps_;
  any = any || nlayers || nchanged || nsteps;
  return any ? static_cast<size_t>(w.p - out) : 0;
}

}  // namespace thermograph
