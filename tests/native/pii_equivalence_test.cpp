// Differential test: the size-optimized detectors and page key (src/core) against the original
// implementation (pii_reference.inc, commit e4fe08b) on generated inputs. Every rule, every match
// of for_each_pii, is_id_like, is_safe_token and canonical_page_key must agree byte for byte, so
// shrinking the code can't weaken a detector unnoticed.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/page_key.h"
#include "core/pii.h"
#include "pii_reference.inc"
#include "test_util.h"

using thermograph::PiiRule;
constexpr thermograph::PiiProfile kFull = thermograph::PiiProfile::kFull;  // the reference's

namespace {

using Matches = std::vector<std::pair<PiiRule, std::string>>;

void collect(void* ctx, PiiRule rule, std::string_view match) {
  static_cast<Matches*>(ctx)->emplace_back(rule, std::string(match));
}

// Seeds: the shapes each detector looks for, near misses, and context words.
const char* const kSeeds[] = {"jane.doe+news@mail.example.co.uk",
                              "icon@2x.png",
                              "a@b.fr",
                              "x@sub.domain.io",
                              "4111 1111 1111 1111",
                              "3782 822463 10005",
                              "6011111111111117",
                              "2221000000000009",
                              "DE89 3704 0044 0532 0130 00",
                              "GB82WEST12345698765432",
                              "NO9386011117947",
                              "MT84MALT011000012345MTLCAST001S",
                              "123-45-6789",
                              "SSN: 123456789",
                              "+44 20 7946 0958",
                              "(555) 123-4567",
                              "1-800-555-1234",
                              "tel:0301234567",
                              "2024-01-31",
                              "192.168.1.1",
                              "2001:db8::8a2e:370:7334",
                              "::ffff:192.0.2.128",
                              "[fe80::1ff:fe23:4567:890a]:443",
                              "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEF123_-x",
                              "550e8400-e29b-41d4-a716-446655440000",
                              "9fceb02d0ae598e95dc970b74767f19372d61af8",
                              "0x1234abcd5678ef90",
                              "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                              "getElementByIdHandlerX",
                              "order 2024-000123",
                              "invoice 555-123-4567",
                              "jane%40x.com",
                              "jane%2540x.com",
                              "$1,299.00",
                              "v2.3.1",
                              "btn--active",
                              "is-open",
                              "focus-visible",
                              "focus-within",
                              "sign-IN",
                              "menu_Open",
                              "State-x",
                              "phone",
                              "social security",
                              "whatsapp"};

const std::string kAlphabet = "0123456789abcdefABCDEFxyzXYZ@.:-_ +%()/#$eyJ;&=?\\[]'";

std::string random_text(thermograph::test::Rng& rng) {
  std::string text(rng.below(80), ' ');
  for (char& c : text) {
    c = rng.below(10) ? kAlphabet[rng.below(static_cast<uint32_t>(kAlphabet.size()))]
                      : static_cast<char>(rng.below(256));
  }
  return text;
}

// A seed (or two joined) with a few random edits: near misses of every shape.
std::string mutated_seed(thermograph::test::Rng& rng) {
  const size_t seeds = sizeof(kSeeds) / sizeof(kSeeds[0]);
  std::string text = kSeeds[rng.below(seeds)];
  if (rng.below(3) == 0) text += std::string(" ") + kSeeds[rng.below(seeds)];
  for (uint32_t edits = rng.below(4); edits--;) {
    const size_t at = text.empty() ? 0 : rng.below(static_cast<uint32_t>(text.size()));
    const char c = kAlphabet[rng.below(static_cast<uint32_t>(kAlphabet.size()))];
    switch (rng.below(4)) {
      case 0:
        text.insert(at, 1, c);
        break;
      case 1:
        if (!text.empty()) text.erase(at, 1);
        break;
      case 2:
        if (!text.empty()) text[at] = c;
        break;
      default:
        if (!text.empty())
          text.replace(at, 1, "%" + std::string(1, "0123456789abcdefF"[rng.below(17)]) + "0");
        break;
    }
  }
  return text;
}

std::string random_url(thermograph::test::Rng& rng) {
  static const char* const kSchemes[] = {"https", "HTTP", "ws", "wss", "ftp", "x+y", "1a", ""};
  static const char* const kHosts[] = {"Shop.Example",
                                       "example.com.",
                                       "[2001:DB8::1]",
                                       "a_b.c",
                                       "user:pw@x.com",
                                       "x.com:0080",
                                       "x.com:443",
                                       "x.com:",
                                       "[::1",
                                       "exa mple.com",
                                       "",
                                       "x.com:99999"};
  static const char* const kParams[] = {
      "utm_source=news", "ref=hn", "utm%5Fmedium=mail", "ref=",
      "utm_campaign",    "x=1",    "ref=jane%40x.com",  "utm_source=b"};
  std::string url =
      std::string(rng.below(8) ? " " : "") + kSchemes[rng.below(8)] + "://" + kHosts[rng.below(12)];
  for (uint32_t n = rng.below(6); n--;) {
    url += rng.below(6) ? "/" : "\\";
    switch (rng.below(5)) {
      case 0:
        url += kSeeds[rng.below(sizeof(kSeeds) / sizeof(kSeeds[0]))];
        break;
      case 1:
        url += rng.below(2) ? ".." : "%2E";
        break;
      case 2:
        url += "cart;jsessionid=A1";
        break;
      default:
        url += mutated_seed(rng);
        break;
    }
  }
  if (rng.below(2)) {
    url += '?';
    for (uint32_t n = rng.below(5); n--;) url += std::string(kParams[rng.below(8)]) + "&";
  }
  if (rng.below(4) == 0) url += "#t=abc";
  return url;
}

void check_same(const std::string& text) {
  CAPTURE(text);
  REQUIRE(thermograph::find_pii(text, kFull) == thermograph_ref::find_pii(text));
  Matches got, want;
  thermograph::for_each_pii(text, kFull, collect, &got);
  thermograph_ref::for_each_pii(text, collect, &want);
  REQUIRE(got == want);
  REQUIRE(thermograph::is_id_like(text, kFull) == thermograph_ref::is_id_like(text));
  REQUIRE(thermograph::is_safe_token(text, kFull) == thermograph_ref::is_safe_token(text));
}

}  // namespace

TEST_CASE("compact detectors agree with the reference: random bytes and mutated shapes") {
  thermograph::test::Rng rng{20240131};
  for (int i = 0; i < 20000; ++i) check_same(random_text(rng));
  for (int i = 0; i < 20000; ++i) check_same(mutated_seed(rng));
  for (const char* seed : kSeeds) check_same(seed);
}

TEST_CASE("compact detectors agree with the reference: long digit-group runs") {
  // Card spans across many groups, and a run longer than the reference's 24-group window.
  thermograph::test::Rng rng{7};
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    for (uint32_t g = rng.below(40) + 1; g--;) {
      text += std::to_string(rng.below(100000));
      text += " - ."[rng.below(4)];
    }
    check_same(text);
  }
}

TEST_CASE("compact page key agrees with the reference") {
  thermograph::test::Rng rng{99};
  const std::vector<std::string> custom = {"ref", "lang"};
  for (int i = 0; i < 20000; ++i) {
    const std::string url = random_url(rng);
    CAPTURE(url);
    REQUIRE(thermograph::canonical_page_key(url, kFull) ==
            thermograph_ref::canonical_page_key(url, thermograph::default_query_allow_list()));
    REQUIRE(thermograph::canonical_page_key(url, kFull, custom) ==
            thermograph_ref::canonical_page_key(url, custom));
  }
}

TEST_CASE("long inputs take the heap copy and still agree with the reference") {
  thermograph::test::Rng rng{4242};
  for (int i = 0; i < 200; ++i) {
    std::string text;
    while (text.size() < 480 + rng.below(1500)) text += mutated_seed(rng) + " ";
    check_same(text);
  }
  // PII just past the stack-buffer size, and percent-encoded so decoding shrinks the text.
  std::string text(600, 'a');
  text += " jane%2540x.com";
  CHECK(thermograph::find_pii(text, kFull) == PiiRule::kEmail);
}

TEST_CASE("state classes dropped from the word list are still caught by the suffix rule") {
  CHECK_FALSE(thermograph::is_safe_token("focus-visible", kFull));
  CHECK_FALSE(thermograph::is_safe_token("Focus-Visible", kFull));
  CHECK_FALSE(thermograph::is_safe_token("focus-within", kFull));
  CHECK(thermograph::is_safe_token("focus-ring", kFull));
}

TEST_CASE("empty views, including a null one") {
  CHECK(thermograph::find_pii(std::string_view(), kFull) == PiiRule::kNone);
  CHECK(thermograph::for_each_pii(std::string_view(), kFull, nullptr, nullptr) == 0);
  CHECK_FALSE(thermograph::is_id_like(std::string_view(), kFull));
  CHECK_FALSE(thermograph::is_safe_token(std::string_view(), kFull));
  CHECK(thermograph::canonical_page_key(std::string_view(), kFull).empty());
}
