#pragma once
/// The registry's rows as both stores read them: the same column lists (quoted so that
/// PostgreSQL, where `user` is a keyword, reads them as SQLite does) and one reader per
/// record, over any row with SqliteStatement's accessors (SqliteStatement,
/// PgResult::Row): is_null, int64, real, text, opt_real, opt_int, json_of.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "common/registry/comma_list.h"
#include "common/registry/job_records.h"

namespace fructosa {

/// The `jobs` columns of JobInfo, table alias j, in read_job_info's order.
inline constexpr const char* kJobColumns =
    "j.job_id, j.\"user\", j.uid, j.account, j.partition, j.job_name, j.nodelist, j.nnodes, j.ntasks, "
    "j.cpus_per_node, j.total_cpus, j.mem_mb, j.gpus, j.\"interval\", j.submit_time, j.start_time, j.end_time, "
    "j.first_end_time, j.status, j.missing_nodes, j.exit_status, j.slurm_state, j.time_limit_s, "
    "j.slurm_exit_code, j.finished_at, j.slurm_start_time, j.slurm_end_time, j.slurm_cpus_per_node, j.partial_reason";
inline constexpr int kJobColumnCount = 29;

/// The `job_nodes` columns of read_node.
inline constexpr const char* kNodeColumns =
    "host, cpus, mem_mb, gpus, start_time, end_time, ended, exit_status, reason, reattached, summary";
/// The `job_steps` columns of read_step.
inline constexpr const char* kStepColumns = "host, step_id, start_time, end_time, exit_status, summary";
/// The columns of read_classification: `classifications` c joined with `jobs` j.
inline constexpr const char* kClassificationColumns =
    "c.class, c.flags, c.evidence, c.recommendations, c.features, c.classified_at, c.thresholds_hash,"
    " j.allocated_core_s, j.used_core_s, c.secondary_classes, j.energy_joules";

/// Reads the kJobColumns starting at column `c`.
template <typename Row>
JobInfo read_job_info(const Row& s, int c) {
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

/// Reads the kNodeColumns.
template <typename Row>
NodeRecord read_node(const Row& n) {
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
    return node;
}

/// Reads the kStepColumns.
template <typename Row>
StepRecord read_step(const Row& s) {
    StepRecord step;
    step.host = s.text(0);
    step.step_id = s.text(1);
    step.start_time = s.opt_real(2);
    step.end_time = s.opt_real(3);
    step.exit_status = s.opt_int(4);
    step.summary = s.json_of(5);
    return step;
}

/// Reads the kClassificationColumns of job `job_id`.
template <typename Row>
ClassificationRecord read_classification(const Row& c, std::uint64_t job_id) {
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
    return cr;
}

/// The JSON text a verdict's object column stores ("{}" for none).
inline std::string json_column(const nlohmann::json& v) { return v.is_null() ? std::string("{}") : v.dump(); }

/// A job_end summary's first sample time: when the job started on the node, if lagent knows.
inline std::optional<double> summary_first_time(const nlohmann::json& summary) {
    if (summary.is_object() && summary.contains("first_time") && summary["first_time"].is_number())
        return summary["first_time"].get<double>();
    return std::nullopt;
}

}  // namespace fructosa
