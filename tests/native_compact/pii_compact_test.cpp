// The visitor's compact PII profile (THERMOGRAPH_PII_COMPACT, see pii.cpp and docs/privacy.md):
// every value the full detectors flag must be flagged here too (it may flag more, never less).
#include <doctest/doctest.h>

#include <string>

#include "core/aggregate.h"  // kMaxPageKeyBytes
#include "core/page_key.h"
#include "core/pii.h"

using namespace thermograph;

TEST_CASE("compact profile flags every PII shape the full detectors know") {
  const char* pii[] = {"jane.doe@example.com",
                       "jane%40example.com",
                       "4111 1111 1111 1111",
                       "5555-5555-5555-4444",
                       "DE89 3704 0044 0532 0130 00",
                       "GB82WEST12345698765432",
                       "123-45-6789",
                       "+1 (415) 555-0132",
                       "tel:4155550132",
                       "192.168.1.20",
                       "10.0.0.1",
                       "2001:db8:85a3::8a2e:370:7334",
                       "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
                       "XgL0n3I9PlFUP0THsR8U",
                       "550e8400-e29b-41d4-a716-446655440000",
                       "9f86d081884c7d659a2feaa0c55ad015",
                       "sk_live_AbCdEfGhIjKlMnOpQrStUvWx",
                       "photo@shop.png"};
  for (const char* v : pii) {
    INFO(v);
    CHECK(find_pii(v) != PiiRule::kNone);
  }
}

TEST_CASE("compact profile lets ordinary values through") {
  const char* ok[] = {"pro",           "plan-b",      "2024",   "v1.2.3",  "B2",
                      "pricing-table", "spring-sale", "@brand", "checkout"};
  for (const char* v : ok) {
    INFO(v);
    CHECK(find_pii(v) == PiiRule::kNone);
  }
  CHECK(std::string(pii_rule_name(PiiRule::kNumber)) == "number");
}

TEST_CASE("compact page keys template anything id-like") {
  char out[kMaxPageKeyBytes];
  const size_t n = canonical_page_key_from_origin(
      "https://shop.example",
      "/user/jane@x.com/orders/123/inv-a1b2c3d4e5?utm_source=news&email=a@b.c",
      kDefaultQueryAllowList, out);
  CHECK(std::string(out, n) == "https://shop.example/user/:id/orders/:id/:id?utm_source=news");
}
