// The compact PII profile (PiiProfile::kCompact, pii.h and docs/privacy.md): what the visitor and
// overlay wasm modules use. It flags the PII examples of the full detectors' tables (and more);
// the few digit-poor shapes it lets through are pinned here, so a change to them is deliberate.
// Exhaustive verdicts of both profiles: pii_table_test.cpp.
#include <doctest/doctest.h>

#include <string>

#include "core/aggregate.h"  // kMaxPageKeyBytes
#include "core/element_key.h"
#include "core/page_key.h"
#include "core/pii.h"

using namespace thermograph;

namespace {
constexpr PiiProfile kCompact = PiiProfile::kCompact;
constexpr PiiProfile kFull = PiiProfile::kFull;
}  // namespace

TEST_CASE("compact profile flags every PII example the full detectors flag") {
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
                       "sk_live_AbCdEfGhIjKlMnOpQrStUvWx"};
  for (const char* v : pii) {
    INFO(v);
    CHECK(find_pii(v, kFull) != PiiRule::kNone);
    CHECK(find_pii(v, kCompact) != PiiRule::kNone);
  }
  // Stricter than the full profile: any letters count as a TLD, and 5+ digits are a number.
  CHECK(find_pii("photo@shop.png", kCompact) == PiiRule::kEmail);
  CHECK(find_pii("photo@shop.png", kFull) == PiiRule::kNone);
  CHECK(find_pii("order-12345", kCompact) == PiiRule::kNumber);
  CHECK(find_pii("order-12345", kFull) == PiiRule::kNone);
}

TEST_CASE("compact profile: its rule order and the whole text as the number match") {
  // number before jwt, email and token; the full profile reports the card.
  CHECK(find_pii("jane@x.com 4111111111111111", kCompact) == PiiRule::kNumber);
  CHECK(find_pii("jane@x.com 4111111111111111", kFull) == PiiRule::kEmail);
  struct Seen {
    int calls = 0;
    PiiRule rule = PiiRule::kNone;
    std::string match;
  } seen;
  const size_t n = for_each_pii(
      "zip 75011 ok", kCompact,
      [](void* ctx, PiiRule rule, std::string_view match) {
        auto* s = static_cast<Seen*>(ctx);
        ++s->calls;
        s->rule = rule;
        s->match = std::string(match);
      },
      &seen);
  CHECK(n == 1);
  CHECK(seen.calls == 1);
  CHECK(seen.rule == PiiRule::kNumber);
  CHECK(seen.match == "zip 75011 ok");
}

TEST_CASE("compact profile lets ordinary values through") {
  const char* ok[] = {"pro",           "plan-b",      "2024",   "v1.2.3",  "B2",
                      "pricing-table", "spring-sale", "@brand", "checkout"};
  for (const char* v : ok) {
    INFO(v);
    CHECK(find_pii(v, kCompact) == PiiRule::kNone);
  }
  CHECK(std::string(pii_rule_name(PiiRule::kNumber)) == "number");
}

TEST_CASE("compact profile: digit-poor shapes only the full detectors flag (known gaps)") {
  // pii.h and docs/privacy.md document these; the collector's full pass catches them.
  struct {
    const char* text;
    PiiRule full;
  } gaps[] = {
      {"abcdefab-abcd-abcd-abcd-abcdefabcdef", PiiRule::kUuid},  // a UUID without digits
      {"fe80::abcd", PiiRule::kIpv6},                            // 4 digits
      {"deadbeefdead1b2c3", PiiRule::kLongHex},                  // 3 digits, under 20 chars
  };
  for (const auto& g : gaps) {
    INFO(g.text);
    CHECK(find_pii(g.text, kFull) == g.full);
    CHECK(find_pii(g.text, kCompact) == PiiRule::kNone);
  }
  // Element keys can differ only there: a token with no digit that only kFull flags.
  CHECK(sanitize_selector("div.abcdefab-abcd-abcd-abcd-abcdefabcdef.card", kFull) == "div.card");
  CHECK(sanitize_selector("div.abcdefab-abcd-abcd-abcd-abcdefabcdef.card", kCompact) ==
        "div.abcdefab-abcd-abcd-abcd-abcdefabcdef.card");
}

TEST_CASE("compact page keys template anything id-like") {
  char out[kMaxPageKeyBytes];
  const size_t n = canonical_page_key_from_origin(
      "https://shop.example",
      "/user/jane@x.com/orders/123/inv-a1b2c3d4e5?utm_source=news&email=a@b.c",
      kDefaultQueryAllowList, kCompact, out);
  CHECK(std::string(out, n) == "https://shop.example/user/:id/orders/:id/:id?utm_source=news");
  // The full profile keeps inv-a1b2c3d4e5 (five digits, but no run of five, no PII shape).
  CHECK(canonical_page_key(
            "https://shop.example/user/jane@x.com/orders/123/inv-a1b2c3d4e5?utm_source=news",
            kFull) == "https://shop.example/user/:id/orders/:id/inv-a1b2c3d4e5?utm_source=news");
}
