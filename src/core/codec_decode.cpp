// Decoder half of the wire format: every length, count, index and value is checked before use.
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "codec.h"

namespace thermograph {

const char* decode_status_name(DecodeStatus s) {
  switch (s) {
    case DecodeStatus::kOk:
      return "ok";
    case DecodeStatus::kTruncated:
      return "truncated";
    case DecodeStatus::kBadMagic:
      return "bad_magic";
    case DecodeStatus::kBadVersion:
      return "bad_version";
    case DecodeStatus::kBadKind:
      return "bad_kind";
    case DecodeStatus::kBadVarint:
      return "bad_varint";
    case DecodeStatus::kBadString:
      return "bad_string";
    case DecodeStatus::kOutOfRange:
      return "out_of_range";
    case DecodeStatus::kTooMany:
      return "too_many";
    case DecodeStatus::kNotSorted:
      return "not_sorted";
    case DecodeStatus::kZeroValue:
      return "zero_value";
    case DecodeStatus::kReservedBits:
      return "reserved_bits";
    case DecodeStatus::kTrailingBytes:
      return "trailing_bytes";
  }
  return "unknown";
}

namespace {

bool valid_utf8(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n;) {
    uint8_t c = p[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      if (c == 0) return false;
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (p[i + k] & 0x3f);
    }
    static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

// What a field is called in an error message: a string, or a callable that builds one. Messages
// name the exact entry ("layer 'move' entry 12 gap"); building that text for every cell of every
// report cost more than decoding it, so callers pass a lambda and the text is built on failure.
// Type-erased (a pointer and a function), so the checks are compiled once, not per caller: the
// overlay's wasm carries this decoder too. Refers to the caller's lambda: use it within the call.
class What {
 public:
  What(const char* text) : obj_(text), fn_(&from_text) {}  // NOLINT: implicit, like a string
  template <class F, class = std::enable_if_t<std::is_invocable_r_v<std::string, const F&>>>
  What(const F& f)  // NOLINT: implicit, so a lambda can be passed where a name is expected
      : obj_(&f), fn_([](const void* o) { return (*static_cast<const F*>(o))(); }) {}
  std::string str() const { return fn_(obj_); }

 private:
  static std::string from_text(const void* o) { return static_cast<const char*>(o); }
  const void* obj_;
  std::string (*fn_)(const void*);
};

class Reader {
 public:
  Reader(const uint8_t* p, size_t n, DecodeResult& r) : p_(p), n_(n), r_(r) {}

  bool failed() const { return !r_.ok(); }
  size_t remaining() const { return n_ - pos_; }
  size_t pos() const { return pos_; }

  bool fail(DecodeStatus s, const std::string& what) {
    if (r_.ok()) {
      r_.status = s;
      r_.offset = pos_;
      r_.message =
          std::string(decode_status_name(s)) + " at byte " + std::to_string(pos_) + ": " + what;
    }
    return false;
  }

  bool u8(uint8_t& v, const char* what) {
    if (pos_ >= n_) return fail(DecodeStatus::kTruncated, std::string("expected ") + what);
    v = p_[pos_++];
    return true;
  }

  bool u32le(uint32_t& v, const char* what) {
    if (remaining() < 4) return fail(DecodeStatus::kTruncated, std::string("expected ") + what);
    v = p_[pos_] | p_[pos_ + 1] << 8 | p_[pos_ + 2] << 16 |
        static_cast<uint32_t>(p_[pos_ + 3]) << 24;
    pos_ += 4;
    return true;
  }

  // LEB128, at most 5 bytes, canonical (no redundant trailing zero groups), fits in 32 bits.
  bool varint(uint32_t& v, What what) {
    uint64_t acc = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (pos_ >= n_) return fail(DecodeStatus::kTruncated, "expected " + what.str());
      uint8_t b = p_[pos_++];
      acc |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        if (shift > 0 && b == 0)
          return fail(DecodeStatus::kBadVarint, "overlong varint in " + what.str());
        if (acc > kU32Max)
          return fail(DecodeStatus::kBadVarint, "varint over 32 bits in " + what.str());
        v = static_cast<uint32_t>(acc);
        return true;
      }
    }
    return fail(DecodeStatus::kBadVarint, "varint longer than 5 bytes in " + what.str());
  }

  bool str(std::string& s, size_t max, const char* what) {
    uint32_t len = 0;
    if (!varint(len, [&] { return std::string(what) + " length"; })) return false;
    if (len > max)
      return fail(DecodeStatus::kOutOfRange, std::string(what) + " is " + std::to_string(len) +
                                                 " bytes, limit " + std::to_string(max));
    if (len > remaining())
      return fail(DecodeStatus::kTruncated, std::string(what) + " needs " + std::to_string(len) +
                                                " bytes, " + std::to_string(remaining()) + " left");
    if (!valid_utf8(p_ + pos_, len))
      return fail(DecodeStatus::kBadString, std::string(what) + " is not valid UTF-8");
    s.assign(reinterpret_cast<const char*>(p_ + pos_), len);
    pos_ += len;
    return true;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  DecodeResult& r_;
};

bool read_sparse(Reader& rd, SparseVec& v, uint64_t limit, uint32_t max_cells, What name) {
  const auto what = [&] { return name.str(); };
  uint32_t header = 0;
  if (!rd.varint(header, [&] { return what() + " cell count"; })) return false;
  const uint32_t count = header >> 1;
  const bool runs = header & 1;
  // Every entry takes at least 2 bytes (pairs) or 3 (runs): refuse counts the body cannot hold.
  if (count > rd.remaining() / (runs ? 3 : 2))
    return rd.fail(DecodeStatus::kTruncated, what() + " claims " + std::to_string(count) +
                                                 " entries, only " +
                                                 std::to_string(rd.remaining()) + " bytes left");
  if (count > max_cells)
    return rd.fail(DecodeStatus::kTooMany, what() + " has " + std::to_string(count) +
                                               " entries, limit " + std::to_string(max_cells));
  v.clear();
  v.reserve(count);
  uint64_t next = 0, cells = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t gap = 0, len = 0, value = 0;
    const auto at = [&] { return what() + " entry " + std::to_string(i); };
    if (!rd.varint(gap, [&] { return at() + " gap"; })) return false;
    if (runs && !rd.varint(len, [&] { return at() + " run length"; })) return false;
    if (!rd.varint(value, [&] { return at() + " value"; })) return false;
    const uint64_t start = next + gap, end = start + len + 1;
    if (end > limit)
      return rd.fail(DecodeStatus::kOutOfRange, at() + " reaches index " + std::to_string(end - 1) +
                                                    ", limit " + std::to_string(limit));
    if (value == 0) return rd.fail(DecodeStatus::kZeroValue, at() + " has value 0");
    cells += len + 1;
    if (cells > max_cells)
      return rd.fail(DecodeStatus::kTooMany,
                     what() + " expands past " + std::to_string(max_cells) + " cells");
    for (uint64_t idx = start; idx < end; ++idx)
      v.push_back_unchecked(static_cast<uint32_t>(idx), value);
    next = end;
  }
  return true;
}

// `known`: the counters the report's wire version has (version 4 added some); `ones`: those
// whose mask bit alone says 1 (a version-6 delta's 0/1 counters).
template <size_t N>
bool read_counters(Reader& rd, std::array<uint32_t, N>& c, uint32_t known, uint32_t ones,
                   What name) {
  static_assert(N < 32);
  const auto what = [&] { return name.str(); };
  uint32_t mask = 0;
  if (!rd.varint(mask, [&] { return what() + " counter mask"; })) return false;
  if (mask >> known)
    return rd.fail(DecodeStatus::kReservedBits, what() + " counter mask sets unknown counters");
  for (size_t i = 0; i < N; ++i) {
    c[i] = mask >> i & 1;
    if (!(mask >> i & ~ones >> i & 1)) continue;
    if (!rd.varint(c[i], [&] { return what() + " counter " + std::to_string(i); })) return false;
    if (c[i] == 0)
      return rd.fail(DecodeStatus::kZeroValue, what() + " counter " + std::to_string(i) + " is 0");
  }
  return true;
}

bool read_segment(Reader& rd, Segment& s, ReportKind kind) {
  uint8_t flags, ntags;
  uint32_t version = 0;
  if (!rd.str(s.site, kMaxShortStringBytes, "site key") ||
      !rd.str(s.page, kMaxPageKeyBytes, "page key") || !rd.u8(s.width_class, "width class") ||
      !rd.u8(s.device, "device") || !rd.u8(flags, "segment flags"))
    return false;
  // Enums are range-checked: 255 (kMixed) only in aggregates, which merge several segments.
  const bool mixed_ok = kind == kKindAggregate;
  if (s.width_class >= kWidthClasses && !(mixed_ok && s.width_class == kMixed))
    return rd.fail(DecodeStatus::kOutOfRange,
                   "width class " + std::to_string(s.width_class) + " is unknown");
  if (s.device > kDevicePen && !(mixed_ok && s.device == kMixed))
    return rd.fail(DecodeStatus::kOutOfRange, "device " + std::to_string(s.device) + " is unknown");
  if (flags & ~3u) return rd.fail(DecodeStatus::kReservedBits, "segment flags set reserved bits");
  s.logged_in = flags & 1;
  s.second_tag = flags & 2;
  if (!rd.str(s.variant, kMaxShortStringBytes, "variant") || !rd.varint(version, "tracker version"))
    return false;
  if (version > 0xffff) return rd.fail(DecodeStatus::kOutOfRange, "tracker version over 65535");
  s.tracker_version = static_cast<uint16_t>(version);
  if (!rd.u8(ntags, "tag count")) return false;
  if (ntags > kMaxTags)
    return rd.fail(DecodeStatus::kTooMany,
                   std::to_string(ntags) + " tags, limit " + std::to_string(kMaxTags));
  s.tags.assign(ntags, Tag{});
  for (uint8_t i = 0; i < ntags; ++i) {
    if (!rd.str(s.tags[i].key, kMaxShortStringBytes, "tag key") ||
        !rd.str(s.tags[i].value, kMaxShortStringBytes, "tag value"))
      return false;
    if (s.tags[i].key.empty()) return rd.fail(DecodeStatus::kBadString, "empty tag key");
    if (i > 0 && !(s.tags[i - 1].key < s.tags[i].key))
      return rd.fail(DecodeStatus::kNotSorted, "tag keys not strictly sorted");
  }
  return true;
}

// Journey steps (version 5): n (u32le from, u32le to) pairs, then n varint counts, which a
// version-6 delta leaves out (1 each). Each pair goes to its from element's `next` (the element is
// created when this report has no other news of it).
bool read_steps(Reader& rd, Aggregate& a, const DecodeLimits& limits, bool counted) {
  uint32_t n = 0;
  if (!rd.varint(n, "journey step count")) return false;
  if (n > rd.remaining() / (counted ? 9 : 8))
    return rd.fail(DecodeStatus::kTruncated, std::to_string(n) + " journey steps cannot fit in " +
                                                 std::to_string(rd.remaining()) + " bytes");
  if (n > limits.max_transitions)
    return rd.fail(DecodeStatus::kTooMany, std::to_string(n) + " journey steps, limit " +
                                               std::to_string(limits.max_transitions));
  std::vector<std::pair<uint32_t, uint32_t>> pairs(n);
  for (auto& [from, to] : pairs) {
    if (!rd.u32le(from, "journey step from") || !rd.u32le(to, "journey step to")) return false;
    if (from == 0 || to == 0 || from == to)
      return rd.fail(DecodeStatus::kOutOfRange, "journey step " + std::to_string(from) + " -> " +
                                                    std::to_string(to) +
                                                    " is not a step between two elements");
  }
  for (const auto& pair : pairs) {
    const uint32_t from = pair.first, to = pair.second;  // lambdas cannot capture bindings (C++20)
    uint32_t count = 1;
    const auto what = [&] {
      return "journey step " + std::to_string(from) + " -> " + std::to_string(to);
    };
    if (counted && !rd.varint(count, [&] { return what() + " count"; })) return false;
    if (count == 0) return rd.fail(DecodeStatus::kZeroValue, what() + " count is 0");
    ElementStats* el = a.element(from, limits.max_elements);
    if (!el)
      return rd.fail(DecodeStatus::kTooMany, what() + " names an element past the limit of " +
                                                 std::to_string(limits.max_elements));
    if (el->next.get(to)) return rd.fail(DecodeStatus::kNotSorted, what() + " is repeated");
    el->next.add(to, count);
  }
  return true;
}

}  // namespace

DecodeResult decode(const uint8_t* data, size_t size, Report& out, const DecodeLimits& limits) {
  DecodeResult result;
  Reader rd(data, size, result);
  out = Report{};
  uint8_t m0, m1, version, kind;
  if (!rd.u8(m0, "magic") || !rd.u8(m1, "magic")) return result;
  if (m0 != kMagic0 || m1 != kMagic1) {
    rd.fail(DecodeStatus::kBadMagic, "not a Thermograph report (magic is not 'TG')");
    // The magic starts at byte 0; the reader had already consumed both bytes.
    result.offset = 0;
    result.message = "bad_magic at byte 0: not a Thermograph report (magic is not 'TG')";
    return result;
  }
  if (!rd.u8(version, "version")) return result;
  if (version < wire::kMinVersion || version > kWireVersion) {
    rd.fail(DecodeStatus::kBadVersion,
            "got wire version " + std::to_string(version) + ", this decoder reads versions " +
                std::to_string(wire::kMinVersion) + " to " + std::to_string(kWireVersion));
    return result;
  }
  if (!rd.u8(kind, "kind")) return result;
  if (kind > kKindAggregate) {
    rd.fail(DecodeStatus::kBadKind, "report kind " + std::to_string(kind) + " is unknown");
    return result;
  }
  out.kind = static_cast<ReportKind>(kind);
  if (!read_segment(rd, out.segment, out.kind)) return result;

  Aggregate& a = out.data;
  const bool lean = version >= 6 && out.kind == kKindDelta;
  if (!read_counters(rd, a.counters, version >= 4 ? uint32_t{kPageCounterCount} : kPageCountersV3,
                     lean ? kPageFlagCounters : 0, "page"))
    return result;
  uint8_t nlayers;
  if (!rd.u8(nlayers, "layer count")) return result;
  int prev = -1;
  for (uint8_t i = 0; i < nlayers; ++i) {
    uint8_t id;
    if (!rd.u8(id, "layer id")) return result;
    if (id >= (version >= 5 ? kLayerCount : version >= 3 ? kLayerRouteFrom : kLayerClickPv)) {
      rd.fail(DecodeStatus::kOutOfRange, "layer id " + std::to_string(id) + " is unknown");
      return result;
    }
    if (id <= prev) {
      rd.fail(DecodeStatus::kNotSorted, "layer ids not strictly increasing");
      return result;
    }
    prev = id;
    const Layer layer = static_cast<Layer>(id);
    if (!read_sparse(rd, a.layers[id], layer_index_limit(layer), limits.max_cells_per_layer,
                     [&] { return std::string("layer '") + layer_name(layer) + "'"; }))
      return result;
  }
  uint32_t nelements = 0;
  if (!rd.varint(nelements, "element count")) return result;
  if (nelements > rd.remaining() / 7) {  // key + flags + mask + cell count take >= 7 bytes
    rd.fail(DecodeStatus::kTruncated, std::to_string(nelements) + " elements cannot fit in " +
                                          std::to_string(rd.remaining()) + " bytes");
    return result;
  }
  if (nelements > limits.max_elements) {
    rd.fail(DecodeStatus::kTooMany,
            std::to_string(nelements) + " elements, limit " + std::to_string(limits.max_elements));
    return result;
  }
  uint64_t prev_key = 0;
  for (uint32_t i = 0; i < nelements; ++i) {
    uint32_t key = 0;
    const auto what = [&] { return "element " + std::to_string(i); };
    if (!rd.u32le(key, "element key")) return result;
    if (i > 0 && key <= prev_key) {
      rd.fail(DecodeStatus::kNotSorted, what() + " key not strictly increasing");
      return result;
    }
    prev_key = key;
    ElementStats& el = a.push_element_unchecked(key);
    if (!rd.u8(el.flags, "element flags")) return result;
    const uint8_t allowed = version >= 2 ? kElFlagMask | kElWireStableKey : kElFlagMask;
    if (el.flags & ~allowed) {
      rd.fail(DecodeStatus::kReservedBits, what() + " flags set reserved bits");
      return result;
    }
    if (el.flags & kElWireStableKey) {
      el.flags &= kElFlagMask;
      if (!rd.u32le(el.stable, "element stable key")) return result;
      if (el.stable == 0) {
        rd.fail(DecodeStatus::kOutOfRange, what() + " stable key is 0");
        return result;
      }
    }
    if (!read_counters(rd, el.counters,
                       version >= 4 ? uint32_t{kElementCounterCount} : kElementCountersV3,
                       lean ? kElementFlagCounters : 0, what) ||
        !read_sparse(rd, el.cells, kSubGrid * kSubGrid, limits.max_element_cells,
                     [&] { return what() + " cells"; }))
      return result;
  }
  if (version >= 5 && !read_steps(rd, a, limits, !lean)) return result;
  if (rd.remaining() != 0)
    rd.fail(DecodeStatus::kTrailingBytes,
            std::to_string(rd.remaining()) + " bytes after the report");
  return result;
}

}  // namespace thermograph
