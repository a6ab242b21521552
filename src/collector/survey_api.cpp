// Micro-survey answers (survey.h). An answer is checked as strictly as a report: a bounded body,
// JSON of one exact shape, a label for the survey id, an answer from the fixed set, and a page key
// canonicalised and PII-checked exactly as ingest does it (sanitize_segment's page rules) and of
// the site's own origins. No free text is taken at all. A refusal stores nothing.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "bounds.h"
#include "core/dp.h"
#include "core/page_key.h"
#include "core/pii.h"
#include "crypto.h"
#include "names.h"
#include "read_api.h"
#include "sanitize.h"
#include "survey.h"

namespace thermograph {
namespace {

const char* const kShape =
    "body must be {\"page\": PAGE_KEY, \"survey\": LABEL, \"element\": 0..4294967295, "
    "\"answer\": \"yes\" | \"no\" | 1..5}";

Expected<SurveyCount, HttpError> parse(const std::string& text, const SiteRecord& site,
                                       bool& pii_removed) {
  const auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded())
    return HttpError{400, "bad_json", "body is not JSON; " + std::string(kShape)};
  if (!body.is_object() || body.size() != 4) return HttpError{400, "bad_request", kShape};
  for (const char* k : {"page", "survey", "element", "answer"})
    if (!body.contains(k)) return HttpError{400, "bad_request", kShape};
  SurveyCount a;
  const auto& survey = body["survey"];
  if (!survey.is_string() || !is_label(survey.get<std::string>()) ||
      find_pii_variants(survey.get<std::string>()) != PiiRule::kNone)
    return HttpError{400, "bad_survey",
                     "survey must be a label (1-32 letters, digits, _ . : -, no PII)"};
  a.survey = survey.get<std::string>();
  const auto& element = body["element"];
  if (!element.is_number_unsigned() || element.get<uint64_t>() > kU32Max)
    return HttpError{400, "bad_element", "element must be an integer 0..4294967295"};
  a.element = static_cast<uint32_t>(element.get<uint64_t>());
  const auto& answer = body["answer"];
  if (answer.is_string() && (answer == "yes" || answer == "no")) {
    a.answer = answer.get<std::string>();
  } else if (answer.is_number_unsigned() && answer.get<uint64_t>() >= 1 &&
             answer.get<uint64_t>() <= 5) {
    a.answer = std::to_string(answer.get<uint64_t>());
  } else {
    return HttpError{400, "bad_answer", "answer must be \"yes\", \"no\" or an integer 1..5"};
  }
  if (!body["page"].is_string()) return HttpError{400, "bad_request", kShape};
  // The page as ingest stores it: canonicalised, PII-looking segments templated, index
  // documents folded; an unparseable key or a flagged host is refused.
  Segment seg;
  seg.page = body["page"].get<std::string>();
  if (seg.page.size() > kMaxPageKeyBytes)
    return HttpError{400, "bad_page", "page key longer than " + std::to_string(kMaxPageKeyBytes)};
  pii_removed = sanitize_segment(seg) > 0;
  if (seg.page.empty()) return HttpError{400, "bad_page", "page is empty or not a page key"};
  if (!page_in_origins(seg.page, site.origins))
    return HttpError{400, "foreign_page",
                     "the page key's origin is not one of this site's origins"};
  a.page = std::move(seg.page);
  return a;
}

}  // namespace

void post_survey(Context& ctx, const Request& req, Response& res) {
  auto refuse = [&](const HttpError& e) {
    ctx.ingest.count("survey_" + e.reason);
    send_error(res, e);
  };
  // remote_addr feeds the in-memory bucket only (the one reports use); never stored or logged.
  if (const auto wait = ctx.limiter.take(req.remote_addr))
    return refuse(HttpError{429,
                            "rate_limited",
                            "too many requests from this client; retry later",
                            {{"Retry-After", std::to_string(*wait)}}});
  const auto site = ctx.sites.find(req.get_param_value("site"));
  if (!site) return refuse(HttpError{403, "unknown_site", "unknown site key"});
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty()) {
    if (!ctx.sites.origin_allowed(*site, origin))
      return refuse(HttpError{403, "origin_not_allowed",
                              "origin " + origin + " is not configured for this site"});
    allow_origin(res, origin);
  }
  if (req.body.size() > kMaxSurveyBodyBytes)
    return refuse(HttpError{
        413, "too_large",
        "a survey answer is at most " + std::to_string(kMaxSurveyBodyBytes) + " bytes of JSON"});
  bool pii_removed = false;
  auto answer = parse(req.body, *site, pii_removed);
  if (!answer) return refuse(answer.error());
  if (pii_removed) ctx.ingest.count("survey_pii_removed");
  if (!ctx.store.add_survey_answer(site->key, *answer, today_utc(), kMaxSurveyKeysPerSite)) {
    ctx.ingest.count(site_stat(site->key, "survey_site_full"));
    return refuse(HttpError{429, "site_full",
                            "the site holds answers for " + std::to_string(kMaxSurveyKeysPerSite) +
                                " (page, survey, element) keys already; new keys are not stored"});
  }
  ctx.ingest.count("survey_answers");
  res.status = 204;
}

nlohmann::json surveys_json(const std::vector<SurveyCount>& counts, const ReleasePolicy& policy,
                            const std::map<std::pair<std::string, uint32_t>, std::string>& labels) {
  // page -> survey -> element -> answer -> released count. Noise first, on the finest counts
  // (each answer of a page view is in exactly one), then every sum is post-processing.
  std::map<std::string, std::map<std::string, std::map<uint32_t, std::map<std::string, uint64_t>>>>
      tree;
  SecureRandom rng;
  for (const SurveyCount& c : counts) {
    uint64_t n = c.count;
    if (policy.epsilon > 0) {
      const int64_t noisy = int64_t(n) + sample_discrete_laplace(1.0 / policy.epsilon, rng);
      n = noisy > 0 ? uint64_t(noisy) : 0;
    }
    tree[c.page][c.survey][c.element][c.answer] = n;
  }
  auto total_of = [](const std::map<std::string, uint64_t>& answers) {
    uint64_t t = 0;
    for (const auto& [a, n] : answers) t += n;
    return t;
  };
  nlohmann::json pages = nlohmann::json::array();
  for (const auto& [page, surveys] : tree) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [survey, elements] : surveys) {
      std::map<std::string, uint64_t> sum;
      nlohmann::json els = nlohmann::json::array();
      for (const auto& [element, answers] : elements) {
        const uint64_t total = total_of(answers);
        if (total == 0 || total < policy.min_page_views) continue;  // withheld
        nlohmann::json e{{"element", nullptr}, {"answers", answers}, {"total", total}};
        if (element != 0) {
          char hex[9];
          std::snprintf(hex, sizeof hex, "%08x", element);
          e["element"] = hex;
          if (const auto it = labels.find({page, element}); it != labels.end())
            e["label"] = it->second;
        }
        for (const auto& [a, n] : answers) sum[a] += n;
        els.push_back(std::move(e));
      }
      if (els.empty()) continue;
      list.push_back(
          {{"survey", survey}, {"answers", sum}, {"total", total_of(sum)}, {"elements", els}});
    }
    if (!list.empty()) pages.push_back({{"page", page}, {"surveys", list}});
  }
  return pages;
}

void get_surveys(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return send_error(res, site.error());
  std::optional<std::string> page;
  if (req.has_param("page")) page = fold_index_document(req.get_param_value("page"));
  // The read API's dates; answers carry no width, device, variant, sign-in or tags, so those
  // filters do not apply (and are not refused).
  const auto days = parse_days({req, ""});
  if (!days) return send_error(res, 400, "bad_request", days.error().message);
  const auto counts = ctx.store.survey_counts(site->key, page, days->first, days->second);
  nlohmann::json j{
      {"site", site->key},
      {"pages", surveys_json(counts, ctx.policy, element_labels(ctx.store, site->key))}};
  if (ctx.policy.epsilon > 0)
    j["privacy"] = {{"epsilon", ctx.policy.epsilon},
                    {"noise", "discrete Laplace, scale 1/epsilon, on every answer count"}};
  res.set_content(j.dump() + "\n", "application/json");
}

}  // namespace thermograph
