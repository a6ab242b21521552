// The PII detectors, page keys and element keys of both profiles (pii.h) against an expected-
// output table, tests/native/data/pii_expected.json: inputs with the verdicts production gave.
// The table took over from a frozen copy of the original detectors that served as the oracle:
// it was generated once from production after checking that the copy agreed on every input
// (full profile), and its compact columns agreed with the former compile-time compact build.
// Regenerating: see table_util.h.
//
// Sections (an entry's input keys, then what is expected for it, per profile "full"/"compact"):
// - texts: "text" -> find_pii's rule, every for_each_pii match [rule, match], is_id_like and
//   is_safe_token. The inputs are the shapes each detector looks for, near misses, boundary
//   cases, and mutated shapes, random bytes and digit-group runs drawn once from seeded
//   generators, picked so that every combination of verdicts they produced is represented.
// - urls: "url" -> canonical_page_key with the default allow-list ("full", "compact") and with
//   {"ref", "lang"} ("full_ref_lang"); or "origin" + "path" -> canonical_page_key_from_origin.
// - selectors: "selector" -> [sanitize_selector, element_key as hex].
// Any entry may carry a "note" for the reader.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/aggregate.h"  // kMaxPageKeyBytes
#include "core/element_key.h"
#include "core/page_key.h"
#include "core/pii.h"
#include "table_util.h"

using namespace thermograph;
using test::bytes_from;
using test::bytes_json;
using test::Table;

namespace {

constexpr const char* kTableFile = "pii_expected.json";

struct NamedProfile {
  const char* name;
  PiiProfile profile;
};
constexpr NamedProfile kProfiles[] = {{"full", PiiProfile::kFull},
                                      {"compact", PiiProfile::kCompact}};

void collect(void* ctx, PiiRule rule, std::string_view match) {
  static_cast<Table*>(ctx)->push_back(Table::array({pii_rule_name(rule), bytes_json(match)}));
}

Table text_verdicts(const Table& entry) {
  const std::string text = bytes_from(entry.at("text"));
  Table out = Table::object();
  for (const auto& [name, profile] : kProfiles) {
    Table matches = Table::array();
    const size_t n = for_each_pii(text, profile, collect, &matches);
    REQUIRE(n == matches.size());
    out[name] = {{"rule", pii_rule_name(find_pii(text, profile))},
                 {"matches", matches},
                 {"id_like", is_id_like(text, profile)},
                 {"safe_token", is_safe_token(text, profile)}};
  }
  return out;
}

Table url_verdicts(const Table& entry) {
  Table out = Table::object();
  char key[kMaxPageKeyBytes];
  if (entry.contains("url")) {
    const std::string url = bytes_from(entry.at("url"));
    out["full"] = bytes_json(canonical_page_key(url, PiiProfile::kFull));
    out["full_ref_lang"] = bytes_json(canonical_page_key(url, PiiProfile::kFull, {"ref", "lang"}));
    out["compact"] = bytes_json(canonical_page_key(url, PiiProfile::kCompact));
  } else {
    const std::string origin = bytes_from(entry.at("origin")), path = bytes_from(entry.at("path"));
    for (const auto& [name, profile] : kProfiles) {
      const size_t n =
          canonical_page_key_from_origin(origin, path, kDefaultQueryAllowList, profile, key);
      out[name] = bytes_json(std::string_view(key, n));
    }
  }
  return out;
}

Table selector_verdicts(const Table& entry) {
  const std::string selector = bytes_from(entry.at("selector"));
  Table out = Table::object();
  for (const auto& [name, profile] : kProfiles) {
    char hex[9];
    std::snprintf(hex, sizeof(hex), "%08x", element_key(selector, profile));
    out[name] = Table::array({bytes_json(sanitize_selector(selector, profile)), hex});
  }
  return out;
}

bool is_input_key(const std::string& key) {
  return key == "text" || key == "url" || key == "origin" || key == "path" || key == "selector" ||
         key == "note";
}

// Splits an entry into its inputs and its expected values.
Table inputs_of(const Table& entry) {
  Table in = Table::object();
  for (const auto& [key, value] : entry.items())
    if (is_input_key(key)) in[key] = value;
  return in;
}
Table expected_of(const Table& entry) {
  Table want = Table::object();
  for (const auto& [key, value] : entry.items())
    if (!is_input_key(key)) want[key] = value;
  return want;
}

using Verdicts = Table (*)(const Table& entry);
struct Section {
  const char* name;
  Verdicts verdicts;
};
constexpr Section kSections[] = {
    {"texts", text_verdicts}, {"urls", url_verdicts}, {"selectors", selector_verdicts}};

}  // namespace

TEST_CASE("pii table: detectors, page keys and element keys give the expected verdicts") {
  Table table = test::load_table(kTableFile);
  size_t cases = 0;
  for (const Section& section : kSections) {
    for (Table& entry : table.at(section.name)) {
      ++cases;
      const Table in = inputs_of(entry);
      const Table got = section.verdicts(entry);
      if (test::regenerating()) {
        entry = in;
        entry.update(got);
        continue;
      }
      const std::string input = in.dump(), want = expected_of(entry).dump(), have = got.dump();
      CAPTURE(input);
      CHECK(have == want);
    }
  }
  CHECK(cases > 300);
  if (test::regenerating()) {
    test::write_table(kTableFile, table);
    MESSAGE("rewrote " << test::table_path(kTableFile) << " (" << cases << " cases)");
  }
}

TEST_CASE("pii table: every rule of each profile is in the table") {
  // So that a rule can't silently drop out of the table when inputs are edited.
  const Table table = test::load_table(kTableFile);
  for (const auto& [name, profile] : kProfiles) {
    CAPTURE(name);
    std::vector<std::string> seen;
    for (const Table& entry : table.at("texts"))
      for (const Table& m : entry.at(name).at("matches")) seen.push_back(m.at(0));
    const std::vector<PiiRule> rules =
        profile == PiiProfile::kFull
            ? std::vector<PiiRule>{PiiRule::kJwt,     PiiRule::kEmail, PiiRule::kUuid,
                                   PiiRule::kIban,    PiiRule::kCard,  PiiRule::kSsn,
                                   PiiRule::kIpv4,    PiiRule::kIpv6,  PiiRule::kPhone,
                                   PiiRule::kLongHex, PiiRule::kToken}
            : std::vector<PiiRule>{PiiRule::kNumber, PiiRule::kJwt, PiiRule::kEmail,
                                   PiiRule::kToken};
    for (PiiRule r : rules) {
      const std::string rule = pii_rule_name(r);
      CAPTURE(rule);
      CHECK(std::count(seen.begin(), seen.end(), rule) >= 3);
    }
  }
}
