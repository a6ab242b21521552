// Element keys: a 32-bit hash of a sanitized structural selector.
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

// The canonical selector after sanitizing (exposed for tests and the overlay's debug view).
std::string sanitize_selector(std::string_view selector, PiiProfile profile);
// FNV-1a over the sanitized selector; never 0 (0 means "no element").
uint32_t element_key(std::string_view selector, PiiProfile profile);

// A token may shape a key: no digits, no state classes, nothing a PII detector matches.
// The JS side pre-filters digits only; this is the authority.
bool is_stable_token(std::string_view token, PiiProfile profile);

}  // namespace thermograph
