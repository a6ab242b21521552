// Wire format v1 primitives: the one definition of how varints, strings, counter blocks, sparse
// cell lists and the report header are laid out (docs/wire-format.md). Both encoders use them:
// codec_encode.cpp (the reference encoder over Report, used by the collector and tests) and
// PageView::encode_delta (the visitor's allocation-free encoder).
//
// The writer has no bounds checks: every caller sizes its buffer from a computed worst case, so
// the visitor's hot path carries no growth or error branches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace thermograph::wire {

inline constexpr uint8_t kMagic0 = 'T';
inline constexpr uint8_t kMagic1 = 'G';
// Version 2 added an element's stable key (element flag bit 2), version 3 the click_pv layer
// (id 9), version 4 behaviour counters (page counters 9-12, element counters 11-20: hesitation,
// exposure, form fields), version 5 journeys (the list of steps after the elements, the route_from
// layer 10), version 6 leaner deltas (a 0/1 counter is its mask bit alone, a journey step has no
// count: both are 1); decoders read 1 to 6.
inline constexpr uint8_t kVersion = 6;
inline constexpr uint8_t kMinVersion = 1;

// Worst-case sizes for buffer bounds.
inline constexpr size_t kMaxVarintBytes = 5;
inline constexpr size_t kMaxCellBytes = 3 * kMaxVarintBytes;  // a (gap, len - 1, value) run
inline constexpr size_t string_max(size_t max_len) {
  return kMaxVarintBytes + max_len;
}
inline constexpr size_t sparse_max(size_t cells) {
  return kMaxVarintBytes + cells * kMaxCellBytes;
}
inline constexpr size_t counters_max(size_t n) {
  return kMaxVarintBytes * (n + 1);
}

inline uint32_t varint_size(uint32_t v) {
  uint32_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Bit i set: counter i differs from what was sent, unless bit i of `hold` is set.
inline uint32_t changed_mask(const uint32_t* total, const uint32_t* sent, uint32_t n,
                             uint32_t hold) {
  uint32_t mask = 0;
  for (uint32_t i = 0; i < n; ++i)
    if (total[i] != sent[i]) mask |= 1u << i;
  return mask & ~hold;
}

struct Writer {
  uint8_t* p;

  void u8(uint32_t v) { *p++ = static_cast<uint8_t>(v); }
  void u32le(uint32_t v) {
    for (int i = 0; i < 4; ++i, v >>= 8) *p++ = static_cast<uint8_t>(v);
  }
  void varint(uint32_t v) {  // LEB128
    while (v >= 0x80) {
      *p++ = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<uint8_t>(v);
  }
  // Pointer and length rather than a string_view: FixedString's conversion to one returns it
  // through memory in the visitor's wasm, at every string of every report.
  void string(const char* s, size_t n) {
    varint(static_cast<uint32_t>(n));
    std::memcpy(p, s, n);
    p += n;
  }
  void header(uint8_t kind) {
    u8(kMagic0);
    u8(kMagic1);
    u8(kVersion);
    u8(kind);
  }
  // A presence mask, then the non-zero counters in order, but for those whose bit is set in
  // `ones` (a delta's 0/1 counters: their bit says 1).
  void counters(const uint32_t* c, uint32_t n, uint32_t ones) {
    uint32_t mask = 0;
    for (uint32_t i = 0; i < n; ++i)
      if (c[i]) mask |= 1u << i;
    varint(mask);
    for (uint32_t i = 0; i < n; ++i)
      if (mask >> i & ~ones >> i & 1) varint(c[i]);
  }
  // The same block for the unsent parts (total - sent) of cumulative counters, marking them sent:
  // one pass and no copy of the deltas (PageView::encode_delta). Returns whether any was unsent.
  // Writes the counters that changed since `sent` and marks them sent; counters whose bit is
  // set in `hold` are neither written nor marked, those in `ones` (0/1 per page view) are their
  // mask bit alone.
  bool counters_delta(const uint32_t* total, uint32_t* sent, uint32_t n, uint32_t ones,
                      uint32_t hold = 0) {
    const uint32_t mask = changed_mask(total, sent, n, hold);
    varint(mask);
    for (uint32_t i = 0; i < n; ++i)
      if (mask >> i & 1) {
        if (!(ones >> i & 1)) varint(total[i] - sent[i]);
        sent[i] = total[i];
      }
    return mask != 0;
  }
};

// The segment block. `S` is Segment (std::string fields) or FixedSegment (fixed arrays); both
// expose the same field names, their strings data() and size(); `tags` is any range of
// {key, value}.
template <typename S, typename Tags>
void put_segment(Writer& w, const S& s, const Tags& tags, uint32_t ntags) {
  w.string(s.site.data(), s.site.size());
  w.string(s.page.data(), s.page.size());
  w.u8(s.width_class);
  w.u8(s.device);
  w.u8((s.logged_in ? 1 : 0) | (s.second_tag ? 2 : 0));
  w.string(s.variant.data(), s.variant.size());
  w.varint(s.tracker_version);
  w.u8(ntags);
  for (uint32_t i = 0; i < ntags; ++i) {
    w.string(tags[i].key.data(), tags[i].key.size());
    w.string(tags[i].value.data(), tags[i].value.size());
  }
}

// One past the last cell of the run starting at i: a function of its own, not a capturing
// lambda, whose captures the visitor's wasm kept in a stack frame.
template <typename Cell>
uint32_t run_end(const Cell* cells, uint32_t n, uint32_t i) {
  uint32_t j = i + 1;
  while (j < n && cells[j].index == cells[j - 1].index + 1 && cells[j].value == cells[i].value) ++j;
  return j;
}

// A sparse cell list: `cells` sorted by strictly increasing index, no zero values; `Cell` has
// `index` and `value`. Header = entries << 1 | runs. Runs of equal values over consecutive
// indexes (reach curves, filled bands) cost one (gap, len - 1, value) entry; the form with fewer
// bytes wins, pairs on a tie.
template <typename Cell>
void put_sparse(Writer& w, const Cell* cells, uint32_t n) {
  // Both sizes in one walk over the runs: a run's first cell has the same gap in both forms,
  // and its other cells, as pairs, a gap of 0 (one byte) and the same value each.
  uint32_t pair_bytes = 0, run_bytes = 0, runs = 0, next = 0;
  for (uint32_t i = 0, j; i < n; i = j, ++runs) {
    j = run_end(cells, n, i);
    const uint32_t value_bytes = varint_size(cells[i].value);
    const uint32_t first = varint_size(cells[i].index - next) + value_bytes;
    run_bytes += first + varint_size(j - i - 1);
    pair_bytes += first + (j - i - 1) * (1 + value_bytes);
    next = cells[j - 1].index + 1;
  }
  const bool use_runs = run_bytes < pair_bytes;
  w.varint(use_runs ? runs << 1 | 1 : n << 1);
  next = 0;
  for (uint32_t i = 0; i < n;) {
    const uint32_t j = use_runs ? run_end(cells, n, i) : i + 1;
    w.varint(cells[i].index - next);
    if (use_runs) w.varint(j - i - 1);
    w.varint(cells[i].value);
    next = cells[i].index + (j - i);
    i = j;
  }
}

}  // namespace thermograph::wire
