// The reader half of PgJobStore: what perad and its admin commands read, and perad's
// verdicts. The same rows as the SQLite store's (job_row_reader.h), in PostgreSQL's
// dialect: NULL end times sort last in `perad list` as they do in SQLite.
#include <variant>

#include <fmt/format.h>

#include "common/registry/comma_list.h"
#include "common/registry/job_filter_sql.h"
#include "common/registry/job_row_reader.h"
#include "common/registry/pg_connection.h"
#include "common/registry/pg_job_store.h"
#include "common/registry/summary_groups.h"

namespace fructosa {

namespace {

std::vector<std::uint64_t> ids_of(const PgResult& r) {
    std::vector<std::uint64_t> ids;
    ids.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) ids.push_back(static_cast<std::uint64_t>(r.row(i).int64(0)));
    return ids;
}

PgParams params_of(const FilterSql& w) {
    PgParams p;
    for (const auto& v : w.params) std::visit([&](const auto& x) { p.add(x); }, v);
    return p;
}

}  // namespace

std::vector<std::uint64_t> PgJobStore::unclassified_jobs(std::size_t limit) {
    ready_to_read();
    return ids_of(db_->query("SELECT job_id FROM jobs WHERE pending_classification = 1 ORDER BY job_id LIMIT $1::bigint",
                             PgParams().add(static_cast<std::int64_t>(limit))));
}

std::vector<std::uint64_t> PgJobStore::ended_jobs(std::optional<double> since, std::optional<double> until) {
    ready_to_read();
    return ids_of(db_->query(
        "SELECT job_id FROM jobs WHERE status IN ('finished', 'partial')"
        " AND ($1::float8 IS NULL OR end_time >= $1::float8) AND ($2::float8 IS NULL OR end_time <= $2::float8)"
        " ORDER BY job_id",
        PgParams().add(since).add(until)));
}

std::optional<JobRecord> PgJobStore::load_job(std::uint64_t job_id, bool with_steps) {
    ready_to_read();
    JobRecord r;
    PgParams id;
    id.add(job_id);
    {
        // Host names sort by bytes, as in SQLite, whatever the database's collation.
        std::string sql = fmt::format("SELECT {} FROM jobs j WHERE j.job_id = $1::bigint{}", kJobColumns,
                                      transaction_depth_ > 0 && !read_only_ ? " FOR UPDATE" : "");
        auto q = db_->query(sql, id);
        if (q.rows() == 0) return std::nullopt;
        r.info = read_job_info(q.row(0), 0);
    }
    static const std::string nodes_sql = fmt::format(
        "SELECT {} FROM job_nodes WHERE job_id = $1::bigint ORDER BY host COLLATE \"C\"", kNodeColumns);
    auto n = db_->query(nodes_sql, id);
    for (int i = 0; i < n.rows(); ++i) r.nodes.push_back(read_node(n.row(i)));
    if (with_steps) {
        static const std::string steps_sql = fmt::format(
            "SELECT {} FROM job_steps WHERE job_id = $1::bigint"
            " ORDER BY host COLLATE \"C\", start_time NULLS FIRST, step_id COLLATE \"C\"",
            kStepColumns);
        auto s = db_->query(steps_sql, id);
        for (int i = 0; i < s.rows(); ++i) r.steps.push_back(read_step(s.row(i)));
    }
    static const std::string class_sql = fmt::format(
        "SELECT {} FROM classifications c JOIN jobs j ON j.job_id = c.job_id WHERE c.job_id = $1::bigint",
        kClassificationColumns);
    auto c = db_->query(class_sql, id);
    if (c.rows() > 0) r.classification = read_classification(c.row(0), job_id);
    return r;
}

std::vector<JobListRow> PgJobStore::list_jobs(const JobFilter& filter) {
    ready_to_read();
    FilterSql w = job_filter_sql(filter, SqlDialect::PostgreSql);
    std::string sql = fmt::format(
        "SELECT {}, c.class, c.flags, j.allocated_core_s, j.used_core_s FROM jobs j"
        " LEFT JOIN classifications c ON c.job_id = j.job_id{} ORDER BY j.end_time DESC NULLS LAST, j.job_id DESC",
        kJobColumns, w.where);
    if (filter.limit > 0) sql += fmt::format(" LIMIT {}", filter.limit);
    auto q = db_->query(sql, params_of(w));
    std::vector<JobListRow> rows;
    rows.reserve(static_cast<std::size_t>(q.rows()));
    for (int i = 0; i < q.rows(); ++i) {
        auto row_of = q.row(i);
        JobListRow row;
        row.info = read_job_info(row_of, 0);
        constexpr int c = kJobColumnCount;
        if (!row_of.is_null(c)) {
            row.job_class = row_of.text(c);
            row.flags = split_comma_list(row_of.text(c + 1));
            row.allocated_core_s = row_of.real(c + 2);
            row.used_core_s = row_of.real(c + 3);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<SummaryRow> PgJobStore::summarize(const JobFilter& filter, const std::string& by) {
    ready_to_read();
    std::string key = summary_group_column(by);
    FilterSql w = job_filter_sql(filter, SqlDialect::PostgreSql);
    std::string sql = fmt::format(
        "SELECT {}, j.job_class, j.allocated_core_s, j.used_core_s, j.energy_joules FROM jobs j{}{}", key,
        filter.flag ? " JOIN classifications c ON c.job_id = j.job_id" : "", w.where);
    auto q = db_->query(sql, params_of(w));
    SummaryGroups groups;
    std::string k, cls;
    for (int i = 0; i < q.rows(); ++i) {
        auto r = q.row(i);
        k = r.is_null(0) ? SummaryGroups::kNone : r.text(0);
        cls = r.is_null(1) ? SummaryGroups::kNone : r.text(1);
        groups.add(k, cls, r.real(2), r.real(3), r.opt_real(4));
    }
    return groups.rows();
}

void PgJobStore::store_classifications(const std::vector<ClassificationRecord>& records) {
    if (records.empty()) return;
    in_transaction([&] {
        // The jobs' rows first, in id order, as lmaster's recorder takes them: a verdict
        // and a job event on the same job then wait for each other instead of deadlocking.
        std::string ids = "{";
        for (const auto& r : records) ids += (ids.size() > 1 ? "," : "") + std::to_string(r.job_id);
        ids += "}";
        db_->query("SELECT 1 FROM jobs WHERE job_id = ANY($1::bigint[]) ORDER BY job_id FOR UPDATE",
                   PgParams().add(ids));
        for (const auto& r : records) {
            db_->query(
                "INSERT INTO classifications(job_id, class, flags, evidence, recommendations, features,"
                " classified_at, thresholds_hash, secondary_classes) VALUES($1::bigint, $2::text, $3::text,"
                " $4::text, $5::text, $6::text, $7::float8, $8::text, $9::text) ON CONFLICT(job_id) DO UPDATE SET"
                " class = EXCLUDED.class, flags = EXCLUDED.flags, evidence = EXCLUDED.evidence,"
                " recommendations = EXCLUDED.recommendations, features = EXCLUDED.features,"
                " classified_at = EXCLUDED.classified_at, thresholds_hash = EXCLUDED.thresholds_hash,"
                " secondary_classes = EXCLUDED.secondary_classes",
                PgParams()
                    .add(r.job_id)
                    .add(r.job_class)
                    .add(join_comma_list(r.flags))
                    .add(json_column(r.evidence))
                    .add(json_column(r.recommendations))
                    .add(json_column(r.features))
                    .add(r.classified_at)
                    .add(r.thresholds_hash)
                    .add(join_comma_list(r.secondary_classes)));
            db_->query(
                "UPDATE jobs SET pending_classification = 0, job_class = $2::text, allocated_core_s = $3::float8,"
                " used_core_s = $4::float8, energy_joules = $5::float8 WHERE job_id = $1::bigint",
                PgParams().add(r.job_id).add(r.job_class).add(r.allocated_core_s).add(r.used_core_s).add(r.energy_joules));
        }
    });
}

}  // namespace fructosa
