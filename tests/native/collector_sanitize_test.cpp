// The collector's re-check of page keys, variants and tags (src/collector/sanitize.h): PII in
// variant forms is caught, ordinary paths come out as today's page-key rules make them, and a
// page key must lie under one of the site's origins. Tables: input -> expected.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "collector/bounds.h"
#include "collector/sanitize.h"

using namespace thermograph;

namespace {

struct PageCase {
  const char* in;
  const char* out;  // "" = refused
};

std::string sanitized(const char* page) {
  int changed = 0;
  return sanitize_page_key(page, changed);
}

}  // namespace

TEST_CASE("PII hidden in variant forms is caught in page keys") {
  const PageCase cases[] = {
      // e-mail percent-encoded (once and twice) and glued to a suffix
      {"https://shop.example/orders/name%40example.org-receipt", "https://shop.example/orders/:id"},
      {"https://shop.example/orders/name%2540example.org-receipt",
       "https://shop.example/orders/:id"},
      {"https://shop.example/orders/jane.doe@example.org_x", "https://shop.example/orders/:id"},
      // SSN with a suffix, with `_`, and 9 bare digits after the word ssn
      {"https://shop.example/orders/078-05-1121-receipt", "https://shop.example/orders/:id"},
      {"https://shop.example/a/078_05_1121", "https://shop.example/a/:id"},
      {"https://shop.example/a/ssn-078051121", "https://shop.example/a/:id"},
      // card and phone numbers split by `_` or `.` in an allow-listed query value
      {"https://shop.example/p?utm_campaign=4111_1111_1111_1111", "https://shop.example/p"},
      {"https://shop.example/p?utm_campaign=+44_20_7946_0958", "https://shop.example/p"},
      {"https://shop.example/p?utm_campaign=%2B44_20_7946_0958&utm_source=news",
       "https://shop.example/p?utm_source=news"},
      {"https://shop.example/p?ref=4111.1111.1111.1111", "https://shop.example/p"},
      // in the path: dots, glued to words, a phone after a context word, an IBAN with dashes
      {"https://shop.example/a/4111.1111.1111.1111", "https://shop.example/a/:id"},
      {"https://shop.example/a/order4111111111111111x", "https://shop.example/a/:id"},
      {"https://shop.example/a/call+442079460958", "https://shop.example/a/:id"},
      {"https://shop.example/a/tel-020-7946-0958", "https://shop.example/a/:id"},
      {"https://shop.example/a/DE89-3704-0044-0532-0130-00", "https://shop.example/a/:id"},
      // digits in the host name: a host cannot be templated, the key is refused
      {"https://4111111111111111.shop.example/", ""},
      {"https://4111-1111-1111-1111.shop.example/x", ""},
  };
  for (const PageCase& c : cases) {
    CAPTURE(c.in);
    CHECK(sanitized(c.in) == c.out);
  }
}

TEST_CASE("ordinary paths pass as today's page-key rules decide (false-positive traps)") {
  const PageCase cases[] = {
      // all-digit segments and runs of 5+ digits were templated before; still are
      {"https://shop.example/blog/2024/10/post-title",
       "https://shop.example/blog/:id/:id/post-title"},
      {"https://shop.example/product/sku-12345", "https://shop.example/product/:id"},
      // everything else with digits stays
      {"https://shop.example/v2/api", "https://shop.example/v2/api"},
      {"https://shop.example/v1.2.3/changelog", "https://shop.example/v1.2.3/changelog"},
      {"https://shop.example/docs/utf8mb4_unicode_520_ci",
       "https://shop.example/docs/utf8mb4_unicode_520_ci"},
      {"https://shop.example/news/release-2024-10-01",
       "https://shop.example/news/release-2024-10-01"},
      {"https://shop.example/logs/2024-10-01-12-30-45",
       "https://shop.example/logs/2024-10-01-12-30-45"},
      {"https://shop.example/iphone-15-pro-max-256gb",
       "https://shop.example/iphone-15-pro-max-256gb"},
      {"https://shop.example/a/model-x200-2024-1080p",
       "https://shop.example/a/model-x200-2024-1080p"},
      {"https://shop.example/size/1920x1080", "https://shop.example/size/1920x1080"},
      {"https://shop.example/a/room-101-floor-3", "https://shop.example/a/room-101-floor-3"},
      {"https://shop.example/10-best-laptops-of-2024",
       "https://shop.example/10-best-laptops-of-2024"},
      {"https://shop.example/p?utm_campaign=spring_sale_2024",
       "https://shop.example/p?utm_campaign=spring_sale_2024"},
      {"https://shop.example/p?utm_campaign=black-friday-2024-50-off",
       "https://shop.example/p?utm_campaign=black-friday-2024-50-off"},
      // hosts with digits, and IP literals (the origin check decides about those)
      {"https://shop-2024.example/x", "https://shop-2024.example/x"},
      {"http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"},
      {"http://[::1]:8080/x", "http://[::1]:8080/x"},
      {"https://shop.example", "https://shop.example/"},
  };
  for (const PageCase& c : cases) {
    CAPTURE(c.in);
    CHECK(sanitized(c.in) == c.out);
  }
}

TEST_CASE("variants and tags: variant forms flagged, labels kept") {
  struct Case {
    const char* text;
    bool pii;
  };
  const Case cases[] = {
      {"4111_1111_1111_1111", true},
      {"+44_20_7946_0958", true},
      {"078-05-1121-x", true},
      {"name%40example.org-x", true},
      {"4111.1111.1111.1111", true},
      {"checkout-v2", false},
      {"plan-pro", false},
      {"spring_2024", false},
      {"variant_b", false},
      {"2024-10-01", false},
      {"v1.2.3", false},
      {"black-friday-50-off", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK((find_pii_variants(c.text) != PiiRule::kNone) == c.pii);
  }
  Segment s;
  s.page = "https://shop.example/x";
  s.variant = "+44_20_7946_0958";
  s.tags = {{"card", "4111_1111_1111_1111"}, {"plan", "pro-2024"}};
  CHECK(sanitize_segment(s) == 2);
  CHECK(s.variant.empty());
  REQUIRE(s.tags.size() == 1);
  CHECK(s.tags[0].key == "plan");

  // Free text a forged client sends passes every detector but is not a label: removed too.
  Segment t;
  t.page = "https://shop.example/x";
  t.variant = "Jane Doe";
  t.tags = {{"customer", "First Last"}, {"note", "call me"}, {"plan", "pro"}};
  CHECK(sanitize_segment(t) == 3);
  CHECK(t.variant.empty());
  REQUIRE(t.tags.size() == 1);
  CHECK(t.tags[0].key == "plan");
}

TEST_CASE("a page key must lie under one of the site's origins") {
  const std::vector<std::string> origins = {"https://shop.example", "http://localhost:3000",
                                            "https://www.shop.example:443"};
  struct Case {
    const char* page;
    bool ok;
  };
  const Case cases[] = {
      {"https://shop.example/pricing", true},
      {"https://shop.example/", true},
      {"https://shop.example/?utm_source=x", true},
      {"http://localhost:3000/a", true},
      {"https://www.shop.example/a", true},  // the configured :443 is the default port
      {"https://evil.example/pricing", false},
      {"http://shop.example/pricing", false},  // another scheme is another origin
      {"https://shop.example:8443/a", false},
      {"ftp://shop.example/x", false},
      {"https://shop.example.evil.example/x", false},
      {"https://evil.example/https://shop.example/", false},
      {"http://localhost:3001/a", false},
      {"(other)", false},
      {"", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.page);
    CHECK(page_in_origins(c.page, origins) == c.ok);
  }
}
