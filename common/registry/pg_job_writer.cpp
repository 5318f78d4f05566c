// The writer half of PgJobStore: what lmaster records as job events arrive. The status
// changes follow job_lifecycle.h; the SQL here only reads and writes rows, under the
// job's row lock (lock_job) so that several lmasters can record one job.
#include <fmt/format.h>

#include "common/logging.h"
#include "common/registry/job_row_reader.h"
#include "common/registry/pg_connection.h"
#include "common/registry/pg_job_store.h"

namespace fructosa {

using json = nlohmann::json;

void PgJobStore::lock_job(std::uint64_t job_id) {
    // A new job: of two lmasters inserting it together, the second waits for the first to
    // commit and then inserts nothing; both then take the row lock in turn.
    db_->query("INSERT INTO jobs(job_id) VALUES($1::bigint) ON CONFLICT(job_id) DO NOTHING", PgParams().add(job_id));
    db_->query("SELECT 1 FROM jobs WHERE job_id = $1::bigint FOR UPDATE", PgParams().add(job_id));
}

void PgJobStore::update_job_meta(std::uint64_t job_id, const JobMeta& meta) {
    std::optional<std::int64_t> uid;
    if (auto known = meta.known_uid()) uid = *known;
    // An empty text or a zero keeps what the job already has.
    db_->query(
        "UPDATE jobs SET \"user\" = CASE WHEN $2::text <> '' THEN $2::text ELSE \"user\" END,"
        " uid = COALESCE($3::bigint, uid),"
        " account = CASE WHEN $4::text <> '' THEN $4::text ELSE account END,"
        " partition = CASE WHEN $5::text <> '' THEN $5::text ELSE partition END,"
        " job_name = CASE WHEN $6::text <> '' THEN $6::text ELSE job_name END,"
        " nodelist = CASE WHEN $7::text <> '' THEN $7::text ELSE nodelist END,"
        " nnodes = CASE WHEN $8::bigint > 0 THEN $8::bigint ELSE nnodes END,"
        " ntasks = CASE WHEN $9::bigint > 0 THEN $9::bigint ELSE ntasks END,"
        " \"interval\" = CASE WHEN $10::float8 > 0 THEN $10::float8 ELSE \"interval\" END WHERE job_id = $1::bigint",
        PgParams()
            .add(job_id)
            .add(meta.user)
            .add(uid)
            .add(meta.account)
            .add(meta.partition)
            .add(meta.job_name)
            .add(meta.nodelist)
            .add(static_cast<std::int64_t>(meta.nnodes))
            .add(static_cast<std::int64_t>(meta.ntasks))
            .add(meta.interval));
}

void PgJobStore::upsert_node(std::uint64_t job_id, const std::string& host, const JobMeta& meta) {
    db_->query(
        "INSERT INTO job_nodes(job_id, host, cpus, mem_mb, gpus) VALUES($1::bigint, $2::text, $3::float8,"
        " $4::bigint, $5::bigint) ON CONFLICT(job_id, host) DO UPDATE SET"
        " cpus = CASE WHEN EXCLUDED.cpus > 0 THEN EXCLUDED.cpus ELSE job_nodes.cpus END,"
        " mem_mb = CASE WHEN EXCLUDED.mem_mb > 0 THEN EXCLUDED.mem_mb ELSE job_nodes.mem_mb END,"
        " gpus = CASE WHEN EXCLUDED.gpus > 0 THEN EXCLUDED.gpus ELSE job_nodes.gpus END",
        PgParams()
            .add(job_id)
            .add(host)
            .add(static_cast<double>(meta.cpus))
            .add(static_cast<std::int64_t>(meta.mem_mb))
            .add(static_cast<std::int64_t>(meta.gpus)));
}

void PgJobStore::update_job_totals(std::uint64_t job_id) {
    db_->query(
        "UPDATE jobs SET total_cpus = t.cpus, mem_mb = t.mem_mb, gpus = t.gpus, cpus_per_node = t.per_node"
        " FROM (SELECT COALESCE(SUM(cpus), 0) AS cpus, COALESCE(SUM(mem_mb), 0) AS mem_mb,"
        " COALESCE(SUM(gpus), 0) AS gpus, COALESCE(json_object_agg(host, cpus ORDER BY host)::text, '{}') AS per_node"
        " FROM job_nodes WHERE job_id = $1::bigint) t WHERE jobs.job_id = $1::bigint",
        PgParams().add(job_id));
}

std::vector<std::string> PgJobStore::ended_hosts(std::uint64_t job_id) {
    std::vector<std::string> hosts;
    auto r = db_->query("SELECT host FROM job_nodes WHERE job_id = $1::bigint AND ended = 1", PgParams().add(job_id));
    for (int i = 0; i < r.rows(); ++i) hosts.push_back(r.row(i).text(0));
    return hosts;
}

PgJobStore::LifecycleRow PgJobStore::load_lifecycle(std::uint64_t job_id) {
    LifecycleRow row;
    auto r = db_->query(
        "SELECT status, missing_nodes, finished_at, pending_classification, nodelist, nnodes, partial_reason,"
        " slurm_over_at, first_end_time, last_event_time FROM jobs WHERE job_id = $1::bigint",
        PgParams().add(job_id));
    if (r.rows() == 0) return row;
    auto q = r.row(0);
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
    return row;
}

void PgJobStore::save_lifecycle(std::uint64_t job_id, const JobLifecycle& state) {
    db_->query(
        "UPDATE jobs SET status = $2::text, missing_nodes = $3::text, finished_at = $4::float8,"
        " pending_classification = $5::integer, partial_reason = $6::text, slurm_over_at = $7::float8,"
        " job_class = NULL, allocated_core_s = NULL, used_core_s = NULL, energy_joules = NULL"
        " WHERE job_id = $1::bigint",
        PgParams()
            .add(job_id)
            .add(state.status)
            .add(state.missing_nodes)
            .add(state.finished_at)
            .add(state.awaits_verdict ? 1 : 0)
            .add(state.partial_reason)
            .add(state.slurm_over_at));
    db_->query("DELETE FROM classifications WHERE job_id = $1::bigint", PgParams().add(job_id));
}

void PgJobStore::touch(std::uint64_t job_id, double time) {
    // GREATEST ignores NULL: the first event sets the clock.
    db_->query("UPDATE jobs SET last_event_time = GREATEST(last_event_time, $2::float8) WHERE job_id = $1::bigint",
               PgParams().add(job_id).add(time));
}

void PgJobStore::record_step_start(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                   const JobMeta& meta, double time) {
    in_transaction([&] {
        lock_job(job_id);
        touch(job_id, time);
        update_job_meta(job_id, meta);
        upsert_node(job_id, host, meta);
        // A new step on a node that had ended reopens the node: the job is not over there.
        db_->query(
            "UPDATE job_nodes SET start_time = LEAST(start_time, $3::float8), ended = 0"
            " WHERE job_id = $1::bigint AND host = $2::text",
            PgParams().add(job_id).add(host).add(time));
        db_->query(
            "INSERT INTO job_steps(job_id, host, step_id, start_time) VALUES($1::bigint, $2::text, $3::text,"
            " $4::float8) ON CONFLICT(job_id, host, step_id) DO UPDATE SET start_time = EXCLUDED.start_time",
            PgParams().add(job_id).add(host).add(step_id).add(time));
        db_->query("UPDATE jobs SET start_time = LEAST(start_time, $2::float8) WHERE job_id = $1::bigint",
                   PgParams().add(job_id).add(time));
        update_job_totals(job_id);
        lifecycle_after_step_start(job_id);
    });
}

void PgJobStore::record_step_end(std::uint64_t job_id, const std::string& host, const std::string& step_id,
                                 int exit_status, const json& summary, double time) {
    in_transaction([&] {
        lock_job(job_id);
        touch(job_id, time);
        upsert_node(job_id, host, JobMeta{});
        db_->query(
            "INSERT INTO job_steps(job_id, host, step_id, end_time, exit_status, summary)"
            " VALUES($1::bigint, $2::text, $3::text, $4::float8, $5::bigint, $6::text)"
            " ON CONFLICT(job_id, host, step_id) DO UPDATE SET end_time = EXCLUDED.end_time,"
            " exit_status = EXCLUDED.exit_status, summary = COALESCE(EXCLUDED.summary, job_steps.summary)",
            PgParams().add(job_id).add(host).add(step_id).add(time).add(exit_status).add_json(summary));
        if (exit_status != 0)
            db_->query(
                "UPDATE jobs SET exit_status = $2::bigint WHERE job_id = $1::bigint AND COALESCE(exit_status, 0) = 0",
                PgParams().add(job_id).add(exit_status));
    });
}

void PgJobStore::record_job_end(std::uint64_t job_id, const std::string& host, int exit_status, const json& summary,
                                const JobMeta& meta, double time, const std::string& reason, bool reattached) {
    in_transaction([&] {
        lock_job(job_id);
        touch(job_id, time);
        update_job_meta(job_id, meta);
        upsert_node(job_id, host, meta);
        db_->query(
            "UPDATE job_nodes SET end_time = $3::float8, ended = 1, exit_status = $4::bigint, reason = $5::text,"
            " reattached = $6::integer, summary = COALESCE($7::text, summary),"
            " start_time = COALESCE(start_time, $8::float8) WHERE job_id = $1::bigint AND host = $2::text",
            PgParams()
                .add(job_id)
                .add(host)
                .add(time)
                .add(exit_status)
                .add(reason)
                .add(reattached ? 1 : 0)
                .add_json(summary)
                .add(summary_first_time(summary)));
        db_->query(
            "UPDATE jobs SET first_end_time = LEAST(first_end_time, $2::float8),"
            " exit_status = CASE WHEN COALESCE(exit_status, 0) = 0 THEN $3::bigint ELSE exit_status END,"
            " start_time = COALESCE(start_time, (SELECT MIN(start_time) FROM job_nodes WHERE job_id = $1::bigint)),"
            " end_time = (SELECT MAX(end_time) FROM job_nodes WHERE job_id = $1::bigint AND ended = 1)"
            " WHERE job_id = $1::bigint",
            PgParams().add(job_id).add(time).add(exit_status));
        update_job_totals(job_id);
        lifecycle_after_job_end(job_id, time, policy_);
    });
}

std::vector<JobEventRecorder::TimedOut> PgJobStore::check_timeouts(double now) {
    std::vector<TimedOut> marked;
    in_transaction([&] {
        // A coarse SQL filter over the running jobs (the partial index jobs_running); the
        // rule itself is timeout_reason. The rows come locked: another lmaster running
        // this at the same moment skips them, and once this one commits they are partial,
        // so each job is marked once. A job whose event is being recorded is skipped now
        // and looked at next time.
        auto r = db_->query(
            "SELECT job_id FROM jobs WHERE status = 'running' AND (slurm_over_at < $1::float8"
            " OR first_end_time < $1::float8 OR last_event_time < $2::float8) ORDER BY job_id FOR UPDATE SKIP LOCKED",
            PgParams().add(now - policy_.partial_after_s).add(now - policy_.running_timeout_s));
        for (int i = 0; i < r.rows(); ++i) {
            auto job_id = static_cast<std::uint64_t>(r.row(i).int64(0));
            if (auto reason = lifecycle_time_out(job_id, policy_, now)) marked.push_back({job_id, *reason});
        }
    });
    return marked;
}

std::vector<std::uint64_t> PgJobStore::jobs_to_ask_slurm(double now, double quiet_s, std::size_t limit) {
    std::vector<std::uint64_t> ids;
    in_transaction([&] {
        // Claimed in the same statement: another lmaster asking now skips the locked rows,
        // and after the commit finds them quiet for less than quiet_s.
        auto r = db_->query(
            "WITH due AS (SELECT job_id, GREATEST(COALESCE(last_event_time, 0), COALESCE(slurm_checked_at, 0)) AS quiet"
            " FROM jobs WHERE status = 'running' AND slurm_over_at IS NULL"
            " AND GREATEST(COALESCE(last_event_time, 0), COALESCE(slurm_checked_at, 0)) < $1::float8"
            " ORDER BY quiet, job_id LIMIT $2::bigint FOR UPDATE SKIP LOCKED),"
            " claimed AS (UPDATE jobs SET slurm_checked_at = $3::float8 FROM due WHERE jobs.job_id = due.job_id"
            " RETURNING jobs.job_id)"
            " SELECT due.job_id FROM due JOIN claimed ON claimed.job_id = due.job_id ORDER BY due.quiet, due.job_id",
            PgParams().add(now - quiet_s).add(static_cast<std::int64_t>(limit)).add(now));
        for (int i = 0; i < r.rows(); ++i) ids.push_back(static_cast<std::uint64_t>(r.row(i).int64(0)));
    });
    return ids;
}

void PgJobStore::set_slurm_info(std::uint64_t job_id, const SlurmJobFacts& facts) {
    in_transaction([&] {
        lock_job(job_id);
        db_->query("UPDATE jobs SET slurm_checked_at = $2::float8 WHERE job_id = $1::bigint",
                   PgParams().add(job_id).add(facts.asked_at));
        if (facts.answer == SlurmJobFacts::Answer::Over) {
            json cpus = json::object();
            for (const auto& [host, n] : facts.cpus_per_node) cpus[host] = n;
            // An empty text, an absent figure or an empty map keeps what the job has.
            db_->query(
                "UPDATE jobs SET slurm_state = CASE WHEN $2::text <> '' THEN $2::text ELSE slurm_state END,"
                " time_limit_s = COALESCE($3::float8, time_limit_s),"
                " slurm_exit_code = COALESCE($4::bigint, slurm_exit_code),"
                " slurm_start_time = COALESCE($5::float8, slurm_start_time),"
                " slurm_end_time = COALESCE($6::float8, slurm_end_time),"
                " slurm_cpus_per_node = CASE WHEN $7::text <> '{}' THEN $7::text ELSE slurm_cpus_per_node END"
                " WHERE job_id = $1::bigint",
                PgParams()
                    .add(job_id)
                    .add(facts.state)
                    .add(facts.time_limit_s)
                    .add(facts.exit_code)
                    .add(facts.start_time)
                    .add(facts.end_time)
                    .add(cpus.dump()));
        }
        lifecycle_after_slurm_info(job_id, facts);
    });
}

}  // namespace fructosa
