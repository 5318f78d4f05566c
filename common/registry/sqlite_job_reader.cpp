// The reader half of SqliteJobStore: what perad and its admin commands read, and
// perad's verdicts.
#include "common/registry/sqlite_job_store.h"

#include <algorithm>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>

#include "common/registry/comma_list.h"
#include "common/registry/sqlite_statement.h"

namespace fructosa {

namespace {

constexpr const char* kJobColumns =
    "j.job_id, j.user, j.uid, j.account, j.partition, j.job_name, j.nodelist, j.nnodes, j.ntasks, "
    "j.cpus_per_node, j.total_cpus, j.mem_mb, j.gpus, j.interval, j.submit_time, j.start_time, j.end_time, "
    "j.first_end_time, j.status, j.missing_nodes, j.exit_status, j.slurm_state, j.time_limit_s, "
    "j.slurm_exit_code, j.finished_at, j.slurm_start_time, j.slurm_end_time, j.slurm_cpus_per_node, j.partial_reason";
constexpr int kJobColumnCount = 29;

/// Reads the kJobColumns starting at column `c`.
JobInfo read_job_info(const SqliteStatement& s, int c) {
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
    j.slurm_start_time = s.opt_real(c + 25);
    j.slurm_end_time = s.opt_real(c + 26);
    j.slurm_cpus_per_node = s.json_of(c + 27);
    if (!j.slurm_cpus_per_node.is_object()) j.slurm_cpus_per_node = nlohmann::json::object();
    j.partial_reason = s.text(c + 28);
    return j;
}

}  // namespace

std::vector<std::uint64_t> SqliteJobStore::unclassified_jobs(std::size_t limit) {
    std::vector<std::uint64_t> ids;
    auto& q = prepared(
        "SELECT job_id FROM jobs WHERE pending_classification = 1 ORDER BY job_id LIMIT ?1");
    q.bind(1, static_cast<std::int64_t>(limit));
    while (q.step()) ids.push_back(static_cast<std::uint64_t>(q.int64(0)));
    q.reset();
    return ids;
}

std::vector<std::uint64_t> SqliteJobStore::ended_jobs(std::optional<double> since, std::optional<double> until) {
    std::vector<std::uint64_t> ids;
    auto& q = prepared(
        "SELECT job_id FROM jobs WHERE status IN ('finished', 'partial')"
        " AND (?1 IS NULL OR end_time >= ?1) AND (?2 IS NULL OR end_time <= ?2) ORDER BY job_id");
    q.bind(1, since).bind(2, until);
    while (q.step()) ids.push_back(static_cast<std::uint64_t>(q.int64(0)));
    q.reset();
    return ids;
}

std::optional<JobRecord> SqliteJobStore::load_job(std::uint64_t job_id, bool with_steps) {
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
        " j.allocated_core_s, j.used_core_s, c.secondary_classes, j.energy_joules FROM classifications c JOIN jobs j ON j.job_id = c.job_id"
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
        cr.secondary_classes = split_comma_list(c.text(9));
        cr.energy_joules = c.opt_real(10);
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

std::vector<JobListRow> SqliteJobStore::list_jobs(const JobFilter& filter) {
    Where w = where_of(filter);
    std::string sql = fmt::format(
        "SELECT {}, c.class, c.flags, j.allocated_core_s, j.used_core_s FROM jobs j"
        " LEFT JOIN classifications c ON c.job_id = j.job_id{} ORDER BY j.end_time DESC, j.job_id DESC",
        kJobColumns, w.sql);
    if (filter.limit > 0) sql += fmt::format(" LIMIT {}", filter.limit);
    SqliteStatement q(db_, sql, path_);
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

std::vector<SummaryRow> SqliteJobStore::summarize(const JobFilter& filter, const std::string& by) {
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
        "SELECT {}, j.job_class, j.allocated_core_s, j.used_core_s, j.energy_joules FROM jobs j{}{}", key,
        filter.flag ? " JOIN classifications c ON c.job_id = j.job_id" : "", w.sql);
    SqliteStatement q(db_, sql, path_);
    int i = 1;
    for (const auto& p : w.params) std::visit([&](const auto& v) { q.bind(i++, v); }, p);
    struct Group {
        std::uint64_t jobs = 0;
        std::map<std::string, std::uint64_t> per_class;
        double allocated_s = 0, used_s = 0;
        std::optional<double> energy_j;
        std::uint64_t energy_jobs = 0;
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
        if (!q.is_null(4)) {
            g.energy_j = g.energy_j.value_or(0) + q.real(4);
            ++g.energy_jobs;
        }
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
        if (g.energy_j) r.energy_kwh = *g.energy_j / 3.6e6;
        r.energy_jobs = g.energy_jobs;
        out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const SummaryRow& a, const SummaryRow& b) {
        return a.wasted_core_h != b.wasted_core_h ? a.wasted_core_h > b.wasted_core_h : a.key < b.key;
    });
    return out;
}

void SqliteJobStore::store_classifications(const std::vector<ClassificationRecord>& records) {
    in_transaction([&] {
        for (const auto& r : records) {
            prepared(
                "INSERT OR REPLACE INTO classifications(job_id, class, flags, evidence, recommendations, features,"
                " classified_at, thresholds_hash, secondary_classes) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
                .bind(1, r.job_id)
                .bind(2, r.job_class)
                .bind(3, join_comma_list(r.flags))
                .bind(4, r.evidence.is_null() ? std::string("{}") : r.evidence.dump())
                .bind(5, r.recommendations.is_null() ? std::string("{}") : r.recommendations.dump())
                .bind(6, r.features.is_null() ? std::string("{}") : r.features.dump())
                .bind(7, r.classified_at)
                .bind(8, r.thresholds_hash)
                .bind(9, join_comma_list(r.secondary_classes))
                .run();
            prepared(
                "UPDATE jobs SET pending_classification = 0, job_class = ?2, allocated_core_s = ?3, used_core_s = ?4,"
                " energy_joules = ?5 WHERE job_id = ?1")
                .bind(1, r.job_id)
                .bind(2, r.job_class)
                .bind(3, r.allocated_core_s)
                .bind(4, r.used_core_s)
                .bind(5, r.energy_joules)
                .run();
        }
    });
}

}  // namespace fructosa
