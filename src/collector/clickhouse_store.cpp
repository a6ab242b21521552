// ClickHouseStore: the Store interface over a sharded ClickHouse cluster, spoken to through its
// HTTP interface (docs/scale-out.md). Reports are exploded into rows of one SummingMergeTree
// table per shard and inserted through a Distributed table keyed by sipHash64(site, page), so
// one page lives on one shard; every read is a sum() ... GROUP BY in the engine.
//
// Idempotence: each commit carries a random 128-bit batch id and, in the same INSERT, one
// marker row per (site, page, day) it writes. A marker lands on the same shard and in the same
// partition as that page-day's rows, so it is written in the same part: atomically with them.
// After a failure the collector asks which markers of the batch exist and re-sends only the
// rest, so an insert whose answer was lost is never counted twice.
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "crypto.h"
#include "store.h"

namespace thermograph {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// Bumped whenever the tables change; a collector refuses a cluster of another version.
constexpr uint32_t kSchemaVersion = 1;
constexpr const char* kCluster = "thermograph";  // the remote_servers entry of every shard
constexpr uint64_t kU32 = 4294967295ull;
constexpr size_t kMaxResponseBytes = size_t{512} << 20;  // bounds what one read may return

// Value columns v0.. of the cells table: enough for every page and element counter.
constexpr size_t kValues = std::max<size_t>(kPageCounterCount, kElementCounterCount);
using Values = std::array<uint64_t, kValues>;

// Row kinds of the cells table.
enum Kind : uint8_t {
  kPageRow = 0,      // per report row: page counters v0.., tracker version, n = 1
  kLayerCell = 1,    // layer, idx, value v0
  kElement = 2,      // elem, stable, flags, counters v0..
  kElementCell = 3,  // elem, idx, value v0
  kMarker = 4,       // batch: this batch wrote this (site, page, day)
  kCounter = 5,      // collector counters: site '', page '#stats', variant = reason, v0
  kElementStep = 6,  // journeys (wire version 5): elem = from, idx = to element, page views v0
};
constexpr const char* kStatsPage = "#stats";
// Partition 197001, never pruned. Not day 0: 18.16 prints Date 0 as 0000-00-00.
constexpr const char* kStatsDate = "1970-01-02";

struct Endpoint {
  std::string host;
  std::string port;
  std::string name() const { return host + ":" + port; }
};

// --- SQL and TabSeparated escaping -----------------------------------------------------------

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "'";
}

void tsv_field(std::string& out, const std::string& s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        out += c;
    }
  }
}

std::string tsv_unescape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    switch (c) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      default:
        out += c;  // \\, \', and anything else escaped
    }
  }
  return out;
}

using TsvRow = std::vector<std::string>;

std::vector<TsvRow> parse_tsv(const std::string& body) {
  std::vector<TsvRow> rows;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    TsvRow row;
    size_t f = start;
    for (;;) {
      const size_t tab = body.find('\t', f);
      const size_t stop = tab == std::string::npos || tab > end ? end : tab;
      row.push_back(tsv_unescape(body.substr(f, stop - f)));
      if (stop == end) break;
      f = stop + 1;
    }
    rows.push_back(std::move(row));
    start = end + 1;
  }
  return rows;
}

uint64_t u64(const std::string& s) {
  return s.empty() ? 0 : std::stoull(s);
}

// Version of a row of the sites, element_names and anchoring tables: reads keep the newest.
uint64_t now_us() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  if (line.size() > 300) line.resize(300);
  return line;
}

// --- HTTP ------------------------------------------------------------------------------------

// One POST with a deadline over connect, write and read (Beast's timeouts apply to
// asynchronous operations, so the calls run on a private io_context). Throws StoreError
// (unavailable) when the server cannot be reached or does not answer in time.
std::pair<int, std::string> http_post(const Endpoint& ep, const std::string& target,
                                      const std::string& body, std::chrono::seconds timeout) {
  boost::asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
  req.set(bhttp::field::host, ep.host);
  req.set(bhttp::field::connection, "close");
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  beast::error_code failure;
  const char* stage = "connect";
  stream.expires_after(timeout);
  resolver.async_resolve(
      ep.host, ep.port, [&](beast::error_code ec, tcp::resolver::results_type r) {
        if (ec) return void(failure = ec);
        stream.async_connect(r, [&](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return void(failure = ec);
          stage = "write";
          bhttp::async_write(stream, req, [&](beast::error_code ec, size_t) {
            if (ec) return void(failure = ec);
            stage = "read";
            bhttp::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) {
              if (ec) failure = ec;
            });
          });
        });
      });
  ioc.run();
  if (failure)
    throw StoreError("ClickHouse " + ep.name() + " " + stage + ": " + failure.message(),
                     StoreError::kUnavailable);
  return {parser.get().result_int(), parser.get().body()};
}

// --- the store -------------------------------------------------------------------------------

struct Target {
  std::vector<Endpoint> shards;
  std::string db;
};

Target parse_url(const std::string& url) {
  const std::string scheme = "clickhouse://";
  if (url.rfind(scheme, 0) != 0)
    throw StoreError("store URL must look like clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE");
  const std::string rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  Target t;
  t.db = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (t.db.empty() ||
      t.db.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos)
    throw StoreError("store URL " + url + ": the database name must be [A-Za-z0-9_]+");
  std::stringstream hosts(rest.substr(0, slash));
  for (std::string h; std::getline(hosts, h, ',');) {
    const size_t colon = h.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == h.size() ||
        h.find_first_not_of("0123456789", colon + 1) != std::string::npos)
      throw StoreError("store URL " + url + ": each shard is HOST:HTTP_PORT");
    t.shards.push_back({h.substr(0, colon), h.substr(colon + 1)});
  }
  if (t.shards.empty()) throw StoreError("store URL " + url + ": no shard listed");
  return t;
}

std::string date_literal(int32_t day) {
  return quote(day_to_date(day));
}

class ClickHouseStore final : public Store {
 public:
  explicit ClickHouseStore(const std::string& url) : target_(parse_url(url)) {
    for (size_t i = 0; i < target_.shards.size(); ++i) ensure_schema(i);
  }

  void add_site(const SiteRecord& site) override { put_site(site, false); }

  // Sites and element names live on every shard (any shard answers alone). A change is a new
  // row with a higher version; reads take each key's latest (argMax), so no mutation is needed.
  std::vector<SiteRecord> sites() override {
    std::vector<SiteRecord> out;
    for (const TsvRow& r :
         select_any("SELECT key, argMax(name, version), argMax(origins, version), "
                    "argMax(token_sha256, version), min(created) AS first FROM " +
                    table("sites") +
                    " GROUP BY key HAVING argMax(deleted, version) = 0 ORDER BY first, key")) {
      if (r.size() != 5) continue;
      out.push_back({r[0], r[1], origins_from_json(r[2]), r[3], static_cast<int64_t>(u64(r[4]))});
    }
    return out;
  }

  bool update_site(const SiteRecord& site) override {
    if (!has_site(site.key)) return false;
    put_site(site, false);
    return true;
  }

  // The site's tombstone hides it at once; its rows, names and counters go by background
  // DELETE mutations on each shard (ClickHouse 18.16 has no synchronous delete).
  int64_t delete_site(const std::string& key) override {
    const std::vector<SiteRecord> all = sites();
    const auto found =
        std::find_if(all.begin(), all.end(), [&](const SiteRecord& s) { return s.key == key; });
    if (found == all.end()) return -1;
    int64_t n = 0;
    for (const TsvRow& r : select("SELECT count() FROM (SELECT 1 FROM " + table("cells") +
                                  " WHERE kind = 0 AND site = " + quote(key) +
                                  " GROUP BY page, date, width, device, logged_in, variant, tags)"))
      if (!r.empty()) n = static_cast<int64_t>(u64(r[0]));
    put_site(*found, true);
    const std::string counters = site_stat(key, "");
    for (size_t i = 0; i < target_.shards.size(); ++i) {
      run(i, "ALTER TABLE " + local("cells") + " DELETE WHERE site = " + quote(key) +
                 " OR (kind = 5 AND substring(variant, 1, " + std::to_string(counters.size()) +
                 ") = " + quote(counters) + ")");
      for (const char* t : {"element_names", "anchoring"})
        run(i, "ALTER TABLE " + table(t) + " DELETE WHERE site = " + quote(key));
      run(i, "ALTER TABLE " + local("survey_answers") + " DELETE WHERE site = " + quote(key));
    }
    return n;
  }

  size_t put_element_names(const std::string& site, const std::vector<ElementName>& names,
                           size_t max_per_site) override {
    std::set<std::pair<std::string, uint32_t>> held;
    for (const TsvRow& r : select_any("SELECT page, key FROM " + table("element_names") +
                                      " WHERE site = " + quote(site) + " GROUP BY page, key"))
      if (r.size() == 2) held.insert({r[0], static_cast<uint32_t>(u64(r[1]))});
    const uint64_t now = now_us();
    std::string rows;
    size_t stored = 0;
    for (const ElementName& n : names) {
      const bool known = held.count({n.page, n.key}) > 0;
      if (!known && held.size() >= max_per_site) continue;
      held.insert({n.page, n.key});
      for (const std::string* f : {&site, &n.page}) tsv_field(rows, *f), rows += '\t';
      rows += std::to_string(n.key) + '\t';
      for (const std::string* f : {&n.role, &n.name}) tsv_field(rows, *f), rows += '\t';
      rows += std::to_string(now) + '\n';
      ++stored;
    }
    if (!rows.empty())
      for (size_t i = 0; i < target_.shards.size(); ++i)
        run(i, "INSERT INTO " + table("element_names") + " FORMAT TabSeparated\n" + rows);
    return stored;
  }

  std::vector<ElementName> element_names(const std::string& site) override {
    std::vector<ElementName> out;
    for (const TsvRow& r : select_any(
             "SELECT page, key, argMax(role, updated), argMax(name, updated) FROM " +
             table("element_names") + " WHERE site = " + quote(site) + " GROUP BY page, key"))
      if (r.size() == 4) out.push_back({r[0], static_cast<uint32_t>(u64(r[1])), r[2], r[3]});
    return out;
  }

  // Like element names: every shard holds the site's figures, the newest row of a page wins.
  bool put_anchoring(const std::string& site, const AnchoringFigure& f,
                     size_t max_pages_per_site) override {
    // Pages the site holds figures for, and whether this is one of them.
    const auto held =
        select_any("SELECT count(), countIf(page = " + quote(f.page) + ") FROM (SELECT page FROM " +
                   table("anchoring") + " WHERE site = " + quote(site) + " GROUP BY page)");
    if (held.empty() || held[0].size() != 2)
      throw StoreError("ClickHouse: unexpected answer counting anchoring figures");
    const bool known = u64(held[0][1]) > 0;
    if (!known && u64(held[0][0]) >= max_pages_per_site) return false;
    char share[32];
    std::snprintf(share, sizeof share, "%.17g", f.missing_share);
    std::string row;
    for (const std::string* field : {&site, &f.page}) tsv_field(row, *field), row += '\t';
    row += std::to_string(f.elements) + '\t' + std::to_string(f.found) + '\t' + share + '\t' +
           std::to_string(f.measured_unix) + '\t' + std::to_string(now_us()) + '\n';
    for (size_t i = 0; i < target_.shards.size(); ++i)
      run(i, "INSERT INTO " + table("anchoring") + " FORMAT TabSeparated\n" + row);
    return true;
  }

  std::vector<AnchoringFigure> anchoring(const std::string& site) override {
    std::vector<AnchoringFigure> out;
    for (const TsvRow& r :
         select_any("SELECT page, argMax(elements, updated), argMax(found, updated), "
                    "argMax(missing_share, updated), argMax(measured, updated) FROM " +
                    table("anchoring") + " WHERE site = " + quote(site) + " GROUP BY page"))
      if (r.size() == 5)
        out.push_back({r[0], static_cast<uint32_t>(u64(r[1])), static_cast<uint32_t>(u64(r[2])),
                       std::strtod(r[3].c_str(), nullptr),
                       std::strtoll(r[4].c_str(), nullptr, 10)});
    return out;
  }

  // Survey counts are sharded like the cells (by site and page) and summed by the engine; reads
  // always sum() ... GROUP BY (merges are lazy). The per-site key bound is checked before the
  // insert, so collectors answering at once may pass it by the few answers in flight.
  bool add_survey_answer(const std::string& site, const SurveyCount& a, int32_t day,
                         size_t max_per_site) override {
    const auto held =
        select("SELECT count(), countIf(page = " + quote(a.page) +
               " AND survey = " + quote(a.survey) + " AND element = " + std::to_string(a.element) +
               ") FROM (SELECT page, survey, element FROM " + table("survey_answers") +
               " WHERE site = " + quote(site) + " GROUP BY page, survey, element)");
    if (held.empty() || held[0].size() != 2)
      throw StoreError("ClickHouse: unexpected answer counting survey keys");
    if (u64(held[0][1]) == 0 && u64(held[0][0]) >= max_per_site) return false;
    std::string row;
    for (const std::string* f : {&site, &a.page, &a.survey}) tsv_field(row, *f), row += '\t';
    row += std::to_string(a.element) + '\t';
    tsv_field(row, a.answer);
    row += '\t' + day_to_date(day) + "\t1\n";
    run(next_shard(), "INSERT INTO " + table("survey_answers") + " FORMAT TabSeparated\n" + row,
        "insert_distributed_sync=1");
    return true;
  }

  std::vector<SurveyCount> survey_counts(const std::string& site,
                                         const std::optional<std::string>& page, int32_t from_day,
                                         int32_t to_day) override {
    std::vector<SurveyCount> out;
    for (const TsvRow& r :
         select("SELECT page, survey, element, answer, sum(count) FROM " + table("survey_answers") +
                " WHERE site = " + quote(site) + (page ? " AND page = " + quote(*page) : "") +
                " AND " + day_range(from_day, to_day) +
                " GROUP BY page, survey, element, answer ORDER BY page, survey, element, answer"))
      if (r.size() == 5)
        out.push_back({r[0], r[1], static_cast<uint32_t>(u64(r[2])), r[3], u64(r[4])});
    return out;
  }

  std::vector<SurveyDayCount> survey_rows(const std::string& site) override {
    std::vector<SurveyDayCount> out;
    for (const TsvRow& r :
         select("SELECT page, survey, element, answer, date, sum(count) AS n FROM " +
                table("survey_answers") + " WHERE site = " + quote(site) +
                " GROUP BY page, survey, element, answer, date HAVING n > 0"
                " ORDER BY page, survey, element, answer, date"))
      if (r.size() == 6)
        out.push_back({{r[0], r[1], static_cast<uint32_t>(u64(r[2])), r[3], u64(r[5])},
                       date_to_day(r[4]).value_or(0)});
    return out;
  }

  // One INSERT (one block) through the Distributed table. As for single answers, the key bound
  // is checked before it, so answers arriving meanwhile may pass it by those in flight.
  bool add_survey_counts(const std::string& site, const std::vector<SurveyDayCount>& rows,
                         size_t max_per_site) override {
    std::set<std::tuple<std::string, std::string, uint32_t>> keys;
    std::string body = "INSERT INTO " + table("survey_answers") + " FORMAT TabSeparated\n";
    size_t lines = 0;
    for (const SurveyDayCount& r : rows) {
      const SurveyCount& a = r.answer;
      if (a.count == 0) continue;      // a row summing to 0 would vanish in the next merge anyway
      if (r.day < 0 || r.day > 65535)  // ClickHouse's Date: 1970-01-01 .. 2149
        throw StoreError("ClickHouse cannot hold survey answers of day " + day_to_date(r.day));
      keys.insert({a.page, a.survey, a.element});
      for (const std::string* f : {&site, &a.page, &a.survey}) tsv_field(body, *f), body += '\t';
      body += std::to_string(a.element) + '\t';
      tsv_field(body, a.answer);
      body += '\t' + day_to_date(r.day) + '\t' + std::to_string(a.count) + '\n';
      ++lines;
    }
    if (lines == 0) return true;
    uint64_t held = 0;
    for (const TsvRow& r :
         select("SELECT page, survey, element FROM " + table("survey_answers") +
                " WHERE site = " + quote(site) + " GROUP BY page, survey, element"))
      if (r.size() == 3) {
        ++held;
        keys.erase({r[0], r[1], static_cast<uint32_t>(u64(r[2]))});
      }
    if (held + keys.size() > max_per_site) return false;
    run(next_shard(), body,
        "insert_distributed_sync=1&max_insert_block_size=" + std::to_string(lines + 1));
    return true;
  }

  // Bytes of every active part of this database, summed over the shards.
  uint64_t size_bytes() override {
    uint64_t total = 0;
    for (size_t i = 0; i < target_.shards.size(); ++i)
      for (const TsvRow& r :
           select_on(i, "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = " +
                            quote(target_.db)))
        if (!r.empty()) total += u64(r[0]);
    return total;
  }

  void commit_batch(const std::vector<std::pair<RowKey, const Report*>>& batch,
                    const StatsMap& stats) override {
    // Rows grouped by (site, page, day): the unit a marker vouches for.
    std::map<std::tuple<std::string, std::string, std::string>, std::string> groups;
    for (const auto& [key, report] : batch)
      append_rows(groups[{key.site, key.page, day_to_date(key.day)}], key, *report);
    std::string counters;
    for (const auto& [reason, n] : stats) {
      if (n == 0) continue;
      RowKey k;
      k.page = kStatsPage;
      k.variant = reason;
      Values v{};
      v[0] = n;
      append_row(counters, k, kStatsDate, kCounter, 0, 0, 0, 0, 0, 0, "", v);
    }
    if (!counters.empty()) groups[{"", kStatsPage, kStatsDate}] = std::move(counters);
    if (groups.empty()) return;
    const std::string batch_id = random_hex(16);
    // A shard that is down would take its share of the batch away while the others keep theirs:
    // check every shard first, so a known outage refuses the batch whole.
    for (size_t i = 0; i < target_.shards.size(); ++i) ping(i);
    std::string last_error;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0) {
        // What of this batch is in already? Its markers say so exactly.
        std::vector<TsvRow> done;
        try {
          done = select("SELECT DISTINCT site, page, date FROM " + table("cells") +
                        " WHERE kind = 4 AND batch = " + quote(batch_id));
        } catch (const StoreError& e) {
          throw StoreError("ClickHouse commit failed (" + last_error +
                               "), and which part of it was stored is unknown: " + e.what(),
                           StoreError::kUnavailable);
        }
        for (const TsvRow& r : done)
          if (r.size() == 3) groups.erase({r[0], r[1], r[2]});
        if (groups.empty()) return;  // the earlier attempt stored everything
      }
      std::string body = "INSERT INTO " + table("cells") + " FORMAT TabSeparated\n";
      for (const auto& [g, rows] : groups) {
        body += rows;
        RowKey mk;
        mk.site = std::get<0>(g);
        mk.page = std::get<1>(g);
        append_row(body, mk, std::get<2>(g), kMarker, 0, 0, 0, 0, 0, 0, batch_id, {});
      }
      // One block for the whole batch (so a marker is never split from its rows): the block
      // size is the row count itself (a larger one would be allocated in advance).
      const size_t lines = static_cast<size_t>(std::count(body.begin(), body.end(), '\n'));
      try {
        run(next_shard(), body,
            "insert_distributed_sync=1&max_insert_block_size=" + std::to_string(lines + 1));
        return;
      } catch (const StoreError& e) {
        last_error = e.what();
      }
    }
    throw StoreError("ClickHouse commit failed: " + last_error, StoreError::kUnavailable);
  }

  PageList pages(const std::string& site, size_t offset, size_t limit) override {
    PageList out;
    const std::string where = " WHERE kind = 0 AND site = " + quote(site);
    for (const TsvRow& r :
         select("SELECT page, sum(v0) AS pv, min(date), max(date) FROM " + table("cells") + where +
                " GROUP BY page ORDER BY pv DESC, page LIMIT " + std::to_string(offset) + ", " +
                std::to_string(std::min<uint64_t>(limit, 1ull << 40)))) {
      if (r.size() != 4) continue;
      out.pages.push_back(
          {r[0], u64(r[1]), date_to_day(r[2]).value_or(0), date_to_day(r[3]).value_or(0), 0});
    }
    for (const TsvRow& r : select("SELECT uniqExact(page) FROM " + table("cells") + where))
      if (!r.empty()) out.total = u64(r[0]);
    return out;
  }

  std::vector<RowInfo> rows(const RowFilter& f) override {
    std::vector<RowInfo> out;
    for (const auto& [info, version] : row_list(f)) out.push_back(info);
    return out;
  }

  // Not the way reads go (merged() sums in the engine); kept for the interface's other users:
  // one row at a time, each a merged() of its own key.
  void for_each_row(const RowFilter& f,
                    const std::function<void(const RowKey&, Report&&)>& fn) override {
    for (const auto& [info, version] : row_list(f)) {
      RowFilter one;
      one.site = info.key.site;
      one.page = info.key.page;
      one.width_class = info.key.width_class;
      one.device = info.key.device;
      one.logged_in = info.key.logged_in;
      one.variant = info.key.variant;
      one.from_day = one.to_day = info.key.day;
      std::optional<Report> r = merged_rows(one, {{info, version}}, /*restrict_tags=*/true);
      if (r) fn(info.key, std::move(*r));
    }
  }

  std::optional<Report> merged(const RowFilter& f) override {
    return merged_rows(f, row_list(f), !f.tags.empty());
  }

  StatsMap stats() override {
    StatsMap out;
    for (const TsvRow& r : select("SELECT variant, sum(v0) FROM " + table("cells") +
                                  " WHERE kind = 5 GROUP BY variant"))
      if (r.size() == 2) out[r[0]] = u64(r[1]);
    out["pending_deltas"] = 0;  // nothing waits: every commit is summed by the engine
    return out;
  }

  // Whole months before `before_day` are dropped per shard (DROP PARTITION); the days of the
  // cutoff's own month go by a background DELETE mutation. Returns the rows (page x day x
  // segment) removed.
  int64_t prune(int32_t before_day) override {
    RowFilter all;
    all.to_day = before_day - 1;
    int64_t n = 0;
    for (const TsvRow& r : select("SELECT count() FROM (SELECT 1 FROM " + table("cells") +
                                  " WHERE kind = 0 AND " + day_range(INT32_MIN, before_day - 1) +
                                  " GROUP BY site, page, date, width, device, logged_in, variant,"
                                  " tags)"))
      if (!r.empty()) n = static_cast<int64_t>(u64(r[0]));
    const std::string cutoff = day_to_date(before_day);
    const std::string month = cutoff.substr(0, 4) + cutoff.substr(5, 2);
    for (size_t i = 0; i < target_.shards.size(); ++i) {
      for (const TsvRow& r :
           select_on(i, "SELECT DISTINCT partition FROM system.parts WHERE active AND database = " +
                            quote(target_.db) + " AND table = 'cells_local'")) {
        if (r.empty() || r[0] >= month || r[0] == "197001") continue;
        run(i, "ALTER TABLE " + local("cells") + " DROP PARTITION " + r[0]);
      }
      if (cutoff.substr(8) != "01")
        run(i, "ALTER TABLE " + local("cells") + " DELETE WHERE kind != 5 AND date < " +
                   quote(cutoff) + " AND toYYYYMM(date) = " + month);
      run(i, "ALTER TABLE " + local("survey_answers") + " DELETE WHERE date < " + quote(cutoff));
    }
    return n;
  }

  // Nothing to fold: the engine sums rows in its own background merges. Once an hour, markers
  // older than yesterday (no retry can still need them) are deleted by a mutation.
  size_t compact(bool) override {
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(compact_mu_);
      if (now - last_marker_sweep_ < std::chrono::hours(1)) return 0;
      last_marker_sweep_ = now;
    }
    for (size_t i = 0; i < target_.shards.size(); ++i) {
      try {
        run(i, "ALTER TABLE " + local("cells") + " DELETE WHERE kind = 4 AND date < " +
                   date_literal(today_utc() - 1));
      } catch (const StoreError&) {
        // a shard that is down is swept at the next hour
      }
    }
    return 0;
  }

 private:
  void put_site(const SiteRecord& site, bool deleted) {
    std::string row;
    for (const std::string* f : {&site.key, &site.name}) tsv_field(row, *f), row += '\t';
    tsv_field(row, nlohmann::json(site.origins).dump());
    row += '\t';
    tsv_field(row, site.token_sha256);
    row += '\t' + std::to_string(site.created_unix) + '\t' + std::to_string(now_us()) + '\t' +
           (deleted ? "1" : "0") + '\n';
    for (size_t i = 0; i < target_.shards.size(); ++i)
      run(i, "INSERT INTO " + table("sites") + " FORMAT TabSeparated\n" + row);
  }

  bool has_site(const std::string& key) {
    for (const SiteRecord& s : sites())
      if (s.key == key) return true;
    return false;
  }
  std::string table(const std::string& name) const { return target_.db + "." + name; }
  std::string local(const std::string& name) const { return target_.db + "." + name + "_local"; }

  size_t next_shard() { return next_++ % target_.shards.size(); }

  std::string run(size_t shard, const std::string& body, const std::string& settings = "") {
    const Endpoint& ep = target_.shards[shard];
    std::string path = "/?wait_end_of_query=1";
    if (!settings.empty()) path += "&" + settings;
    const auto [status, text] = http_post(ep, path, body, std::chrono::seconds(30));
    if (status != 200)
      throw StoreError("ClickHouse " + ep.name() + ": " + first_line(text),
                       status >= 500 ? StoreError::kUnavailable : StoreError::kFailed);
    return text;
  }

  void ping(size_t shard) {
    const Endpoint& ep = target_.shards[shard];
    const auto [status, text] = http_post(ep, "/", "SELECT 1", std::chrono::seconds(5));
    if (status != 200 || text != "1\n")
      throw StoreError("ClickHouse " + ep.name() + " is not ready: " + first_line(text),
                       StoreError::kUnavailable);
  }

  std::vector<TsvRow> select_on(size_t shard, const std::string& sql) {
    return parse_tsv(run(shard, sql + " FORMAT TabSeparated"));
  }
  std::vector<TsvRow> select(const std::string& sql) { return select_on(next_shard(), sql); }
  // A query every shard can answer alone (its own copy of the sites): the first that does.
  std::vector<TsvRow> select_any(const std::string& sql) {
    std::string failure;
    for (size_t i = 0; i < target_.shards.size(); ++i) {
      try {
        return select_on(i, sql);
      } catch (const StoreError& e) {
        failure = e.what();
      }
    }
    throw StoreError(failure, StoreError::kUnavailable);
  }

  void ensure_schema(size_t shard) {
    const std::string where = target_.shards[shard].name();
    run(shard, "CREATE DATABASE IF NOT EXISTS " + target_.db);
    // Versioned: the table holds a row. An empty table is a first start that stopped between
    // creating it and writing the version: it gets the version like a new database.
    bool versioned = false;
    if (run(shard, "EXISTS TABLE " + table("schema_version")) == "1\n") {
      const auto r =
          select_on(shard, "SELECT max(version), count() FROM " + table("schema_version"));
      const uint64_t have = r.empty() || r[0].size() != 2 ? 0 : u64(r[0][0]);
      versioned = !r.empty() && r[0].size() == 2 && u64(r[0][1]) > 0;
      if (versioned && have != kSchemaVersion)
        throw StoreError("ClickHouse shard " + where + " database " + target_.db +
                         " has schema version " + std::to_string(have) + "; this collector needs " +
                         std::to_string(kSchemaVersion) + " (docs/scale-out.md, Schema)");
    }
    const auto clusters =
        select_on(shard, "SELECT count() FROM system.clusters WHERE cluster = " + quote(kCluster));
    if (clusters.empty() || u64(clusters[0][0]) != target_.shards.size())
      throw StoreError("ClickHouse shard " + where + " has " +
                       (clusters.empty() ? "0" : clusters[0][0]) + " replicas in cluster '" +
                       kCluster + "' (remote_servers); the store URL lists " +
                       std::to_string(target_.shards.size()) + " shards");
    std::string cols =
        "site String, page String, date Date, width UInt8, device UInt8, logged_in UInt8, "
        "variant String, tags String, kind UInt8, layer UInt8, elem UInt32, stable UInt32, "
        "flags UInt8, version UInt16, idx UInt32, batch String, n UInt64";
    for (size_t i = 0; i < kValues; ++i) cols += ", v" + std::to_string(i) + " UInt64";
    run(shard, "CREATE TABLE IF NOT EXISTS " + local("cells") + " (" + cols +
                   ") ENGINE = SummingMergeTree PARTITION BY toYYYYMM(date) ORDER BY (site, page,"
                   " date, width, device, logged_in, variant, tags, kind, layer, elem, idx, stable,"
                   " flags, version, batch)");
    run(shard, "CREATE TABLE IF NOT EXISTS " + table("cells") + " AS " + local("cells") +
                   " ENGINE = Distributed(" + kCluster + ", " + target_.db +
                   ", cells_local, sipHash64(site, page))");
    // Tables made before wire version 4 had v0..v10: the new counters' columns are added in
    // place (an older collector still reads the table, ignoring them). ClickHouse 18 has no
    // ADD COLUMN IF NOT EXISTS: the missing ones are looked up; a collector starting at the same
    // time may add one first, which a second look finds.
    for (const std::string name : {"cells_local", "cells"}) {
      auto have = [&] {
        std::set<std::string> cols;
        for (const TsvRow& r : select_on(
                 shard, "SELECT name FROM system.columns WHERE database = " + quote(target_.db) +
                            " AND table = " + quote(name)))
          if (!r.empty()) cols.insert(r[0]);
        return cols;
      };
      const std::set<std::string> cols = have();
      for (size_t i = 0; i < kValues; ++i) {
        const std::string col = "v" + std::to_string(i);
        if (cols.count(col)) continue;
        try {
          run(shard, "ALTER TABLE " + target_.db + "." + name + " ADD COLUMN " + col + " UInt64");
        } catch (const StoreError&) {
          if (!have().count(col)) throw;
        }
      }
    }
    // Added after schema version 1 without a bump: a cluster created before gets it here.
    run(shard, "CREATE TABLE IF NOT EXISTS " + local("survey_answers") +
                   " (site String, page String, survey String, element UInt32, answer String,"
                   " date Date, count UInt64) ENGINE = SummingMergeTree PARTITION BY"
                   " toYYYYMM(date) ORDER BY (site, page, survey, element, answer, date)");
    run(shard, "CREATE TABLE IF NOT EXISTS " + table("survey_answers") + " AS " +
                   local("survey_answers") + " ENGINE = Distributed(" + kCluster + ", " +
                   target_.db + ", survey_answers_local, sipHash64(site, page))");
    run(shard, "CREATE TABLE IF NOT EXISTS " + table("sites") +
                   " (key String, name String, origins String, token_sha256 String, created Int64,"
                   " version UInt64, deleted UInt8) ENGINE = MergeTree ORDER BY key");
    run(shard,
        "CREATE TABLE IF NOT EXISTS " + table("element_names") +
            " (site String, page String, key UInt32, role String, name String,"
            " updated UInt64) ENGINE = ReplacingMergeTree(updated) ORDER BY (site, page, key)");
    run(shard, "CREATE TABLE IF NOT EXISTS " + table("anchoring") +
                   " (site String, page String, elements UInt32, found UInt32,"
                   " missing_share Float64, measured Int64, updated UInt64)"
                   " ENGINE = ReplacingMergeTree(updated) ORDER BY (site, page)");
    if (!versioned) {
      run(shard, "CREATE TABLE IF NOT EXISTS " + table("schema_version") +
                     " (version UInt32) ENGINE = TinyLog");
      run(shard, "INSERT INTO " + table("schema_version") + " VALUES (" +
                     std::to_string(kSchemaVersion) + ")");
    }
  }

  static void append_row(std::string& out, const RowKey& k, const std::string& date, Kind kind,
                         uint8_t layer, uint32_t elem, uint32_t stable, uint8_t flags,
                         uint16_t version, uint32_t idx, const std::string& batch,
                         const Values& v) {
    tsv_field(out, k.site);
    out += '\t';
    tsv_field(out, k.page);
    out += '\t' + date + '\t' + std::to_string(k.width_class) + '\t' + std::to_string(k.device) +
           '\t' + (k.logged_in ? "1" : "0") + '\t';
    tsv_field(out, k.variant);
    out += '\t';
    tsv_field(out, k.tags);
    out += '\t' + std::to_string(kind) + '\t' + std::to_string(layer) + '\t' +
           std::to_string(elem) + '\t' + std::to_string(stable) + '\t' + std::to_string(flags) +
           '\t' + std::to_string(version) + '\t' + std::to_string(idx) + '\t' + batch + "\t1";
    for (uint64_t x : v) out += '\t' + std::to_string(x);
    out += '\n';
  }

  static void append_rows(std::string& out, const RowKey& k, const Report& r) {
    const std::string date = day_to_date(k.day);
    const Aggregate& a = r.data;
    Values v{};
    for (size_t c = 0; c < a.counters.size(); ++c) v[c] = a.counters[c];
    append_row(out, k, date, kPageRow, 0, 0, 0, 0, r.segment.tracker_version, 0, "", v);
    for (uint8_t l = 0; l < kLayerCount; ++l)
      for (const auto& cell : a.layers[l].cells()) {
        Values c{};
        c[0] = cell.value;
        append_row(out, k, date, kLayerCell, l, 0, 0, 0, 0, cell.index, "", c);
      }
    for (const auto& [key, el] : a.elements()) {
      // An element the report names only as the start of journey steps gets no element row:
      // its step rows bring it back (merged_rows).
      const bool steps_only = el.flags == 0 && el.stable == 0 && el.cells.empty() &&
                              el.counters == decltype(el.counters){} && !el.next.empty();
      if (!steps_only) {
        Values c{};
        for (size_t i = 0; i < el.counters.size(); ++i) c[i] = el.counters[i];
        append_row(out, k, date, kElement, 0, key, el.stable, el.flags, 0, 0, "", c);
      }
      for (const auto& cell : el.cells.cells()) {
        Values s{};
        s[0] = cell.value;
        append_row(out, k, date, kElementCell, 0, key, 0, 0, 0, cell.index, "", s);
      }
      for (const auto& step : el.next.cells()) {
        Values s{};
        s[0] = step.value;
        append_row(out, k, date, kElementStep, 0, key, 0, 0, 0, step.index, "", s);
      }
    }
  }

  static std::string day_range(int32_t from, int32_t to) {
    // Date holds 1970-01-01 .. 2149: bounds outside it are no bound (or match nothing).
    std::string w = "1";
    if (from > to || from > 65535 || to < 0) return "0";
    if (from > 0) w += " AND date >= " + date_literal(from);
    if (to < 65535) w += " AND date <= " + date_literal(to);
    return w;
  }

  // WHERE for a filter, without its tags (matched on the rows' tag JSON in C++).
  static std::string where(const RowFilter& f) {
    std::string w = " WHERE site = " + quote(f.site);
    if (f.page) w += " AND page = " + quote(*f.page);
    if (f.width_class) w += " AND width = " + std::to_string(*f.width_class);
    if (f.device) w += " AND device = " + std::to_string(*f.device);
    if (f.logged_in) w += std::string(" AND logged_in = ") + (*f.logged_in ? "1" : "0");
    if (f.variant) w += " AND variant = " + quote(*f.variant);
    return w + " AND " + day_range(f.from_day, f.to_day);
  }

  // Every row (page x day x segment) matching `f`, with page views and tracker version.
  std::vector<std::pair<RowInfo, uint16_t>> row_list(const RowFilter& f) {
    std::vector<std::pair<RowInfo, uint16_t>> out;
    for (const TsvRow& r :
         select("SELECT page, date, width, device, logged_in, variant, tags, sum(v0),"
                " max(version) FROM " +
                table("cells") + where(f) +
                " AND kind = 0 GROUP BY page, date, width, device, logged_in, variant, tags"
                " ORDER BY page, width, device, logged_in, variant, tags, date")) {
      if (r.size() != 9 || !tags_match(r[6], f.tags)) continue;
      RowInfo info;
      info.key.site = f.site;
      info.key.page = r[0];
      info.key.day = date_to_day(r[1]).value_or(0);
      info.key.width_class = static_cast<uint8_t>(u64(r[2]));
      info.key.device = static_cast<uint8_t>(u64(r[3]));
      info.key.logged_in = r[4] == "1";
      info.key.variant = r[5];
      info.key.tags = r[6];
      info.page_views = u64(r[7]);
      out.push_back({std::move(info), static_cast<uint16_t>(u64(r[8]))});
    }
    return out;
  }

  static Segment segment_of(const RowKey& k, uint16_t version) {
    Segment s;
    s.site = k.site;
    s.page = k.page;
    s.width_class = k.width_class;
    s.device = k.device;
    s.logged_in = k.logged_in;
    s.variant = k.variant;
    s.tracker_version = version;
    const auto t = nlohmann::json::parse(k.tags, nullptr, false);
    if (t.is_object())
      for (const auto& [key, value] : t.items())
        if (value.is_string()) s.tags.push_back({key, value.get<std::string>()});
    return s;
  }

  // The merge of `rows` (already matched to `f`): the segment from the row keys, the data summed
  // by the engine over the same filter (restricted to the rows' tag sets when `restrict_tags`).
  std::optional<Report> merged_rows(const RowFilter& f,
                                    const std::vector<std::pair<RowInfo, uint16_t>>& rows,
                                    bool restrict_tags) {
    if (rows.empty()) return std::nullopt;
    Report out;
    out.kind = kKindAggregate;
    out.segment = segment_of(rows[0].first.key, rows[0].second);
    for (size_t i = 1; i < rows.size(); ++i)
      merge_segment(out.segment, segment_of(rows[i].first.key, rows[i].second));
    std::string w = where(f);
    if (restrict_tags) {
      std::set<std::string> tag_sets;
      for (const auto& [info, v] : rows) tag_sets.insert(info.key.tags);
      w += " AND tags IN (";
      bool first = true;
      for (const std::string& t : tag_sets) w += (first ? "" : ", ") + quote(t), first = false;
      w += ")";
    }
    auto sat = [](const std::string& s) { return static_cast<uint32_t>(std::min(u64(s), kU32)); };
    std::string sums;
    for (size_t i = 0; i < kValues; ++i) sums += ", sum(v" + std::to_string(i) + ")";
    // The four sums run at once (each on its own connection): a read costs the slowest of
    // them, not their total.
    const std::string from = " FROM " + table("cells") + w;
    auto query = [this](std::string sql) {
      return std::async(std::launch::async, [this, sql = std::move(sql)] { return select(sql); });
    };
    auto counters = query("SELECT 0" + sums + from + " AND kind = 0");
    auto layers = query("SELECT layer, idx, sum(v0)" + from +
                        " AND kind = 1 GROUP BY layer, idx ORDER BY layer, idx");
    auto elements = query("SELECT elem, groupBitOr(flags), minIf(stable, stable != 0)" + sums +
                          from + " AND kind = 2 GROUP BY elem ORDER BY elem");
    // Element sub-cells and journey steps in one query: each query reads every row of the page
    // (kind is not a prefix of the sorting key), so a fifth would cost a fifth scan.
    auto cells = query("SELECT kind, elem, idx, sum(v0)" + from +
                       " AND kind IN (3, 6) GROUP BY kind, elem, idx ORDER BY kind, elem, idx");
    Aggregate& a = out.data;
    for (const TsvRow& r : counters.get())
      for (size_t c = 0; c < a.counters.size() && c + 1 < r.size(); ++c)
        a.counters[c] = sat(r[c + 1]);
    for (const TsvRow& r : layers.get()) {
      if (r.size() != 3 || u64(r[0]) >= kLayerCount) continue;
      a.layers[u64(r[0])].push_back_unchecked(static_cast<uint32_t>(u64(r[1])), sat(r[2]));
    }
    // (elem, idx, value) of sub-cells (kind 3) and of steps (kind 6), each in key order.
    std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> cell_list, step_list;
    for (const TsvRow& r : cells.get())
      if (r.size() == 4 && sat(r[3]) > 0)  // a SparseVec holds no zero values
        (u64(r[0]) == kElementStep ? step_list : cell_list)
            .emplace_back(static_cast<uint32_t>(u64(r[1])), static_cast<uint32_t>(u64(r[2])),
                          sat(r[3]));
    // Steps may start at elements no element row names (a report that knew nothing else of
    // them): both lists are in key order, so one walk adds those in place, in linear time
    // (Aggregate::element() would insert each into the middle of the vector).
    size_t next_step = 0;
    auto add_steps_before = [&](uint64_t end) {  // steps of elements with keys below `end`
      while (next_step < step_list.size() && std::get<0>(step_list[next_step]) < end) {
        const auto [from, to, n] = step_list[next_step++];
        const bool held = !a.elements().empty() && a.elements().back().first == from;
        (held ? *a.find_element(from) : a.push_element_unchecked(from))
            .next.push_back_unchecked(to, n);
      }
    };
    for (const TsvRow& r : elements.get()) {
      if (r.size() != 3 + kValues) continue;
      const uint32_t key = static_cast<uint32_t>(u64(r[0]));
      add_steps_before(key);
      ElementStats& el = a.push_element_unchecked(key);
      el.flags = static_cast<uint8_t>(u64(r[1]));
      el.stable = static_cast<uint32_t>(u64(r[2]));
      for (size_t c = 0; c < el.counters.size(); ++c) el.counters[c] = sat(r[3 + c]);
      add_steps_before(uint64_t{key} + 1);
    }
    add_steps_before(uint64_t{kU32} + 1);
    for (const auto& [key, idx, value] : cell_list)
      if (ElementStats* el = a.find_element(key)) el->cells.push_back_unchecked(idx, value);
    return out;
  }

  Target target_;
  std::atomic<size_t> next_{0};
  std::mutex compact_mu_;
  std::chrono::steady_clock::time_point last_marker_sweep_{};
};

}  // namespace

std::unique_ptr<Store> open_clickhouse_store(const std::string& url) {
  return std::make_unique<ClickHouseStore>(url);
}

}  // namespace thermograph
