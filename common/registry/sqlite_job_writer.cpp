// The writer half of SqliteJobStore: what lmaster records as job events arrive. The
// status changes follow job_lifecycle.h; the SQL here only reads and writes rows.
#include "common/registry/sqlite_job_store.h"

#include "common/logging.h"
#include "common/registry/job_row_reader.h"
#include "common/registry/sqlite_statement.h"

namespace fructosa {

using json = nlohmann::json;

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
        "SELECT status, missing_nodes, finished_at, pending_classification, nodelist, nnodes, partial_reason,"
        " slurm_over_at, first_end_time, last_event_time FROM jobs WHERE job_id = ?1");
    q.bind(1, job_id);
    if (q.step()) {
        row.state.status = q.text(0);
        row.state.missing_nodes = q.text(1);
        row.state.finished_at = q.opt_real(2);
        row.state.awaits_verdict = q.int64(3) != 0;
        row.nodelist = q.text(4);
        row.nnodes = static_cast<std::uint32_t>(q.int64(5));
        row.state.partial_reason = q.text(6);
        row.state.slurm_over_at = q.opt_real(7);
        row.clocks.first_end_time = q.opt_real(8);
        row.clocks.last_event_time = q.opt_real(9);
    }
    q.reset();
    return row;
}

void SqliteJobStore::save_lifecycle(std::uint64_t job_id, const JobLifecycle& state) {
    prepared(
        "UPDATE jobs SET status = ?2, missing_nodes = ?3, finished_at = ?4, pending_classification = ?5,"
        " partial_reason = ?6, slurm_over_at = ?7,"
        " job_class = NULL, allocated_core_s = NULL, used_core_s = NULL, energy_joules = NULL WHERE job_id = ?1")
        .bind(1, job_id)
        .bind(2, state.status)
        .bind(3, state.missing_nodes)
        .bind(4, state.finished_at)
        .bind(5, state.awaits_verdict ? 1 : 0)
        .bind(6, state.partial_reason)
        .bind(7, state.slurm_over_at)
        .run();
    prepared("DELETE FROM classifications WHERE job_id = ?1").bind(1, job_id).run();
}

void SqliteJobStore::touch(std::uint64_t job_id, double time) {
    prepared("UPDATE jobs SET last_event_time = MAX(COALESCE(last_event_time, ?2), ?2) WHERE job_id = ?1")
        .bind(1, job_id)
        .bind(2, time)
        .run();
}

void SqliteJobStore::record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                       const JobMeta& meta, double time) {
    in_transaction([&] {
        ensure_job(job_id);
        touch(job_id, time);
        update_job_meta(job_id, meta);
        upsert_node(job_id, host, meta);
        // A new step on a node that had ended reopens the node: the job is not over there.
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
        lifecycle_after_step_start(job_id);
    });
}

void SqliteJobStore::record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                     int exit_status, const json& summary, double time) {
    in_transaction([&] {
        ensure_job(job_id);
        touch(job_id, time);
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
        touch(job_id, time);
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
        lifecycle_after_job_end(job_id, time, policy_);
    });
}

std::vector<JobEventRecorder::TimedOut> SqliteJobStore::check_timeouts(double now) {
    std::vector<TimedOut> marked;
    in_transaction([&] {
        // A coarse SQL filter over the running jobs (the partial index jobs_running); the
        // rule itself is timeout_reason.
        auto& q = prepared(
            "SELECT job_id FROM jobs WHERE status = 'running' AND (slurm_over_at < ?1 OR first_end_time < ?1"
            " OR last_event_time < ?2)");
        q.bind(1, now - policy_.partial_after_s);
        q.bind(2, now - policy_.running_timeout_s);
        std::vector<std::uint64_t> late;
        while (q.step()) late.push_back(static_cast<std::uint64_t>(q.int64(0)));
        q.reset();
        for (auto job_id : late) {
            if (auto reason = lifecycle_time_out(job_id, policy_, now)) marked.push_back({job_id, *reason});
        }
    });
    return marked;
}

std::vector<std::uint64_t> SqliteJobStore::jobs_to_ask_slurm(double now, double quiet_s, std::size_t limit) {
    std::vector<std::uint64_t> ids;
    auto& q = prepared(
        "SELECT job_id FROM jobs WHERE status = 'running' AND slurm_over_at IS NULL"
        " AND MAX(COALESCE(last_event_time, 0), COALESCE(slurm_checked_at, 0)) < ?1"
        " ORDER BY MAX(COALESCE(last_event_time, 0), COALESCE(slurm_checked_at, 0)) LIMIT ?2");
    q.bind(1, now - quiet_s);
    q.bind(2, static_cast<std::int64_t>(limit));
    while (q.step()) ids.push_back(static_cast<std::uint64_t>(q.int64(0)));
    q.reset();
    return ids;
}

void SqliteJobStore::set_slurm_info(std::uint64_t job_id, const SlurmJobFacts& facts) {
    in_transaction([&] {
        ensure_job(job_id);
        prepared("UPDATE jobs SET slurm_checked_at = ?2 WHERE job_id = ?1").bind(1, job_id).bind(2, facts.asked_at).run();
        if (facts.answer == SlurmJobFacts::Answer::Over) {
            nlohmann::json cpus = nlohmann::json::object();
            for (const auto& [host, n] : facts.cpus_per_node) cpus[host] = n;
            // An empty text, an absent figure or an empty map keeps what the job has.
            prepared(
                "UPDATE jobs SET slurm_state = CASE WHEN ?2 <> '' THEN ?2 ELSE slurm_state END,"
                " time_limit_s = COALESCE(?3, time_limit_s), slurm_exit_code = COALESCE(?4, slurm_exit_code),"
                " slurm_start_time = COALESCE(?5, slurm_start_time), slurm_end_time = COALESCE(?6, slurm_end_time),"
                " slurm_cpus_per_node = CASE WHEN ?7 <> '{}' THEN ?7 ELSE slurm_cpus_per_node END"
                " WHERE job_id = ?1")
                .bind(1, job_id)
                .bind(2, facts.state)
                .bind(3, facts.time_limit_s)
                .bind(4, facts.exit_code)
                .bind(5, facts.start_time)
                .bind(6, facts.end_time)
                .bind(7, cpus.dump())
                .run();
        }
        lifecycle_after_slurm_info(job_id, facts);
    });
}

}  // namespace fructosa
