// The collector's storage interface. SqliteStore is the default, ClickHouseStore
// (clickhouse_store.cpp, docs/scale-out.md) the sharded one; the interface is kept small (sites,
// one batched append, a few reads, background compaction) and speaks of rows and batches only,
// so a backend never touches the HTTP layer.
// Implementations must be safe to call from many threads at once.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/aggregate.h"
#include "core/codec.h"

namespace thermograph {

struct SiteRecord {
  std::string key;  // public site key (write only)
  std::string name;
  std::vector<std::string> origins;  // e.g. "https://shop.example"; CORS and Origin checks
  std::string token_sha256;          // hex SHA-256 of the read token; the token is never stored
  int64_t created_unix = 0;
};

// Where a report lands: all reports with the same key are merged into one row.
struct RowKey {
  std::string site;
  std::string page;
  uint8_t width_class = 0;
  uint8_t device = 0;
  bool logged_in = false;
  std::string variant;
  std::string tags;  // canonical JSON object of the tags (keys sorted), e.g. {"plan":"pro"}
  int32_t day = 0;   // UTC day number (days since 1970-01-01), assigned by the collector
  auto operator<=>(const RowKey&) const = default;
};
RowKey row_key(const Segment& s, int32_t day);

struct RowFilter {
  std::string site;
  std::optional<std::string> page;
  std::optional<uint8_t> width_class;
  std::optional<uint8_t> device;
  std::optional<bool> logged_in;
  std::optional<std::string> variant;
  std::vector<Tag> tags;  // every listed tag must be present with that value
  int32_t from_day = INT32_MIN;
  int32_t to_day = INT32_MAX;  // inclusive
};
bool tags_match(const std::string& tags_json, const std::vector<Tag>& wanted);
// A site's origins as stored (a JSON array of strings); anything else reads as none.
std::vector<std::string> origins_from_json(const std::string& json);

struct RowInfo {
  RowKey key;
  uint64_t page_views = 0;
};

struct PageInfo {
  std::string page;
  uint64_t page_views = 0;
  int32_t first_day = 0;
  int32_t last_day = 0;
  uint64_t cells_dropped = 0;  // cells left out by the per-page-day cell bound
};

// One window of a site's pages, busiest (most page views) first.
struct PageList {
  std::vector<PageInfo> pages;
  uint64_t total = 0;  // distinct pages of the site
};

using StatsMap = std::map<std::string, uint64_t>;

// A name a designer's overlay computed for an element on the live page ("Start free trial", role
// "button"); visitors never send text. Checked by the collector before it is stored (names_api).
struct ElementName {
  std::string page;
  uint32_t key = 0;
  std::string role;
  std::string name;
};

// How well a designer's overlay re-anchored a page's stored element heat on the live page: of the
// `elements` stored elements it looked for, `found` were on the page, and `missing_share` (0..1)
// of the element heat lies on the others. Measured in the designer's browser, checked and
// stamped with the collector's clock (anchoring_api.cpp); the latest figure per page is kept.
struct AnchoringFigure {
  std::string page;
  uint32_t elements = 0;
  uint32_t found = 0;
  double missing_share = 0;
  int64_t measured_unix = 0;  // server clock, seconds
};

// Micro-survey answers (survey_api.cpp): counts only. One answer of one page view to survey
// `survey` (a label) about element `element` (the frustration click's key; 0: the page as a whole),
// `answer` one of "yes", "no", "1".."5". Stored per UTC day; reads sum the days of a range.
struct SurveyCount {
  std::string page;
  std::string survey;
  uint32_t element = 0;
  std::string answer;
  uint64_t count = 0;
};

// The count of one (page, survey, element, answer) on one UTC day, as stored (import copies these).
struct SurveyDayCount {
  SurveyCount answer;
  int32_t day = 0;
};

// Storage failures surface as this; HTTP handlers catch it. `full()`: the disk is full or a file
// hit its size limit (ENOSPC, EFBIG, EDQUOT): retrying once space returns will work.
// `unavailable()`: a database server (a ClickHouse shard) cannot be reached or does not answer;
// retrying once it is back will work.
class StoreError : public std::runtime_error {
 public:
  enum Kind { kFailed, kFull, kUnavailable };
  explicit StoreError(const std::string& what, bool full = false)
      : std::runtime_error(what), kind_(full ? kFull : kFailed) {}
  StoreError(const std::string& what, Kind kind) : std::runtime_error(what), kind_(kind) {}
  bool full() const { return kind_ == kFull; }
  bool unavailable() const { return kind_ == kUnavailable; }

 private:
  Kind kind_ = kFailed;
};

struct StoreOptions {
  // Cells one page and day may hold over all its rows (every layer cell, plus one per element
  // and each of its sub-grid cells). Cells already stored keep adding up; new cells past the
  // bound are dropped when merged into their row, and counted (stats `cells_over_limit`, and
  // `cells_dropped` per page).
  uint64_t max_cells_per_page_day = 1000000;
  // A pending delta is folded into its row at the latest this many seconds after it arrived
  // (earlier when a row collects many deltas).
  uint32_t compact_after_seconds = 10;
  // Rows holding fewer cells than this (and no pending deltas) are merged in place at ingest,
  // which costs about as much as appending; larger rows get pending deltas. 0: always append.
  uint32_t in_place_max_cells = 4096;
  // Memory the writer may hold in decoded rows it merged in place (SqliteStore's row cache), so
  // a hot row is not decoded from its blob in every batch. 0: no cache.
  uint64_t row_cache_bytes = 32ull << 20;
  // serve: refuse to open a database that cannot be written (read-only file, directory, or
  // file system), instead of starting and failing every write.
  bool require_writable = false;
};

// Limits for decoding stored aggregates: one row may hold the whole page grid. Counts are still
// checked against the blob's size, so a corrupt blob cannot make the decoder over-allocate.
inline DecodeLimits stored_limits() {
  DecodeLimits l;
  l.max_cells_per_layer = kGridCols * kGridRows;
  l.max_elements = kU32Max;
  l.max_transitions = kU32Max;
  return l;
}

class Store {
 public:
  virtual ~Store() = default;

  virtual void add_site(const SiteRecord& site) = 0;
  virtual std::vector<SiteRecord> sites() = 0;
  // Replaces the name, origins and token hash of the site with `site.key`; false if none.
  virtual bool update_site(const SiteRecord& site) = 0;
  // Deletes a site and every row, pending delta and set-aside row of it, in one transaction.
  // Returns the number of rows and deltas deleted, or -1 if there is no such site.
  virtual int64_t delete_site(const std::string& key) = 0;

  // Adds each report to its row and `stats` to the counters, all in one transaction. Returns only
  // once that transaction is durable; throws StoreError and changes nothing if not. The cost
  // must not grow with the size of the rows touched (SqliteStore appends each report as a
  // pending delta of its row; compact() folds deltas into rows later).
  virtual void commit_batch(const std::vector<std::pair<RowKey, const Report*>>& batch,
                            const StatsMap& stats) = 0;

  // Pages of a site, busiest first: `limit` of them from `offset`.
  virtual PageList pages(const std::string& site, size_t offset, size_t limit) = 0;
  virtual std::vector<RowInfo> rows(const RowFilter& filter) = 0;  // no blobs decoded
  // Calls `fn` with the decoded aggregate of every row matching `filter`, pending deltas
  // included. Stored data that cannot be decoded is skipped (and set aside by compact()).
  virtual void for_each_row(const RowFilter& filter,
                            const std::function<void(const RowKey&, Report&&)>& fn) = 0;
  // The merge of every row matching `filter`, or nullopt when none does: counters and cells
  // add up (saturating), element flags OR, element stable keys keep the smallest non-zero one;
  // the segment keeps what all rows share (merge_segment). Kind: aggregate. The default merges
  // for_each_row's rows here (SqliteStore); a server-side store computes it in the engine.
  virtual std::optional<Report> merged(const RowFilter& filter);
  virtual StatsMap stats() = 0;
  virtual int64_t prune(int32_t before_day) = 0;  // deletes rows with day < before_day
  // Stores (or replaces, by site, page and key) element names. Keys the site has no name for yet
  // are admitted while the site holds fewer than `max_per_site` names; returns how many of
  // `names` were stored (the rest were over the bound).
  virtual size_t put_element_names(const std::string& site, const std::vector<ElementName>& names,
                                   size_t max_per_site) = 0;
  // Every element name of a site (at most the bound put_element_names kept).
  virtual std::vector<ElementName> element_names(const std::string& site) = 0;
  // Stores a page's re-anchoring figure, replacing the page's earlier one. A page the site holds
  // no figure for yet is admitted while the site holds fewer than `max_pages_per_site`; returns
  // false (storing nothing) past that bound.
  virtual bool put_anchoring(const std::string& site, const AnchoringFigure& figure,
                             size_t max_pages_per_site) = 0;
  // The latest figure of every page of a site that has one.
  virtual std::vector<AnchoringFigure> anchoring(const std::string& site) = 0;
  // Adds one to the count of (page, survey, element, answer) on `day`. A (page, survey, element)
  // the site holds no answer for yet is admitted while the site holds fewer than `max_per_site`
  // of them (any day); returns false (storing nothing) past that bound.
  virtual bool add_survey_answer(const std::string& site, const SurveyCount& answer, int32_t day,
                                 size_t max_per_site) = 0;
  // A site's survey counts summed over the days from_day..to_day (inclusive; the store filters
  // in its query), one per (page, survey, element, answer); one page only when `page` is set.
  virtual std::vector<SurveyCount> survey_counts(const std::string& site,
                                                 const std::optional<std::string>& page,
                                                 int32_t from_day, int32_t to_day) = 0;
  // Every stored count of a site, per day (import reads these).
  virtual std::vector<SurveyDayCount> survey_rows(const std::string& site) = 0;
  // Adds every count of `rows` to the site's answers, in one transaction (SQLite) or one INSERT
  // (ClickHouse). Admitted only whole: if the site would then hold answers for more than
  // `max_per_site` (page, survey, element) keys, stores nothing and returns false.
  virtual bool add_survey_counts(const std::string& site, const std::vector<SurveyDayCount>& rows,
                                 size_t max_per_site) = 0;
  // Bytes the store occupies on disk (SQLite: the database file and its WAL), for /metrics.
  virtual uint64_t size_bytes() = 0;

  // Background work, called in a loop by the collector's compactor thread: folds due pending
  // deltas into their rows (each row in one transaction, crash-safe), applies the cell bound,
  // and moves rows that cannot be decoded aside. `all`: every pending delta is due. Returns the
  // number of rows changed (0: nothing was due). Throws StoreError (e.g. disk full).
  virtual size_t compact(bool all) = 0;
};

// Opens (creating if needed) an SQLite store in WAL mode with synchronous=FULL.
std::unique_ptr<Store> open_sqlite_store(const std::string& path, const StoreOptions& options = {});

// Opens a ClickHouse cluster, `clickhouse://HOST:HTTP_PORT[,HOST:HTTP_PORT...]/DATABASE` (every
// shard listed; docs/scale-out.md): creates the tables on each shard, or checks their schema
// version and throws StoreError with one clear line if it differs.
std::unique_ptr<Store> open_clickhouse_store(const std::string& url);

// `--store` values are ClickHouse URLs; `--db` is an SQLite path.
inline bool is_clickhouse_url(const std::string& s) {
  return s.rfind("clickhouse://", 0) == 0;
}

// Segment of a merge: a field that differs between rows becomes kMixed (width, device),
// empty (variant), false (logged_in), 0 (tracker version); tags keep what all rows share.
void merge_segment(Segment& into, const Segment& s);

// Cells a stored aggregate holds, as the per-page-day bound counts them.
uint64_t cell_count(const Aggregate& a);

// Adds `pending` into `row`, admitting at most `budget` cells `row` does not hold yet (in layer
// order, then elements by key; an element is admitted whole or not at all). Cells `row` holds
// already always add up. Returns the number of cells left out.
uint64_t merge_bounded(Aggregate& row, const Aggregate& pending, uint64_t budget);

// Sums `parts` into one aggregate by pairwise rounds, so k small deltas cost O(total log k)
// rather than O(k x total). Leaves `parts` in an unspecified state.
Aggregate merge_all(std::vector<Aggregate>& parts);

// Counters of one site live in the same map as "site/KEY/REASON" (besides the collector-wide
// "REASON"): refusals and adjustments of reports whose site was known.
inline constexpr const char* kSiteStatPrefix = "site/";
// Per-site count of page views whose page had a second Thermograph tag (segment flag bit 1).
inline constexpr const char* kSecondTagStat = "second_tag";
inline std::string site_stat(const std::string& site, const std::string& reason) {
  return kSiteStatPrefix + site + "/" + reason;
}

// Counters of micro-survey answers (survey_api.cpp) are "survey_answers" (stored),
// "survey_pii_removed" (stored, page templated) and "survey_REASON" (refused).
inline constexpr const char* kSurveyStatPrefix = "survey_";

// The collector's counters grouped for people (per-site counters left out): {"accepted",
// "rejected": {reason: n}, "rejected_total", "adjusted": {...}, "storage": {...}, "surveys":
// {"answers": n, "pii_removed": n, REASON: n}}. Reports that were kept but changed
// (pii_removed, pages_folded...) are "adjusted", not rejected.
nlohmann::json stats_json(const StatsMap& stats);

// UTC day numbers <-> "YYYY-MM-DD" (proleptic Gregorian).
int32_t today_utc();
std::string day_to_date(int32_t day);
std::optional<int32_t> date_to_day(const std::string& date);

}  // namespace thermograph
