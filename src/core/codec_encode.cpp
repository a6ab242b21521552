// Encoder half of the wire format (the visitor module links only this half).
#include <cstring>

#include "codec.h"

namespace thermograph {
namespace {

size_t varint_size(uint32_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_varint(std::vector<uint8_t>& out, uint32_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put_varint(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

// Runs of equal values over consecutive indexes (reach curves, filled bands) cost one entry.
template <typename F>
void for_each_run(const SparseVec& v, F&& f) {
  const auto& c = v.cells();
  for (size_t i = 0; i < c.size();) {
    size_t j = i + 1;
    while (j < c.size() && c[j].index == c[j - 1].index + 1 && c[j].value == c[i].value) ++j;
    f(c[i].index, static_cast<uint32_t>(j - i), c[i].value);
    i = j;
  }
}

void put_sparse(std::vector<uint8_t>& out, const SparseVec& v) {
  size_t pair_bytes = 0, run_bytes = 0, runs = 0;
  uint32_t next = 0;
  for (const auto& c : v.cells()) {
    pair_bytes += varint_size(c.index - next) + varint_size(c.value);
    next = c.index + 1;
  }
  next = 0;
  for_each_run(v, [&](uint32_t index, uint32_t len, uint32_t value) {
    run_bytes += varint_size(index - next) + varint_size(len - 1) + varint_size(value);
    next = index + len;
    ++runs;
  });
  next = 0;
  if (run_bytes < pair_bytes) {
    put_varint(out, static_cast<uint32_t>(runs << 1 | 1));
    for_each_run(v, [&](uint32_t index, uint32_t len, uint32_t value) {
      put_varint(out, index - next);
      put_varint(out, len - 1);
      put_varint(out, value);
      next = index + len;
    });
  } else {
    put_varint(out, static_cast<uint32_t>(v.size() << 1));
    for (const auto& c : v.cells()) {
      put_varint(out, c.index - next);
      put_varint(out, c.value);
      next = c.index + 1;
    }
  }
}

template <size_t N>
void put_counters(std::vector<uint8_t>& out, const std::array<uint32_t, N>& counters) {
  uint32_t mask = 0;
  for (size_t i = 0; i < N; ++i)
    if (counters[i]) mask |= 1u << i;
  put_varint(out, mask);
  for (size_t i = 0; i < N; ++i)
    if (counters[i]) put_varint(out, counters[i]);
}

}  // namespace

void encode(const Report& r, std::vector<uint8_t>& out) {
  out.push_back(kMagic0);
  out.push_back(kMagic1);
  out.push_back(kWireVersion);
  out.push_back(r.kind);

  const Segment& s = r.segment;
  put_string(out, s.site);
  put_string(out, s.page);
  out.push_back(s.width_class);
  out.push_back(s.device);
  out.push_back(s.logged_in ? 1 : 0);
  put_string(out, s.variant);
  put_varint(out, s.tracker_version);
  out.push_back(static_cast<uint8_t>(s.tags.size()));
  for (const Tag& t : s.tags) {
    put_string(out, t.key);
    put_string(out, t.value);
  }

  const Aggregate& a = r.data;
  put_counters(out, a.counters);
  uint8_t layers = 0;
  for (const SparseVec& l : a.layers) layers += l.empty() ? 0 : 1;
  out.push_back(layers);
  for (uint8_t i = 0; i < kLayerCount; ++i) {
    if (a.layers[i].empty()) continue;
    out.push_back(i);
    put_sparse(out, a.layers[i]);
  }
  put_varint(out, static_cast<uint32_t>(a.elements().size()));
  for (const auto& [key, el] : a.elements()) {
    uint8_t k[4] = {static_cast<uint8_t>(key), static_cast<uint8_t>(key >> 8),
                    static_cast<uint8_t>(key >> 16), static_cast<uint8_t>(key >> 24)};
    out.insert(out.end(), k, k + 4);
    out.push_back(el.flags);
    put_counters(out, el.counters);
    put_sparse(out, el.cells);
  }
}

std::vector<uint8_t> encode(const Report& report) {
  std::vector<uint8_t> out;
  encode(report, out);
  return out;
}

}  // namespace thermograph
