// POST /api/anchoring: the overlay's re-anchoring figure for the page it just anchored. The
// numbers come from the designer's browser (Renderer::anchor_stats), so every one is range- and
// consistency-checked here, and the page must be a canonical page key of the site's origins, as
// stored by ingest. A refusal stores nothing. docs/collector.md, "Re-anchoring accuracy".
#include <cmath>
#include <ctime>
#include <optional>

#include "anchoring.h"
#include "read_api.h"

namespace thermograph {
namespace {

const char* const kShape =
    "body must be {\"page\": PAGE_KEY, \"elements\": N, \"found\": F, \"missing_share\": X}";

// A JSON integer in [lo, hi], or nullopt.
std::optional<uint32_t> integer_in(const nlohmann::json& v, uint32_t lo, uint32_t hi) {
  if (v.is_number_unsigned()) {
    const auto n = v.get<uint64_t>();
    if (n >= lo && n <= hi) return static_cast<uint32_t>(n);
  } else if (v.is_number_integer()) {
    const auto n = v.get<int64_t>();
    if (n >= int64_t{lo} && n <= int64_t{hi}) return static_cast<uint32_t>(n);
  }
  return std::nullopt;
}

Expected<AnchoringFigure, HttpError> parse(const std::string& text, const SiteRecord& site) {
  const auto body = nlohmann::json::parse(text, nullptr, false);
  if (!body.is_object()) return HttpError{400, "bad_request", kShape};
  for (const char* k : {"page", "elements", "found", "missing_share"})
    if (!body.contains(k)) return HttpError{400, "bad_request", kShape};
  if (!body["page"].is_string()) return HttpError{400, "bad_request", kShape};
  for (const char* k : {"elements", "found", "missing_share"})
    if (!body[k].is_number())
      return HttpError{400, "bad_request", std::string(k) + " must be a number"};

  AnchoringFigure f;
  const auto elements = integer_in(body["elements"], 1, kMaxAnchoringElements);
  if (!elements)
    return HttpError{400, "out_of_range",
                     "elements must be an integer 1.." + std::to_string(kMaxAnchoringElements)};
  f.elements = *elements;
  const auto found = integer_in(body["found"], 0, f.elements);
  if (!found) return HttpError{400, "out_of_range", "found must be an integer 0..elements"};
  f.found = *found;
  f.missing_share = body["missing_share"].get<double>();
  if (!std::isfinite(f.missing_share) || f.missing_share < 0 || f.missing_share > 1)
    return HttpError{400, "out_of_range", "missing_share must be a number 0..1"};
  // Every element found leaves no heat unplaced.
  if (f.found == f.elements && f.missing_share != 0)
    return HttpError{400, "out_of_range", "missing_share must be 0 when every element was found"};

  auto page = overlay_page_key(body["page"].get<std::string>(), site);
  if (!page) return page.error();
  f.page = std::move(*page);
  f.measured_unix = static_cast<int64_t>(std::time(nullptr));
  return f;
}

}  // namespace

void post_anchoring(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return send_error(res, site.error());
  if (req.body.size() > kMaxAnchoringBodyBytes)
    return send_error(res, 413, "too_large",
                      "an anchoring figure is at most " + std::to_string(kMaxAnchoringBodyBytes) +
                          " bytes of JSON");
  auto figure = parse(req.body, *site);
  if (!figure) return send_error(res, figure.error());
  if (!ctx.store.put_anchoring(site->key, *figure, kMaxAnchoredPagesPerSite)) {
    res.set_content(nlohmann::json{{"stored", false},
                                   {"reason", "site_full"},
                                   {"message", "the site holds figures for " +
                                                   std::to_string(kMaxAnchoredPagesPerSite) +
                                                   " pages already; new pages are not stored"}}
                            .dump() +
                        "\n",
                    "application/json");
    return;
  }
  res.set_content(nlohmann::json{{"stored", true}, {"page", figure->page}}.dump() + "\n",
                  "application/json");
}

nlohmann::json anchoring_json(const AnchoringFigure& f) {
  const time_t t = static_cast<time_t>(f.measured_unix);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {{"elements", f.elements},
          {"found", f.found},
          {"missing_share", f.missing_share},
          {"checked", when}};
}

}  // namespace thermograph
