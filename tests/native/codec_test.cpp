#include "core/codec.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "core/wire.h"
#include "json/report_json.h"
#include "test_util.h"

using namespace thermograph;

namespace {
Report sample_report() {
  Report r;
  r.segment.site = "site_demo";
  r.segment.page = "https://shop.example/pricing";
  r.segment.width_class = 3;
  r.segment.device = kDeviceMouse;
  r.segment.logged_in = true;
  r.segment.variant = "B";
  r.segment.tracker_version = 1;
  r.segment.tags = {{"plan", "pro"}, {"region", "eu"}};
  r.data.counters[kPageViews] = 1;
  r.data.layers[kLayerClicks].add(cell_index(100, 200), 2);
  for (uint32_t b = 0; b < 30; ++b) r.data.layers[kLayerReachPx].add(b, 1);
  ElementStats* el = r.data.element(0xdeadbeef);
  el->flags = kElInteractive;
  el->counters[kElClicks] = 2;
  el->counters[kElPvClicked] = 1;
  el->cells.add(17, 2);
  return r;
}

DecodeResult decode_bytes(const std::vector<uint8_t>& b, Report& r) {
  return decode(b.data(), b.size(), r);
}
}  // namespace

TEST_CASE("encode/decode round trip preserves everything") {
  Report in = sample_report(), out;
  auto bytes = encode(in);
  auto res = decode_bytes(bytes, out);
  REQUIRE_MESSAGE(res.ok(), res.message);
  CHECK(out == in);
  // 30 equal reach bands cost one run entry, not 30 pairs.
  CHECK(bytes.size() < 100);
}

namespace {
struct TestCell {
  uint32_t index;
  uint32_t value;
};

void put_varint(std::vector<uint8_t>& out, uint32_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<uint8_t>(v | 0x80));
  out.push_back(static_cast<uint8_t>(v));
}

// Both forms of a sparse cell list written out in full (docs/wire-format.md), bodies only.
struct SparseForms {
  std::vector<uint8_t> pairs, runs;
  uint32_t nruns = 0;
};
SparseForms both_forms(const std::vector<TestCell>& cells) {
  SparseForms f;
  uint32_t next = 0;
  for (const TestCell& c : cells) {
    put_varint(f.pairs, c.index - next);
    put_varint(f.pairs, c.value);
    next = c.index + 1;
  }
  next = 0;
  for (size_t i = 0, j; i < cells.size(); i = j, ++f.nruns) {
    for (j = i + 1; j < cells.size() && cells[j].index == cells[j - 1].index + 1 &&
                    cells[j].value == cells[i].value;
         ++j) {
    }
    put_varint(f.runs, cells[i].index - next);
    put_varint(f.runs, static_cast<uint32_t>(j - i - 1));
    put_varint(f.runs, cells[i].value);
    next = cells[j - 1].index + 1;
  }
  return f;
}
}  // namespace

TEST_CASE(
    "put_sparse writes the shorter of pairs and runs, pairs on a tie (both forms written out)") {
  int chose_runs = 0, chose_pairs = 0, ties = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    CAPTURE(seed);
    test::Rng rng{seed};
    std::vector<TestCell> cells(rng.below(40));
    // Mostly adjacent indexes and few distinct values, so runs of every length occur, with gaps
    // and values of one to five varint bytes.
    constexpr uint32_t kGaps[] = {0, 0, 0, 1, 3, 200, 40000, 3000000};
    constexpr uint32_t kValues[] = {1, 1, 2, 1000, 70000, 0xffffffffu};
    uint32_t index = rng.below(2) ? 0 : rng.below(300);
    for (TestCell& c : cells) {
      c = {index, kValues[rng.below(rng.below(3) ? 2 : 6)]};
      index += 1 + kGaps[rng.below(8)];
    }
    const SparseForms f = both_forms(cells);
    const bool use_runs = f.runs.size() < f.pairs.size();
    std::vector<uint8_t> want;
    put_varint(want, use_runs ? f.nruns << 1 | 1 : static_cast<uint32_t>(cells.size()) << 1);
    want.insert(want.end(), (use_runs ? f.runs : f.pairs).begin(),
                (use_runs ? f.runs : f.pairs).end());

    std::vector<uint8_t> buf(wire::sparse_max(cells.size()));
    wire::Writer w{buf.data()};
    wire::put_sparse(w, cells.data(), static_cast<uint32_t>(cells.size()));
    CHECK(std::vector<uint8_t>(buf.data(), w.p) == want);
    if (cells.empty()) continue;
    (use_runs ? chose_runs : chose_pairs)++;
    ties += f.runs.size() == f.pairs.size();
  }
  // Every outcome of the choice was exercised.
  CHECK(chose_runs > 100);
  CHECK(chose_pairs > 100);
  CHECK(ties > 10);
}

TEST_CASE("Writer::counters_delta writes the counter block of total - sent and marks it sent") {
  int none = 0, some = 0;
  for (uint64_t seed = 1; seed <= 2000; ++seed) {
    CAPTURE(seed);
    test::Rng rng{seed};
    const uint32_t n = 1 + rng.below(11);
    // 0/1 counters (their mask bit alone is written) among the others.
    const uint32_t ones = rng.below(1u << n);
    uint32_t total[11], sent[11], delta[11];
    for (uint32_t i = 0; i < n; ++i) {
      constexpr uint32_t kValues[] = {0, 1, 127, 128, 70000, 0xffffffffu};
      total[i] = ones >> i & 1 ? rng.below(2) : kValues[rng.below(6)];
      // Mostly sent already (delta 0); otherwise any part of it, the whole included.
      sent[i] = rng.below(3) ? total[i] : total[i] - (total[i] ? rng.below(total[i]) + 1 : 0);
      delta[i] = total[i] - sent[i];
    }
    uint8_t want[64], got[64];
    wire::Writer ww{want}, wg{got};
    ww.counters(delta, n, ones);
    const bool any = wg.counters_delta(total, sent, n, ones);
    CHECK(std::vector<uint8_t>(got, wg.p) == std::vector<uint8_t>(want, ww.p));
    bool want_any = false;
    for (uint32_t i = 0; i < n; ++i) {
      CHECK(sent[i] == total[i]);
      want_any |= delta[i] != 0;
    }
    CHECK(any == want_any);
    (any ? some : none)++;
  }
  CHECK(none > 50);
  CHECK(some > 50);
}

TEST_CASE("random reports round trip (property)") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    test::Rng rng{seed};
    Report in;
    in.kind = seed % 2 ? kKindDelta : kKindAggregate;
    in.segment.site = "s" + std::to_string(seed);
    in.data = test::random_aggregate(rng, seed % 7 == 0);
    if (in.kind == kKindDelta) test::as_delta(in.data);
    Report out;
    auto res = decode_bytes(encode(in), out);
    REQUIRE_MESSAGE(res.ok(), res.message);
    CHECK(out == in);
  }
}

TEST_CASE("decoder rejects every truncation of a valid report with a precise error") {
  auto bytes = encode(sample_report());
  for (size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    Report out;
    auto res = decode(bytes.data(), n, out);
    CHECK_FALSE(res.ok());
    CHECK(res.offset <= n);
    CHECK(!res.message.empty());
  }
}

TEST_CASE("decoder error table") {
  const auto good = encode(sample_report());
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    DecodeStatus status;
    const char* needle;
  };
  auto with = [&](size_t at, uint8_t v) {
    auto b = good;
    b[at] = v;
    return b;
  };
  auto appended = good;
  appended.push_back(0);
  std::vector<Case> cases = {
      {"wrong magic", with(0, 'X'), DecodeStatus::kBadMagic, "magic"},
      {"future version", with(2, 7), DecodeStatus::kBadVersion, "got wire version 7"},
      {"version 0", with(2, 0), DecodeStatus::kBadVersion, "reads versions 1 to 6"},
      {"unknown kind", with(3, 9), DecodeStatus::kBadKind, "kind 9"},
      {"site length beyond body",
       {'T', 'G', 1, 0, 5, 'a'},
       DecodeStatus::kTruncated,
       "site key needs 5 bytes, 1 left"},
      {"site too long", with(4, 0x7f), DecodeStatus::kOutOfRange, "limit 64"},
      {"trailing byte", appended, DecodeStatus::kTrailingBytes, "1 bytes after"},
      {"empty", {}, DecodeStatus::kTruncated, "magic"},
      {"overlong varint",
       {'T', 'G', 1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
       DecodeStatus::kBadVarint,
       ""},
      {"huge cell count",
       {'T', 'G', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
       DecodeStatus::kTruncated,
       "claims"},
      {"bad utf-8 site", {'T', 'G', 1, 0, 2, 0xc3, 0x28}, DecodeStatus::kBadString, "UTF-8"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Report out;
    auto res = decode(c.bytes.data(), c.bytes.size(), out);
    CHECK(res.status == c.status);
    CHECK_MESSAGE(res.message.find(c.needle) != std::string::npos, res.message);
  }
}

TEST_CASE("segment flags: logged in and a second tag round trip; other bits are reserved") {
  Report r;
  r.segment.site = "s";
  r.segment.page = "https://a.example/";
  r.segment.logged_in = true;
  r.segment.second_tag = true;
  r.data.counters[kPageViews] = 1;
  std::vector<uint8_t> bytes = encode(r);
  Report back;
  REQUIRE(decode(bytes.data(), bytes.size(), back).ok());
  CHECK(back.segment.logged_in);
  CHECK(back.segment.second_tag);
  // The flags byte follows site, page (length-prefixed), width and device.
  const size_t at = 4 + 1 + r.segment.site.size() + 1 + r.segment.page.size() + 2;
  REQUIRE(bytes[at] == 3);
  bytes[at] = 4;
  Report bad;
  CHECK(decode(bytes.data(), bytes.size(), bad).status == DecodeStatus::kReservedBits);
}

TEST_CASE("segment enums are range-checked; 255 (mixed) only in aggregates") {
  struct Case {
    ReportKind kind;
    uint8_t width, device;
    bool ok;
  };
  const Case cases[] = {
      {kKindDelta, 0, 0, true},
      {kKindDelta, 4, 3, true},
      {kKindDelta, 5, 1, false},
      {kKindDelta, 254, 1, false},
      {kKindDelta, kMixed, 1, false},
      {kKindDelta, 2, 4, false},
      {kKindDelta, 2, kMixed, false},
      {kKindAggregate, kMixed, kMixed, true},
      {kKindAggregate, 4, 3, true},
      {kKindAggregate, 5, 1, false},
      {kKindAggregate, 200, kMixed, false},
      {kKindAggregate, 1, 9, false},
  };
  for (const Case& c : cases) {
    CAPTURE(int(c.kind));
    CAPTURE(int(c.width));
    CAPTURE(int(c.device));
    Report in = sample_report(), out;
    in.kind = c.kind;
    in.segment.width_class = c.width;
    in.segment.device = c.device;
    const auto bytes = encode(in);
    const DecodeResult res = decode(bytes.data(), bytes.size(), out);
    CHECK(res.ok() == c.ok);
    if (!c.ok) {
      CHECK(res.status == DecodeStatus::kOutOfRange);
      const bool width_ok =
          c.width < kWidthClasses || (c.width == kMixed && c.kind == kKindAggregate);
      CHECK(res.message.find(width_ok ? "device" : "width class") != std::string::npos);
    }
  }
}

TEST_CASE("decoder limits refuse hostile sizes before allocating") {
  Report r = sample_report();
  for (uint32_t i = 0; i < 100; ++i) r.data.layers[kLayerMove].add(i * 3, 1);
  auto bytes = encode(r);
  DecodeLimits tight;
  tight.max_cells_per_layer = 50;
  Report out;
  auto res = decode(bytes.data(), bytes.size(), out, tight);
  CHECK(res.status == DecodeStatus::kTooMany);
}

TEST_CASE("JSON form names layers and places cells at px") {
  auto j = to_json(sample_report());
  CHECK(j["kind"] == "delta");
  CHECK(j["segment"]["variant"] == "B");
  CHECK(j["layers"]["clicks"][0] == nlohmann::json::array({96, 192, 2}));
  CHECK(j["elements"][0]["key"] == "deadbeef");
  CHECK(j["counters"]["page_views"] == 1);
}

TEST_CASE("bad magic message and offset agree") {
  const uint8_t bytes[] = {'X', 'G', 1, 0};
  Report out;
  auto res = decode(bytes, sizeof bytes, out);
  CHECK(res.offset == 0);
  CHECK(res.message.rfind("bad_magic at byte 0:", 0) == 0);
}

// Field names in messages are built only when a check fails (per-cell strings were most of the
// decoder's cost); a report with any one byte broken still names the exact field.
TEST_CASE("a broken byte is reported with the exact entry, counter or element it is in") {
  Report r;
  r.segment.site = "tg_site";
  r.segment.page = "https://shop.example/";
  r.data.counters[kPageViews] = 1;  // a delta's 0/1 counter: its mask bit alone
  r.data.counters[kEngagedSeconds] = 5;
  r.data.layers[kLayerClicks].add(3, 2);
  r.data.layers[kLayerClicks].add(9, 1);
  ElementStats* el = r.data.element(0x1234);
  el->counters[kElClicks] = 1;
  el->cells.add(5, 1);
  const std::vector<uint8_t> good = encode(r);
  std::set<std::string> messages;
  for (size_t at = 0; at < good.size(); ++at) {
    for (const uint8_t v : {0x00, 0xff}) {
      std::vector<uint8_t> bad = good;
      bad[at] = v;
      Report out;
      const DecodeResult res = decode(bad.data(), bad.size(), out);
      if (!res.ok()) messages.insert(res.message.substr(res.message.find(": ") + 2));
    }
  }
  for (const char* want :
       {"page counter 8 is 0", "layer 'clicks' entry 0 has value 0",
        "layer 'clicks' entry 1 has value 0", "element 0 counter 0 is 0",
        "element 0 cells entry 0 has value 0", "overlong varint in element 0 cells entry 0 value",
        "element 0 counter 3 is 0", "expected journey step count",
        "overlong varint in tracker version", "element 0 flags set reserved bits"})
    CHECK_MESSAGE(messages.count(want) == 1, std::string(want));
  Report out;
  CHECK(decode(good.data(), good.size(), out).ok());
  CHECK(out == r);
}
