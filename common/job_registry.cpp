#include "common/job_registry.h"

#include <sqlite3.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>

#include "common/config.h"
#include "common/hostlist.h"
#include "common/logging.h"

namespace fructosa {

using json = nlohmann::json;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS jobs(
  job_id INTEGER PRIMARY KEY,
  user TEXT NOT NULL DEFAULT '',
  uid INTEGER,
  account TEXT NOT NULL DEFAULT '',
  partition TEXT NOT NULL DEFAULT '',
  job_name TEXT NOT NULL DEFAULT '',
  nodelist TEXT NOT NULL DEFAULT '',
  nnodes INTEGER NOT NULL DEFAULT 0,
  ntasks INTEGER NOT NULL DEFAULT 0,
  cpus_per_node TEXT NOT NULL DEFAULT '{}',
  total_cpus REAL NOT NULL DEFAULT 0,
  mem_mb INTEGER NOT NULL DEFAULT 0,
  gpus INTEGER NOT NULL DEFAULT 0,
  interval REAL NOT NULL DEFAULT 0,
  submit_time REAL,
  start_time REAL,
  end_time REAL,
  first_end_time REAL,
  status TEXT NOT NULL DEFAULT 'running',
  missing_nodes TEXT NOT NULL DEFAULT '',
  exit_status INTEGER,
  slurm_state TEXT,
  time_limit_s REAL,
  slurm_exit_code INTEGER,
  finished_at REAL,
  pending_classification INTEGER NOT NULL DEFAULT 0,
  job_class TEXT,
  allocated_core_s REAL,
  used_core_s REAL);
CREATE INDEX IF NOT EXISTS jobs_user_end ON jobs(user, end_time);
CREATE INDEX IF NOT EXISTS jobs_account_end ON jobs(account, end_time);
CREATE INDEX IF NOT EXISTS jobs_partition_end ON jobs(partition, end_time);
CREATE INDEX IF NOT EXISTS jobs_running ON jobs(first_end_time) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs(job_id) WHERE pending_classification = 1;
CREATE INDEX IF NOT EXISTS jobs_class_end ON jobs(job_class, end_time);
-- Covers `perad summary` (a scan aggregated in memory, no sort) and the time filters;
-- led by end_time so verdicts, stored roughly in the order jobs end, touch few pages.
CREATE INDEX IF NOT EXISTS jobs_summary
  ON jobs(end_time, job_class, user, account, partition, allocated_core_s, used_core_s);
CREATE TABLE IF NOT EXISTS job_nodes(
  job_id INTEGER NOT NULL,
  host TEXT NOT NULL,
  cpus REAL NOT NULL DEFAULT 0,
  mem_mb INTEGER NOT NULL DEFAULT 0,
  gpus INTEGER NOT NULL DEFAULT 0,
  start_time REAL,
  end_time REAL,
  ended INTEGER NOT NULL DEFAULT 0,
  exit_status INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  reattached INTEGER NOT NULL DEFAULT 0,
  summary TEXT,
  PRIMARY KEY(job_id, host)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS job_steps(
  job_id INTEGER NOT NULL,
  host TEXT NOT NULL,
  step_id TEXT NOT NULL,
  start_time REAL,
  end_time REAL,
  exit_status INTEGER,
  summary TEXT,
  PRIMARY KEY(job_id, host, step_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS classifications(
  job_id INTEGER PRIMARY KEY,
  class TEXT NOT NULL,
  flags TEXT NOT NULL DEFAULT '',
  evidence TEXT NOT NULL DEFAULT '{}',
  recommendations TEXT NOT NULL DEFAULT '{}',
  features TEXT NOT NULL DEFAULT '{}',
  classified_at REAL NOT NULL,
  thresholds_hash TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS classifications_class ON classifications(class);
)sql";

constexpr const char* kJobColumns =
    "j.job_id, j.user, j.uid, j.account, j.partition, j.job_name, j.nodelist, j.nnodes, j.ntasks, "
    "j.cpus_per_node, j.total_cpus, j.mem_mb, j.gpus, j.interval, j.submit_time, j.start_time, j.end_time, "
    "j.first_end_time, j.status, j.missing_nodes, j.exit_status, j.slurm_state, j.time_limit_s, "
    "j.slurm_exit_code, j.finished_at";
constexpr int kJobColumnCount = 25;

std::string meta_string(const json& meta, const char* key) {
    if (!meta.is_object()) return {};
    auto it = meta.find(key);
    if (it == meta.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

double meta_number(const json& meta, const char* key) {
    if (!meta.is_object()) return 0;
    auto it = meta.find(key);
    if (it == meta.end() || !it->is_number()) return 0;
    return it->get<double>();
}

std::string short_name(const std::string& host) { return host.substr(0, host.find('.')); }

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

}  // namespace

std::vector<std::string> split_comma_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        if (comma > start) out.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

RegistrySettings read_registry_settings(const IniFile& file) {
    RegistrySettings s;
    SectionReader r(file, "registry");
    s.path = r.get_string("path", s.path);
    if (s.path.empty()) r.fail("path", "must name a file");
    s.busy_timeout_ms = static_cast<int>(r.get_int("busy timeout ms", s.busy_timeout_ms, 0, 3600000));
    s.partial_after_s = r.get_double("partial after", s.partial_after_s, 1, 30 * 86400.0);
    r.reject_unknown();
    return s;
}

/// A prepared statement: bind by position (1-based), step, read columns (0-based).
class JobRegistry::Statement {
public:
    Statement(sqlite3* db, const std::string& sql, const JobRegistry& owner) : db_(db), owner_(owner) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
            owner_.fail(fmt::format("cannot prepare '{}'", sql.substr(0, 60)));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        return *this;
    }
    Statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
    Statement& bind(int i, std::uint64_t v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
    Statement& bind(int i, const std::string& v) {
        return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Statement& bind_null(int i) { return check(sqlite3_bind_null(stmt_, i)); }
    template <typename T>
    Statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bind_null(i);
    }
    Statement& bind_json(int i, const json& v) { return v.is_null() ? bind_null(i) : bind(i, v.dump()); }

    /// True while there is a row to read; false when done.
    bool step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        sqlite3_reset(stmt_);
        owner_.fail("query failed");
    }
    void run() {
        while (step()) {
        }
    }

    bool is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
    std::int64_t int64(int c) const { return sqlite3_column_int64(stmt_, c); }
    double real(int c) const { return sqlite3_column_double(stmt_, c); }
    std::string text(int c) const {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
    }
    std::optional<double> opt_real(int c) const { return is_null(c) ? std::nullopt : std::optional(real(c)); }
    std::optional<int> opt_int(int c) const {
        return is_null(c) ? std::nullopt : std::optional(static_cast<int>(int64(c)));
    }
    json json_of(int c) const {
        if (is_null(c)) return nullptr;
        return json::parse(text(c), nullptr, false);  // a damaged value reads as discarded, never throws
    }

private:
    Statement& check(int rc) {
        if (rc != SQLITE_OK) owner_.fail("bind failed");
        return *this;
    }
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    const JobRegistry& owner_;
};

namespace {

/// Reads the kJobColumns starting at column `c`.
template <typename Stmt>
JobInfo read_job_info(const Stmt& s, int c) {
    JobInfo j;
    j.job_id = static_cast<std::uint64_t>(s.int64(c + 0));
    j.user = s.text(c + 1);
    if (!s.is_null(c + 2)) j.uid = static_cast<std::uint32_t>(s.int64(c + 2));
    j.account = s.text(c + 3);
    j.partition = s.text(c + 4);
    j.job_name = s.text(c + 5);
    j.nodelist = s.text(c + 6);
    j.nnodes = static_cast<std::uint32_t>(s.int64(c + 7));
    j.ntasks = static_cast<std::uint32_t>(s.int64(c + 8));
    j.cpus_per_node = s.json_of(c + 9);
    j.total_cpus = s.real(c + 10);
    j.mem_mb = static_cast<std::uint64_t>(s.int64(c + 11));
    j.gpus = static_cast<std::uint32_t>(s.int64(c + 12));
    j.interval = s.real(c + 13);
    j.submit_time = s.opt_real(c + 14);
    j.start_time = s.opt_real(c + 15);
    j.end_time = s.opt_real(c + 16);
    j.first_end_time = s.opt_real(c + 17);
    j.status = s.text(c + 18);
    j.missing_nodes = s.text(c + 19);
    j.exit_status = s.opt_int(c + 20);
    if (!s.is_null(c + 21)) j.slurm_state = s.text(c + 21);
    j.time_limit_s = s.opt_real(c + 22);
    j.slurm_exit_code = s.opt_int(c + 23);
    j.finished_at = s.opt_real(c + 24);
    return j;
}

}  // namespace

JobRegistry::JobRegistry(const std::string& path, Mode mode, int busy_timeout_ms) : path_(path) {
    int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw JobRegistryError(fmt::format("cannot open job registry {}: {}", path, msg));
    }
    try {
        sqlite3_busy_timeout(db_, busy_timeout_ms);
        // Scans of a million jobs stay in memory instead of going through read() page by page.
        exec("PRAGMA cache_size=-65536");
        exec("PRAGMA mmap_size=1073741824");
        if (mode == Mode::ReadWrite) {
            exec("PRAGMA journal_mode=WAL");
            exec("PRAGMA synchronous=NORMAL");
            // Checkpoint (and fsync) every ~40 MB of WAL rather than every 4 MB.
            exec("PRAGMA wal_autocheckpoint=10000");
            create_schema();
        }
        check_schema();
    } catch (...) {
        statements_.clear();
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

JobRegistry::~JobRegistry() {
    statements_.clear();
    if (db_) sqlite3_close(db_);
}

void JobRegistry::fail(const std::string& what) const {
    throw JobRegistryError(fmt::format("job registry {}: {}: {}", path_, what, db_ ? sqlite3_errmsg(db_) : "closed"));
}

void JobRegistry::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw JobRegistryError(fmt::format("job registry {}: {}", path_, msg));
    }
}

JobRegistry::Statement& JobRegistry::prepared(const char* sql) {
    auto& slot = statements_[sql];
    if (!slot) slot = std::make_unique<Statement>(db_, sql, *this);
    return slot->reset();
}

void JobRegistry::in_transaction(const std::function<void()>& fn) {
    if (transaction_depth_ > 0) {
        fn();
        return;
    }
    exec("BEGIN IMMEDIATE");
    ++transaction_depth_;
    try {
        fn();
        exec("COMMIT");
        --transaction_depth_;
    } catch (...) {
        --transaction_depth_;
        char* err = nullptr;
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &err);
        sqlite3_free(err);
        throw;
    }
}

void JobRegistry::create_schema() {
    in_transaction([&] {
        exec(kSchema);
        Statement count(db_, "SELECT COUNT(*) FROM schema_version", *this);
        count.step();
        if (count.int64(0) == 0) {
            Statement ins(db_, "INSERT INTO schema_version(version) VALUES(?)", *this);
            ins.bind(1, kSchemaVersion).run();
        }
    });
}

void JobRegistry::check_schema() {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT MAX(version) FROM schema_version", -1, &raw, nullptr) != SQLITE_OK) {
        sqlite3_finalize(raw);
        throw JobRegistryError(fmt::format("{} is not a FrUCToSA job registry: {}", path_, sqlite3_errmsg(db_)));
    }
    int rc = sqlite3_step(raw);
    std::int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(raw, 0) : -1;
    sqlite3_finalize(raw);
    if (rc != SQLITE_ROW) throw JobRegistryError(fmt::format("cannot read job registry {}: {}", path_, sqlite3_errmsg(db_)));
    if (version != kSchemaVersion)
        throw JobRegistryError(
            fmt::format("job registry {} has schema version {}, this program knows {}", path_, version, kSchemaVersion));
}

// ---- writer half ----

void JobRegistry::upsert_job_meta(std::uint64_t job_id, const json& meta) {
    prepared("INSERT INTO jobs(job_id) VALUES(?1) ON CONFLICT(job_id) DO NOTHING").bind(1, job_id).run();
    if (!meta.is_object() || meta.empty()) return;
    std::string user = meta_string(meta, "user");
    std::optional<std::int64_t> uid;
    // lagent sends uid 0 with an empty user for a re-attached job: that is "unknown", not root.
    if (!user.empty() || meta_number(meta, "uid") > 0) uid = static_cast<std::int64_t>(meta_number(meta, "uid"));
    prepared(
        "UPDATE jobs SET user = CASE WHEN ?2 <> '' THEN ?2 ELSE user END, uid = COALESCE(?3, uid),"
        " account = CASE WHEN ?4 <> '' THEN ?4 ELSE account END,"
        " partition = CASE WHEN ?5 <> '' THEN ?5 ELSE partition END,"
        " job_name = CASE WHEN ?6 <> '' THEN ?6 ELSE job_name END,"
        " nodelist = CASE WHEN ?7 <> '' THEN ?7 ELSE nodelist END,"
        " nnodes = CASE WHEN ?8 > 0 THEN ?8 ELSE nnodes END,"
        " ntasks = CASE WHEN ?9 > 0 THEN ?9 ELSE ntasks END,"
        " interval = CASE WHEN ?10 > 0 THEN ?10 ELSE interval END WHERE job_id = ?1")
        .bind(1, job_id)
        .bind(2, user)
        .bind(3, uid)
        .bind(4, meta_string(meta, "account"))
        .bind(5, meta_string(meta, "partition"))
        .bind(6, meta_string(meta, "job_name"))
        .bind(7, meta_string(meta, "nodelist"))
        .bind(8, static_cast<std::int64_t>(meta_number(meta, "nnodes")))
        .bind(9, static_cast<std::int64_t>(meta_number(meta, "ntasks")))
        .bind(10, meta_number(meta, "interval"))
        .run();
}

void JobRegistry::upsert_node(std::uint64_t job_id, const std::string& host, const json& meta) {
    prepared(
        "INSERT INTO job_nodes(job_id, host, cpus, mem_mb, gpus) VALUES(?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(job_id, host) DO UPDATE SET"
        " cpus = CASE WHEN ?3 > 0 THEN ?3 ELSE cpus END,"
        " mem_mb = CASE WHEN ?4 > 0 THEN ?4 ELSE mem_mb END,"
        " gpus = CASE WHEN ?5 > 0 THEN ?5 ELSE gpus END")
        .bind(1, job_id)
        .bind(2, host)
        .bind(3, meta_number(meta, "cpus"))
        .bind(4, static_cast<std::int64_t>(meta_number(meta, "mem_mb")))
        .bind(5, static_cast<std::int64_t>(meta_number(meta, "gpus")))
        .run();
}

void JobRegistry::drop_classification(std::uint64_t job_id) {
    prepared("DELETE FROM classifications WHERE job_id = ?1").bind(1, job_id).run();
    prepared(
        "UPDATE jobs SET pending_classification = (status IN ('finished', 'partial')), job_class = NULL,"
        " allocated_core_s = NULL, used_core_s = NULL WHERE job_id = ?1")
        .bind(1, job_id)
        .run();
}

void JobRegistry::record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                    const json& meta, double time) {
    in_transaction([&] {
        upsert_job_meta(job_id, meta);
        upsert_node(job_id, host, meta);
        prepared(
            "UPDATE job_nodes SET start_time = MIN(COALESCE(start_time, ?3), ?3), ended = 0"
            " WHERE job_id = ?1 AND host = ?2")
            .bind(1, job_id)
            .bind(2, host)
            .bind(3, time)
            .run();
        prepared(
            "INSERT INTO job_steps(job_id, host, step_id, start_time) VALUES(?1, ?2, ?3, ?4)"
            " ON CONFLICT(job_id, host, step_id) DO UPDATE SET start_time = ?4")
            .bind(1, job_id)
            .bind(2, host)
            .bind(3, step_id)
            .bind(4, time)
            .run();
        // A step after the job had finished: it runs again, and the verdict is stale.
        prepared(
            "UPDATE jobs SET start_time = MIN(COALESCE(start_time, ?2), ?2),"
            " status = 'running', finished_at = NULL, missing_nodes = '', pending_classification = 0,"
            " job_class = NULL, allocated_core_s = NULL, used_core_s = NULL"
            " WHERE job_id = ?1")
            .bind(1, job_id)
            .bind(2, time)
            .run();
        prepared("DELETE FROM classifications WHERE job_id = ?1").bind(1, job_id).run();
        prepared(
            "UPDATE jobs SET total_cpus = (SELECT TOTAL(cpus) FROM job_nodes WHERE job_id = ?1),"
            " mem_mb = (SELECT TOTAL(mem_mb) FROM job_nodes WHERE job_id = ?1),"
            " gpus = (SELECT TOTAL(gpus) FROM job_nodes WHERE job_id = ?1),"
            " cpus_per_node = (SELECT json_group_object(host, cpus) FROM job_nodes WHERE job_id = ?1)"
            " WHERE job_id = ?1")
            .bind(1, job_id)
            .run();
    });
}

void JobRegistry::record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                  int exit_status, const json& summary, double time) {
    in_transaction([&] {
        upsert_job_meta(job_id, json());
        upsert_node(job_id, host, json());
        prepared(
            "INSERT INTO job_steps(job_id, host, step_id, end_time, exit_status, summary)"
            " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(job_id, host, step_id) DO UPDATE SET"
            " end_time = ?4, exit_status = ?5, summary = COALESCE(?6, summary)")
            .bind(1, job_id)
            .bind(2, host)
            .bind(3, step_id)
            .bind(4, time)
            .bind(5, exit_status)
            .bind_json(6, summary)
            .run();
        if (exit_status != 0)
            prepared("UPDATE jobs SET exit_status = ?2 WHERE job_id = ?1 AND COALESCE(exit_status, 0) = 0")
                .bind(1, job_id)
                .bind(2, exit_status)
                .run();
    });
}

void JobRegistry::record_job_end(std::uint64_t job_id, const std::string& host, int exit_status, const json& summary,
                                 const json& meta, double time, const std::string& reason, bool reattached) {
    in_transaction([&] {
        upsert_job_meta(job_id, meta);
        upsert_node(job_id, host, meta);
        prepared(
            "UPDATE job_nodes SET end_time = ?3, ended = 1, exit_status = ?4, reason = ?5, reattached = ?6,"
            " summary = COALESCE(?7, summary), start_time = COALESCE(start_time, ?8)"
            " WHERE job_id = ?1 AND host = ?2")
            .bind(1, job_id)
            .bind(2, host)
            .bind(3, time)
            .bind(4, exit_status)
            .bind(5, reason)
            .bind(6, reattached ? 1 : 0)
            .bind_json(7, summary)
            .bind(8, summary.is_object() && summary.contains("first_time") && summary["first_time"].is_number()
                         ? std::optional<double>(summary["first_time"].get<double>())
                         : std::nullopt)
            .run();
        prepared(
            "UPDATE jobs SET first_end_time = MIN(COALESCE(first_end_time, ?2), ?2),"
            " exit_status = CASE WHEN COALESCE(exit_status, 0) = 0 THEN ?3 ELSE exit_status END,"
            " start_time = COALESCE(start_time, (SELECT MIN(start_time) FROM job_nodes WHERE job_id = ?1)),"
            " total_cpus = (SELECT TOTAL(cpus) FROM job_nodes WHERE job_id = ?1),"
            " mem_mb = (SELECT TOTAL(mem_mb) FROM job_nodes WHERE job_id = ?1),"
            " gpus = (SELECT TOTAL(gpus) FROM job_nodes WHERE job_id = ?1),"
            " cpus_per_node = (SELECT json_group_object(host, cpus) FROM job_nodes WHERE job_id = ?1),"
            " end_time = (SELECT MAX(end_time) FROM job_nodes WHERE job_id = ?1 AND ended = 1)"
            " WHERE job_id = ?1")
            .bind(1, job_id)
            .bind(2, time)
            .bind(3, exit_status)
            .run();
        drop_classification(job_id);  // new figures for a job perad may already have judged
        update_completion(job_id, time);
    });
}

void JobRegistry::update_completion(std::uint64_t job_id, double time) {
    auto& q = prepared("SELECT nodelist, nnodes, status FROM jobs WHERE job_id = ?1").bind(1, job_id);
    if (!q.step()) return;
    std::string nodelist = q.text(0);
    std::int64_t nnodes = q.int64(1);
    std::string status = q.text(2);
    q.reset();

    std::set<std::string> ended;
    auto& n = prepared("SELECT host FROM job_nodes WHERE job_id = ?1 AND ended = 1").bind(1, job_id);
    while (n.step()) {
        std::string h = n.text(0);
        ended.insert(h);
        ended.insert(short_name(h));
    }
    n.reset();

    std::optional<std::vector<std::string>> missing;
    if (!nodelist.empty()) {
        try {
            std::vector<std::string> m;
            for (const auto& h : expand_hostlist(nodelist))
                if (!ended.count(h) && !ended.count(short_name(h))) m.push_back(h);
            missing = std::move(m);
        } catch (const HostlistError& e) {
            log_warning("job {}: {}", job_id, e.what());
        }
    }
    bool complete = false;
    if (missing) {
        complete = missing->empty();
    } else if (nnodes > 0) {
        // No usable node list (a re-attached agent sends none): count the hosts that ended.
        auto& c = prepared("SELECT COUNT(*) FROM job_nodes WHERE job_id = ?1 AND ended = 1").bind(1, job_id);
        c.step();
        complete = c.int64(0) >= nnodes;
        c.reset();
    }
    if (complete) {
        prepared(
            "UPDATE jobs SET status = 'finished', missing_nodes = '', finished_at = ?2,"
            " pending_classification = 1 WHERE job_id = ?1")
            .bind(1, job_id)
            .bind(2, time)
            .run();
    } else if (status == "partial" && missing) {
        // A late node of a partial job: still partial, with one name fewer missing.
        prepared("UPDATE jobs SET missing_nodes = ?2 WHERE job_id = ?1").bind(1, job_id).bind(2, join(*missing, ",")).run();
    }
}

std::vector<std::uint64_t> JobRegistry::check_timeouts(double now, double grace_s) {
    std::vector<std::uint64_t> marked;
    in_transaction([&] {
        auto& q = prepared(
            "SELECT job_id, nodelist FROM jobs WHERE status = 'running' AND first_end_time < ?1");
        q.bind(1, now - grace_s);
        std::vector<std::pair<std::uint64_t, std::string>> late;
        while (q.step()) late.emplace_back(static_cast<std::uint64_t>(q.int64(0)), q.text(1));
        q.reset();
        for (const auto& [job_id, nodelist] : late) {
            std::set<std::string> ended;
            auto& n = prepared("SELECT host FROM job_nodes WHERE job_id = ?1 AND ended = 1").bind(1, job_id);
            while (n.step()) {
                ended.insert(n.text(0));
                ended.insert(short_name(n.text(0)));
            }
            n.reset();
            std::string missing = "(node list unknown)";
            try {
                if (!nodelist.empty()) {
                    std::vector<std::string> m;
                    for (const auto& h : expand_hostlist(nodelist))
                        if (!ended.count(h) && !ended.count(short_name(h))) m.push_back(h);
                    missing = join(m, ",");
                }
            } catch (const HostlistError&) {
                missing = "(node list unreadable: " + nodelist + ")";
            }
            prepared(
                "UPDATE jobs SET status = 'partial', missing_nodes = ?2, finished_at = ?3,"
                " pending_classification = 1, job_class = NULL, allocated_core_s = NULL, used_core_s = NULL"
                " WHERE job_id = ?1")
                .bind(1, job_id)
                .bind(2, missing)
                .bind(3, now)
                .run();
            prepared("DELETE FROM classifications WHERE job_id = ?1").bind(1, job_id).run();
            marked.push_back(job_id);
        }
    });
    return marked;
}

void JobRegistry::set_slurm_info(std::uint64_t job_id, const std::string& state, std::optional<double> time_limit_s,
                                 std::optional<int> exit_code) {
    in_transaction([&] {
        upsert_job_meta(job_id, json());
        prepared(
            "UPDATE jobs SET slurm_state = CASE WHEN ?2 <> '' THEN ?2 ELSE slurm_state END,"
            " time_limit_s = COALESCE(?3, time_limit_s), slurm_exit_code = COALESCE(?4, slurm_exit_code)"
            " WHERE job_id = ?1")
            .bind(1, job_id)
            .bind(2, state)
            .bind(3, time_limit_s)
            .bind(4, exit_code)
            .run();
        drop_classification(job_id);
    });
}

bool apply_job_event(JobEventRecorder& recorder, const json& e, std::string& error) {
    if (!e.is_object()) {
        error = "job event is not a JSON object";
        return false;
    }
    auto type = e.find("type");
    if (type == e.end() || !type->is_string()) {
        error = "job event without a \"type\"";
        return false;
    }
    auto id = e.find("job_id");
    if (id == e.end() || !id->is_number_integer() || id->get<std::int64_t>() < 0) {
        error = "job event without a numeric \"job_id\"";
        return false;
    }
    auto host = e.find("host");
    if (host == e.end() || !host->is_string() || host->get<std::string>().empty()) {
        error = "job event without a \"host\"";
        return false;
    }
    auto time = e.find("time");
    if (time == e.end() || !time->is_number()) {
        error = "job event without a numeric \"time\"";
        return false;
    }
    auto text = [&](const char* key) {
        auto it = e.find(key);
        if (it == e.end()) return std::string();
        return it->is_string() ? it->get<std::string>() : it->dump();
    };
    auto integer = [&](const char* key) {
        auto it = e.find(key);
        return it != e.end() && it->is_number_integer() ? it->get<int>() : 0;
    };
    auto object = [&](const char* key) {
        auto it = e.find(key);
        return it != e.end() && it->is_object() ? *it : json();
    };
    std::uint64_t job_id = id->get<std::uint64_t>();
    std::string h = host->get<std::string>();
    double t = time->get<double>();
    const std::string& kind = type->get_ref<const std::string&>();
    if (kind == "step_start" || kind == "step_end") {
        if (!e.contains("step_id")) {
            error = "job event " + kind + " without a \"step_id\"";
            return false;
        }
        if (kind == "step_start")
            recorder.record_step_start(job_id, h, text("step_id"), object("meta"), t);
        else
            recorder.record_step_end(job_id, h, text("step_id"), integer("exit_status"), object("summary"), t);
    } else if (kind == "job_end") {
        auto re = e.find("reattached");
        recorder.record_job_end(job_id, h, integer("exit_status"), object("summary"), object("meta"), t, text("reason"),
                                re != e.end() && re->is_boolean() && re->get<bool>());
    } else {
        error = "unknown job event type '" + kind + "'";
        return false;
    }
    return true;
}

// ---- reader half ----

std::vector<std::uint64_t> JobRegistry::unclassified_jobs(std::size_t limit) {
    std::vector<std::uint64_t> ids;
    auto& q = prepared(
        "SELECT job_id FROM jobs WHERE pending_classification = 1 ORDER BY job_id LIMIT ?1");
    q.bind(1, static_cast<std::int64_t>(limit));
    while (q.step()) ids.push_back(static_cast<std::uint64_t>(q.int64(0)));
    q.reset();
    return ids;
}

std::vector<std::uint64_t> JobRegistry::ended_jobs(std::optional<double> since, std::optional<double> until) {
    std::vector<std::uint64_t> ids;
    auto& q = prepared(
        "SELECT job_id FROM jobs WHERE status IN ('finished', 'partial')"
        " AND (?1 IS NULL OR end_time >= ?1) AND (?2 IS NULL OR end_time <= ?2) ORDER BY job_id");
    q.bind(1, since).bind(2, until);
    while (q.step()) ids.push_back(static_cast<std::uint64_t>(q.int64(0)));
    q.reset();
    return ids;
}

std::optional<JobRecord> JobRegistry::load_job(std::uint64_t job_id, bool with_steps) {
    JobRecord r;
    {
        static const std::string sql = fmt::format("SELECT {} FROM jobs j WHERE j.job_id = ?1", kJobColumns);
        auto& q = prepared(sql.c_str()).bind(1, job_id);
        if (!q.step()) return std::nullopt;
        r.info = read_job_info(q, 0);
        q.reset();
    }
    auto& n = prepared(
        "SELECT host, cpus, mem_mb, gpus, start_time, end_time, ended, exit_status, reason, reattached, summary"
        " FROM job_nodes WHERE job_id = ?1 ORDER BY host");
    n.bind(1, job_id);
    while (n.step()) {
        NodeRecord node;
        node.host = n.text(0);
        node.cpus = n.real(1);
        node.mem_mb = static_cast<std::uint64_t>(n.int64(2));
        node.gpus = static_cast<std::uint32_t>(n.int64(3));
        node.start_time = n.opt_real(4);
        node.end_time = n.opt_real(5);
        node.ended = n.int64(6) != 0;
        node.exit_status = n.opt_int(7);
        node.reason = n.text(8);
        node.reattached = n.int64(9) != 0;
        node.summary = n.json_of(10);
        r.nodes.push_back(std::move(node));
    }
    n.reset();
    if (with_steps) {
        auto& s = prepared(
            "SELECT host, step_id, start_time, end_time, exit_status, summary FROM job_steps WHERE job_id = ?1"
            " ORDER BY host, start_time, step_id");
        s.bind(1, job_id);
        while (s.step()) {
            StepRecord step;
            step.host = s.text(0);
            step.step_id = s.text(1);
            step.start_time = s.opt_real(2);
            step.end_time = s.opt_real(3);
            step.exit_status = s.opt_int(4);
            step.summary = s.json_of(5);
            r.steps.push_back(std::move(step));
        }
        s.reset();
    }
    auto& c = prepared(
        "SELECT c.class, c.flags, c.evidence, c.recommendations, c.features, c.classified_at, c.thresholds_hash,"
        " j.allocated_core_s, j.used_core_s FROM classifications c JOIN jobs j ON j.job_id = c.job_id"
        " WHERE c.job_id = ?1");
    c.bind(1, job_id);
    if (c.step()) {
        ClassificationRecord cr;
        cr.job_id = job_id;
        cr.job_class = c.text(0);
        cr.flags = split_comma_list(c.text(1));
        cr.evidence = c.json_of(2);
        cr.recommendations = c.json_of(3);
        cr.features = c.json_of(4);
        cr.classified_at = c.real(5);
        cr.thresholds_hash = c.text(6);
        cr.allocated_core_s = c.real(7);  // kept in jobs for fast summaries
        cr.used_core_s = c.real(8);
        r.classification = std::move(cr);
    }
    c.reset();
    return r;
}

namespace {

/// The WHERE clause of a filter and its parameters, in order.
struct Where {
    std::string sql;
    std::vector<std::variant<double, std::string>> params;
};

Where where_of(const JobFilter& f) {
    Where w;
    auto cond = [&](const char* text) {
        w.sql += w.sql.empty() ? " WHERE " : " AND ";
        w.sql += text;
    };
    auto add = [&](const char* text, auto value) {
        cond(text);
        w.params.emplace_back(value);
    };
    if (f.since) add("j.end_time >= ?", *f.since);
    if (f.until) add("j.end_time <= ?", *f.until);
    if (f.user) add("j.user = ?", *f.user);
    if (f.account) add("j.account = ?", *f.account);
    if (f.partition) add("j.partition = ?", *f.partition);
    if (f.status) add("j.status = ?", *f.status);
    if (f.job_class) {
        if (*f.job_class == "unclassified")
            cond("j.job_class IS NULL");
        else
            add("j.job_class = ?", *f.job_class);
    }
    if (f.flag) add("instr(',' || c.flags || ',', ',' || ? || ',') > 0", *f.flag);
    return w;
}

}  // namespace

std::vector<JobListRow> JobRegistry::list_jobs(const JobFilter& filter) {
    Where w = where_of(filter);
    std::string sql = fmt::format(
        "SELECT {}, c.class, c.flags, j.allocated_core_s, j.used_core_s FROM jobs j"
        " LEFT JOIN classifications c ON c.job_id = j.job_id{} ORDER BY j.end_time DESC, j.job_id DESC",
        kJobColumns, w.sql);
    if (filter.limit > 0) sql += fmt::format(" LIMIT {}", filter.limit);
    Statement q(db_, sql, *this);
    int i = 1;
    for (const auto& p : w.params) std::visit([&](const auto& v) { q.bind(i++, v); }, p);
    std::vector<JobListRow> rows;
    while (q.step()) {
        JobListRow row;
        row.info = read_job_info(q, 0);
        constexpr int c = kJobColumnCount;
        if (!q.is_null(c)) {
            row.job_class = q.text(c);
            row.flags = split_comma_list(q.text(c + 1));
            row.allocated_core_s = q.real(c + 2);
            row.used_core_s = q.real(c + 3);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<SummaryRow> JobRegistry::summarize(const JobFilter& filter, const std::string& by) {
    std::string key;
    if (by == "user" || by == "account" || by == "partition" || by == "class")
        key = by == "class" ? "j.job_class" : "j." + by;
    else
        throw std::invalid_argument(fmt::format("cannot summarise by '{}': use user, account, partition or class", by));
    // Only the flag filter needs the classifications table; the rest reads the summary
    // columns of `jobs` (covered by jobs_summary). Grouping happens here, in a hash map:
    // SQLite's GROUP BY would sort a million rows first.
    Where w = where_of(filter);
    std::string sql = fmt::format(
        "SELECT {}, j.job_class, j.allocated_core_s, j.used_core_s FROM jobs j{}{}", key,
        filter.flag ? " JOIN classifications c ON c.job_id = j.job_id" : "", w.sql);
    Statement q(db_, sql, *this);
    int i = 1;
    for (const auto& p : w.params) std::visit([&](const auto& v) { q.bind(i++, v); }, p);
    struct Group {
        std::uint64_t jobs = 0;
        std::map<std::string, std::uint64_t> per_class;
        double allocated_s = 0, used_s = 0;
    };
    std::unordered_map<std::string, Group> groups;
    std::string k, cls;
    while (q.step()) {
        k = q.is_null(0) ? "unclassified" : q.text(0);
        cls = q.is_null(1) ? "unclassified" : q.text(1);
        Group& g = groups[k];
        ++g.jobs;
        ++g.per_class[cls];
        g.allocated_s += q.real(2);
        g.used_s += q.real(3);
    }
    std::vector<SummaryRow> out;
    out.reserve(groups.size());
    for (auto& [name, g] : groups) {
        SummaryRow r;
        r.key = name;
        r.jobs = g.jobs;
        r.per_class = std::move(g.per_class);
        r.allocated_core_h = g.allocated_s / 3600.0;
        r.used_core_h = g.used_s / 3600.0;
        r.wasted_core_h = std::max(0.0, r.allocated_core_h - r.used_core_h);
        out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const SummaryRow& a, const SummaryRow& b) {
        return a.wasted_core_h != b.wasted_core_h ? a.wasted_core_h > b.wasted_core_h : a.key < b.key;
    });
    return out;
}

void JobRegistry::store_classifications(const std::vector<ClassificationRecord>& records) {
    in_transaction([&] {
        for (const auto& r : records) {
            prepared(
                "INSERT OR REPLACE INTO classifications(job_id, class, flags, evidence, recommendations, features,"
                " classified_at, thresholds_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .bind(1, r.job_id)
                .bind(2, r.job_class)
                .bind(3, join(r.flags, ","))
                .bind(4, r.evidence.is_null() ? std::string("{}") : r.evidence.dump())
                .bind(5, r.recommendations.is_null() ? std::string("{}") : r.recommendations.dump())
                .bind(6, r.features.is_null() ? std::string("{}") : r.features.dump())
                .bind(7, r.classified_at)
                .bind(8, r.thresholds_hash)
                .run();
            prepared(
                "UPDATE jobs SET pending_classification = 0, job_class = ?2, allocated_core_s = ?3, used_core_s = ?4"
                " WHERE job_id = ?1")
                .bind(1, r.job_id)
                .bind(2, r.job_class)
                .bind(3, r.allocated_core_s)
                .bind(4, r.used_core_s)
                .run();
        }
    });
}

}  // namespace fructosa
