#include "perad/cli_output.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "perad/rule.h"
#include "perad/time_arg.h"

namespace fructosa {

using json = nlohmann::json;

namespace {

std::string opt_time(const std::optional<double>& t) { return t ? format_local_time(*t) : "-"; }

std::string elapsed_of(const JobInfo& j) {
    if (!j.start_time || !j.end_time) return "-";
    return format_duration(std::max(0.0, *j.end_time - *j.start_time));
}

std::string percent(const std::optional<double>& v) { return v ? fmt::format("{:.0f}%", *v * 100) : "-"; }

std::string number(const json& v) {
    if (v.is_null()) return "-";
    if (v.is_number_float()) {
        double d = v.get<double>();
        return std::abs(d) >= 1e4 ? fmt::format("{:.0f}", d) : fmt::format("{:.4g}", d);
    }
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
}

/// Energy for people: kWh from 1 kWh up ("2.35 kWh"), Wh below ("150 Wh", "0.42 Wh").
std::string energy_text(double joules) {
    double kwh = joules / 3.6e6;
    if (kwh >= 1) return fmt::format("{:.2f} kWh", kwh);
    return fmt::format("{:.3g} Wh", joules / 3600.0);
}

/// `perad show`'s energy line: the total, its parts, and how many nodes it covers.
std::string energy_line(const JobFeatures& f) {
    if (!f.energy_joules) return "  energy - (not measured)\n";
    std::vector<std::string> parts;
    if (f.energy_cpu_joules) parts.push_back("CPU " + energy_text(*f.energy_cpu_joules));
    if (f.energy_dram_joules) parts.push_back("DRAM " + energy_text(*f.energy_dram_joules));
    if (f.energy_gpu_joules) parts.push_back("GPU " + energy_text(*f.energy_gpu_joules));
    std::string detail = "estimated";
    if (!parts.empty()) detail += ": " + join(parts, ", ");
    if (f.energy_partial)
        detail += fmt::format("; measured on {} of {} nodes", f.energy_nodes, f.energy_nodes_of);
    return fmt::format("  energy {} ({})\n", energy_text(*f.energy_joules), detail);
}

/// "oom_kills=2 limit_hits=0 waste.core_s=1440": evidence figures on one line, a nested
/// object's figures under its name.
std::string evidence_line(const json& ev) {
    std::vector<std::string> parts;
    if (ev.is_object())
        for (auto it = ev.begin(); it != ev.end(); ++it) {
            if (it.value().is_object())
                for (auto in = it.value().begin(); in != it.value().end(); ++in)
                    parts.push_back(it.key() + "." + in.key() + "=" + number(in.value()));
            else
                parts.push_back(it.key() + "=" + number(it.value()));
        }
    return join(parts, " ");
}

json info_json(const JobInfo& j) {
    json o{{"job_id", j.job_id},       {"user", j.user},         {"account", j.account},
           {"partition", j.partition}, {"job_name", j.job_name}, {"nodelist", j.nodelist},
           {"nnodes", j.nnodes},       {"ntasks", j.ntasks},     {"total_cpus", j.total_cpus},
           {"cpus_per_node", j.cpus_per_node}, {"mem_mb", j.mem_mb}, {"gpus", j.gpus},
           {"status", j.status},       {"missing_nodes", j.missing_nodes},
           {"partial_reason", j.partial_reason}, {"slurm_cpus_per_node", j.slurm_cpus_per_node}};
    auto put = [&](const char* k, const auto& v) { o[k] = v ? json(*v) : json(nullptr); };
    put("uid", j.uid);
    put("start_time", j.start_time);
    put("end_time", j.end_time);
    put("finished_at", j.finished_at);
    put("exit_status", j.exit_status);
    put("slurm_state", j.slurm_state);
    put("time_limit_s", j.time_limit_s);
    put("slurm_exit_code", j.slurm_exit_code);
    put("slurm_start_time", j.slurm_start_time);
    put("slurm_end_time", j.slurm_end_time);
    return o;
}

}  // namespace

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            s += cells[c];
            if (c + 1 < cells.size()) s += std::string(width[c] - cells[c].size() + 2, ' ');
        }
        out << s << "\n";
    };
    line(header);
    for (const auto& r : rows) line(r);
}

void print_csv_row(std::ostream& out, const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string& c = cells[i];
        if (i) out << ',';
        if (c.find_first_of(",\"\n\r") == std::string::npos) {
            out << c;
        } else {
            out << '"';
            for (char ch : c) out << (ch == '"' ? "\"\"" : std::string(1, ch));
            out << '"';
        }
    }
    out << "\n";
}

void print_job(std::ostream& out, const JobRecord& job, const JobFeatures& f, const ClassificationRecord* v,
               bool stored, const std::string& dashboard_url, OutputFormat format, const TimelineOutcome* timeline) {
    const JobInfo& j = job.info;
    if (format == OutputFormat::Json) {
        json o = info_json(j);
        o["nodes"] = json::array();
        for (const auto& n : job.nodes)
            o["nodes"].push_back({{"host", n.host}, {"cpus", n.cpus}, {"mem_mb", n.mem_mb}, {"gpus", n.gpus},
                                  {"ended", n.ended}, {"reason", n.reason}, {"summary", n.summary}});
        o["steps"] = json::array();
        for (const auto& s : job.steps)
            o["steps"].push_back({{"host", s.host}, {"step_id", s.step_id}, {"summary", s.summary},
                                  {"exit_status", s.exit_status ? json(*s.exit_status) : json(nullptr)}});
        o["features"] = f.to_json();
        if (v) {
            o["class"] = v->job_class;
            o["secondary_classes"] = v->secondary_classes;
            o["flags"] = v->flags;
            o["evidence"] = v->evidence;
            o["recommendations"] = v->recommendations;
            o["classification_stored"] = stored;
        }
        if (!dashboard_url.empty()) o["dashboard"] = dashboard_url;
        if (timeline) {
            o["timeline"] = timeline->timeline ? timeline_json(*timeline->timeline) : json(nullptr);
            if (!timeline->timeline) o["timeline_unavailable"] = timeline->why_none;
        }
        out << o.dump(2) << "\n";
        return;
    }
    out << fmt::format("Job {}  {}\n", j.job_id, j.job_name.empty() ? "" : "(" + j.job_name + ")");
    out << fmt::format("  user {}{}  account {}  partition {}\n", j.user.empty() ? "?" : j.user,
                       j.uid ? fmt::format(" ({})", *j.uid) : "", j.account.empty() ? "-" : j.account,
                       j.partition.empty() ? "-" : j.partition);
    out << fmt::format("  status {}{}  exit status {}  slurm state {}{}\n", j.status,
                       j.missing_nodes.empty() ? ""
                                               : " (missing " + j.missing_nodes +
                                                     (j.partial_reason.empty() ? "" : ": " + j.partial_reason) + ")",
                       j.exit_status ? std::to_string(*j.exit_status) : "-", j.slurm_state.value_or("-"),
                       j.slurm_exit_code ? fmt::format(" (exit code {})", *j.slurm_exit_code) : "");
    out << fmt::format("  nodes {} ({} nodes, {} reported)  cpus {:g}  memory {} MB  gpus {}  tasks {}\n",
                       j.nodelist.empty() ? "-" : j.nodelist, j.nnodes, f.nodes_reported, j.total_cpus, j.mem_mb,
                       j.gpus, j.ntasks);
    out << fmt::format("  start {}  end {}  elapsed {}{}\n", opt_time(j.start_time), opt_time(j.end_time),
                       elapsed_of(j),
                       j.time_limit_s ? "  time limit " + format_duration(*j.time_limit_s) : "");
    out << energy_line(f);
    if (!dashboard_url.empty()) out << "  dashboard " << dashboard_url << "\n";

    out << "\nNodes\n";
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < job.nodes.size(); ++i) {
        const NodeRecord& n = job.nodes[i];
        const NodeFeatures& nf = f.nodes[i];
        rows.push_back({n.host, fmt::format("{:g}", n.cpus), std::to_string(n.mem_mb),
                        nf.cpu_seconds ? fmt::format("{:.0f}", *nf.cpu_seconds) : "-",
                        nf.cores_used ? fmt::format("{:.2f}", *nf.cores_used) : "-", percent(nf.cpu_efficiency),
                        percent(nf.idle_fraction),
                        nf.memory_peak_bytes ? fmt::format("{:.0f}", *nf.memory_peak_bytes / 1048576.0) : "-",
                        nf.energy_joules ? energy_text(*nf.energy_joules) : "-",
                        n.exit_status ? std::to_string(*n.exit_status) : "-", n.ended ? "yes" : "no"});
    }
    print_table(out,
                {"HOST", "CPUS", "MEM_MB", "CPU_S", "CORES_USED", "CPU_EFF", "IDLE", "MEM_PEAK_MB", "ENERGY", "EXIT",
                 "ENDED"},
                rows);
    if (timeline) {
        out << "\n";
        if (timeline->timeline)
            print_timeline(out, *timeline->timeline);
        else
            out << "Timeline: none: " << timeline->why_none << "\n";
    }
    if (!job.steps.empty()) {
        out << "\nSteps\n";
        rows.clear();
        for (const auto& s : job.steps)
            rows.push_back({s.host, s.step_id, opt_time(s.start_time), opt_time(s.end_time),
                            s.exit_status ? std::to_string(*s.exit_status) : "-"});
        print_table(out, {"HOST", "STEP", "START", "END", "EXIT"}, rows);
    }

    out << "\nFeatures\n";
    json fj = f.to_json();
    for (const char* k : {"elapsed_s", "allocated_core_s", "used_core_s", "mean_cores_used", "cpu_efficiency",
                          "idle_fraction", "imbalance_cv", "imbalance_max_min", "memory_peak_bytes",
                          "memory_peak_fraction", "oom_kills", "limit_hits", "swap_max_bytes", "io_read_bytes",
                          "io_write_bytes", "io_rate_bytes_per_s", "gpu_util_percent", "gpu_util_max_percent",
                          "gpu_process_fraction", "gpu_memory_peak_bytes", "gpu_memory_fraction", "walltime_fraction",
                          "idle_tail_s", "memory_anon_peak_bytes", "memory_anon_fraction", "memory_stall_fraction",
                          "runqueue_delay_percent", "busy_intervals"})
        out << fmt::format("  {:<22} {}\n", k, fj.contains(k) ? number(fj[k]) : "- (not measured)");

    out << "\n";
    if (!v) {
        out << "Class: (not classified)\n";
        return;
    }
    out << fmt::format("Class: {}{}\n", v->job_class, stored ? "" : "  (computed now; perad has not stored a verdict)");
    auto explain = [&](const std::string& name) {
        if (v->evidence.contains(name)) out << "    evidence: " << evidence_line(v->evidence[name]) << "\n";
        if (v->recommendations.contains(name) && v->recommendations[name].is_string())
            out << "    advice:   " << v->recommendations[name].get<std::string>() << "\n";
    };
    explain(v->job_class);
    // The other classes that apply, by decreasing waste, each with its own advice.
    if (!v->secondary_classes.empty()) {
        out << fmt::format("Also: {}\n", join(v->secondary_classes, ", "));
        for (const auto& c : v->secondary_classes) {
            out << "  " << c << "\n";
            explain(c);
        }
    }
    out << fmt::format("Flags: {}\n", v->flags.empty() ? "none" : join(v->flags, ", "));
    for (const auto& fl : v->flags) {
        out << "  " << fl << "\n";
        explain(fl);
    }
}

json list_row_json(const JobListRow& r) {
    json o = info_json(r.info);
    o["class"] = r.job_class ? json(*r.job_class) : json(nullptr);
    o["flags"] = r.flags;
    o["allocated_core_s"] = r.allocated_core_s ? json(*r.allocated_core_s) : json(nullptr);
    o["used_core_s"] = r.used_core_s ? json(*r.used_core_s) : json(nullptr);
    return o;
}

void print_job_list(std::ostream& out, const std::vector<JobListRow>& rows, OutputFormat format) {
    if (format == OutputFormat::Json) {
        json a = json::array();
        for (const auto& r : rows) a.push_back(list_row_json(r));
        out << a.dump(2) << "\n";
        return;
    }
    std::vector<std::string> header{"JOBID", "USER", "ACCOUNT", "PARTITION", "NODES", "CPUS", "END", "ELAPSED",
                                    "STATUS", "CLASS", "FLAGS", "CPU_EFF"};
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : rows) {
        const JobInfo& j = r.info;
        std::optional<double> eff;
        if (r.allocated_core_s && *r.allocated_core_s > 0) eff = r.used_core_s.value_or(0) / *r.allocated_core_s;
        cells.push_back({std::to_string(j.job_id), j.user, j.account, j.partition, std::to_string(j.nnodes),
                         fmt::format("{:g}", j.total_cpus), j.end_time ? format_local_time(*j.end_time) : "-",
                         elapsed_of(j), j.status, r.job_class.value_or("-"), r.flags.empty() ? "-" : join(r.flags, ","),
                         percent(eff)});
    }
    if (format == OutputFormat::Csv) {
        print_csv_row(out, header);
        for (const auto& c : cells) print_csv_row(out, c);
        return;
    }
    print_table(out, header, cells);
}

void print_summary(std::ostream& out, const std::vector<SummaryRow>& rows, const std::string& by,
                   OutputFormat format) {
    if (format == OutputFormat::Json) {
        json a = json::array();
        for (const auto& r : rows)
            a.push_back({{by, r.key},
                         {"jobs", r.jobs},
                         {"per_class", r.per_class},
                         {"allocated_core_hours", r.allocated_core_h},
                         {"used_core_hours", r.used_core_h},
                         {"wasted_core_hours", r.wasted_core_h},
                         {"energy_kwh", r.energy_kwh ? json(*r.energy_kwh) : json(nullptr)},
                         {"energy_jobs", r.energy_jobs}});
        out << a.dump(2) << "\n";
        return;
    }
    std::string key_header = by;
    for (auto& c : key_header) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::vector<std::string> header{key_header,      "JOBS",       "ALLOC_CORE_H", "USED_CORE_H",
                                    "WASTED_CORE_H", "ENERGY_KWH", "ENERGY_JOBS",  "CLASSES"};
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : rows) {
        std::vector<std::string> classes;
        for (const auto& [c, n] : r.per_class) classes.push_back(fmt::format("{}:{}", c, n));
        cells.push_back({r.key.empty() ? "(unknown)" : r.key, std::to_string(r.jobs),
                         fmt::format("{:.1f}", r.allocated_core_h), fmt::format("{:.1f}", r.used_core_h),
                         fmt::format("{:.1f}", r.wasted_core_h),
                         r.energy_kwh ? fmt::format("{:.2f}", *r.energy_kwh) : "-", std::to_string(r.energy_jobs),
                         join(classes, " ")});
    }
    if (format == OutputFormat::Csv) {
        print_csv_row(out, header);
        for (const auto& c : cells) print_csv_row(out, c);
        return;
    }
    print_table(out, header, cells);
}

}  // namespace fructosa
