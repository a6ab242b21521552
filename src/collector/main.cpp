// thermograph-collector: command-line entry point (serve, site, export, stats, prune).
// Usage errors exit 64 with one line on stderr; runtime failures (database, port) exit 1.
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>

#include "core/dp.h"
#include "flags.h"
#include "json/report_json.h"
#include "names.h"
#include "server.h"
#include "sites.h"
#include "survey.h"

namespace thermograph {
namespace {

constexpr const char* kUsage =
    "usage: thermograph-collector COMMAND [flags]   (COMMAND --help for details)\n"
    "  serve        run the HTTP collector\n"
    "  site create  create a site: prints its public site key and secret read token\n"
    "  site list    list sites\n"
    "  site update  replace a site's origins (and name)\n"
    "  site rotate-token  give a site a new read token; the old one stops working\n"
    "  site delete  delete a site and all its data\n"
    "  export       print merged aggregates of a site as JSON or CSV\n"
    "  stats        print accepted/rejected report counts\n"
    "  prune        delete day buckets older than N days\n"
    "  import       copy sites, rows, counters, element names, re-anchoring figures and "
    "survey answers of one store into another (SQLite to ClickHouse)\n"
    "  --version    print the version\n";

const std::map<std::string, const char*> kHelp = {
    {"serve",
     "usage: thermograph-collector serve --db PATH [--port N] [--host ADDR] [--max-body BYTES]\n"
     "         [--rate R] [--burst B] [--queue N] [--min-page-views N] [--epsilon E]\n"
     "         [--max-header-bytes BYTES] [--max-headers N] [--request-timeout S]\n"
     "         [--idle-timeout S] [--max-connections N] [--max-connections-per-address N]\n"
     "         [--threads N] [--read-threads N]\n"
     "         [--max-pages N] [--max-variants N] [--max-tag-values N] [--max-cells N]\n"
     "         [--compact-after S] [--in-place-cells N] [--row-cache-mb N] [--k-anonymity K]\n"
     "         [--metrics-token-file PATH]\n"
     "  --db PATH            SQLite database (created if missing)\n"
     "  --store clickhouse://HOST:PORT[,HOST:PORT...]/DB  instead of --db: a ClickHouse cluster,\n"
     "                       every shard's HTTP port listed (docs/scale-out.md)\n"
     "  --port N             TCP port (default 8080; 0 picks a free one, printed on stderr)\n"
     "  --host ADDR          listen address (default 127.0.0.1)\n"
     "  --rate R             reports/s per client address (survey answers share it), 0 =\n"
     "                       unlimited (default 20)\n"
     "  --burst B            token bucket size (default max(10, 2 x rate))\n"
     "  --queue N            reports waiting for the writer before 503 (default 8192)\n"
     "  --min-page-views N   smallest segment the read API releases (default 1; 20 with DP)\n"
     "  --metrics-token-file PATH  /metrics (Prometheus) answers anyone presenting the token in\n"
     "                       this file (Authorization: Bearer); without it, loopback clients only\n"
     "  --epsilon E          differential privacy budget per released aggregate; 0 = off\n"
     "                       (default 0). Noise assumes the tracker's default bounds.\n"
     "Limits (docs/collector.md, \"Limits\"); past each the client gets the answer shown:\n"
     "  --max-body BYTES     request body, chunked included (default 65536): 413\n"
     "  --max-header-bytes BYTES  request line + header fields (default 16384): 431\n"
     "  --max-headers N      header fields (default 100): 431\n"
     "  --request-timeout S  seconds from a request's first byte to its last, and to write one\n"
     "                       response (default 10): connection closed\n"
     "  --idle-timeout S     seconds a connection may wait between requests (default 5): closed\n"
     "  --max-connections N  open connections in total (default 10000, kept below the open\n"
     "                       file limit): 503 and close\n"
     "  --max-connections-per-address N  open connections per client IPv4 address or IPv6 /64\n"
     "                       (default 64): 503 and close\n"
     "  Bodies with a Content-Encoding other than identity: 415 (never decompressed).\n"
     "Threads:\n"
     "  --threads N          I/O threads (default: the number of cores); connections are\n"
     "                       asynchronous, an idle one costs no thread\n"
     "  --read-threads N     worker threads for the read API's SQLite reads (default 4)\n"
     "storage and cardinality bounds (per site and UTC day; excess is folded and counted):\n"
     "  --k-anonymity K      a page key, variant or tag value is stored only from the K-th page\n"
     "                       view of its day that carried it; before, as '(rare)' (default 5;\n"
     "                       1 = off)\n"
     "  --max-pages N        page keys per site and day (default 1000); more go to '(other)'\n"
     "  --max-variants N     A/B variants per page and day (default 32); more become '(other)'\n"
     "  --max-tag-values N   tag key:value pairs per page and day (default 64)\n"
     "  --max-cells N        cells per page and day (default 1000000); new cells past it are\n"
     "                       dropped\n"
     "  --compact-after S    pending deltas fold into their rows within S seconds (default 10)\n"
     "  --in-place-cells N   rows under N cells are merged in place at ingest, larger ones get\n"
     "                       pending deltas (default 4096; 0 = always append)\n"
     "  --row-cache-mb N     memory for decoded small rows the writer merges in place (default\n"
     "                       32 MiB; 0 = off)\n"},
    {"site create",
     "usage: thermograph-collector site create --db PATH --origin URL [--origin URL...]\n"
     "         [--name NAME] [--json]\n"
     "  --origin URL   page origin allowed to send reports and read (scheme://host[:port])\n"
     "  --name NAME    label for humans\n"
     "  --json         print {\"site_key\", \"read_token\", ...} instead of text\n"
     "The read token is shown once; only its SHA-256 is stored.\n"},
    {"site list", "usage: thermograph-collector site list --db PATH [--json]\n"},
    {"site update",
     "usage: thermograph-collector site update --db PATH --site KEY --origin URL [--origin "
     "URL...]\n"
     "         [--name NAME]\n"
     "  Replaces the site's origins (and its name with --name). A running collector follows\n"
     "  within a second.\n"},
    {"site rotate-token",
     "usage: thermograph-collector site rotate-token --db PATH --site KEY [--json]\n"
     "  Prints a new read token once; the old token stops working (within a second on a\n"
     "  running collector).\n"},
    {"site delete",
     "usage: thermograph-collector site delete --db PATH --site KEY\n"
     "  Deletes the site, its read token and every stored row of it. Reports still arriving\n"
     "  for it are refused (unknown_site).\n"},
    {"export",
     "usage: thermograph-collector export --db PATH --site KEY [--page PAGE] [--format json|csv]\n"
     "  Merges every day and segment of each page. json: one report per page (to_json form);\n"
     "  csv: per-element counters, one line per page and element.\n"},
    {"stats",
     "usage: thermograph-collector stats --db PATH\n"
     "Every command takes --store clickhouse://HOST:PORT[,...]/DB instead of --db PATH.\n"},
    {"import",
     "usage: thermograph-collector import --from PATH (--store URL | --db PATH)\n"
     "  Copies every site, every row (page x day x segment, as stored), the counters, element\n"
     "  names, re-anchoring figures and micro-survey answers (per day) of the store at --from\n"
     "  into the destination; refuses a destination that already holds rows or survey answers\n"
     "  of one of the sites, and a site with answers for more (page, survey, element) keys than\n"
     "  a site may hold. Stop the collectors writing to --from first (docs/scale-out.md).\n"},
    {"prune",
     "usage: thermograph-collector prune --db PATH --older-than DAYS\n"
     "  Deletes day buckets older than DAYS days (UTC). Safe while serve is running.\n"},
};

int usage_error(const std::string& cmd, const std::string& msg) {
  std::fprintf(stderr, "thermograph-collector %s: %s (see --help)\n", cmd.c_str(), msg.c_str());
  return 64;
}

// Read-only commands must not create an empty database by accident (a typo in --db).
// A ClickHouse URL (--store) opens the cluster (its schema is created or checked).
std::unique_ptr<Store> open_store(const std::string& path, bool must_exist) {
  if (is_clickhouse_url(path)) return open_clickhouse_store(path);
  if (must_exist && access(path.c_str(), F_OK) != 0) throw StoreError("no database at " + path);
  return open_sqlite_store(path);
}

int cmd_serve(const Flags& f) {
  ServerOptions o;
  if (!f.has("db")) return usage_error("serve", "--db PATH is required (or --store URL)");
  o.db = f.get("db");
  o.host = f.get("host", o.host);
  http::Limits& l = o.limits;
  uint64_t port = 8080, threads = o.threads, read_threads = o.read_threads, queue = o.queue,
           min_pv = o.min_page_views, max_body = l.max_body, header_bytes = l.max_header_bytes,
           headers = l.max_headers, conns = l.max_connections,
           per_address = l.max_connections_per_address;
  double request_timeout = l.request_timeout.count() / 1000.0,
         idle_timeout = l.idle_timeout.count() / 1000.0;
  for (const Expected<void>& ok :
       {f.get_u64("port", 0, 65535, port), f.get_u64("max-body", 16, 64 << 20, max_body),
        f.get_u64("max-header-bytes", 1024, 1 << 20, header_bytes),
        f.get_u64("max-headers", 1, 10000, headers),
        f.get_double("request-timeout", 0.1, 3600, request_timeout),
        f.get_double("idle-timeout", 0.1, 3600, idle_timeout),
        f.get_u64("max-connections", 1, 1 << 20, conns),
        f.get_u64("max-connections-per-address", 1, 1 << 20, per_address),
        f.get_u64("threads", 1, 256, threads), f.get_u64("read-threads", 1, 256, read_threads),
        f.get_u64("queue", 1, 1 << 20, queue), f.get_u64("min-page-views", 1, 1u << 31, min_pv),
        f.get_double("rate", 0, 1e9, o.rate), f.get_double("burst", 0, 1e9, o.burst),
        f.get_double("epsilon", 0, 1e6, o.epsilon)})
    if (!ok) return usage_error("serve", ok.error().message);
  uint64_t max_pages = o.segment_limits.pages_per_day,
           max_variants = o.segment_limits.variants_per_page_day,
           max_tags = o.segment_limits.tag_values_per_page_day,
           max_cells = o.max_cells_per_page_day, compact_after = o.compact_after_seconds,
           in_place = o.in_place_max_cells, k = o.segment_limits.k_anonymity,
           row_cache_mb = o.row_cache_bytes >> 20;
  for (const Expected<void>& ok : {f.get_u64("max-pages", 1, 10000000, max_pages),
                                   f.get_u64("max-variants", 1, 100000, max_variants),
                                   f.get_u64("max-tag-values", 1, 100000, max_tags),
                                   f.get_u64("max-cells", 1000, 1ull << 32, max_cells),
                                   f.get_u64("compact-after", 0, 86400, compact_after),
                                   f.get_u64("in-place-cells", 0, 1u << 20, in_place),
                                   f.get_u64("row-cache-mb", 0, 1u << 20, row_cache_mb),
                                   f.get_u64("k-anonymity", 1, 1000000, k)})
    if (!ok) return usage_error("serve", ok.error().message);
  o.segment_limits.pages_per_day = static_cast<uint32_t>(max_pages);
  o.segment_limits.variants_per_page_day = static_cast<uint32_t>(max_variants);
  o.segment_limits.tag_values_per_page_day = static_cast<uint32_t>(max_tags);
  o.segment_limits.k_anonymity = static_cast<uint32_t>(k);
  o.max_cells_per_page_day = max_cells;
  o.compact_after_seconds = static_cast<uint32_t>(compact_after);
  o.in_place_max_cells = static_cast<uint32_t>(in_place);
  o.row_cache_bytes = row_cache_mb << 20;
  o.port = static_cast<int>(port);
  o.threads = threads;
  o.read_threads = read_threads;
  o.queue = queue;
  o.min_page_views = static_cast<uint32_t>(min_pv);
  l.max_body = max_body;
  l.max_header_bytes = header_bytes;
  l.max_headers = headers;
  l.max_connections = conns;
  l.max_connections_per_address = per_address;
  l.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(request_timeout * 1000));
  l.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(idle_timeout * 1000));
  if (f.has("metrics-token-file")) {
    std::FILE* file = std::fopen(f.get("metrics-token-file").c_str(), "r");
    if (!file)
      return usage_error("serve",
                         "cannot read --metrics-token-file " + f.get("metrics-token-file"));
    char buf[257] = {};
    const size_t n = std::fread(buf, 1, sizeof buf - 1, file);
    std::fclose(file);
    o.metrics_token.assign(buf, n);
    while (!o.metrics_token.empty() &&
           std::isspace(static_cast<unsigned char>(o.metrics_token.back())))
      o.metrics_token.pop_back();
    if (o.metrics_token.size() < 16 || n == sizeof buf - 1)
      return usage_error("serve", "--metrics-token-file must hold one token of 16..255 characters");
  }
  // Under DP the gate is on a noisy count: a gate of 1 would release near-empty segments whose
  // noise swamps everything, so DP gets DpParams' default unless the operator chose one.
  if (o.epsilon > 0 && !f.has("min-page-views")) o.min_page_views = DpParams{}.min_page_views;
  return serve(o);
}

Expected<std::vector<std::string>> parse_origins(const Flags& f) {
  std::vector<std::string> origins;
  for (const std::string& o : f.all("origin")) {
    auto n = normalize_origin(o);
    if (!n) return Error{"'" + o + "' is not an origin like https://example.com"};
    origins.push_back(*n);
  }
  return origins;
}

// The site `--site KEY` names, or a clear error (exit 1) when the database has none.
Expected<SiteRecord> find_site(Store& store, const std::string& key) {
  for (SiteRecord& s : store.sites())
    if (s.key == key) return std::move(s);
  return Error{"no site with key '" + key + "' in this database (see site list)"};
}

int cmd_site_create(const Flags& f) {
  if (!f.has("db")) return usage_error("site create", "--db PATH is required");
  if (!f.has("origin")) return usage_error("site create", "at least one --origin is required");
  const auto origins = parse_origins(f);
  if (!origins) return usage_error("site create", origins.error().message);
  auto store = open_store(f.get("db"), false);
  NewSite s = create_site(*store, f.get("name"), *origins);
  if (f.has("json")) {
    nlohmann::json j{{"site_key", s.record.key},
                     {"read_token", s.read_token},
                     {"name", s.record.name},
                     {"origins", s.record.origins}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("site key:   %s\nread token: %s\n", s.record.key.c_str(), s.read_token.c_str());
    std::printf("(the read token is shown once; only its SHA-256 is stored)\n");
  }
  return 0;
}

int cmd_site_list(const Flags& f) {
  if (!f.has("db")) return usage_error("site list", "--db PATH is required");
  auto store = open_store(f.get("db"), true);
  nlohmann::json list = nlohmann::json::array();
  for (const SiteRecord& s : store->sites()) {
    list.push_back({{"site_key", s.key},
                    {"name", s.name},
                    {"origins", s.origins},
                    {"created", s.created_unix}});
    if (!f.has("json"))
      std::printf("%s  %-20s  %s\n", s.key.c_str(), s.name.c_str(),
                  nlohmann::json(s.origins).dump().c_str());
  }
  if (f.has("json")) std::printf("%s\n", list.dump().c_str());
  return 0;
}

int cmd_site_update(const Flags& f) {
  if (!f.has("db") || !f.has("site"))
    return usage_error("site update", "--db and --site are required");
  if (!f.has("origin")) return usage_error("site update", "at least one --origin is required");
  const auto origins = parse_origins(f);
  if (!origins) return usage_error("site update", origins.error().message);
  auto store = open_store(f.get("db"), true);
  auto site = find_site(*store, f.get("site"));
  if (!site) throw std::runtime_error(site.error().message);
  site->origins = *origins;
  if (f.has("name")) site->name = f.get("name");
  if (!store->update_site(*site))
    throw std::runtime_error("site " + site->key + " was deleted meanwhile");
  std::printf("%s  %s  %s\n", site->key.c_str(), site->name.c_str(),
              nlohmann::json(site->origins).dump().c_str());
  return 0;
}

int cmd_site_rotate_token(const Flags& f) {
  if (!f.has("db") || !f.has("site"))
    return usage_error("site rotate-token", "--db and --site are required");
  auto store = open_store(f.get("db"), true);
  const auto token = rotate_token(*store, f.get("site"));
  if (!token) throw std::runtime_error(find_site(*store, f.get("site")).error().message);
  if (f.has("json")) {
    std::printf("%s\n",
                nlohmann::json{{"site_key", f.get("site")}, {"read_token", *token}}.dump().c_str());
  } else {
    std::printf("read token: %s\n", token->c_str());
    std::printf("(shown once; the previous token no longer works)\n");
  }
  return 0;
}

int cmd_site_delete(const Flags& f) {
  if (!f.has("db") || !f.has("site"))
    return usage_error("site delete", "--db and --site are required");
  auto store = open_store(f.get("db"), true);
  const int64_t n = store->delete_site(f.get("site"));
  if (n < 0) throw std::runtime_error(find_site(*store, f.get("site")).error().message);
  std::printf("deleted site %s and %lld rows\n", f.get("site").c_str(), static_cast<long long>(n));
  return 0;
}

int cmd_export(const Flags& f) {
  if (!f.has("db") || !f.has("site")) return usage_error("export", "--db and --site are required");
  const std::string format = f.get("format", "json");
  if (format != "json" && format != "csv") return usage_error("export", "--format is json or csv");
  auto store = open_store(f.get("db"), true);
  if (auto site = find_site(*store, f.get("site")); !site)
    throw std::runtime_error(site.error().message);
  RowFilter filter;
  filter.site = f.get("site");
  if (f.has("page")) filter.page = f.get("page");
  std::vector<std::string> keys;
  if (filter.page) {
    keys.push_back(*filter.page);
  } else {
    for (const PageInfo& p : store->pages(filter.site, 0, SIZE_MAX).pages) keys.push_back(p.page);
  }
  std::map<std::string, Report> pages;  // operator export: full data, no release policy
  for (const std::string& page : keys) {
    RowFilter one = filter;
    one.page = page;
    std::optional<Report> r = store->merged(one);  // the store merges (ClickHouse: in the engine)
    if (!r) continue;
    r->segment = Segment{};
    r->segment.site = filter.site;
    r->segment.page = page;
    r->segment.width_class = r->segment.device = kMixed;
    pages.emplace(page, std::move(*r));
  }
  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (auto& [page, r] : pages) list.push_back(to_json(r));
    std::printf("%s\n", nlohmann::json{{"site", filter.site}, {"pages", list}}.dump().c_str());
    return 0;
  }
  std::string header = "page,key,flags";
  for (uint8_t c = 0; c < kElementCounterCount; ++c)
    header += std::string(",") + element_counter_name(static_cast<ElementCounter>(c));
  std::printf("%s,name\n", header.c_str());
  const auto labels = element_labels(*store, filter.site);
  for (const auto& [page, r] : pages) {
    const std::string quoted = csv_quote(page);  // the page key may contain commas
    for (const auto& [key, el] : r.data.elements()) {
      std::string line = quoted + "," + element_key_hex(key) + "," + std::to_string(el.flags);
      for (uint32_t v : el.counters) line += "," + std::to_string(v);
      const auto label = labels.find({page, key});
      line += "," + (label == labels.end() ? std::string() : csv_quote(label->second));
      std::printf("%s\n", line.c_str());
    }
  }
  return 0;
}

int cmd_stats(const Flags& f) {
  if (!f.has("db")) return usage_error("stats", "--db PATH is required");
  auto store = open_store(f.get("db"), true);
  nlohmann::json j = stats_json(store->stats());
  j["sites"] = store->sites().size();
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

int cmd_import(const Flags& f) {
  if (!f.has("from") || !f.has("db"))
    return usage_error("import", "--from PATH and --store URL (or --db PATH) are required");
  auto src = open_store(f.get("from"), true);
  auto dst = open_store(f.get("db"), false);
  const std::vector<SiteRecord> sites = src->sites();
  std::set<std::string> known;
  for (const SiteRecord& s : dst->sites()) known.insert(s.key);
  for (const SiteRecord& s : sites) {  // a second import would count everything twice
    if (dst->pages(s.key, 0, 1).total > 0)
      throw StoreError("the destination already holds rows of site " + s.key +
                       "; import into an empty database");
    if (!dst->survey_counts(s.key, std::nullopt, INT32_MIN, INT32_MAX).empty())
      throw StoreError("the destination already holds survey answers of site " + s.key +
                       "; import into an empty database");
    // The per-site key bound holds in the destination as it does for answers a collector takes:
    // a source past it (answers in flight on ClickHouse, or edited by hand) is refused whole.
    std::set<std::tuple<std::string, std::string, uint32_t>> keys;
    for (const SurveyCount& c : src->survey_counts(s.key, std::nullopt, INT32_MIN, INT32_MAX))
      keys.insert({c.page, c.survey, c.element});
    if (keys.size() > kMaxSurveyKeysPerSite)
      throw StoreError("site " + s.key + " holds survey answers for " +
                       std::to_string(keys.size()) + " (page, survey, element) keys, more than " +
                       std::to_string(kMaxSurveyKeysPerSite) +
                       " a site may hold; prune or delete some first. Nothing was imported");
  }
  size_t added = 0, rows = 0;
  uint64_t answers = 0;
  for (const SiteRecord& s : sites) {
    if (!known.count(s.key)) dst->add_site(s), ++added;
    std::vector<std::pair<RowKey, Report>> chunk;  // bounded: 256 rows per commit
    auto flush = [&] {
      std::vector<std::pair<RowKey, const Report*>> items;
      for (const auto& [k, r] : chunk) items.push_back({k, &r});
      dst->commit_batch(items, {});
      rows += chunk.size();
      chunk.clear();
    };
    RowFilter all;
    all.site = s.key;
    src->for_each_row(all, [&](const RowKey& k, Report&& r) {
      chunk.emplace_back(k, std::move(r));
      if (chunk.size() >= 256) flush();
    });
    if (!chunk.empty()) flush();
    // What designers added: element names and re-anchoring figures (the source held them within
    // its bounds already).
    if (const auto names = src->element_names(s.key); !names.empty())
      dst->put_element_names(s.key, names, SIZE_MAX);
    for (const AnchoringFigure& a : src->anchoring(s.key)) dst->put_anchoring(s.key, a, SIZE_MAX);
    // Micro-survey answers, per day as stored, in one transaction (one INSERT on ClickHouse).
    const std::vector<SurveyDayCount> days = src->survey_rows(s.key);
    if (!dst->add_survey_counts(s.key, days, kMaxSurveyKeysPerSite))
      throw StoreError("site " + s.key + ": the destination would hold survey answers for more " +
                       "than " + std::to_string(kMaxSurveyKeysPerSite) +
                       " (page, survey, element) keys; its answers were not imported");
    for (const SurveyDayCount& d : days) answers += d.answer.count;
  }
  StatsMap stats = src->stats();
  stats.erase("pending_deltas");  // a state of the source, not a count
  dst->commit_batch({}, stats);
  std::printf("imported %zu sites (%zu new) and %zu rows, %llu survey answers\n", sites.size(),
              added, rows, static_cast<unsigned long long>(answers));
  return 0;
}

int cmd_prune(const Flags& f) {
  if (!f.has("db") || !f.has("older-than"))
    return usage_error("prune", "--db and --older-than DAYS are required");
  uint64_t days = 0;
  if (auto ok = f.get_u64("older-than", 0, 1000000, days); !ok)
    return usage_error("prune", ok.error().message);
  auto store = open_store(f.get("db"), true);
  const int32_t cutoff = today_utc() - static_cast<int32_t>(days);
  const int64_t n = store->prune(cutoff);
  std::printf("deleted %lld rows older than %s\n", static_cast<long long>(n),
              day_to_date(cutoff).c_str());
  return 0;
}

int run(int argc, char** argv) {
  // A file at its size limit (ulimit -f) must fail the write with EFBIG, which the store reports
  // (503 storage_full), instead of killing the process with SIGXFSZ.
  signal(SIGXFSZ, SIG_IGN);
  if (argc < 2) return std::fprintf(stderr, "%s", kUsage), 64;
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") return std::printf("%s", kUsage), 0;
  if (cmd == "--version" || cmd == "version")
    return std::printf("thermograph-collector %s\n", THERMOGRAPH_VERSION), 0;
  int first = 2;
  if (cmd == "site") {
    if (argc < 3 || std::string(argv[2]).rfind("--", 0) == 0) {
      if (argc >= 3 && std::string(argv[2]) == "--help") {
        for (const char* c :
             {"site create", "site list", "site update", "site rotate-token", "site delete"})
          std::printf("%s", kHelp.at(c));
        return 0;
      }
      return usage_error("site", "expected 'site create|list|update|rotate-token|delete'");
    }
    cmd += std::string(" ") + argv[2];
    first = 3;
  }
  if (!kHelp.count(cmd)) {
    std::fprintf(stderr, "thermograph-collector: unknown command '%s'\n%s", cmd.c_str(), kUsage);
    return 64;
  }
  for (int i = first; i < argc; ++i)
    if (std::string(argv[i]) == "--help") return std::printf("%s", kHelp.at(cmd)), 0;

  static const std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>>
      kFlags = {
          {"serve",
           {{"db",
             "port",
             "host",
             "max-body",
             "rate",
             "burst",
             "threads",
             "read-threads",
             "queue",
             "min-page-views",
             "epsilon",
             "max-header-bytes",
             "max-headers",
             "request-timeout",
             "idle-timeout",
             "max-connections",
             "max-connections-per-address",
             "max-pages",
             "max-variants",
             "max-tag-values",
             "max-cells",
             "compact-after",
             "in-place-cells",
             "row-cache-mb",
             "k-anonymity",
             "metrics-token-file"},
            {}}},
          {"site create", {{"db", "origin", "name"}, {"json"}}},
          {"site list", {{"db"}, {"json"}}},
          {"site update", {{"db", "site", "origin", "name"}, {}}},
          {"site rotate-token", {{"db", "site"}, {"json"}}},
          {"site delete", {{"db", "site"}, {}}},
          {"export", {{"db", "site", "page", "format"}, {}}},
          {"stats", {{"db"}, {}}},
          {"prune", {{"db", "older-than"}, {}}},
          {"import", {{"from", "db"}, {}}},
      };
  // `--store URL` names a ClickHouse cluster where `--db PATH` names an SQLite file: one flag for
  // the commands (`db`), which open_store() tells apart by the URL scheme.
  std::vector<std::string> owned(argv, argv + argc);
  bool db = false, store = false;
  for (int i = first; i < argc; ++i) {
    std::string& a = owned[i];
    db |= a == "--db" || a.rfind("--db=", 0) == 0;
    if (a == "--store" || a.rfind("--store=", 0) == 0) store = true, a.replace(2, 5, "db");
  }
  std::vector<char*> args;
  for (std::string& a : owned) args.push_back(a.data());
  if (db && store) return usage_error(cmd, "--db and --store are alternatives; give one");
  Flags flags(kFlags.at(cmd).first, kFlags.at(cmd).second);
  if (auto ok = flags.parse(argc, args.data(), first); !ok)
    return usage_error(cmd, ok.error().message);
  try {
    if (cmd == "serve") return cmd_serve(flags);
    if (cmd == "site create") return cmd_site_create(flags);
    if (cmd == "site list") return cmd_site_list(flags);
    if (cmd == "site update") return cmd_site_update(flags);
    if (cmd == "site rotate-token") return cmd_site_rotate_token(flags);
    if (cmd == "site delete") return cmd_site_delete(flags);
    if (cmd == "export") return cmd_export(flags);
    if (cmd == "stats") return cmd_stats(flags);
    if (cmd == "import") return cmd_import(flags);
    return cmd_prune(flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "thermograph-collector %s: %s\n", cmd.c_str(), e.what());
    return 1;
  }
}

}  // namespace
}  // namespace thermograph

int main(int argc, char** argv) {
  return thermograph::run(argc, argv);
}
