// The visitor module: plain C exports over one Tracker, no Emscripten glue and no imports
// beyond memory growth notification. js/tracker/wasm.js instantiates it directly.
//
// Calls pass numbers only. Events arrive in batches through a shared Float64 buffer
// (8 slots per event), strings through a small byte buffer, and the encoded report leaves
// through an output buffer, so a page view costs a handful of boundary crossings per second.
//
// Everything is static and fixed-size (the Tracker's page view included): the module has no
// allocator, so no allocation path can fail or grow memory.
#include "wasm/visitor.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/element_key.h"
#include "core/page_key.h"
#include "core/pageview.h"
#include "core/pii.h"
#include "core/tracker.h"

#define TG_EXPORT(name) extern "C" __attribute__((export_name(name)))

namespace {

using namespace thermograph;

// The visitor's PII profile (pii.h): page keys, element keys, variant and tags. The overlay
// module uses the same one, so it re-anchors on the keys computed here.
constexpr PiiProfile kProfile = PiiProfile::kCompact;

double g_events[kEventCapacity * kEventSlots];
char g_scratch[kScratchBytes];
uint8_t g_out[PageView::kMaxDeltaBytes];
constinit Tracker g_tracker;  // constant-initialized: no constructor runs at load

std::string_view scratch(uint32_t len) {
  return {g_scratch, len < kScratchBytes ? len : kScratchBytes};
}

}  // namespace

TG_EXPORT("tg_events") double* tg_events() {
  return g_events;
}
TG_EXPORT("tg_scratch") char* tg_scratch() {
  return g_scratch;
}
TG_EXPORT("tg_out") const uint8_t* tg_out() {
  return g_out;
}

TG_EXPORT("tg_begin") void tg_begin(double t, double vw, double vh, double dh) {
  g_tracker.begin(t, vw, vh, dh);
}

// Returns the micro-survey triggers raised since the last call (kSignal*), -1 for a bad count.
TG_EXPORT("tg_apply") int tg_apply(int n) {
  if (n < 0 || n > kEventCapacity) return -1;
  for (int i = 0; i < n; ++i) g_tracker.apply(g_events + i * kEventSlots);
  return static_cast<int>(g_tracker.take_signals());
}

// For a micro-survey answer (js/survey): the element key of the frustration click that raised the
// latest signal (0: none), taken and cleared.
TG_EXPORT("tg_signal_key") uint32_t tg_signal_key() {
  return g_tracker.take_signal_key();
}

// Strings come in the scratch buffer; FixedSegment truncates them to their bounds. A tag is
// "key\0value". Returns 0 when accepted, 1 when refused (empty, too long, or more than 8 tags),
// kRefusedPii + PiiRule when a PII detector matched. The page is the exception: its canonical key
// is copied back to the scratch buffer and its length returned (0: refused), so the micro-survey
// widget (js/survey) can send the key the reports carry without a raw URL leaving the page.
uint32_t g_page_hash = 0;  // route_hash of the page key set last

TG_EXPORT("tg_set_string") int tg_set_string(int field, uint32_t len) {
  const std::string_view s = scratch(len);
  // Page and tag strings come in two parts, "a\0b": split once here for both. Views built in
  // place: not returned by helpers (a returned string_view goes through a stack slot), not by
  // substr() (its range check would link abort() and with it the module's only import).
  const size_t split = nul_at(s);
  const bool two = split < s.size();
  const size_t rest = two ? split + 1 : split;
  const std::string_view first(s.data(), split), second(s.data() + rest, s.size() - rest);
  FixedSegment& seg = g_tracker.segment();
  switch (field) {
    case kFieldSite:
      seg.site = s;
      return 0;
    case kFieldPage: {
      // "origin\0pathname+search" as the browser parsed them -> origin + templated path +
      // allow-listed query (page_key.h). The fragment is never passed in.
      if (!two) return 0;
      char key[kMaxPageKeyBytes];
      const size_t n =
          canonical_page_key_from_origin(first, second, kDefaultQueryAllowList, kProfile, key);
      // An SPA navigation to another page: the page it leaves is where the next one came from
      // (none before the first page view: g_page_hash is 0).
      const uint32_t to = route_hash(key, n);
      g_tracker.set_route_from(to != g_page_hash ? g_page_hash : 0);
      g_page_hash = to;
      seg.page.assign(key, n);
      __builtin_memcpy(g_scratch, key, n);  // n <= kMaxPageKeyBytes < kScratchBytes
      return static_cast<int>(n);
    }
    case kFieldVariant:
      if (const PiiRule rule = find_pii(s, kProfile); rule != PiiRule::kNone)
        return kRefusedPii + int(rule);
      seg.variant = s;
      return 0;
    case kFieldTag: {
      if (!two) return 1;
      // A tag that looks personal is refused whole (the key's rule first); JS names the rule,
      // never the value.
      PiiRule rule = find_pii(first, kProfile);
      if (rule == PiiRule::kNone) rule = find_pii(second, kProfile);
      if (rule != PiiRule::kNone) return kRefusedPii + int(rule);
      return seg.set_tag(first, second) ? 0 : 1;
    }
    default:
      return 1;
  }
}

TG_EXPORT("tg_set_number") void tg_set_number(int field, double value) {
  if (!(value >= 0) || value > 1e9) return;
  const auto v = static_cast<uint32_t>(value);
  Tracker& tr = g_tracker;
  switch (field) {
    case kNumDevice:
      tr.segment().device = v <= kDevicePen ? v : kDeviceUnknown;
      break;
    case kNumLoggedIn:
      tr.segment().logged_in = v != 0;
      break;
    case kNumSecondTag:
      tr.segment().second_tag = v != 0;
      break;
    case kNumVersion:
      tr.segment().tracker_version = v & 0xffff;
      break;
    default: {
      // A threshold: TrackerConfig is an array of uint32_t in all but name.
      static_assert(sizeof(TrackerConfig) % sizeof(uint32_t) == 0 &&
                    offsetof(TrackerConfig, rage_clicks) == 0);
      const uint32_t i = static_cast<uint32_t>(field - kNumConfig);
      if (i < sizeof(TrackerConfig) / sizeof(uint32_t))
        reinterpret_cast<uint32_t*>(&tr.config())[i] = i == 0 && v < 2 ? 2 : v;  // rage: 2+
      break;
    }
  }
}

// The specific key, for the events; the stable key stays here for the page view to send.
TG_EXPORT("tg_element_key") uint32_t tg_element_key(uint32_t len) {
  const ElementKeys k = element_keys(scratch(len), kProfile);
  g_tracker.remember_stable_key(k.specific, k.stable);
  return k.specific;
}

// Encodes the delta since the last flush; returns its length (0: nothing new).
TG_EXPORT("tg_flush") uint32_t tg_flush(double t, int final) {
  return static_cast<uint32_t>(g_tracker.flush(t, final != 0, g_out));
}
