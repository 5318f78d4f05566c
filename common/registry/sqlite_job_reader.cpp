// The reader half of SqliteJobStore: what perad and its admin commands read, and
// perad's verdicts.
#include "common/registry/sqlite_job_store.h"

#include <variant>

#include <fmt/format.h>

#include "common/registry/comma_list.h"
#include "common/registry/job_filter_sql.h"
#include "common/registry/job_row_reader.h"
#include "common/registry/sqlite_statement.h"
#include "common/registry/summary_groups.h"

namespace fructosa {

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
    static const std::string nodes_sql =
        fmt::format("SELECT {} FROM job_nodes WHERE job_id = ?1 ORDER BY host", kNodeColumns);
    auto& n = prepared(nodes_sql.c_str()).bind(1, job_id);
    while (n.step()) r.nodes.push_back(read_node(n));
    n.reset();
    if (with_steps) {
        static const std::string steps_sql = fmt::format(
            "SELECT {} FROM job_steps WHERE job_id = ?1 ORDER BY host, start_time, step_id", kStepColumns);
        auto& s = prepared(steps_sql.c_str()).bind(1, job_id);
        while (s.step()) r.steps.push_back(read_step(s));
        s.reset();
    }
    static const std::string class_sql = fmt::format(
        "SELECT {} FROM classifications c JOIN jobs j ON j.job_id = c.job_id WHERE c.job_id = ?1",
        kClassificationColumns);
    auto& c = prepared(class_sql.c_str()).bind(1, job_id);
    if (c.step()) r.classification = read_classification(c, job_id);
    c.reset();
    return r;
}

std::vector<JobListRow> SqliteJobStore::list_jobs(const JobFilter& filter) {
    FilterSql w = job_filter_sql(filter, SqlDialect::Sqlite);
    std::string sql = fmt::format(
        "SELECT {}, c.class, c.flags, j.allocated_core_s, j.used_core_s FROM jobs j"
        " LEFT JOIN classifications c ON c.job_id = j.job_id{} ORDER BY j.end_time DESC, j.job_id DESC",
        kJobColumns, w.where);
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
    std::string key = summary_group_column(by);
    // Only the flag filter needs the classifications table; the rest reads the summary
    // columns of `jobs` (covered by jobs_summary). Grouping happens in SummaryGroups.
    FilterSql w = job_filter_sql(filter, SqlDialect::Sqlite);
    std::string sql = fmt::format(
        "SELECT {}, j.job_class, j.allocated_core_s, j.used_core_s, j.energy_joules FROM jobs j{}{}", key,
        filter.flag ? " JOIN classifications c ON c.job_id = j.job_id" : "", w.where);
    SqliteStatement q(db_, sql, path_);
    int i = 1;
    for (const auto& p : w.params) std::visit([&](const auto& v) { q.bind(i++, v); }, p);
    SummaryGroups groups;
    std::string k, cls;  // reused: a million rows, no allocation each
    while (q.step()) {
        k = q.is_null(0) ? SummaryGroups::kNone : q.text(0);
        cls = q.is_null(1) ? SummaryGroups::kNone : q.text(1);
        groups.add(k, cls, q.real(2), q.real(3), q.opt_real(4));
    }
    return groups.rows();
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
                .bind(4, json_column(r.evidence))
                .bind(5, json_column(r.recommendations))
                .bind(6, json_column(r.features))
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
