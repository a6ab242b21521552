#include "core/element_key.h"

#include <doctest/doctest.h>

using namespace thermograph;

// Both PII profiles give these keys (they differ only on tokens the full detectors flag and the
// compact ones let through, see pii_compact_test.cpp).
constexpr PiiProfile kProfiles[] = {PiiProfile::kFull, PiiProfile::kCompact};

TEST_CASE("selectors are sanitized: digits and junk dropped, structure kept") {
  struct {
    const char* in;
    const char* out;
  } table[] = {
      {"body>main#content>button.cta.primary", "body>main#content>button.cta.primary"},
      {"DIV.card-42.card>A", "div.card>a"},        // digit class dropped, tag lowered
      {"li:3>a#item-1234", "li:3>a"},              // digit id dropped, position kept
      {"div.css-1x2y3z>span", "div>span"},         // CSS-in-JS hashes have digits
      {"section.hero>p:12345", "section.hero>p"},  // absurd positions dropped
      {"div.a\"b>span", "div.a>span"},             // junk after a stray character
      {"", ""},
  };
  for (const PiiProfile profile : kProfiles) {
    for (const auto& row : table) {
      INFO(row.in);
      CHECK(sanitize_selector(row.in, profile) == row.out);
    }
  }
}

TEST_CASE("element keys are stable hashes of the sanitized selector") {
  for (const PiiProfile p : kProfiles) {
    CHECK(element_key("div.card-42.card>a", p) == element_key("div.card-7.card>a", p));
    CHECK(element_key("div.card>a", p) != element_key("div.card>button", p));
    CHECK(element_key("", p) != 0);
    // FNV-1a of "a": a fixed value the JS side and the overlay reproduce.
    CHECK(element_key("a", p) == 0xe40c292cu);
  }
}

TEST_CASE("state classes and PII-looking tokens never shape a key") {
  for (const PiiProfile p : kProfiles) {
    CHECK(sanitize_selector("div.menu.open>a.active.link", p) == "div.menu>a.link");
    CHECK(element_key("div.menu.open", p) == element_key("div.menu", p));
    CHECK(sanitize_selector("div#is-selected.card", p) == "div.card");
  }
}
