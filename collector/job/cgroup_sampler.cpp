#include "collector/job/cgroup_sampler.h"

#include <functional>

#include "collector/job/cgroup_files.h"
#include "collector/job/proc_task_files.h"

namespace fructosa {
namespace {

/// Child cgroups nest a few levels below job_<J> (step_<S>/user/task_<N>); a bound keeps a
/// strange tree from making the walk unbounded.
constexpr int kMaxDepth = 8;

/// Reads and parses files of one job, noting files that exist but do not parse.
class CgroupFiles {
public:
    CgroupFiles(const SystemReader& sys, JobSample& sample) : sys_(sys), sample_(sample) {}

    std::optional<std::string> text(const std::string& path) const { return sys_.read_file(path); }

    /// `parse(text)` of the file, nullopt when it is missing or malformed (noted).
    template <typename Parse>
    auto parsed(const std::string& path, Parse&& parse) -> decltype(parse(std::string_view{})) {
        auto t = sys_.read_file(path);
        if (!t) return std::nullopt;
        auto v = parse(std::string_view(*t));
        if (!v) sample_.problems.push_back(path + ": not in the kernel's format");
        return v;
    }

    std::optional<std::uint64_t> u64(const std::string& path) { return parsed(path, cgroup::parse_u64_file); }

    std::optional<std::map<std::string, std::uint64_t>> keyed(const std::string& path) {
        return parsed(path, cgroup::parse_flat_keyed);
    }

    /// Calls f(dir) for `dir` and each child cgroup below it (a child is a directory
    /// holding cgroup.procs), skipping children for which skip(parent, name) is true.
    void walk(const std::string& dir, const std::function<bool(const std::string&, const std::string&)>& skip,
              const std::function<void(const std::string&)>& f, int depth = 0) const {
        f(dir);
        if (depth >= kMaxDepth) return;
        for (const auto& name : sys_.list_dir(dir)) {
            const std::string child = dir + "/" + name;
            if (skip(dir, name) || !sys_.exists(child + "/cgroup.procs")) continue;
            walk(child, skip, f, depth + 1);
        }
    }

    /// Line counts of `file` summed over the subtree; nullopt when no cgroup had it. With
    /// `ids`, the ids listed are appended to it from the same reads.
    std::optional<std::uint64_t> count_over_tree(const std::string& dir, const std::string& file,
                                                 const std::function<bool(const std::string&, const std::string&)>& skip,
                                                 std::vector<std::uint32_t>* ids = nullptr) const {
        std::optional<std::uint64_t> total;
        walk(dir, skip, [&](const std::string& d) {
            auto t = sys_.read_file(d + "/" + file);
            if (!t) return;
            total = total.value_or(0) + (ids ? proc::append_ids(*t, *ids) : cgroup::count_lines(*t));
        });
        return total;
    }

    const SystemReader& sys() const { return sys_; }
    JobSample& sample() { return sample_; }

private:
    const SystemReader& sys_;
    JobSample& sample_;
};

std::optional<std::uint64_t> value_of(const std::optional<std::map<std::string, std::uint64_t>>& m,
                                      const std::string& key) {
    if (!m) return std::nullopt;
    auto it = m->find(key);
    if (it == m->end()) return std::nullopt;
    return it->second;
}

std::optional<double> seconds(std::optional<std::uint64_t> v, double per_second) {
    if (!v) return std::nullopt;
    return static_cast<double>(*v) / per_second;
}

bool no_skip(const std::string&, const std::string&) { return false; }

std::optional<PressureSample> read_pressure(CgroupFiles& files, const std::string& path) {
    auto p = files.parsed(path, cgroup::parse_pressure);
    if (!p) return std::nullopt;
    PressureSample out;
    out.some_avg10 = p->some->avg10;
    out.some_total_us = p->some->total_us;
    if (p->full) {
        out.full_avg10 = p->full->avg10;
        out.full_total_us = p->full->total_us;
    }
    return out;
}

/// The thread (or process) ids the sampler fills for `tasks`, emptied; nullptr without one.
std::vector<std::uint32_t>* fresh_ids(JobTaskSampler* tasks, bool processes = false) {
    if (!tasks) return nullptr;
    auto& ids = processes ? tasks->process_ids() : tasks->thread_ids();
    ids.clear();
    return &ids;
}

/// Returns whether the threads were listed (`tasks` may then read them).
bool sample_v1(CgroupFiles& files, const JobCgroupPaths& paths, JobTaskSampler* tasks) {
    JobSample& s = files.sample();
    if (auto dir = paths.v1_dir("cpuacct")) {
        s.cpu_usage_ns = files.u64(*dir + "/cpuacct.usage");
        auto stat = files.keyed(*dir + "/cpuacct.stat");
        s.cpu_user_s = seconds(value_of(stat, "user"), kUserHz);
        s.cpu_system_s = seconds(value_of(stat, "system"), kUserHz);
    }
    if (auto dir = paths.v1_dir("memory")) {
        s.memory_current = files.u64(*dir + "/memory.usage_in_bytes");
        s.memory_peak = files.u64(*dir + "/memory.max_usage_in_bytes");
        auto stat = files.keyed(*dir + "/memory.stat");
        s.memory_rss = value_of(stat, "total_rss");
        s.memory_cache = value_of(stat, "total_cache");
        s.memory_swap = value_of(stat, "total_swap");
        if (!s.memory_swap && s.memory_current) {
            // Without total_swap (swap accounting off in memory.stat) memsw = memory + swap.
            if (auto memsw = files.u64(*dir + "/memory.memsw.usage_in_bytes"))
                s.memory_swap = *memsw > *s.memory_current ? *memsw - *s.memory_current : 0;
        }
        s.memory_limit = files.parsed(*dir + "/memory.limit_in_bytes", [](std::string_view t) {
            return cgroup::parse_limit_file(t, kMemoryUnlimited);
        });
        s.memory_limit_hits = files.u64(*dir + "/memory.failcnt");
        s.memory_oom_kills = value_of(files.keyed(*dir + "/memory.oom_control"), "oom_kill");
    }
    if (auto dir = paths.v1_dir("blkio")) {
        // Hierarchical files count the whole job; without them, the per-cgroup throttle
        // files are summed over the tree (the tasks sit in the leaves, not in job_<J>).
        auto io_of = [&](const char* what) -> std::optional<cgroup::IoTotals> {
            for (const char* prefix : {"blkio.throttle.", "blkio.", "blkio.bfq."}) {
                const std::string path = *dir + "/" + prefix + what + "_recursive";
                if (files.sys().exists(path)) return files.parsed(path, cgroup::parse_blkio);
            }
            std::optional<cgroup::IoTotals> total;
            files.walk(*dir, no_skip, [&](const std::string& d) {
                if (auto v = files.parsed(d + "/blkio.throttle." + what, cgroup::parse_blkio)) {
                    if (!total) total.emplace();
                    total->read += v->read;
                    total->write += v->write;
                }
            });
            return total;
        };
        if (auto bytes = io_of("io_service_bytes")) {
            s.io_read_bytes = bytes->read;
            s.io_write_bytes = bytes->write;
        }
        if (auto ops = io_of("io_serviced")) {
            s.io_read_ops = ops->read;
            s.io_write_ops = ops->write;
        }
    }
    // Every v1 hierarchy lists the same tasks; freezer is the one proctrack/cgroup uses.
    // The job_<J> directory's own lists hold only the tasks directly in it: the walk
    // takes those of every step_<S> (and task_<N>) below it too.
    for (const char* ctrl : {"freezer", "pids", "cpuacct", "memory", "cpuset", "blkio"}) {
        auto dir = paths.v1_dir(ctrl);
        if (!dir) continue;
        s.processes = files.count_over_tree(*dir, "cgroup.procs", no_skip, fresh_ids(tasks, true));
        s.threads = files.count_over_tree(*dir, "tasks", no_skip, fresh_ids(tasks));
        if (s.processes || s.threads) break;
    }
    const bool listed = s.threads.has_value();
    if (!s.threads) {
        if (auto dir = paths.v1_dir("pids")) s.threads = files.u64(*dir + "/pids.current");
    }
    return listed;
}

/// v2 puts slurmstepd itself in step_<S>/slurm: its processes are not the job's.
bool is_stepd_cgroup(const std::string& parent, const std::string& name) {
    auto slash = parent.rfind('/');
    std::string_view base = std::string_view(parent).substr(slash == std::string::npos ? 0 : slash + 1);
    return name == "slurm" && base.substr(0, 5) == "step_";
}

/// Returns whether the threads were listed (`tasks` may then read them).
bool sample_v2(CgroupFiles& files, const JobCgroupPaths& paths, JobTaskSampler* tasks) {
    JobSample& s = files.sample();
    const std::string& dir = paths.unified;
    auto cpu = files.keyed(dir + "/cpu.stat");
    if (auto usec = value_of(cpu, "usage_usec")) s.cpu_usage_ns = *usec * 1000;
    s.cpu_user_s = seconds(value_of(cpu, "user_usec"), 1e6);
    s.cpu_system_s = seconds(value_of(cpu, "system_usec"), 1e6);

    s.memory_current = files.u64(dir + "/memory.current");
    s.memory_peak = files.u64(dir + "/memory.peak");
    auto stat = files.keyed(dir + "/memory.stat");
    s.memory_rss = value_of(stat, "anon");
    s.memory_cache = value_of(stat, "file");
    s.memory_swap = files.u64(dir + "/memory.swap.current");
    s.memory_limit = files.parsed(dir + "/memory.max", [](std::string_view t) {
        return cgroup::parse_limit_file(t, kMemoryUnlimited);
    });
    auto events = files.keyed(dir + "/memory.events");
    s.memory_limit_hits = value_of(events, "max");
    s.memory_oom_kills = value_of(events, "oom_kill");

    if (auto io = files.parsed(dir + "/io.stat", cgroup::parse_io_stat)) {
        s.io_read_bytes = io->bytes.read;
        s.io_write_bytes = io->bytes.write;
        s.io_read_ops = io->ops.read;
        s.io_write_ops = io->ops.write;
    }

    s.processes = files.count_over_tree(dir, "cgroup.procs", is_stepd_cgroup, fresh_ids(tasks, true));
    s.threads = files.count_over_tree(dir, "cgroup.threads", is_stepd_cgroup, fresh_ids(tasks));
    const bool listed = s.threads.has_value();
    if (!s.threads) s.threads = files.u64(dir + "/pids.current");

    s.cpu_pressure = read_pressure(files, dir + "/cpu.pressure");
    s.memory_pressure = read_pressure(files, dir + "/memory.pressure");
    s.io_pressure = read_pressure(files, dir + "/io.pressure");
    return listed;
}

}  // namespace

JobSample sample_job_cgroup(const SystemReader& sys, const JobCgroupPaths& paths, double now,
                            JobTaskSampler* tasks) {
    JobSample sample;
    sample.time = now;
    CgroupFiles files(sys, sample);
    bool listed = false;
    if (paths.version == CgroupVersion::v2) {
        sample.present = !paths.unified.empty() && sys.exists(paths.unified);
        if (sample.present) listed = sample_v2(files, paths, tasks);
    } else {
        for (const auto& [ctrl, dir] : paths.v1) sample.present = sample.present || sys.exists(dir);
        if (sample.present) listed = sample_v1(files, paths, tasks);
    }
    if (tasks && listed) tasks->sample(sys, sample);
    return sample;
}

}  // namespace fructosa
