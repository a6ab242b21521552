// The collector's storage interface. SqliteStore is the default; the interface is kept small
// (sites, one batched merge, a few reads) so a PostgreSQL backend can follow without touching
// the HTTP layer. Implementations must be safe to call from many threads at once.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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

struct RowInfo {
  RowKey key;
  uint64_t page_views = 0;
};

struct PageInfo {
  std::string page;
  uint64_t page_views = 0;
  int32_t first_day = 0;
  int32_t last_day = 0;
};

using StatsMap = std::map<std::string, uint64_t>;

// Storage failures (disk full, corrupt blob) surface as this; HTTP handlers catch it.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Limits for decoding stored aggregates: one row may hold the whole page grid. Counts are still
// checked against the blob's size, so a corrupt blob cannot make the decoder over-allocate.
inline DecodeLimits stored_limits() {
  DecodeLimits l;
  l.max_cells_per_layer = kGridCols * kGridRows;
  l.max_elements = kU32Max;
  return l;
}

class Store {
 public:
  virtual ~Store() = default;

  virtual void add_site(const SiteRecord& site) = 0;
  virtual std::vector<SiteRecord> sites() = 0;

  // Merges each report into its row and adds `stats` to the counters, all in one transaction.
  // Returns only once that transaction is durable; throws StoreError and changes nothing if not.
  virtual void commit_batch(const std::vector<std::pair<RowKey, const Report*>>& batch,
                            const StatsMap& stats) = 0;

  virtual std::vector<PageInfo> pages(const std::string& site) = 0;
  virtual std::vector<RowInfo> rows(const RowFilter& filter) = 0;  // no blobs decoded
  // Calls `fn` with the decoded aggregate of every row matching `filter`.
  virtual void for_each_row(const RowFilter& filter,
                            const std::function<void(const RowKey&, Report&&)>& fn) = 0;
  virtual StatsMap stats() = 0;
  virtual int64_t prune(int32_t before_day) = 0;  // deletes rows with day < before_day
};

// Opens (creating if needed) an SQLite store in WAL mode with synchronous=FULL.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

// UTC day numbers <-> "YYYY-MM-DD" (proleptic Gregorian).
int32_t today_utc();
std::string day_to_date(int32_t day);
std::optional<int32_t> date_to_day(const std::string& date);

}  // namespace thermograph
