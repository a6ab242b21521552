#include "core/pii.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "table_util.h"

using namespace thermograph;

// The full profile's detectors, rule by rule (the compact profile: pii_compact_test.cpp).
constexpr PiiProfile kFull = PiiProfile::kFull;

namespace {
struct Case {
  const char* text;
  PiiRule want;
};
using R = PiiRule;

void check_table(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const std::string text = c.text, got = pii_rule_name(find_pii(c.text, kFull));
    CAPTURE(text);
    CHECK(got == pii_rule_name(c.want));
  }
}
}  // namespace

TEST_CASE("email: positives and pitfalls") {
  check_table({
      {"jane@x.com", R::kEmail},
      {"mail jane.doe+news@mail.example.co.uk.", R::kEmail},
      {"jane%40x.com", R::kEmail},    // percent-encoded @
      {"jane%2540x.com", R::kEmail},  // double-encoded
      {"/user/Jane_O'Neil@example.DE/", R::kEmail},
      {"x@sub.domain.io", R::kEmail},
      {"first-last@company.travel", R::kEmail},
      {"a@b.fr", R::kEmail},
      {"icon@2x.png", R::kNone},  // density suffix, not a mailbox
      {"image@2x.jpg", R::kNone},
      {"logo@3x.de", R::kNone},
      {"sprite@1x.webp", R::kNone},
      {"font@latest.woff2", R::kNone},  // woff2 is no TLD
      {"@media screen", R::kNone},
      {"user@localhost", R::kNone},  // one label only
      {"a@b", R::kNone},
      {"name@host.zz", R::kNone},  // zz is no ccTLD
      {"price @ 10.99", R::kNone},
      {"@handle", R::kNone},
      {"jane@.com", R::kNone},
      {"jane@-x.com", R::kNone},
      {"style@import.css", R::kNone},
  });
}

TEST_CASE("card numbers: Luhn + issuer prefix, pitfalls") {
  check_table({
      {"4111111111111111", R::kCard},  // Visa
      {"4111 1111 1111 1111", R::kCard},
      {"card: 5555-5555-5555-4444", R::kCard},  // Mastercard
      {"2221000000000009", R::kCard},           // Mastercard 2-series
      {"378282246310005", R::kCard},            // Amex
      {"3782 822463 10005", R::kCard},          // Amex print grouping
      {"6011111111111117", R::kCard},           // Discover
      {"3530111333300000", R::kCard},           // JCB
      {"30569309025904", R::kCard},             // Diners
      {"6200000000000005", R::kCard},           // UnionPay
      {"order 2024 4111 1111 1111 1111 paid", R::kCard},
      {"4111111111111112", R::kNone},         // Luhn fails
      {"1700000000000", R::kNone},            // ms timestamp
      {"1712345678901", R::kNone},            // ms timestamp
      {"9780306406157", R::kNone},            // ISBN-13
      {"978-0-306-40615-7", R::kNone},        // ISBN-13 with dashes
      {"0000000000000000", R::kNone},         // Luhn-valid zeros, no issuer
      {"7000000000000009", R::kNone},         // no issuer starts with 7
      {"378282246310005 0", R::kCard},        // trailing group does not hide it
      {"37828224631000", R::kNone},           // Amex prefix, wrong length
      {"5105105105105", R::kNone},            // Mastercard prefix, 13 digits
      {"12345678901234567890123", R::kNone},  // long order number
      {"1234-5678-9012-3456", R::kNone},      // sample number, Luhn fails
  });
}

TEST_CASE("IBAN: country length + mod 97") {
  check_table({
      {"DE89370400440532013000", R::kIban},
      {"DE89 3704 0044 0532 0130 00", R::kIban},
      {"GB82 WEST 1234 5698 7654 32", R::kIban},
      {"FR1420041010050500013M02606", R::kIban},
      {"iban=nl91abna0417164300", R::kIban},  // lowercase in a URL
      {"NO9386011117947", R::kIban},
      {"MT84MALT011000012345MTLCAST001S", R::kIban},
      {"DE89370400440532013001", R::kNone},   // check digits wrong
      {"DE8937040044053201300", R::kNone},    // one short
      {"DE893704004405320130000", R::kNone},  // one long
      {"XX89370400440532013000", R::kNone},   // unknown country
      {"GB82WEST12345698765431", R::kNone},
      {"DE12 is not an iban", R::kNone},
      {"AB12CD34", R::kNone},
      {"SKU DE12-3456", R::kNone},
      {"US1234567890123456", R::kNone},  // no US IBAN
      {"NL91ABNA0417164301", R::kNone},  // one digit short, no grouping
  });
}

TEST_CASE("SSN: shapes, invalid areas, context for bare digits") {
  check_table({
      {"123-45-6789", R::kSsn},
      {"ssn 123 45 6789", R::kSsn},
      {"SSN: 123456789", R::kSsn},
      {"social security number 078051120", R::kSsn},
      {"000-12-3456", R::kNone},  // area 000
      {"666-12-3456", R::kNone},  // area 666
      {"900-12-3456", R::kNone},  // area 9xx
      {"123-00-6789", R::kNone},  // group 00
      {"123-45-0000", R::kNone},  // serial 0000
      {"123-45 6789", R::kNone},  // mixed delimiters
      {"123456789", R::kNone},    // bare, no context
      {"order 123456789", R::kNone},
      {"1123-45-6789", R::kNone},
      {"123-45-67890", R::kNone},
      {"tracking 123 45 67890", R::kNone},
  });
}

TEST_CASE("phone: signals, shapes and pitfalls") {
  check_table({
      {"+44 20 7946 0958", R::kPhone},
      {"+1-202-555-0143", R::kPhone},
      {"+4915112345678", R::kPhone},
      {"tel:0301234567", R::kPhone},
      {"Call us: 555 0199 123", R::kPhone},
      {"mobile 0612345678", R::kPhone},
      {"(555) 123-4567", R::kPhone},
      {"555-123-4567", R::kPhone},
      {"020 7946 0958", R::kPhone},
      {"01 23 45 67 89", R::kPhone},
      {"1-800-555-1234", R::kPhone},
      {"2024-01-31", R::kNone},  // date
      {"31/01/2024", R::kNone},
      {"31.01.2024", R::kNone},
      {"phone 2024-01-31", R::kNone},  // a date even with context
      {"$1,234.56", R::kNone},         // money
      {"$1234567890", R::kNone},
      {"\xE2\x82\xAC"
       "1234567890",
       R::kNone},              // euro amount
      {"v10.15.7", R::kNone},  // version
      {"1.2.3.4567", R::kNone},
      {"12345", R::kNone},                 // short number
      {"5551234567", R::kNone},            // bare digits, no signal
      {"0-306-40615-2", R::kNone},         // ISBN-10
      {"Order 2024-000123", R::kNone},     // order number
      {"invoice 555-123-4567", R::kNone},  // reference with context
      {"1 234 567 890", R::kNone},         // thousands grouping
      {"10.0.0.1", R::kIpv4},              // an IP, not a phone
      {"+12", R::kNone},
      {"width 1920 height 1080", R::kNone},
  });
}

TEST_CASE("IPv4 and IPv6") {
  check_table({
      {"192.168.1.1", R::kIpv4},
      {"ip=10.0.0.255&x", R::kIpv4},
      {"from 8.8.8.8.", R::kIpv4},
      {"256.1.1.1", R::kNone},
      {"1.2.3", R::kNone},
      {"1.2.3.4.5", R::kNone},  // version string
      {"v1.2.3.4", R::kNone},
      {"10.0.0.1a", R::kNone},
      {"2001:db8::1", R::kIpv6},
      {"2001:0db8:85a3:0000:0000:8a2e:0370:7334", R::kIpv6},
      {"[fe80::1ff:fe23:4567:890a]:443", R::kIpv6},
      {"::ffff:192.0.2.128", R::kIpv4},  // IPv4-mapped: the IPv4 rule comes first
      {"::ffff:c000:280", R::kIpv6},
      {"12:30:45", R::kNone},           // time
      {"00:1a:2b:3c:4d:5e", R::kNone},  // MAC address (6 groups)
      {"std::string", R::kNone},
      {"a::before", R::kNone},
      {"dead::beef", R::kNone},  // no digit
      {"1::2::3", R::kNone},     // two compressions
      {"12345::1", R::kNone},    // group too long
      {"::1", R::kNone},         // loopback is nobody
  });
}

TEST_CASE("JWT, UUID, long hex") {
  check_table({
      {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
       R::kJwt},
      {"token=eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", R::kJwt},
      {"eyJ", R::kNone},
      {"eyJhbGciOiJIUzI1NiJ9", R::kToken},  // one part: not a JWT, still random-looking
      {"550e8400-e29b-41d4-a716-446655440000", R::kUuid},
      {"/o/550E8400-E29B-41D4-A716-446655440000/edit", R::kUuid},
      {"550e8400-e29b-41d4-a716-44665544000", R::kNone},
      {"550e8400e29b41d4a716446655440000", R::kLongHex},
      {"commit 9fceb02d0ae598e95dc970b74767f19372d61af8", R::kLongHex},
      {"0x1234abcd5678ef90", R::kLongHex},
      {"#ffffff", R::kNone},  // CSS colour
      {"#ff00ff80", R::kNone},
      {"deadbeefdeadbeef", R::kNone},  // letters only
      {"1234567890123456", R::kNone},  // digits only: not hex
      {"abc123", R::kNone},
      {"9fceb02d0ae598e9", R::kLongHex},
      {"9fceb02d0ae598e", R::kNone},         // 15 chars
      {"DE89370400440532013001", R::kNone},  // bad IBAN: one letter/digit switch, not hex
      {"9FCEB02D0AE598E9", R::kLongHex},
      {"9fCEb02D0ae598E9aa", R::kNone},  // mixed case: not hex (too short for a token)
  });
}

TEST_CASE("high-entropy tokens vs words, identifiers and slugs") {
  check_table({
      {"sk_live_4eC39HqLyjWDarjtT1zdp7dc", R::kToken},
      {"ghp_16C7e42F292c6912E7710c838347Ae178B4a", R::kToken},
      {"aB3dE5fG7hI9jK1lM3nO", R::kToken},
      {"c2VjcmV0LXRva2VuLXZhbHVlLTEyMw", R::kToken},
      {"session=Zx9pQ2mN7vB4cL8kT1wR", R::kToken},
      {"k8s9d7f6g5h4j3k2l1m0", R::kToken},
      {"pricing-table-enterprise-plan", R::kNone},
      {"supercalifragilisticexpialidocious", R::kNone},
      {"getElementByIdHandlerX", R::kNone},
      {"JavaScriptDeveloperGuide", R::kNone},
      {"iPhone15ProMaxReviewVideo", R::kNone},
      {"how-to-install-ubuntu-22-04-lts", R::kNone},
      {"2024-annual-report-final-v2", R::kNone},
      {"HTML5-CSS3-Tutorial-For-Beginners", R::kNone},
      {"utf8mb4_unicode_520_ci", R::kNone},
      {"ThisIsAVeryLongCamelCaseName", R::kNone},
      {"AKIAIOSFODNN7EXAMPLE", R::kNone},  // upper + one digit run: too regular
      {"aaaaaaaaaaaaaaaaaaaaaaaaa1", R::kNone},
      {"short_Tok3n", R::kNone},
  });
}

TEST_CASE("pii_rule_name never returns null") {
  for (int r = 0; r <= 12; ++r) CHECK(pii_rule_name(static_cast<PiiRule>(r)) != nullptr);
  CHECK(std::string(pii_rule_name(PiiRule::kEmail)) == "email");
  CHECK(std::string(pii_rule_name(PiiRule::kLongHex)) == "long_hex");
}

TEST_CASE("torture: a paragraph full of PII reports every value") {
  const std::string text =
      "Hi, I'm Jane (jane.doe@example.com, jane%40corp.io), card 4111 1111 1111 1111 exp 12/27, "
      "IBAN DE89 3704 0044 0532 0130 00, SSN 078-05-1120, call me on +44 20 7946 0958 or "
      "(555) 123-4567. My laptop is 192.168.0.12 / 2001:db8::8a2e:370:7334, session "
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEF123_-x, user "
      "550e8400-e29b-41d4-a716-446655440000, commit 9fceb02d0ae598e95dc970b74767f19372d61af8, "
      "key sk_live_4eC39HqLyjWDarjtT1zdp7dc. Pricing page v2.3.1 costs $1,299.00 on 2024-01-31.";
  struct Seen {
    std::vector<std::pair<PiiRule, std::string>> all;
  } seen;
  size_t n = for_each_pii(
      text, kFull,
      [](void* ctx, PiiRule rule, std::string_view match) {
        static_cast<Seen*>(ctx)->all.emplace_back(rule, std::string(match));
      },
      &seen);
  CHECK(n == seen.all.size());
  auto has = [&](PiiRule rule, std::string_view value) {
    for (const auto& [r, v] : seen.all)
      if (r == rule && v == value) return true;
    return false;
  };
  CHECK(has(R::kEmail, "jane.doe@example.com"));
  CHECK(has(R::kEmail, "jane@corp.io"));
  CHECK(has(R::kCard, "4111 1111 1111 1111"));
  CHECK(has(R::kIban, "DE89 3704 0044 0532 0130 00"));
  CHECK(has(R::kSsn, "078-05-1120"));
  CHECK(has(R::kPhone, "+44 20 7946 0958"));
  CHECK(has(R::kPhone, "(555) 123-4567"));
  CHECK(has(R::kIpv4, "192.168.0.12"));
  CHECK(has(R::kIpv6, "2001:db8::8a2e:370:7334"));
  CHECK(has(R::kJwt, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEF123_-x"));
  CHECK(has(R::kUuid, "550e8400-e29b-41d4-a716-446655440000"));
  CHECK(has(R::kLongHex, "9fceb02d0ae598e95dc970b74767f19372d61af8"));
  CHECK(has(R::kToken, "sk_live_4eC39HqLyjWDarjtT1zdp7dc"));
  // The harmless parts stay quiet: no match covers the version, the price or the date.
  for (const auto& [r, v] : seen.all) {
    CAPTURE(v);
    CHECK(v.find("2.3.1") == std::string::npos);
    CHECK(v.find("1,299") == std::string::npos);
    CHECK(v.find("2024-01-31") == std::string::npos);
  }
}

TEST_CASE("is_id_like templates record segments, keeps page names") {
  const std::vector<std::pair<const char*, bool>> cases = {
      {"123", true},
      {"0", true},
      {"order-123456", true},
      {"INV2024001", true},
      {"550e8400-e29b-41d4-a716-446655440000", true},
      {"9fceb02d0ae598e95dc970b74767f19372d61af8", true},
      {"jane@x.com", true},
      {"jane%40x.com", true},
      {"Zx9pQ2mN7vB4cL8kT1wR", true},
      {"pricing", false},
      {"pricing-table-enterprise-plan", false},
      {"iphone-15-pro", false},
      {"v2", false},
      {"2x", false},
      {"About-Us", false},
      {"", false},
  };
  for (const auto& [seg, want] : cases) {
    const std::string text = seg;
    CAPTURE(text);
    CHECK(is_id_like(seg, kFull) == want);
  }
}

TEST_CASE("is_safe_token: digits, PII, state classes") {
  const std::vector<std::pair<const char*, bool>> cases = {
      {"nav", true},
      {"btn-primary", true},
      {"site-header", true},
      {"sign-in", true},
      {"pricing-table", true},
      {"hover:bg-blue", true},  // Tailwind variant: the class itself is static
      {"item-3", false},        // digits: generated
      {"ember123", false},
      {"h1", false},
      {"active", false},
      {"Active", false},
      {"is-open", false},
      {"has-error", false},
      {"js-toggle", false},
      {"btn--active", false},
      {"menu-open", false},
      {"tab_selected", false},
      {"ng-touched", false},
      {"collapsed", false},
      {"in", false},
      {"show", false},
      {"jane@x.com", false},
      {"two words", false},
      {"", false},
      {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm", false},  // > 64
  };
  for (const auto& [tok, want] : cases) {
    const std::string text = tok;
    CAPTURE(text);
    CHECK(is_safe_token(tok, kFull) == want);
  }
}

TEST_CASE("random bytes never crash the detectors of either profile (property)") {
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  // Biased towards the characters the detectors branch on.
  const std::string alphabet = "0123456789abcdefABCDEFxyz@.:-_ +%()/#$eyJ";
  for (int round = 0; round < 3000; ++round) {
    std::string text(next() % 80, ' ');
    for (char& c : text) c = next() % 8 ? alphabet[next() % alphabet.size()] : char(next() % 256);
    for (const PiiProfile profile : {PiiProfile::kFull, PiiProfile::kCompact}) {
      const PiiRule first = find_pii(text, profile);
      size_t n = for_each_pii(text, profile, nullptr, nullptr);
      CHECK((first == PiiRule::kNone) == (n == 0));
      (void)is_id_like(text, profile);
      (void)is_safe_token(text, profile);
    }
  }
}

TEST_CASE("state classes dropped from the word list are still caught by the suffix rule") {
  CHECK_FALSE(is_safe_token("focus-visible", kFull));
  CHECK_FALSE(is_safe_token("Focus-Visible", kFull));
  CHECK_FALSE(is_safe_token("focus-within", kFull));
  CHECK(is_safe_token("focus-ring", kFull));
}

TEST_CASE("empty views, including a null one, in both profiles") {
  for (const PiiProfile profile : {PiiProfile::kFull, PiiProfile::kCompact}) {
    CHECK(find_pii(std::string_view(), profile) == PiiRule::kNone);
    CHECK(for_each_pii(std::string_view(), profile, nullptr, nullptr) == 0);
    CHECK_FALSE(is_id_like(std::string_view(), profile));
    CHECK_FALSE(is_safe_token(std::string_view(), profile));
  }
}

TEST_CASE("is_label: site-passed tag parts and variants must look like labels (shared table)") {
  const auto table = test::load_table("label_expected.json");
  for (const auto& v : table["labels"]) CHECK_MESSAGE(is_label(v.get<std::string>()), v.dump());
  for (const auto& v : table["not_labels"])
    CHECK_MESSAGE(!is_label(v.get<std::string>()), v.dump());
}
