// SQLite backend, append-and-compact.
//
// Durability: WAL journal with synchronous=FULL, so a COMMIT returns only after the WAL is
// fsynced; a crash (kill -9, power loss) loses no committed batch.
//
// Layout: `aggregates` holds one row per RowKey; `deltas` holds pending additions to rows: one
// per RowKey and ingest batch (that batch's reports for the row, merged). Ingest merges a small
// row (under StoreOptions::in_place_max_cells, no pending deltas) in place, which costs about as
// much as appending, and appends a delta to any other row, so its cost never grows with a row's
// size. compact() folds a row's deltas into it in the background: it reads and merges on a
// reader connection (no write lock held), then, in one transaction, writes the row and deletes
// exactly the deltas it merged. A crash at any point leaves either those deltas or the merged
// row, never both or neither. Reads merge each row with its pending deltas from one snapshot.
//
// Row cache: the writer keeps the small rows it merged in place decoded in memory (row_cache.h),
// so a hot row is not decoded from its blob in every batch. An entry is dropped whenever anything
// but an in-place merge rewrites its row, and all of them when another connection has committed.
//
// Connections: one writer (serialized by a mutex; ingest and compaction share it) and a pool of
// readers, which WAL lets run concurrently with the writer. The writer never checkpoints: compact()
// runs passive checkpoints from a reader, so a large compaction never holds up an ingest commit.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <set>
#include <tuple>

#include "json/report_json.h"
#include "row_cache.h"
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
  page_views INTEGER NOT NULL, cells INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0, data BLOB NOT NULL,
  PRIMARY KEY(site, page, day, width, device, logged_in, variant, tags)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aggregates_day ON aggregates(day);
CREATE TABLE IF NOT EXISTS deltas(
  seq INTEGER PRIMARY KEY,
  site TEXT NOT NULL, page TEXT NOT NULL, day INTEGER NOT NULL, width INTEGER NOT NULL,
  device INTEGER NOT NULL, logged_in INTEGER NOT NULL, variant TEXT NOT NULL, tags TEXT NOT NULL,
  page_views INTEGER NOT NULL, cells INTEGER NOT NULL, created INTEGER NOT NULL,
  data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS deltas_page ON deltas(site, page, seq);
CREATE TABLE IF NOT EXISTS quarantine(
  id INTEGER PRIMARY KEY, source TEXT NOT NULL,
  site TEXT NOT NULL, page TEXT NOT NULL, day INTEGER NOT NULL, width INTEGER NOT NULL,
  device INTEGER NOT NULL, logged_in INTEGER NOT NULL, variant TEXT NOT NULL, tags TEXT NOT NULL,
  reason TEXT NOT NULL, moved INTEGER NOT NULL, data BLOB);
CREATE TABLE IF NOT EXISTS stats(reason TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS element_names(
  site TEXT NOT NULL, page TEXT NOT NULL, key INTEGER NOT NULL, role TEXT NOT NULL,
  name TEXT NOT NULL, updated INTEGER NOT NULL,
  PRIMARY KEY(site, page, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS anchoring(
  site TEXT NOT NULL, page TEXT NOT NULL, elements INTEGER NOT NULL, found INTEGER NOT NULL,
  missing_share REAL NOT NULL, measured INTEGER NOT NULL,
  PRIMARY KEY(site, page)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS survey_answers(
  site TEXT NOT NULL, page TEXT NOT NULL, survey TEXT NOT NULL, element INTEGER NOT NULL,
  answer TEXT NOT NULL, day INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY(site, page, survey, element, answer, day)) WITHOUT ROWID;
)sql";

// Columns added to `aggregates` after its first release; older databases get them on open (after
// `data`; new databases have them before it, so reading them never walks a large blob).
constexpr const char* kAddRowColumns =
    "ALTER TABLE aggregates ADD COLUMN cells INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE aggregates ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;";

// Whether this process runs under a file-size limit (ulimit -f).
bool file_size_limited() {
  struct rlimit rl;
  return getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
}

// Disk full, or a file at its size limit (ulimit -f: SIGXFSZ is ignored, so writes get EFBIG).
// SQLite reports ENOSPC as SQLITE_FULL but EFBIG as a plain write error, and its saved errno is
// not reliable by the time the statement returns: a failed write under a file-size limit is
// taken to be that limit.
bool is_full(int rc, int sys_errno) {
  if ((rc & 0xff) == SQLITE_FULL) return true;
  if (sys_errno == ENOSPC || sys_errno == EFBIG || sys_errno == EDQUOT) return true;
  return rc == SQLITE_IOERR_WRITE && file_size_limited();
}

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& what) {
  const int e = sqlite3_system_errno(db);
  std::string msg = what + ": " + sqlite3_errmsg(db);
  if (e != 0 && (rc & 0xff) == SQLITE_IOERR) msg += std::string(" (") + std::strerror(e) + ")";
  const bool full = is_full(rc, (rc & 0xff) == SQLITE_IOERR ? e : 0);
  if (full && (rc & 0xff) != SQLITE_FULL && e == 0) msg += " (file-size limit reached)";
  throw StoreError(msg, full);
}

class Db {
 public:
  Db(const std::string& path, bool writer) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw StoreError("cannot open database " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);  // so I/O errors say which (is_full)
    // Another process (the CLI) may hold the write lock briefly; wait rather than fail.
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    // compact() checkpoints (passively, from a reader); the WAL file is cut back to 64 MiB
    // whenever it restarts, so one large compaction does not keep its size on disk.
    if (writer) exec("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;");
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      sqlite3_free(err);
      fail(db_, rc, "sqlite");
    }
  }
  void rollback() {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// One write transaction on `c`: BEGIN IMMEDIATE (the write lock up front, so a concurrent writer
// makes this one wait at BEGIN rather than fail halfway), COMMIT by commit(); rolled back when it
// goes out of scope uncommitted (an early return, an exception).
class WriteTxn {
 public:
  explicit WriteTxn(Db& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }
  ~WriteTxn() {
    if (!done_) c_.rollback();
  }
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;
  void commit() {
    c_.exec("COMMIT");
    done_ = true;
  }

 private:
  Db& c_;
  bool done_ = false;
};

// A prepared statement; bind() takes 1-based positions, step() returns true while rows remain.
class Stmt {
 public:
  Stmt(Db& db, const std::string& sql) : db_(db.get()) {
    const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &s_, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, "sqlite prepare");
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v) { return check(sqlite3_bind_int64(s_, i, v)); }
  Stmt& bind_double(int i, double v) { return check(sqlite3_bind_double(s_, i, v)); }
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
    fail(db_, rc, "sqlite");
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t i64(int col) { return sqlite3_column_int64(s_, col); }
  double f64(int col) { return sqlite3_column_double(s_, col); }
  std::string text(int col) {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, col)) : "";
  }
  const uint8_t* blob(int col, size_t& n) {
    const void* p = sqlite3_column_blob(s_, col);
    n = static_cast<size_t>(sqlite3_column_bytes(s_, col));
    return static_cast<const uint8_t*>(p);
  }
  int changes() { return sqlite3_changes(db_); }

 private:
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) fail(db_, rc, "sqlite bind");
    return *this;
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

// One read snapshot over several statements. Declare it before the statements, so they are
// finalized before it ends.
class ReadTxn {
 public:
  explicit ReadTxn(Db& db) : db_(db) { db_.exec("BEGIN"); }
  ~ReadTxn() { db_.rollback(); }  // read-only: ending it either way releases the snapshot
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

 private:
  Db& db_;
};

constexpr const char* kRowCols = "site, page, day, width, device, logged_in, variant, tags";
constexpr const char* kRowOrder = "page, day, width, device, logged_in, variant, tags";
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

// The order of kRowOrder under SQLite's BINARY collation (std::string compares bytes as
// unsigned, as memcmp does). Used to walk `aggregates` and `deltas` side by side.
int compare_keys(const RowKey& a, const RowKey& b) {
  if (int c = a.page.compare(b.page)) return c;
  if (a.day != b.day) return a.day < b.day ? -1 : 1;
  if (a.width_class != b.width_class) return a.width_class < b.width_class ? -1 : 1;
  if (a.device != b.device) return a.device < b.device ? -1 : 1;
  if (a.logged_in != b.logged_in) return a.logged_in < b.logged_in ? -1 : 1;
  if (int c = a.variant.compare(b.variant)) return c;
  return a.tags.compare(b.tags);
}

// WHERE clause for a RowFilter: optional fields become "(?N IS NULL OR col = ?N)" so one
// statement serves every combination; tags are matched in C++ on the canonical JSON.
constexpr const char* kFilterWhere =
    " WHERE site=?1 AND (?2 IS NULL OR page=?2) AND day BETWEEN ?3 AND ?4"
    " AND (?5 IS NULL OR width=?5) AND (?6 IS NULL OR device=?6)"
    " AND (?7 IS NULL OR logged_in=?7) AND (?8 IS NULL OR variant=?8)";

void bind_filter(Stmt& s, const RowFilter& f) {
  s.bind(1, f.site);
  if (f.page) s.bind(2, *f.page);
  s.bind(3, f.from_day).bind(4, f.to_day);
  if (f.width_class) s.bind(5, *f.width_class);
  if (f.device) s.bind(6, *f.device);
  if (f.logged_in) s.bind(7, *f.logged_in ? 1 : 0);
  if (f.variant) s.bind(8, *f.variant);
}

// Refuses, before SQLite touches anything, a database serve could not write: SQLite would open
// a read-only file read-only without a word, and create -wal/-shm files that keep the file's
// read-only mode after it is fixed. (root passes access(); the write probe after opening
// catches what remains, such as a read-only file system.)
void check_writable(const std::string& path) {
  const std::string refuse = "cannot open database " + path + ": ";
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) throw StoreError(refuse + "not a regular file");
    if (access(path.c_str(), R_OK | W_OK) != 0)
      throw StoreError(refuse + "the file is not writable (" + std::strerror(errno) + ")");
  }
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw StoreError(refuse + "directory " + dir + " is not writable (" + std::strerror(errno) +
                     "); SQLite creates the database and its -wal and -shm files there");
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string side = path + suffix;
    if (access(side.c_str(), F_OK) == 0 && access(side.c_str(), R_OK | W_OK) != 0)
      throw StoreError(refuse + side + " is not writable (" + std::strerror(errno) +
                       "); fix its permissions, or remove it while no collector runs");
  }
}

const std::string& checked(const std::string& path, const StoreOptions& o) {
  if (o.require_writable) check_writable(path);
  return path;
}

// Compaction policy (see compact()).
constexpr int64_t kMaxPendingDeltas = 512;   // deltas per row before it is due
constexpr int64_t kMinPendingCells = 65536;  // pending cells that make a row due ...
constexpr int64_t kBaseShare = 4;            // ... or a quarter of the row's own cells
constexpr int64_t kSmallRowCells = 65536;    // rows this small are folded with any pass
constexpr size_t kMaxRowsPerPass = 4096;
constexpr uint64_t kMaxCellsPerPass = 2000000;  // merged cells held before writing
constexpr int kCheckpointPages = 1000;          // SQLite's default autocheckpoint size
constexpr size_t kMaxSuspects = 1024;

struct PendingRow {
  int64_t count = 0;       // pending deltas
  int64_t cells = 0;       // their cells (an upper bound of what they add)
  int64_t oldest = 0;      // unix time the oldest arrived
  int64_t base_cells = 0;  // cells of the compacted row, when known
};

// The compactor found the row changed under it (a concurrent prune): nothing was written.
struct Conflict {};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, const StoreOptions& options)
      : path_(path),
        options_(options),
        writer_(checked(path, options), true),
        cache_(options.row_cache_bytes) {
    if (options.require_writable && sqlite3_db_readonly(writer_.get(), "main") == 1)
      throw StoreError("cannot open database " + path + ": it opens read-only");
    writer_.exec(kSchema);
    {
      Stmt s(writer_, "SELECT COUNT(*) FROM pragma_table_info('aggregates') WHERE name='cells'");
      if (s.step() && s.i64(0) == 0) writer_.exec(kAddRowColumns);
    }
    sqlite3_wal_hook(writer_.get(), &SqliteStore::on_wal_commit, this);
    if (options.require_writable) probe_write();
    load_pending();
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
      out.push_back({s.text(0), s.text(1), origins_from_json(s.text(2)), s.text(3), s.i64(4)});
    }
    return out;
  }

  bool update_site(const SiteRecord& site) override {
    std::lock_guard lock(write_mu_);
    Stmt s(writer_, "UPDATE sites SET name=?2, origins=?3, token_sha256=?4 WHERE key=?1");
    s.bind(1, site.key).bind(2, site.name).bind(3, nlohmann::json(site.origins).dump());
    s.bind(4, site.token_sha256).step();
    return s.changes() > 0;
  }

  int64_t delete_site(const std::string& key) override {
    std::lock_guard lock(write_mu_);
    cache_.clear();
    WriteTxn txn(writer_);
    Stmt site(writer_, "DELETE FROM sites WHERE key=?1");
    site.bind(1, key).step();
    if (site.changes() == 0) return -1;
    int64_t n = 0;
    for (const char* table : {"aggregates", "deltas", "quarantine"}) {
      Stmt s(writer_, std::string("DELETE FROM ") + table + " WHERE site=?1");
      s.bind(1, key).step();
      if (std::string(table) != "quarantine") n += s.changes();
    }
    for (const char* table : {"element_names", "anchoring", "survey_answers"}) {
      Stmt s(writer_, std::string("DELETE FROM ") + table + " WHERE site=?1");
      s.bind(1, key).step();
    }
    Stmt counters(writer_, "DELETE FROM stats WHERE substr(reason, 1, length(?1)) = ?1");
    counters.bind(1, site_stat(key, "")).step();
    txn.commit();
    return n;
  }

  size_t put_element_names(const std::string& site, const std::vector<ElementName>& names,
                           size_t max_per_site) override {
    std::lock_guard lock(write_mu_);
    WriteTxn txn(writer_);
    Stmt count(writer_, "SELECT COUNT(*) FROM element_names WHERE site=?1");
    count.bind(1, site).step();
    int64_t held = count.i64(0);
    Stmt exists(writer_, "SELECT 1 FROM element_names WHERE site=?1 AND page=?2 AND key=?3");
    Stmt put(writer_,
             "INSERT INTO element_names(site, page, key, role, name, updated) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(site, page, key) DO UPDATE SET "
             "role=excluded.role, name=excluded.name, updated=excluded.updated");
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    size_t stored = 0;
    for (const ElementName& n : names) {
      exists.bind(1, site).bind(2, n.page).bind(3, static_cast<int64_t>(n.key));
      const bool known = exists.step();
      exists.reset();
      if (!known && static_cast<uint64_t>(held) >= max_per_site) continue;
      put.bind(1, site).bind(2, n.page).bind(3, static_cast<int64_t>(n.key)).bind(4, n.role);
      put.bind(5, n.name).bind(6, now).step();
      put.reset();
      held += known ? 0 : 1;
      ++stored;
    }
    txn.commit();
    return stored;
  }

  std::vector<ElementName> element_names(const std::string& site) override {
    Reader r(*this);
    Stmt s(*r.db, "SELECT page, key, role, name FROM element_names WHERE site=?1");
    s.bind(1, site);
    std::vector<ElementName> out;
    while (s.step())
      out.push_back({s.text(0), static_cast<uint32_t>(s.i64(1)), s.text(2), s.text(3)});
    return out;
  }

  bool put_anchoring(const std::string& site, const AnchoringFigure& f,
                     size_t max_pages_per_site) override {
    std::lock_guard lock(write_mu_);
    WriteTxn txn(writer_);
    Stmt known(writer_, "SELECT 1 FROM anchoring WHERE site=?1 AND page=?2");
    if (!known.bind(1, site).bind(2, f.page).step()) {
      Stmt count(writer_, "SELECT COUNT(*) FROM anchoring WHERE site=?1");
      count.bind(1, site).step();
      if (static_cast<uint64_t>(count.i64(0)) >= max_pages_per_site) return false;
    }
    Stmt put(writer_,
             "INSERT INTO anchoring(site, page, elements, found, missing_share, measured) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(site, page) DO UPDATE SET "
             "elements=excluded.elements, found=excluded.found, "
             "missing_share=excluded.missing_share, measured=excluded.measured");
    put.bind(1, site).bind(2, f.page).bind(3, int64_t{f.elements}).bind(4, int64_t{f.found});
    put.bind_double(5, f.missing_share).bind(6, f.measured_unix).step();
    txn.commit();
    return true;
  }

  std::vector<AnchoringFigure> anchoring(const std::string& site) override {
    Reader r(*this);
    Stmt s(*r.db,
           "SELECT page, elements, found, missing_share, measured FROM anchoring WHERE site=?1");
    s.bind(1, site);
    std::vector<AnchoringFigure> out;
    while (s.step())
      out.push_back({s.text(0), static_cast<uint32_t>(s.i64(1)), static_cast<uint32_t>(s.i64(2)),
                     s.f64(3), s.i64(4)});
    return out;
  }

  bool add_survey_answer(const std::string& site, const SurveyCount& a, int32_t day,
                         size_t max_per_site) override {
    std::lock_guard lock(write_mu_);
    WriteTxn txn(writer_);
    Stmt known(writer_,
               "SELECT 1 FROM survey_answers WHERE site=?1 AND page=?2 AND survey=?3 AND "
               "element=?4 LIMIT 1");
    known.bind(1, site).bind(2, a.page).bind(3, a.survey).bind(4, int64_t{a.element});
    if (!known.step()) {
      Stmt count(writer_,
                 "SELECT COUNT(*) FROM (SELECT 1 FROM survey_answers WHERE site=?1 "
                 "GROUP BY page, survey, element)");
      count.bind(1, site).step();
      if (static_cast<uint64_t>(count.i64(0)) >= max_per_site) return false;
    }
    Stmt put(writer_,
             "INSERT INTO survey_answers(site, page, survey, element, answer, day, count) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6, 1) ON CONFLICT(site, page, survey, element, "
             "answer, day) DO UPDATE SET count=count+1");
    put.bind(1, site).bind(2, a.page).bind(3, a.survey).bind(4, int64_t{a.element});
    put.bind(5, a.answer).bind(6, day).step();
    txn.commit();
    return true;
  }

  std::vector<SurveyCount> survey_counts(const std::string& site,
                                         const std::optional<std::string>& page, int32_t from_day,
                                         int32_t to_day) override {
    Reader r(*this);
    Stmt s(*r.db,
           "SELECT page, survey, element, answer, SUM(count) FROM survey_answers WHERE site=?1 "
           "AND (?2 IS NULL OR page=?2) AND day BETWEEN ?3 AND ?4 "
           "GROUP BY page, survey, element, answer ORDER BY page, survey, element, answer");
    s.bind(1, site);
    if (page) s.bind(2, *page);
    s.bind(3, int64_t{from_day}).bind(4, int64_t{to_day});
    std::vector<SurveyCount> out;
    while (s.step())
      out.push_back({s.text(0), s.text(1), static_cast<uint32_t>(s.i64(2)), s.text(3),
                     static_cast<uint64_t>(s.i64(4))});
    return out;
  }

  std::vector<SurveyDayCount> survey_rows(const std::string& site) override {
    Reader r(*this);
    Stmt s(*r.db,
           "SELECT page, survey, element, answer, day, count FROM survey_answers WHERE site=?1 "
           "ORDER BY page, survey, element, answer, day");
    s.bind(1, site);
    std::vector<SurveyDayCount> out;
    while (s.step())
      out.push_back({{s.text(0), s.text(1), static_cast<uint32_t>(s.i64(2)), s.text(3),
                      static_cast<uint64_t>(s.i64(5))},
                     static_cast<int32_t>(s.i64(4))});
    return out;
  }

  bool add_survey_counts(const std::string& site, const std::vector<SurveyDayCount>& rows,
                         size_t max_per_site) override {
    std::lock_guard lock(write_mu_);
    WriteTxn txn(writer_);
    // The keys `rows` would add: distinct (page, survey, element) the site holds no answer for.
    std::set<std::tuple<std::string, std::string, uint32_t>> keys;
    for (const SurveyDayCount& r : rows)
      if (r.answer.count > 0) keys.insert({r.answer.page, r.answer.survey, r.answer.element});
    Stmt known(writer_,
               "SELECT 1 FROM survey_answers WHERE site=?1 AND page=?2 AND survey=?3 AND "
               "element=?4 LIMIT 1");
    uint64_t fresh = 0;
    for (const auto& [page, survey, element] : keys) {
      known.bind(1, site).bind(2, page).bind(3, survey).bind(4, int64_t{element});
      fresh += known.step() ? 0 : 1;
      known.reset();
    }
    Stmt count(writer_,
               "SELECT COUNT(*) FROM (SELECT 1 FROM survey_answers WHERE site=?1 "
               "GROUP BY page, survey, element)");
    count.bind(1, site).step();
    if (static_cast<uint64_t>(count.i64(0)) + fresh > max_per_site) return false;
    Stmt put(writer_,
             "INSERT INTO survey_answers(site, page, survey, element, answer, day, count) "
             "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(site, page, survey, element, "
             "answer, day) DO UPDATE SET count=count+excluded.count");
    for (const SurveyDayCount& r : rows) {
      if (r.answer.count == 0) continue;  // nothing to add (ClickHouse drops such rows too)
      const SurveyCount& a = r.answer;
      put.bind(1, site).bind(2, a.page).bind(3, a.survey).bind(4, int64_t{a.element});
      put.bind(5, a.answer)
          .bind(6, int64_t{r.day})
          .bind(7, static_cast<int64_t>(std::min<uint64_t>(a.count, INT64_MAX)))
          .step();
      put.reset();
    }
    txn.commit();
    return true;
  }

  uint64_t size_bytes() override {
    uint64_t total = 0;
    struct stat st {};
    for (const std::string& file : {path_, path_ + "-wal"})
      if (::stat(file.c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_size);
    return total;
  }

  // A small row (under in_place_max_cells, no pending deltas) is read, merged and rewritten in
  // place, as cheap as appending; any other row gets the batch's report as a pending delta. Either
  // way a row costs at most in_place_max_cells cells of work, however large it has grown.
  void commit_batch(const std::vector<std::pair<RowKey, const Report*>>& batch,
                    const StatsMap& stats) override {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::vector<int64_t> appended(batch.size(), -1);  // cells of each appended delta
    std::vector<RowKey> unreadable;
    {
      std::lock_guard lock(write_mu_);
      // IMMEDIATE: take the write lock up front so a concurrent CLI writer makes us wait (busy
      // timeout) at BEGIN rather than fail halfway through.
      writer_.exec("BEGIN IMMEDIATE");
      try {
        if (!ingest_) ingest_ = std::make_unique<IngestStatements>(writer_);
        IngestStatements& st = *ingest_;
        // Another connection (the CLI, an operator's shell) committed since our last batch: any
        // row may have changed under the cache. Read inside the write lock, so nothing else can
        // commit until this batch has.
        st.data_version.step();
        const int64_t version = st.data_version.i64(0);
        st.data_version.reset();
        if (version != cache_version_) cache_.clear();
        cache_version_ = version;
        uint64_t dropped_total = 0;
        for (size_t i = 0; i < batch.size(); ++i) {
          const auto& [key, report] = batch[i];
          bool append;
          {
            std::lock_guard plock(pending_mu_);
            const auto it = pending_.find(key);
            append = it != pending_.end() && it->second.count > 0;
          }
          RowCache::Entry* cached = append ? nullptr : cache_.find(key);
          Report fresh;  // the row when it is not cached
          Report& row = cached ? cached->row : fresh;
          int64_t row_cells = cached ? cached->cells : 0,
                  row_dropped = cached ? cached->dropped : 0;
          if (!append && !cached) {
            st.get_row.reset();
            bind_key(st.get_row, key);
            if (st.get_row.step()) {
              row_cells = st.get_row.i64(0);
              row_dropped = st.get_row.i64(1);
              if (row_cells >= options_.in_place_max_cells) {
                append = true;
              } else {
                size_t n;
                const uint8_t* p = st.get_row.blob(2, n);
                if (!decode(p, n, row, stored_limits()).ok()) {
                  append = true;  // the compactor sets the row aside
                  unreadable.push_back(key);
                }
              }
            } else if (options_.in_place_max_cells == 0) {
              append = true;
            } else {
              row.kind = kKindAggregate;
              row.segment = report->segment;
            }
            st.get_row.reset();
          }
          bytes_.clear();
          if (append) {
            cache_.erase(key);
            encode(*report, kKindAggregate, bytes_);  // a delta row is a merge
            appended[i] = static_cast<int64_t>(cell_count(report->data));
            bind_key(st.put_delta, key);
            st.put_delta.bind(9, report->data.counters[kPageViews]).bind(10, appended[i]);
            st.put_delta.bind(11, now).bind_blob(12, bytes_).step();
            st.put_delta.reset();
            continue;
          }
          st.page_day.bind(1, key.site).bind(2, key.page).bind(3, key.day);
          const int64_t others = (st.page_day.step() ? st.page_day.i64(0) : 0) - row_cells;
          st.page_day.reset();
          const int64_t room = static_cast<int64_t>(options_.max_cells_per_page_day) - others -
                               static_cast<int64_t>(cell_count(row.data));
          const uint64_t dropped =
              merge_bounded(row.data, report->data, room > 0 ? static_cast<uint64_t>(room) : 0);
          row.segment.tracker_version =
              std::max(row.segment.tracker_version, report->segment.tracker_version);
          dropped_total += dropped;
          encode(row, bytes_);
          const int64_t cells = static_cast<int64_t>(cell_count(row.data));
          const int64_t row_dropped_now = row_dropped + static_cast<int64_t>(dropped);
          bind_key(st.put_row, key);
          st.put_row.bind(9, row.data.counters[kPageViews])
              .bind(10, cells)
              .bind(11, row_dropped_now);
          st.put_row.bind_blob(12, bytes_).step();
          st.put_row.reset();
          // Kept while the next batch would merge it in place again (else it gets deltas).
          if (cells >= static_cast<int64_t>(options_.in_place_max_cells)) {
            cache_.erase(key);
          } else if (cached) {
            cache_.update(key, *cached, cells, row_dropped_now);
          } else {
            cache_.put(key, std::move(fresh), cells, row_dropped_now);
          }
        }
        add_stats(stats, st.add_stat);
        if (dropped_total > 0) add_stats({{"cells_over_limit", dropped_total}}, st.add_stat);
        writer_.exec("COMMIT");
      } catch (...) {
        // Cached rows may hold this batch's merges, which were not committed; statements may be
        // left mid-step. Both start afresh.
        cache_.clear();
        ingest_.reset();
        writer_.rollback();
        throw;
      }
    }
    // Hints for the compactor; it reads the deltas themselves, so these need not be exact.
    std::lock_guard lock(pending_mu_);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (appended[i] < 0) continue;
      PendingRow& p = pending_[batch[i].first];
      if (p.count++ == 0) p.oldest = now;
      p.cells += appended[i];
    }
    for (RowKey& key : unreadable)
      if (suspects_.size() < kMaxSuspects) suspects_.insert(std::move(key));
  }

  PageList pages(const std::string& site, size_t offset, size_t limit) override {
    Reader r(*this);
    PageList out;
    {
      Stmt s(*r.db,
             "SELECT page, SUM(pv), MIN(day), MAX(day), SUM(dropped), COUNT(*) OVER () FROM ("
             " SELECT page, day, page_views AS pv, dropped FROM aggregates WHERE site=?1"
             " UNION ALL SELECT page, day, page_views, 0 FROM deltas WHERE site=?1)"
             " GROUP BY page ORDER BY SUM(pv) DESC, page LIMIT ?2 OFFSET ?3");
      s.bind(1, site).bind(2, static_cast<int64_t>(limit)).bind(3, static_cast<int64_t>(offset));
      while (s.step()) {
        out.pages.push_back({s.text(0), static_cast<uint64_t>(s.i64(1)),
                             static_cast<int32_t>(s.i64(2)), static_cast<int32_t>(s.i64(3)),
                             static_cast<uint64_t>(s.i64(4))});
        out.total = static_cast<uint64_t>(s.i64(5));
      }
    }
    if (out.pages.empty() && offset > 0) {  // past the end: the total still helps the caller
      Stmt s(*r.db,
             "SELECT COUNT(*) FROM (SELECT page FROM aggregates WHERE site=?1"
             " UNION SELECT page FROM deltas WHERE site=?1)");
      s.bind(1, site);
      if (s.step()) out.total = static_cast<uint64_t>(s.i64(0));
    }
    return out;
  }

  std::vector<RowInfo> rows(const RowFilter& f) override {
    Reader r(*this);
    Stmt s(*r.db, std::string("SELECT ") + kRowCols + ", SUM(pv) FROM (SELECT " + kRowCols +
                      ", page_views AS pv FROM aggregates" + kFilterWhere + " UNION ALL SELECT " +
                      kRowCols + ", page_views FROM deltas" + kFilterWhere + ") GROUP BY " +
                      kRowCols + " ORDER BY " + kRowOrder);
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
    ReadTxn txn(*r.db);  // aggregates and deltas from one snapshot: compaction never shows twice
    Stmt base(*r.db, std::string("SELECT ") + kRowCols + ", data FROM aggregates" + kFilterWhere +
                         " ORDER BY " + kRowOrder);
    Stmt delta(*r.db, std::string("SELECT ") + kRowCols + ", data FROM deltas" + kFilterWhere +
                          " ORDER BY " + kRowOrder + ", seq");
    bind_filter(base, f);
    bind_filter(delta, f);
    std::optional<RowKey> bk, dk;
    if (base.step()) bk = read_key(base);
    if (delta.step()) dk = read_key(delta);
    std::vector<Aggregate> parts;
    while (bk || dk) {
      const RowKey key = !dk || (bk && compare_keys(*bk, *dk) <= 0) ? *bk : *dk;
      const bool wanted = tags_match(key.tags, f.tags);
      Report row;
      bool have = false;
      if (bk && compare_keys(*bk, key) == 0) {
        if (wanted) have = decode_stored(base, key, row);
        bk.reset();
        if (base.step()) bk = read_key(base);
      }
      parts.clear();
      while (dk && compare_keys(*dk, key) == 0) {
        Report d;
        if (wanted && decode_stored(delta, key, d)) {
          if (!have) {
            row.kind = kKindAggregate;
            row.segment = d.segment;
            have = true;
          }
          row.segment.tracker_version =
              std::max(row.segment.tracker_version, d.segment.tracker_version);
          parts.push_back(std::move(d.data));
        }
        dk.reset();
        if (delta.step()) dk = read_key(delta);
      }
      if (!have) continue;
      if (!parts.empty()) row.data.merge(merge_all(parts));
      fn(key, std::move(row));
    }
  }

  StatsMap stats() override {
    Reader r(*this);
    StatsMap out;
    Stmt s(*r.db, "SELECT reason, count FROM stats");
    while (s.step()) out[s.text(0)] = static_cast<uint64_t>(s.i64(1));
    Stmt d(*r.db, "SELECT COUNT(*) FROM deltas");
    if (d.step()) out["pending_deltas"] = static_cast<uint64_t>(d.i64(0));
    return out;
  }

  int64_t prune(int32_t before_day) override {
    std::lock_guard lock(write_mu_);
    cache_.clear();
    WriteTxn txn(writer_);
    int64_t n = 0;
    for (const char* table : {"aggregates", "deltas", "quarantine", "survey_answers"}) {
      Stmt s(writer_, std::string("DELETE FROM ") + table + " WHERE day < ?");
      s.bind(1, before_day).step();
      if (std::string(table) == "aggregates" || std::string(table) == "deltas") n += s.changes();
    }
    txn.commit();
    return n;
  }

  // A pass starts when some row is due: it has many pending deltas or cells (relative to the
  // row: compaction cost grows with the row, so a large row waits for proportionally more, which
  // keeps the work per ingested cell constant), or its oldest delta is older than
  // compact_after_seconds, or a read could not decode it. Every small row with pending deltas
  // rides along: deltas of all rows are interleaved in the table, so folding them together frees
  // whole pages at once instead of touching each page once per row.
  size_t compact(bool all) override {
    std::lock_guard serial(compact_mu_);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::vector<RowKey> due;
    {
      std::lock_guard lock(pending_mu_);
      auto is_due = [&](const PendingRow& p) {
        return p.count > 0 && (all || p.count >= kMaxPendingDeltas ||
                               now - p.oldest >= options_.compact_after_seconds ||
                               p.cells >= std::max(kMinPendingCells, p.base_cells / kBaseShare));
      };
      bool any = all || !suspects_.empty();
      for (const auto& [key, p] : pending_) any = any || is_due(p);
      if (any) {
        for (const auto& [key, p] : pending_) {
          if (due.size() >= kMaxRowsPerPass) break;
          if (p.count > 0 && (p.base_cells < kSmallRowCells || is_due(p))) due.push_back(key);
        }
      }
      for (const RowKey& key : suspects_)
        if (std::find(due.begin(), due.end(), key) == due.end()) due.push_back(key);
      suspects_.clear();
    }
    // Rows are merged one by one without any lock, and written together: one transaction (one
    // fsync) per pass, not per row. A pass holds at most kMaxCellsPerPass merged cells.
    std::vector<Compacted> ready;
    std::map<std::tuple<std::string, std::string, int32_t>, int64_t> grown;  // page-day -> cells
    uint64_t held = 0;
    size_t changed = 0;
    for (const RowKey& key : due) {
      auto& page_day = grown[{key.site, key.page, key.day}];
      std::optional<Compacted> c = prepare(key, page_day);
      if (!c) continue;
      page_day += c->cells - c->base_cells;
      held += static_cast<uint64_t>(c->cells);
      ready.push_back(std::move(*c));
      if (held >= kMaxCellsPerPass) {
        changed += write_compacted(ready);
        ready.clear();
        grown.clear();
        held = 0;
      }
    }
    changed += write_compacted(ready);
    if (wal_pages_.load() >= kCheckpointPages) checkpoint();
    return changed;
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
      if (!db) db = std::make_unique<Db>(st.path_, false);
    }
    ~Reader() {
      std::lock_guard lock(store.pool_mu_);
      if (store.pool_.size() < kMaxIdleReaders) store.pool_.push_back(std::move(db));
    }
    SqliteStore& store;
    std::unique_ptr<Db> db;
  };
  static constexpr size_t kMaxIdleReaders = 8;

  // serve refuses a database it cannot write. A full disk is not refused: writes answer 503
  // until space returns.
  void probe_write() {
    try {
      std::lock_guard lock(write_mu_);
      WriteTxn txn(writer_);
      Stmt s(writer_, "INSERT OR REPLACE INTO meta(key, value) VALUES('opened', ?1)");
      s.bind(1, std::to_string(std::time(nullptr))).step();
      txn.commit();
    } catch (const StoreError& e) {
      if (!e.full())
        throw StoreError("cannot open database " + path_ + ": a test write failed: " + e.what());
    }
  }

  static constexpr const char* kAddStat =
      "INSERT INTO stats(reason, count) VALUES(?1, ?2) "
      "ON CONFLICT(reason) DO UPDATE SET count = count + excluded.count";

  void add_stats(const StatsMap& stats) {
    Stmt add(writer_, kAddStat);
    add_stats(stats, add);
  }
  void add_stats(const StatsMap& stats, Stmt& add) {
    for (const auto& [reason, count] : stats) {
      if (count == 0) continue;
      add.bind(1, reason).bind(2, static_cast<int64_t>(count)).step();
      add.reset();
    }
  }

  // Decodes the blob in column 8 of `s`. A blob that does not decode is skipped and its row
  // marked for compact(), which moves it to `quarantine`.
  bool decode_stored(Stmt& s, const RowKey& key, Report& out) {
    size_t n;
    const uint8_t* p = s.blob(8, n);
    if (decode(p, n, out, stored_limits()).ok()) return true;
    std::lock_guard lock(pending_mu_);
    if (suspects_.size() < kMaxSuspects) suspects_.insert(key);
    return false;
  }

  void load_pending() {
    Reader r(*this);
    Stmt s(*r.db, std::string("SELECT ") + kRowCols +
                      ", COUNT(*), SUM(cells), MIN(created) FROM deltas GROUP BY " + kRowCols);
    std::lock_guard lock(pending_mu_);
    pending_.clear();
    while (s.step()) pending_[read_key(s)] = {s.i64(8), s.i64(9), s.i64(10), 0};
  }

  // Re-reads one row's pending deltas after a conflict.
  void reload_pending(const RowKey& key) {
    Reader r(*this);
    Stmt s(*r.db, std::string("SELECT COUNT(*), COALESCE(SUM(cells), 0), MIN(created) FROM "
                              "deltas WHERE ") +
                      kRowMatch);
    bind_key(s, key);
    std::lock_guard lock(pending_mu_);
    if (s.step() && s.i64(0) > 0) {
      pending_[key] = {s.i64(0), s.i64(1), s.i64(2), pending_[key].base_cells};
    } else {
      pending_.erase(key);
    }
  }

  // A row merged by prepare(), waiting for write_compacted().
  struct Compacted {
    RowKey key;
    bool has_base = false, base_ok = false;
    int64_t base_pv = -1, base_cells = 0, base_dropped = 0;
    std::string base_error;
    std::vector<std::pair<int64_t, std::string>> bad_deltas;  // seq, decoder message
    int64_t n = 0, max_seq = 0, delta_cells = 0;              // deltas merged (bad ones too)
    bool keep_row = false;
    uint32_t page_views = 0;
    std::vector<uint8_t> bytes;
    int64_t cells = 0;
    uint64_t dropped = 0;
  };

  // Reads a row and its deltas from one snapshot (no write lock) and merges them, applying the
  // cell bound: `grown` = cells rows of the same page and day gained earlier in this pass.
  // nullopt when there is nothing to do.
  std::optional<Compacted> prepare(const RowKey& key, int64_t grown) {
    Compacted c;
    c.key = key;
    Report row;
    std::vector<Aggregate> parts;
    Segment first_segment;
    uint16_t version = 0;
    int64_t page_day_cells = 0;
    {
      Reader r(*this);
      ReadTxn txn(*r.db);
      Stmt b(*r.db, std::string("SELECT page_views, cells, dropped, data FROM aggregates WHERE ") +
                        kRowMatch);
      bind_key(b, key);
      if (b.step()) {
        c.has_base = true;
        c.base_pv = b.i64(0);
        c.base_cells = b.i64(1);
        c.base_dropped = b.i64(2);
        size_t len;
        const uint8_t* p = b.blob(3, len);
        const DecodeResult res = decode(p, len, row, stored_limits());
        c.base_ok = res.ok();
        if (c.base_ok) {
          version = row.segment.tracker_version;
        } else {
          c.base_error = res.message;
        }
      }
      Stmt d(*r.db, std::string("SELECT seq, cells, data FROM deltas WHERE ") + kRowMatch +
                        " ORDER BY seq");
      bind_key(d, key);
      while (d.step()) {
        ++c.n;
        c.max_seq = d.i64(0);
        c.delta_cells += d.i64(1);
        size_t len;
        const uint8_t* p = d.blob(2, len);
        Report rep;
        const DecodeResult res = decode(p, len, rep, stored_limits());
        if (!res.ok()) {
          c.bad_deltas.push_back({c.max_seq, res.message});
          continue;
        }
        if (parts.empty()) first_segment = rep.segment;
        version = std::max(version, rep.segment.tracker_version);
        parts.push_back(std::move(rep.data));
      }
      Stmt sum(
          *r.db,
          "SELECT COALESCE(SUM(cells), 0) FROM aggregates WHERE site=?1 AND page=?2 AND day=?3");
      sum.bind(1, key.site).bind(2, key.page).bind(3, key.day);
      if (sum.step()) page_day_cells = sum.i64(0);
    }
    if (c.n == 0 && (!c.has_base || c.base_ok)) {  // nothing pending (pruned, or compacted)
      std::lock_guard lock(pending_mu_);
      pending_.erase(key);
      return std::nullopt;
    }
    if (!c.base_ok) {
      row = Report{};
      row.kind = kKindAggregate;
      row.segment = first_segment;
    }
    row.segment.tracker_version = version;
    const int64_t others = page_day_cells + grown - (c.has_base ? c.base_cells : 0);
    const int64_t room = static_cast<int64_t>(options_.max_cells_per_page_day) - others -
                         static_cast<int64_t>(cell_count(row.data));
    c.dropped =
        merge_bounded(row.data, merge_all(parts), room > 0 ? static_cast<uint64_t>(room) : 0);
    c.cells = static_cast<int64_t>(cell_count(row.data));
    c.keep_row = c.base_ok || !parts.empty();
    c.page_views = row.data.counters[kPageViews];
    if (c.keep_row) encode(row, c.bytes);
    if (!c.has_base || !c.base_ok) c.base_cells = 0;
    return c;
  }

  // Writes prepared rows in one transaction: per row (under a savepoint) the quarantined parts,
  // the deletion of exactly the merged deltas and the merged row. A row that changed since it
  // was read (a concurrent prune) is rolled back alone and retried later. Returns rows written.
  size_t write_compacted(const std::vector<Compacted>& rows) {
    if (rows.empty()) return 0;
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::vector<bool> written(rows.size(), false);
    {
      std::lock_guard lock(write_mu_);
      for (const Compacted& c : rows) cache_.erase(c.key);  // rewritten or quarantined below
      WriteTxn txn(writer_);
      Stmt chk(writer_, std::string("SELECT page_views FROM aggregates WHERE ") + kRowMatch);
      Stmt quarantine_row(writer_, std::string("INSERT INTO quarantine(source, ") + kRowCols +
                                       ", reason, moved, data) SELECT 'row', " + kRowCols +
                                       ", ?9, ?10, data FROM aggregates WHERE " + kRowMatch);
      Stmt drop_row(writer_, std::string("DELETE FROM aggregates WHERE ") + kRowMatch);
      Stmt quarantine_delta(writer_, std::string("INSERT INTO quarantine(source, ") + kRowCols +
                                         ", reason, moved, data) SELECT 'delta', " + kRowCols +
                                         ", ?2, ?3, data FROM deltas WHERE seq=?1");
      Stmt drop_deltas(writer_,
                       std::string("DELETE FROM deltas WHERE ") + kRowMatch + " AND seq<=?9");
      Stmt put(writer_, std::string("INSERT OR REPLACE INTO aggregates(") + kRowCols +
                            ", page_views, data, cells, dropped) "
                            "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
      StatsMap counts;
      for (size_t i = 0; i < rows.size(); ++i) {
        const Compacted& c = rows[i];
        writer_.exec("SAVEPOINT row");
        try {
          bind_key(chk, c.key);
          const int64_t pv = chk.step() ? chk.i64(0) : -1;
          chk.reset();
          if (pv != c.base_pv) throw Conflict{};
          if (c.has_base && !c.base_ok) {
            bind_key(quarantine_row, c.key);
            quarantine_row.bind(9, c.base_error).bind(10, now).step();
            quarantine_row.reset();
            bind_key(drop_row, c.key);
            drop_row.step();
            drop_row.reset();
          }
          for (const auto& [seq, reason] : c.bad_deltas) {
            quarantine_delta.bind(1, seq).bind(2, reason).bind(3, now).step();
            quarantine_delta.reset();
          }
          if (c.n > 0) {
            bind_key(drop_deltas, c.key);
            drop_deltas.bind(9, c.max_seq).step();
            const int deleted = drop_deltas.changes();
            drop_deltas.reset();
            if (deleted != c.n) throw Conflict{};
          }
          if (c.keep_row) {
            bind_key(put, c.key);
            put.bind(9, c.page_views).bind_blob(10, c.bytes).bind(11, c.cells);
            put.bind(12, c.base_dropped + static_cast<int64_t>(c.dropped)).step();
            put.reset();
          }
          writer_.exec("RELEASE row");
          written[i] = true;
          counts["cells_over_limit"] += c.dropped;
          counts["rows_quarantined"] += c.bad_deltas.size() + (c.has_base && !c.base_ok);
        } catch (const Conflict&) {
          writer_.exec("ROLLBACK TO row");
          writer_.exec("RELEASE row");
        }
      }
      add_stats(counts);
      txn.commit();
    }
    size_t n = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!written[i]) {
        reload_pending(rows[i].key);
        continue;
      }
      ++n;
      const Compacted& c = rows[i];
      std::lock_guard lock(pending_mu_);
      auto it = pending_.find(c.key);
      if (it == pending_.end()) continue;
      PendingRow& p = it->second;
      p.count -= c.n;
      p.cells = std::max<int64_t>(0, p.cells - c.delta_cells);
      p.base_cells = c.cells;
      if (p.count > 0) {
        p.oldest = now;  // what remains arrived during this compaction
      } else if (c.cells < kSmallRowCells) {
        pending_.erase(it);  // small rows are cheap to compact: forget them
      } else {
        p.count = 0;  // a large row keeps its size, so its next compaction waits long enough
        p.cells = 0;
      }
    }
    return n;
  }

  // Copies committed WAL frames into the database without blocking the writer.
  void checkpoint() {
    Reader r(*this);
    int log = 0, done = 0;
    if (sqlite3_wal_checkpoint_v2(r.db->get(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
        SQLITE_OK)
      wal_pages_ = log - done;  // frames not copied yet (the writer's hook updates it per commit)
  }

  // The writer's WAL hook: the WAL's size in frames after each commit.
  static int on_wal_commit(void* self, sqlite3*, const char*, int pages) {
    static_cast<SqliteStore*>(self)->wal_pages_ = pages;
    return SQLITE_OK;
  }

  // commit_batch's statements, prepared once on the writer (they were prepared per batch).
  struct IngestStatements {
    explicit IngestStatements(Db& db)
        : get_row(db,
                  std::string("SELECT cells, dropped, data FROM aggregates WHERE ") + kRowMatch),
          page_day(db,
                   "SELECT COALESCE(SUM(cells), 0) FROM aggregates WHERE site=?1 AND page=?2 AND "
                   "day=?3"),
          put_row(db, std::string("INSERT OR REPLACE INTO aggregates(") + kRowCols +
                          ", page_views, cells, dropped, data) "
                          "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)"),
          put_delta(db, std::string("INSERT INTO deltas(") + kRowCols +
                            ", page_views, cells, created, data) "
                            "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)"),
          add_stat(db, kAddStat),
          data_version(db, "PRAGMA data_version") {}
    Stmt get_row, page_day, put_row, put_delta, add_stat, data_version;
  };

  std::string path_;
  StoreOptions options_;
  std::mutex write_mu_;
  Db writer_;
  // The writer's (under write_mu_); declared after writer_ so they are finalized first.
  std::unique_ptr<IngestStatements> ingest_;
  RowCache cache_;
  int64_t cache_version_ = -1;  // PRAGMA data_version when the cache was last checked
  std::vector<uint8_t> bytes_;  // encoding buffer, reused by every batch
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Db>> pool_;
  std::mutex compact_mu_;  // one compaction at a time
  std::mutex pending_mu_;  // guards pending_ and suspects_
  std::map<RowKey, PendingRow> pending_;
  std::set<RowKey> suspects_;
  std::atomic<int> wal_pages_{0};
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, const StoreOptions& options) {
  return std::make_unique<SqliteStore>(path, options);
}

}  // namespace thermograph
