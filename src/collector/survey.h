// Micro-surveys (issue 21): visitors' one-question answers, counts only. POST /api/survey is a
// public visitor endpoint like POST /r (site key, Origin check, per-client rate limit); GET
// /api/surveys and the dashboard read the counts with the read token. docs/collector.md,
// "Micro-surveys".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "http_common.h"

namespace thermograph {

// What one answer may be, and what a site may hold. A body holds a page key (at most
// kMaxPageKeyBytes) and four short fields.
inline constexpr size_t kMaxSurveyBodyBytes = 1024;
inline constexpr size_t kMaxSurveyKeysPerSite = 10000;  // distinct (page, survey, element)

// POST /api/survey?site=S: {"page": PAGE_KEY, "survey": LABEL, "element": U32, "answer":
// "yes" | "no" | 1..5}. 204 when stored.
void post_survey(Context& ctx, const Request& req, Response& res);

// GET /api/surveys?site=S[&page=P] with the read token.
void get_surveys(Context& ctx, const Request& req, Response& res);

// Released counts grouped per page and survey, each with its elements:
// [{"page", "surveys": [{"survey", "answers": {"yes": n, ...}, "total", "elements":
// [{"element": "28edad55" | null, "label"?, "answers", "total"}]}]}]. With DP on, every count
// (page, survey, element, answer) gets discrete Laplace noise of scale 1/epsilon (one answer per
// page view: sensitivity 1) before anything is summed; an element whose released total is below
// --min-page-views is left out. `labels`: element names by (page, key), may be empty.
nlohmann::json surveys_json(const std::vector<SurveyCount>& counts, const ReleasePolicy& policy,
                            const std::map<std::pair<std::string, uint32_t>, std::string>& labels);

}  // namespace thermograph
