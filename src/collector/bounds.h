// Per-page-view contribution bounds, enforced at ingest. A page view's deltas sum to its bounded
// totals, so no single delta may exceed the bounds either. Enforcing them here (not only in the
// tracker) is what lets release() add calibrated noise later: a forged report claiming a million
// page views or clicks is refused instead of swamping a segment.
#pragma once

#include "core/aggregate.h"
#include "core/pageview.h"
#include "expected.h"

namespace thermograph {

// Succeeds when `a` fits in one page view's bounds; else the error says which value is over.
Expected<void> check_bounds(const Aggregate& a, const Bounds& bounds = {});

}  // namespace thermograph

namespace thermograph {

// Defense in depth for reports written by other clients than our tracker: the page key is
// canonicalized again and it, the tags and the variant pass the full PII detectors in every
// variant form (sanitize.h; the visitor's compact profile is stricter, so our own reports come
// out unchanged). Flagged parts are removed, never stored; returns how many were. An unparseable
// page key, or one whose host name is flagged, becomes "" (the caller refuses it).
int sanitize_segment(Segment& s);

}  // namespace thermograph
