#include "core/page_key.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/aggregate.h"

using namespace thermograph;

// The rules are the same in both PII profiles; only what counts as PII differs (pii.h). The
// full profile here, both in the table test (pii_table_test.cpp) and pii_compact_test.cpp.
constexpr PiiProfile kFull = PiiProfile::kFull;

TEST_CASE("canonical_page_key: expected values") {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"https://shop.example/user/jane@x.com/orders/123?email=a@b.c&utm_source=news"
       "#access_token=abc",
       "https://shop.example/user/:id/orders/:id?utm_source=news"},
      // Scheme and host lowercased, default port and userinfo dropped, path case kept.
      {"HTTPS://user:secret@Shop.EXAMPLE:443/Pricing", "https://shop.example/Pricing"},
      {"http://example.com:80/a", "http://example.com/a"},
      {"http://example.com:8080/a", "http://example.com:8080/a"},
      {"http://example.com:0080/a", "http://example.com/a"},
      {"https://example.com:8443", "https://example.com:8443/"},
      {"https://example.com", "https://example.com/"},
      {"https://example.com.", "https://example.com/"},
      {"  https://example.com/a  ", "https://example.com/a"},
      // Empty and dot segments, trailing slash, backslashes.
      {"https://example.com//a///b/", "https://example.com/a/b"},
      {"https://example.com/a/./b/../c", "https://example.com/a/c"},
      {"https://example.com/../../a", "https://example.com/a"},
      {"https://example.com\\a\\b", "https://example.com/a/b"},
      // Templated segments.
      {"https://example.com/blog/2024/05/launch", "https://example.com/blog/:id/:id/launch"},
      {"https://example.com/o/550e8400-e29b-41d4-a716-446655440000/edit",
       "https://example.com/o/:id/edit"},
      {"https://example.com/u/jane%40x.com", "https://example.com/u/:id"},
      {"https://example.com/s/Zx9pQ2mN7vB4cL8kT1wR", "https://example.com/s/:id"},
      {"https://example.com/p/order-123456", "https://example.com/p/:id"},
      {"https://example.com/pricing-table-enterprise-plan",
       "https://example.com/pricing-table-enterprise-plan"},
      {"https://example.com/cart;jsessionid=A1B2C3D4E5/checkout",
       "https://example.com/cart/checkout"},
      // Query: allow-list, allow-list order, first occurrence, PII values dropped.
      {"https://example.com/?ref=hn&utm_source=news&utm_medium=mail&x=1",
       "https://example.com/?utm_source=news&utm_medium=mail&ref=hn"},
      {"https://example.com/?utm_source=a&utm_source=b", "https://example.com/?utm_source=a"},
      {"https://example.com/?utm_source=jane%40x.com&ref=ok", "https://example.com/?ref=ok"},
      {"https://example.com/?ref=550e8400-e29b-41d4-a716-446655440000", "https://example.com/"},
      {"https://example.com/?utm_source=&utm_medium", "https://example.com/"},
      {"https://example.com/?utm%5Fsource=news", "https://example.com/?utm_source=news"},
      {"https://example.com/?gclid=Cj0KCQiA&fbclid=IwAR3x", "https://example.com/"},
      {"https://example.com/a#/route/123?utm_source=x", "https://example.com/a"},
      {"https://[2001:DB8::1]:443/p", "https://[2001:db8::1]/p"},
      // Unparseable.
      {"/relative/path", ""},
      {"example.com/path", ""},
      {"mailto:jane@x.com", ""},
      {"file:///home/jane/report.html", ""},
      {"https://", ""},
      {"https://user@/x", ""},
      {"https://example.com:99999/", ""},
      {"https://example.com:80a/", ""},
      {"https://exa mple.com/", ""},
      {"https://[::1/", ""},
      {"", ""},
  };
  for (const auto& [url, want] : cases) {
    const std::string text = url;
    CAPTURE(text);
    CHECK(canonical_page_key(url, kFull) == want);
  }
  CHECK(canonical_page_key(std::string_view(), kFull).empty());  // a null view
}

TEST_CASE("canonical_page_key: custom allow-list and an empty one") {
  const std::vector<std::string> allow = {"lang", "plan"};
  CHECK(canonical_page_key("https://x.com/p?plan=pro&lang=de&utm_source=a", kFull, allow) ==
        "https://x.com/p?lang=de&plan=pro");
  CHECK(canonical_page_key("https://x.com/p?utm_source=a", kFull, {}) == "https://x.com/p");
  CHECK(default_query_allow_list() ==
        std::vector<std::string>{"utm_source", "utm_medium", "utm_campaign", "ref"});
}

TEST_CASE("canonical_page_key: capped at kMaxPageKeyBytes by whole segments") {
  std::string url = "https://example.com";
  for (int i = 0; i < 100; ++i) url += "/segment-abc";
  url += "?utm_source=news";
  const std::string key = canonical_page_key(url, kFull);
  CHECK(key.size() <= kMaxPageKeyBytes);
  CHECK(key.size() > kMaxPageKeyBytes - 13);
  CHECK(key.substr(key.size() - 12) == "/segment-abc");  // no half segment
  // An origin that alone exceeds the cap can't be represented.
  CHECK(canonical_page_key("https://" + std::string(600, 'a') + ".com/", kFull) == "");
  // Hostile input: long, binary, many separators. Never crashes, stays bounded.
  std::string junk = "https://x.com/";
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>(i * 37 % 256 ? i * 37 % 256 : '/');
  CHECK(canonical_page_key(junk, kFull).size() <= kMaxPageKeyBytes);
}

TEST_CASE("fold_index_document: a folder's index document is the folder's page") {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"https://example.com/index.html", "https://example.com/"},
      {"https://example.com/", "https://example.com/"},
      {"https://example.com/docs/index.html", "https://example.com/docs"},
      {"https://example.com/docs/index.htm?utm_source=x", "https://example.com/docs?utm_source=x"},
      {"https://example.com/docs", "https://example.com/docs"},
      {"https://example.com/index.html/more", "https://example.com/index.html/more"},
      {"https://example.com/myindex.html", "https://example.com/myindex.html"},
      {"https://example.com/a?next=/index.html", "https://example.com/a?next=/index.html"},
  };
  for (const auto& [in, want] : cases) {
    CAPTURE(in);
    CHECK(fold_index_document(in) == want);
  }
  // With the parser: "/", "/index.html" and a trailing slash are one page.
  CHECK(fold_index_document(canonical_page_key("https://example.com/pricing/", kFull)) ==
        fold_index_document(canonical_page_key("https://example.com/pricing/index.html", kFull)));
}

TEST_CASE("page keys from a browser's origin + path agree with the full parser") {
  const char* table[][2] = {
      {"https://shop.example", "/user/jane@x.com/orders/123?email=a@b.c&utm_source=news"},
      {"http://127.0.0.1:8080", "/pages/skeleton.html"},
      {"https://a.example", "/"},
      {"https://a.example", "/blog/y/?ref=twitter&utm_medium="},  // pathnames come normalized
      {"https://a.example", ""},
  };
  for (const PiiProfile profile : {PiiProfile::kFull, PiiProfile::kCompact}) {
    for (const auto& row : table) {
      INFO(row[0], row[1]);
      char out[kMaxPageKeyBytes];
      const size_t n =
          canonical_page_key_from_origin(row[0], row[1], kDefaultQueryAllowList, profile, out);
      CHECK(std::string(out, n) == canonical_page_key(std::string(row[0]) + row[1], profile));
    }
    char out[kMaxPageKeyBytes];
    CHECK(canonical_page_key_from_origin("https://User:pw@A.example", "/", kDefaultQueryAllowList,
                                         profile, out) == 0);
    CHECK(canonical_page_key_from_origin("", "/", kDefaultQueryAllowList, profile, out) == 0);
    // An origin without "://" anywhere is not a browser's location.origin: refused.
    for (const char* bad : {"https:/a.example", "https//a.example", "a.example", ":/", "//", "a:/"})
      CHECK(canonical_page_key_from_origin(bad, "/", kDefaultQueryAllowList, profile, out) == 0);
    for (const char* edge : {"x://", "://"})  // "://" at the very end, at the very start
      CHECK(canonical_page_key_from_origin(edge, "/", kDefaultQueryAllowList, profile, out) > 0);
  }
}
