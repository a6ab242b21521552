// The collector's re-check of every text a report carries (page key, variant, tags), on top of
// the core's full-profile detectors. find_pii sees text as written (percent-decoded); a client
// that is not our tracker can hide a value from it in a variant form: digits split by `_` or `.`
// (`4111_1111_1111_1111`, `+44_20_7946_0958`), a value glued to a word
// (`078-05-1121-receipt`, `name%40example.org-receipt`), or PII in the host name. Here each text
// is normalised into a few forms and the full detector runs on each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/pii.h"

namespace thermograph {

// The first rule the full detector reports for any form of `text`:
//   1. as written (find_pii percent-decodes up to twice);
//   2. percent-decoded, `-` and `_` read as spaces (words split: `078 05 1121 receipt`);
//   3. the same with `.` also read as a space (`4111 1111 1111 1111`);
//   4. percent-decoded, the separators `-` `_` `.` and space between two digits removed
//      (`4111111111111111`) and a space put between letters and a digit run or `+`
//      (`receipt 4111111111111111`, `call +442079460958`).
// Forms 2-4 only matter for text with a digit or an `@`; other text is checked once.
PiiRule find_pii_variants(std::string_view text);

// The page key as stored: canonical_page_key (id-like segments templated, query outside the
// allow-list dropped), then every path segment a form above flags becomes `:id` and every
// allow-listed query parameter whose value a form flags is dropped. A host name flagged in any
// form gives "" (a host cannot be templated; IP literals are left to the origin check).
// `changed` is incremented once per change, canonicalisation included.
std::string sanitize_page_key(std::string_view page, int& changed);

// "scheme://host[:port]" of a canonical page key; "" when it has none.
std::string_view page_origin(std::string_view page_key);

// Whether the canonical `page_key` lies under one of a site's `origins` (as normalize_origin
// writes them: a default port compares equal to none).
bool page_in_origins(std::string_view page_key, const std::vector<std::string>& origins);

}  // namespace thermograph
