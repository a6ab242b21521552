// The visitor module's call interface (src/wasm/visitor.cpp): buffer sizes and the field numbers
// of tg_set_string / tg_set_number. js/tracker reads the buffer sizes at run time from
// tg_limits(), so they have no JS copy at all.
#pragma once

#include <cstdint>

namespace thermograph {

inline constexpr int32_t kEventCapacity = 256;  // events per tg_apply batch
inline constexpr int32_t kScratchBytes = 2048;  // string bytes per call; longer input is cut

enum StringField { kFieldSite = 0, kFieldPage = 1, kFieldVariant = 2, kFieldTag = 3 };
// tg_set_string's answer when a PII detector refused the string: kRefusedPii + PiiRule.
inline constexpr int kRefusedPii = 16;

enum NumberField {
  kNumDevice = 0,
  kNumLoggedIn,
  kNumVersion,
  kNumRageClicks,
  kNumRageRadius,
  kNumRageGap,
  kNumDeadMutation,
  kNumDeadScroll,
  kNumDeadFocus,
  kNumErrorWindow,
  // No setters for the contribution bounds: a page must not be able to loosen what one page
  // view may contribute (the collector's privacy accounting assumes the built-in bounds).
};

}  // namespace thermograph
