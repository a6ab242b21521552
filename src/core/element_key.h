// Element keys: 32-bit hashes of a sanitized structural selector. Every element has two:
// - the specific key (element_key): tag path, stable ids, stable classes, sibling positions;
// - the stable key (stable_element_key): the same path without any class, so it survives A/B
//   variants and deploys that restyle or rename classes (Clarity's alpha/beta hashes).
// The overlay anchors heat by the specific key and falls back to the stable one; comparisons pair
// elements by the stable key. Generated class names (CSS-in-JS hashes) are in neither: the
// selector builder drops them (js/tracker/element.js `stable`), with tokens that have digits.
//
// The tracker and the overlay build the same selector text from the DOM (js/tracker/element.js):
// steps joined by '>', each `tag[#id][.class...][:n]` where :n is the 1-based position among
// same-tag siblings. Here every id/class token is checked again (digits, state classes, PII) and
// dropped when unsafe, so no unstable or personal token ever shapes a key. The text itself is
// never sent: only the hash. `profile` is the PII profile of the token check (pii.h): the visitor
// and the overlay both use kCompact, so the overlay re-anchors on the keys the visitor sent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pii.h"

namespace thermograph {

// The canonical selector after sanitizing (exposed for tests and the overlay's debug view);
// without `classes`, the stable form.
std::string sanitize_selector(std::string_view selector, PiiProfile profile, bool classes = true);
// Both keys in one walk: FNV-1a over the sanitized selector and over its stable form; never 0.
struct ElementKeys {
  uint32_t specific, stable;
};
ElementKeys element_keys(std::string_view selector, PiiProfile profile);
// FNV-1a over the sanitized selector; never 0 (0 means "no element").
uint32_t element_key(std::string_view selector, PiiProfile profile);
// FNV-1a over the stable form (no classes); never 0.
uint32_t stable_element_key(std::string_view selector, PiiProfile profile);

// A token may shape a key: no digits, no state classes, nothing a PII detector matches.
// The JS side pre-filters digits only; this is the authority.
bool is_stable_token(std::string_view token, PiiProfile profile);

}  // namespace thermograph
