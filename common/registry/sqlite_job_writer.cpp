// The writer half of SqliteJobStore: what lmaster records as job events arrive. The
// status changes follow job_lifecycle.h; the SQL here only reads and writes rows.
#include "common/registry/sqlite_job_store.h"

#include "common/logging.h"
#include "common/registry/sqlite_statement.h"

namespace fructosa {

using json = nlohmann::json;

namespace {

/// The summary's first sample time: when the job started on the node, if lagent knows.
std::optional<double> summary_first_time(const json& summary) {
    if (summary.is_object() && summary.contains("first_time") && summary["first_time"].is_number())
        return summary["first_time"].get<double>();
    return std::nullopt;
}

}  // namespace

void SqliteJobStore::ensure_job(std::uint64_t job_id) {
    prepared("INSERT INTO jobs(job_id) VALUES(?1) ON CONFLICT(job_id) DO NOTHING").bind(1, job_id).run();
}

void SqliteJobStore::update_job_meta(std::uint64_t job_id, const JobMeta& meta) {
    std::optional<std::int64_t> uid;
    if (auto known = meta.known_uid()) uid = *known;
    // An empty text or a zero keeps what the job already has.
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
        .bind(2, meta.user)
        .bind(3, uid)
        .bind(4, meta.account)
        .bind(5, meta.partition)
        .bind(6, meta.job_name)
        .bind(7, meta.nodelist)
        .bind(8, static_cast<std::int64_t>(meta.nnodes))
        .bind(9, static_cast<std::int64_t>(meta.ntasks))
        .bind(10, meta.interval)
        .run();
}

void SqliteJobStore::upsert_node(std::uint64_t job_id, const std::string& host, const JobMeta& meta) {
    prepared(
        "INSERT INTO job_nodes(job_id, host, cpus, mem_mb, gpus) VALUES(?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(job_id, host) DO UPDATE SET"
        " cpus = CASE WHEN ?3 > 0 THEN ?3 ELSE cpus END,"
        " mem_mb = CASE WHEN ?4 > 0 THEN ?4 ELSE mem_mb END,"
        " gpus = CASE WHEN ?5 > 0 THEN ?5 ELSE gpus END")
        .bind(1, job_id)
        .bind(2, host)
        .bind(3, static_cast<double>(meta.cpus))
        .bind(4, static_cast<std::int64_t>(meta.mem_mb))
        .bind(5, static_cast<std::int64_t>(meta.gpus))
        .run();
}

std::vector<std::string> SqliteJobStore::ended_hosts(std::uint64_t job_id) {
    std::vector<std::string> hosts;
    auto& q = prepared("SELECT host FROM job_nodes WHERE job_id = ?1 AND ended = 1").bind(1, job_id);
    while (q.step()) hosts.push_back(q.text(0));
    q.reset();
    return hosts;
}

SqliteJobStore::LifecycleRow SqliteJobStore::load_lifecycle(std::uint64_t job_id) {
    LifecycleRow row;
    auto& q = prepared(
        "SELECT status, missing_nodes, finished_at, pending_classification, nodelist, nnodes FROM jobs"
        " WHERE job_id = ?1");
    q.bind(1, job_id);
    if (q.step()) {
        row.state.status = q.text(0);
        row.state.missing_nodes = q.text(1);
        row.state.finished_at = q.opt_real(2);
        row.state.awaits_verdict = q.int64(3) != 0;
        row.nodelist = q.text(4);
        row.nnodes = static_cast<std::uint32_t>(q.int64(5));
    }
    q.reset();
    return row;
}

void SqliteJobStore::save_lifecycle(std::uint64_t job_id, const JobLifecycle& state) {
    prepared(
        "UPDATE jobs SET status = ?2, missing_nodes = ?3, finished_at = ?4, pending_classification = ?5,"
        " job_class = NULL, allocated_core_s = NULL, used_core_s = NULL WHERE job_id = ?1")
        .bind(1, job_id)
        .bind(2, state.status)
        .bind(3, state.missing_nodes)
        .bind(4, state.finished_at)
        .bind(5, state.awaits_verdict ? 1 : 0)
        .run();
    prepared("DELETE FROM classifications WHERE job_id = ?1").bind(1, job_id).run();
}

void SqliteJobStore::record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                       const JobMeta& meta, double time) {
    in_transaction([&] {
        ensure_job(job_id);
        update_job_meta(job_id, meta);
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
        prepared(
            "UPDATE jobs SET start_time = MIN(COALESCE(start_time, ?2), ?2),"
            " total_cpus = (SELECT TOTAL(cpus) FROM job_nodes WHERE job_id = ?1),"
            " mem_mb = (SELECT TOTAL(mem_mb) FROM job_nodes WHERE job_id = ?1),"
            " gpus = (SELECT TOTAL(gpus) FROM job_nodes WHERE job_id = ?1),"
            " cpus_per_node = (SELECT json_group_object(host, cpus) FROM job_nodes WHERE job_id = ?1)"
            " WHERE job_id = ?1")
            .bind(1, job_id)
            .bind(2, time)
            .run();
        save_lifecycle(job_id, after_step_start(load_lifecycle(job_id).state));
    });
}

void SqliteJobStore::record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                     int exit_status, const json& summary, double time) {
    in_transaction([&] {
        ensure_job(job_id);
        upsert_node(job_id, host, JobMeta{});
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

void SqliteJobStore::record_job_end(std::uint64_t job_id, const std::string& host, int exit_status,
                                    const json& summary, const JobMeta& meta, double time, const std::string& reason,
                                    bool reattached) {
    in_transaction([&] {
        ensure_job(job_id);
        update_job_meta(job_id, meta);
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
            .bind(8, summary_first_time(summary))
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
        LifecycleRow row = load_lifecycle(job_id);
        JobCompletion completion = job_completion(row.nodelist, row.nnodes, ended_hosts(job_id));
        if (!completion.nodelist_error.empty()) log_warning("job {}: {}", job_id, completion.nodelist_error);
        save_lifecycle(job_id, after_job_end(row.state, completion, time));
    });
}

std::vector<std::uint64_t> SqliteJobStore::check_timeouts(double now, double grace_s) {
    std::vector<std::uint64_t> marked;
    in_transaction([&] {
        // The index-backed form of is_overdue (jobs_running).
        auto& q = prepared(
            "SELECT job_id, first_end_time FROM jobs WHERE status = 'running' AND first_end_time < ?1");
        q.bind(1, now - grace_s);
        std::vector<std::pair<std::uint64_t, std::optional<double>>> late;
        while (q.step()) late.emplace_back(static_cast<std::uint64_t>(q.int64(0)), q.opt_real(1));
        q.reset();
        for (const auto& [job_id, first_end_time] : late) {
            LifecycleRow row = load_lifecycle(job_id);
            if (!is_overdue(row.state, first_end_time, now, grace_s)) continue;
            std::string missing = partial_missing_nodes(row.nodelist, ended_hosts(job_id));
            save_lifecycle(job_id, after_timeout(row.state, missing, now));
            marked.push_back(job_id);
        }
    });
    return marked;
}

void SqliteJobStore::set_slurm_info(std::uint64_t job_id, const std::string& state,
                                    std::optional<double> time_limit_s, std::optional<int> exit_code) {
    in_transaction([&] {
        ensure_job(job_id);
        prepared(
            "UPDATE jobs SET slurm_state = CASE WHEN ?2 <> '' THEN ?2 ELSE slurm_state END,"
            " time_limit_s = COALESCE(?3, time_limit_s), slurm_exit_code = COALESCE(?4, slurm_exit_code)"
            " WHERE job_id = ?1")
            .bind(1, job_id)
            .bind(2, state)
            .bind(3, time_limit_s)
            .bind(4, exit_code)
            .run();
        save_lifecycle(job_id, after_slurm_info(load_lifecycle(job_id).state));
    });
}

}  // namespace fructosa
