// POST /api/names: element names a designer's overlay computed on the live page, so the dashboard
// and the CSV can say "'Start free trial' button" instead of 28edad55. Visitors never send text;
// this endpoint needs the site's read token. Every name is checked here again (the overlay has
// already masked what its own detectors flag): interactive roles only, a label-sized name, no
// control characters, nothing the full PII detectors flag. docs/collector.md, "Element names".
#include <set>

#include "core/page_key.h"
#include "core/pii.h"
#include "names.h"
#include "read_api.h"
#include "sanitize.h"

namespace thermograph {
namespace {

constexpr size_t kMaxNamesPerRequest = 500;
constexpr size_t kMaxNamesPerSite = 20000;
constexpr size_t kMaxNameBytes = 64;

// Roles of elements people click (js/overlay/names.js names them so); headings, images and
// landmarks are not interactive and their text is more often content than a label.
const std::set<std::string> kRoles = {
    "button", "link",     "menu",   "text field", "checkbox", "radio button", "slider",
    "tab",    "menuitem", "switch", "option",     "combobox", "disclosure",   "searchbox"};

std::optional<uint32_t> parse_key(const std::string& hex) {
  if (hex.size() != 8 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    return std::nullopt;
  return static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
}

// Why a name is refused, or "" when it may be stored.
std::string check_name(const std::string& name) {
  if (name.empty()) return "empty";
  if (name.size() > kMaxNameBytes) return "too_long";
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return "control_character";
  if (find_pii(name, PiiProfile::kFull) != PiiRule::kNone) return "pii";
  return "";
}

}  // namespace

std::string csv_quote(const std::string& field) {
  std::string out = "\"";
  if (!field.empty() && std::string("=+-@").find(field[0]) != std::string::npos) out += '\'';
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string element_label(const ElementName& n) {
  return "'" + n.name + "' " + n.role;
}

std::map<std::pair<std::string, uint32_t>, std::string> element_labels(Store& store,
                                                                       const std::string& site) {
  std::map<std::pair<std::string, uint32_t>, std::string> out;
  for (const ElementName& n : store.element_names(site)) out[{n.page, n.key}] = element_label(n);
  return out;
}

void post_names(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return send_error(res, site.error());
  const auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("page") || !body["page"].is_string() ||
      !body.contains("names") || !body["names"].is_array())
    return send_error(
        res, 400, "bad_request",
        "body must be {\"page\": PAGE_KEY, \"names\": [{\"key\", \"role\", \"name\"}]}");
  auto checked = overlay_page_key(body["page"].get<std::string>(), *site);
  if (!checked) return send_error(res, checked.error());
  const std::string& page = *checked;
  if (body["names"].size() > kMaxNamesPerRequest)
    return send_error(res, 413, "too_many_names",
                      "at most " + std::to_string(kMaxNamesPerRequest) + " names per request");
  std::vector<ElementName> ok;
  nlohmann::json refused = nlohmann::json::array();
  for (const auto& n : body["names"]) {
    const auto field = [&](const char* k) {
      return n.is_object() && n.contains(k) && n[k].is_string() ? n[k].get<std::string>() : "";
    };
    const std::string hex = field("key"), role = field("role"), name = field("name");
    const auto key = parse_key(hex);
    std::string why = !key                  ? "bad_key"
                      : !kRoles.count(role) ? "role_not_interactive"
                                            : check_name(name);
    if (!why.empty()) {
      refused.push_back({{"key", hex.substr(0, 8)}, {"reason", why}});
      continue;
    }
    ok.push_back({page, *key, role, name});
  }
  const size_t stored = ctx.store.put_element_names(site->key, ok, kMaxNamesPerSite);
  if (stored < ok.size())
    refused.push_back({{"reason", "site_full"},
                       {"count", ok.size() - stored},
                       {"message", "the site holds " + std::to_string(kMaxNamesPerSite) +
                                       " element names already; new keys were not stored"}});
  res.set_content(nlohmann::json{{"stored", stored}, {"refused", refused}}.dump() + "\n",
                  "application/json");
}

}  // namespace thermograph
