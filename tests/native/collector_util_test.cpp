// Collector helpers that do not need a server: SHA-256 vectors, constant-time compare, days,
// the DP noise source.
#include <doctest/doctest.h>

#include <string>

#include "collector/crypto.h"
#include "collector/sites.h"
#include "collector/store.h"

using namespace thermograph;

TEST_CASE("sha256 matches FIPS 180-4 test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Lengths around the padding boundary (55, 56, 63, 64 bytes) must not crash or collide.
  CHECK(sha256_hex(std::string(55, 'x')) != sha256_hex(std::string(56, 'x')));
  CHECK(sha256_hex(std::string(63, 'x')) != sha256_hex(std::string(64, 'x')));
}

TEST_CASE("constant_time_equal and random_hex") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK(random_hex(16).size() == 32);
  CHECK(random_hex(16) != random_hex(16));
}

TEST_CASE("UTC day numbers round trip through dates") {
  CHECK(day_to_date(0) == "1970-01-01");
  CHECK(day_to_date(19723) == "2024-01-01");
  CHECK(date_to_day("2024-02-29") == 19782);
  CHECK_FALSE(date_to_day("2023-02-29"));
  CHECK_FALSE(date_to_day("2024-1-01"));
  for (int32_t d = 0; d < 40000; d += 37) CHECK(date_to_day(day_to_date(d)) == d);
}

TEST_CASE("origins are normalized and validated") {
  CHECK(normalize_origin("https://Shop.Example") == "https://shop.example");
  CHECK(normalize_origin("http://localhost:8080") == "http://localhost:8080");
  CHECK_FALSE(normalize_origin("https://shop.example/"));
  CHECK_FALSE(normalize_origin("ftp://x"));
  CHECK_FALSE(normalize_origin("https://"));
  CHECK_FALSE(normalize_origin("*"));
}

TEST_CASE("SecureRandom feeds dp_release like a seeded Rng does") {
  SecureRandom a, b;
  CHECK(a.next() != b.next());
  for (int i = 0; i < 1000; ++i) CHECK(a.below(7) < 7);
  Aggregate agg;
  agg.counters[kPageViews] = 1000;
  agg.layers[kLayerClicks].add(5, 300);
  DpParams p;
  p.epsilon = 1;
  const DpResult r = dp_release(agg, p, a);
  CHECK(r.released);
  CHECK(agg.counters[kPageViews] > 900);
  CHECK(agg.counters[kPageViews] < 1100);
}
