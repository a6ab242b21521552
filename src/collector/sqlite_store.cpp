// SQLite backend. Durability: WAL journal with synchronous=FULL, so a COMMIT returns only after
// the WAL is fsynced; a crash (kill -9, power loss) loses no committed batch. One writer
// connection (serialized by a mutex; the ingest writer thread is its main user) and a pool of
// reader connections, which WAL lets run concurrently with the writer.
#include <sqlite3.h>

#include <mutex>

#include "json/report_json.h"
#include "store.h"

namespace thermograph {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sites(
  key TEXT PRIMARY KEY, name TEXT NOT NULL, origins TEXT NOT NULL,
  token_sha256 TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS aggregates(
  site TEXT NOT NULL, page TEXT NOT NULL, day INTEGER NOT NULL, width INTEGER NOT NULL,
  device INTEGER NOT NULL, logged_in INTEGER NOT NULL, variant TEXT NOT NULL, tags TEXT NOT NULL,
  page_views INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(site, page, day, width, device, logged_in, variant, tags)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aggregates_day ON aggregates(day);
CREATE TABLE IF NOT EXISTS stats(reason TEXT PRIMARY KEY, count INTEGER NOT NULL);
)sql";

class Db {
 public:
  explicit Db(const std::string& path) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw StoreError("cannot open database " + path + ": " + msg);
    }
    // Another process (the CLI) may hold the write lock briefly; wait rather than fail.
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw StoreError("sqlite: " + msg);
    }
  }
  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement; bind() takes 1-based positions, step() returns true while rows remain.
class Stmt {
 public:
  Stmt(Db& db, const char* sql) : db_(db.get()) {
    if (sqlite3_prepare_v2(db_, sql, -1, &s_, nullptr) != SQLITE_OK)
      throw StoreError(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v) { return check(sqlite3_bind_int64(s_, i, v)); }
  Stmt& bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Stmt& bind_blob(int i, const std::vector<uint8_t>& v) {
    return check(sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
  }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t i64(int col) { return sqlite3_column_int64(s_, col); }
  std::string text(int col) {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, col)) : "";
  }
  const uint8_t* blob(int col, size_t& n) {
    const void* p = sqlite3_column_blob(s_, col);
    n = static_cast<size_t>(sqlite3_column_bytes(s_, col));
    return static_cast<const uint8_t*>(p);
  }

 private:
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(std::string("sqlite bind: ") + sqlite3_errmsg(db_));
    return *this;
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

constexpr const char* kRowCols = "site, page, day, width, device, logged_in, variant, tags";
constexpr const char* kRowMatch =
    "site=?1 AND page=?2 AND day=?3 AND width=?4 AND device=?5 AND logged_in=?6 AND variant=?7 "
    "AND tags=?8";

void bind_key(Stmt& s, const RowKey& k) {
  s.bind(1, k.site).bind(2, k.page).bind(3, k.day).bind(4, k.width_class).bind(5, k.device);
  s.bind(6, k.logged_in ? 1 : 0).bind(7, k.variant).bind(8, k.tags);
}

RowKey read_key(Stmt& s) {
  RowKey k;
  k.site = s.text(0);
  k.page = s.text(1);
  k.day = static_cast<int32_t>(s.i64(2));
  k.width_class = static_cast<uint8_t>(s.i64(3));
  k.device = static_cast<uint8_t>(s.i64(4));
  k.logged_in = s.i64(5) != 0;
  k.variant = s.text(6);
  k.tags = s.text(7);
  return k;
}

// SQL for a RowFilter: optional fields become "(?N IS NULL OR col = ?N)" so one statement serves
// every combination; tags are matched in C++ on the canonical JSON.
std::string filter_sql(const char* select) {
  return std::string(select) +
         " FROM aggregates WHERE site=?1 AND (?2 IS NULL OR page=?2) AND day BETWEEN ?3 AND ?4"
         " AND (?5 IS NULL OR width=?5) AND (?6 IS NULL OR device=?6)"
         " AND (?7 IS NULL OR logged_in=?7) AND (?8 IS NULL OR variant=?8) ORDER BY page, day";
}

void bind_filter(Stmt& s, const RowFilter& f) {
  s.bind(1, f.site);
  if (f.page) s.bind(2, *f.page);
  s.bind(3, f.from_day).bind(4, f.to_day);
  if (f.width_class) s.bind(5, *f.width_class);
  if (f.device) s.bind(6, *f.device);
  if (f.logged_in) s.bind(7, *f.logged_in ? 1 : 0);
  if (f.variant) s.bind(8, *f.variant);
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : path_(path), writer_(path) {
    writer_.exec(kSchema);
  }

  void add_site(const SiteRecord& site) override {
    std::lock_guard lock(write_mu_);
    Stmt s(writer_,
           "INSERT INTO sites(key, name, origins, token_sha256, created) VALUES(?,?,?,?,?)");
    s.bind(1, site.key).bind(2, site.name).bind(3, nlohmann::json(site.origins).dump());
    s.bind(4, site.token_sha256).bind(5, site.created_unix).step();
  }

  std::vector<SiteRecord> sites() override {
    Reader r(*this);
    Stmt s(*r.db, "SELECT key, name, origins, token_sha256, created FROM sites ORDER BY rowid");
    std::vector<SiteRecord> out;
    while (s.step()) {
      SiteRecord site{s.text(0), s.text(1), {}, s.text(3), s.i64(4)};
      auto origins = nlohmann::json::parse(s.text(2), nullptr, false);
      if (origins.is_array())
        for (const auto& o : origins)
          if (o.is_string()) site.origins.push_back(o.get<std::string>());
      out.push_back(std::move(site));
    }
    return out;
  }

  void commit_batch(const std::vector<std::pair<RowKey, const Report*>>& batch,
                    const StatsMap& stats) override {
    std::lock_guard lock(write_mu_);
    // IMMEDIATE: take the write lock up front so a concurrent CLI writer makes us wait (busy
    // timeout) at BEGIN rather than fail halfway through.
    writer_.exec("BEGIN IMMEDIATE");
    try {
      Stmt get(writer_, (std::string("SELECT data FROM aggregates WHERE ") + kRowMatch).c_str());
      Stmt put(writer_, (std::string("INSERT OR REPLACE INTO aggregates(") + kRowCols +
                         ", page_views, data) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)")
                            .c_str());
      Report row;
      std::vector<uint8_t> bytes;
      for (const auto& [key, report] : batch) {
        bind_key(get, key);
        if (get.step()) {
          size_t n;
          const uint8_t* p = get.blob(0, n);
          const DecodeResult res = decode(p, n, row, stored_limits());
          if (!res.ok()) throw StoreError("stored aggregate is corrupt: " + res.message);
          row.data.merge(report->data);
          if (report->segment.tracker_version > row.segment.tracker_version)
            row.segment.tracker_version = report->segment.tracker_version;
        } else {
          row = *report;
          row.kind = kKindAggregate;
        }
        get.reset();
        bytes.clear();
        encode(row, bytes);
        bind_key(put, key);
        put.bind(9, row.data.counters[kPageViews]).bind_blob(10, bytes);
        put.step();
        put.reset();
      }
      Stmt add(writer_,
               "INSERT INTO stats(reason, count) VALUES(?1, ?2) "
               "ON CONFLICT(reason) DO UPDATE SET count = count + excluded.count");
      for (const auto& [reason, count] : stats) {
        if (count == 0) continue;
        add.bind(1, reason).bind(2, static_cast<int64_t>(count)).step();
        add.reset();
      }
      writer_.exec("COMMIT");
    } catch (...) {
      sqlite3_exec(writer_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::vector<PageInfo> pages(const std::string& site) override {
    Reader r(*this);
    Stmt s(*r.db,
           "SELECT page, SUM(page_views), MIN(day), MAX(day) FROM aggregates WHERE site=? "
           "GROUP BY page ORDER BY SUM(page_views) DESC, page");
    s.bind(1, site);
    std::vector<PageInfo> out;
    while (s.step())
      out.push_back({s.text(0), static_cast<uint64_t>(s.i64(1)), static_cast<int32_t>(s.i64(2)),
                     static_cast<int32_t>(s.i64(3))});
    return out;
  }

  std::vector<RowInfo> rows(const RowFilter& f) override {
    Reader r(*this);
    Stmt s(*r.db, filter_sql((std::string("SELECT ") + kRowCols + ", page_views").c_str()).c_str());
    bind_filter(s, f);
    std::vector<RowInfo> out;
    while (s.step()) {
      RowInfo info{read_key(s), static_cast<uint64_t>(s.i64(8))};
      if (tags_match(info.key.tags, f.tags)) out.push_back(std::move(info));
    }
    return out;
  }

  void for_each_row(const RowFilter& f,
                    const std::function<void(const RowKey&, Report&&)>& fn) override {
    Reader r(*this);
    Stmt s(*r.db, filter_sql((std::string("SELECT ") + kRowCols + ", data").c_str()).c_str());
    bind_filter(s, f);
    while (s.step()) {
      RowKey key = read_key(s);
      if (!tags_match(key.tags, f.tags)) continue;
      size_t n;
      const uint8_t* p = s.blob(8, n);
      Report rep;
      const DecodeResult res = decode(p, n, rep, stored_limits());
      if (!res.ok()) throw StoreError("stored aggregate is corrupt: " + res.message);
      fn(key, std::move(rep));
    }
  }

  StatsMap stats() override {
    Reader r(*this);
    Stmt s(*r.db, "SELECT reason, count FROM stats");
    StatsMap out;
    while (s.step()) out[s.text(0)] = static_cast<uint64_t>(s.i64(1));
    return out;
  }

  int64_t prune(int32_t before_day) override {
    std::lock_guard lock(write_mu_);
    Stmt s(writer_, "DELETE FROM aggregates WHERE day < ?");
    s.bind(1, before_day).step();
    return sqlite3_changes(writer_.get());
  }

 private:
  // Borrows a reader connection from the pool (opening one if none is idle) for one call.
  struct Reader {
    explicit Reader(SqliteStore& st) : store(st) {
      {
        std::lock_guard lock(st.pool_mu_);
        if (!st.pool_.empty()) {
          db = std::move(st.pool_.back());
          st.pool_.pop_back();
        }
      }
      if (!db) db = std::make_unique<Db>(st.path_);
    }
    ~Reader() {
      std::lock_guard lock(store.pool_mu_);
      if (store.pool_.size() < kMaxIdleReaders) store.pool_.push_back(std::move(db));
    }
    SqliteStore& store;
    std::unique_ptr<Db> db;
  };
  static constexpr size_t kMaxIdleReaders = 8;

  std::string path_;
  std::mutex write_mu_;
  Db writer_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Db>> pool_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace thermograph
