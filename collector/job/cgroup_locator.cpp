#include "collector/job/cgroup_locator.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "common/host_name.h"

namespace fructosa {
namespace {

constexpr std::string_view kScope = "slurmstepd.scope";

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (true) {
        auto at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) break;
        s.remove_prefix(at + 1);
    }
    return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

/// The number after `prefix` in a component such as "job_42" or "uid_1000".
std::optional<std::uint64_t> numbered(std::string_view component, std::string_view prefix) {
    if (!starts_with(component, prefix)) return std::nullopt;
    auto digits = component.substr(prefix.size());
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return v;
}

std::string join(const std::string& dir, std::string_view name) {
    std::string out = dir;
    if (out.empty() || out.back() != '/') out += '/';
    out += name;
    return out;
}

/// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            auto oct = s.substr(i + 1, 3);
            if (oct.size() == 3 && std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; })) {
                out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

const std::set<std::string, std::less<>>& known_v1_controllers() {
    static const std::set<std::string, std::less<>> names = {
        "cpu",        "cpuacct",  "cpuset", "memory", "devices", "freezer", "net_cls",
        "perf_event", "net_prio", "hugetlb", "pids",  "rdma",    "misc",    "blkio"};
    return names;
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

/// Looks for `rel` below each of `mounts`; the first directory that exists.
std::optional<std::string> first_existing(const SystemReader& sys, const std::vector<std::string>& mounts,
                                          const std::string& rel) {
    for (const auto& m : mounts) {
        std::string dir = m + rel;
        if (sys.exists(dir)) return dir;
    }
    return std::nullopt;
}

}  // namespace

CgroupMounts default_cgroup_mounts(const std::string& root) {
    CgroupMounts m;
    const std::string base = root + "/";
    for (const auto& c : known_v1_controllers()) m.v1[c].push_back(base + c);
    for (const auto& c : {"cpu", "cpuacct"}) {
        m.v1[c].push_back(base + "cpu,cpuacct");
        m.v1[c].push_back(base + "cpuacct,cpu");
    }
    for (const auto& c : {"net_cls", "net_prio"}) {
        m.v1[c].push_back(base + "net_cls,net_prio");
        m.v1[c].push_back(base + "net_prio,net_cls");
    }
    m.v2 = {root, base + "unified"};
    return m;
}

CgroupMounts parse_mountinfo(std::string_view text) {
    CgroupMounts m;
    for (auto line : split(text, '\n')) {
        auto dash = line.find(" - ");
        if (dash == std::string_view::npos) continue;
        auto left = split(line.substr(0, dash), ' ');
        auto right = split(line.substr(dash + 3), ' ');
        if (left.size() < 5 || right.size() < 3) continue;
        std::string mount_point = unescape_octal(left[4]);
        if (right[0] == "cgroup2") {
            add_unique(m.v2, mount_point);
        } else if (right[0] == "cgroup") {
            for (auto opt : split(right[2], ',')) {
                if (known_v1_controllers().count(opt)) add_unique(m.v1[std::string(opt)], mount_point);
            }
        }
    }
    return m;
}

CgroupMounts discover_cgroup_mounts(const SystemReader& sys, const std::string& root) {
    CgroupMounts m;
    if (auto text = sys.read_file("/proc/self/mountinfo")) m = parse_mountinfo(*text);
    CgroupMounts d = default_cgroup_mounts(root);
    for (const auto& [ctrl, dirs] : d.v1)
        for (const auto& dir : dirs) add_unique(m.v1[ctrl], dir);
    for (const auto& dir : d.v2) add_unique(m.v2, dir);
    return m;
}

const std::vector<std::string>& v1_job_controllers() {
    static const std::vector<std::string> c = {"cpuacct", "memory", "blkio", "pids", "freezer", "cpuset"};
    return c;
}

std::optional<std::string> JobCgroupPaths::v1_dir(const std::string& controller) const {
    auto it = v1.find(controller);
    if (it == v1.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> cut_at_job(std::string_view cgroup_path, std::uint64_t job_id,
                                      CgroupVersion version, std::string_view node,
                                      std::optional<std::uint32_t> uid, std::string* why) {
    auto refuse = [&](std::string reason) -> std::optional<std::string> {
        if (why) *why = std::move(reason);
        return std::nullopt;
    };
    if (cgroup_path.empty() || cgroup_path.front() != '/') return refuse("not an absolute cgroup path");
    auto parts = split(cgroup_path.substr(1), '/');
    const std::string job = "job_" + std::to_string(job_id);
    auto at = std::find(parts.begin(), parts.end(), std::string_view(job));
    if (at == parts.end()) return refuse("no " + job + " component");
    const std::size_t i = static_cast<std::size_t>(at - parts.begin());
    for (std::size_t k = 0; k < i; ++k) {
        if (parts[k].empty() || parts[k] == "." || parts[k] == "..")
            return refuse("empty, '.' or '..' component before " + job);
    }
    if (version == CgroupVersion::v1) {
        if (i < 2) return refuse(job + " is not under slurm[_<node>]/uid_<U>");
        auto owner = numbered(parts[i - 1], "uid_");
        if (!owner) return refuse(job + " is not under a uid_<U> directory");
        if (uid && *owner != *uid)
            return refuse("uid_" + std::to_string(*owner) + " is not the job's uid " + std::to_string(*uid));
        auto tree = parts[i - 2];
        if (tree != "slurm") {
            if (!starts_with(tree, "slurm_")) return refuse(job + " is not under slurm or slurm_<node>");
            if (!node.empty() && !same_host(tree.substr(6), node))
                return refuse(std::string(tree) + " is another node's tree, this node is " + std::string(node));
        }
    } else {
        if (i < 1) return refuse(job + " is not under a slurmstepd.scope");
        auto scope = parts[i - 1];
        if (scope != kScope) {
            if (!ends_with(scope, std::string("_") + std::string(kScope)))
                return refuse(job + " is not under [<node>_]slurmstepd.scope");
            auto scope_node = scope.substr(0, scope.size() - kScope.size() - 1);
            if (!node.empty() && !same_host(scope_node, node))
                return refuse(std::string(scope) + " is another node's scope, this node is " + std::string(node));
        }
    }
    std::string out;
    for (std::size_t k = 0; k <= i; ++k) {
        out += '/';
        out += parts[k];
    }
    return out;
}

LocateResult locate_job_cgroups(const SystemReader& sys, const CgroupMounts& mounts,
                                const JobCgroupRequest& request) {
    LocateResult result;
    // Accepted v1 entries: controller -> relative job path, and every distinct relative path.
    std::map<std::string, std::string> rel_by_controller;
    std::vector<std::string> rels;
    std::vector<std::string> v1_refused;
    std::optional<std::string> unified_rel;
    std::string unified_refused;

    for (const auto& [key, path] : request.cgroup) {
        if (starts_with(key, "name=")) continue;  // named hierarchies (systemd) hold no counters
        const bool is_v2 = key.empty() || key == "unified";
        // A v1 controller Slurm does not manage (blkio=/, pids=/user.slice) names no job:
        // nothing to refuse or warn about; it is looked for at the job's layout below.
        if (!is_v2 && path.find("/job_") == std::string::npos) continue;
        std::string why;
        auto rel = cut_at_job(path, request.job_id, is_v2 ? CgroupVersion::v2 : CgroupVersion::v1,
                              request.node, request.uid, &why);
        if (!rel) {
            std::string line = (key.empty() ? "unified" : key) + "=" + path + ": " + why;
            if (is_v2) unified_refused = line;
            else v1_refused.push_back(line);
            continue;
        }
        if (is_v2) {
            unified_rel = *rel;
            continue;
        }
        add_unique(rels, *rel);
        for (auto ctrl : split(key, ',')) rel_by_controller.emplace(std::string(ctrl), *rel);
    }

    if (!rels.empty()) {
        JobCgroupPaths paths;
        paths.version = CgroupVersion::v1;
        paths.job_id = request.job_id;
        for (const auto& ctrl : v1_job_controllers()) {
            auto mounts_of = mounts.v1.find(ctrl);
            if (mounts_of == mounts.v1.end()) continue;
            std::vector<std::string> candidates;
            if (auto own = rel_by_controller.find(ctrl); own != rel_by_controller.end())
                candidates.push_back(own->second);
            for (const auto& r : rels) add_unique(candidates, r);
            for (const auto& r : candidates) {
                if (auto dir = first_existing(sys, mounts_of->second, r)) {
                    paths.v1[ctrl] = *dir;
                    break;
                }
            }
        }
        if (!paths.v1.empty()) {
            result.paths = std::move(paths);
            result.refused = std::move(v1_refused);
            return result;
        }
        result.error = "no v1 job directory exists for " + rels.front();
    }

    result.refused = std::move(v1_refused);
    if (!unified_refused.empty()) result.refused.push_back(unified_refused);
    if (unified_rel) {
        if (auto dir = first_existing(sys, mounts.v2, *unified_rel)) {
            JobCgroupPaths paths;
            paths.version = CgroupVersion::v2;
            paths.job_id = request.job_id;
            paths.unified = *dir;
            result.paths = std::move(paths);
            result.error.clear();
            return result;
        }
        if (!result.error.empty()) result.error += "; ";
        result.error += "no v2 job directory exists for " + *unified_rel;
    }
    if (result.error.empty()) result.error = "no cgroup entry names job_" + std::to_string(request.job_id);
    return result;
}

namespace {

/// Adds every uid_<U>/job_<J> below `tree` (a slurm[_<node>] directory of `ctrl`).
void scan_v1_tree(const SystemReader& sys, const std::string& tree, const std::string& ctrl,
                  std::map<std::uint64_t, FoundJob>& found) {
    for (const auto& u : sys.list_dir(tree)) {
        auto uid = numbered(u, "uid_");
        if (!uid || *uid > UINT32_MAX) continue;
        const std::string uid_dir = join(tree, u);
        for (const auto& j : sys.list_dir(uid_dir)) {
            auto job = numbered(j, "job_");
            if (!job) continue;
            auto& f = found[*job];
            f.job_id = *job;
            if (!f.uid) f.uid = static_cast<std::uint32_t>(*uid);
            f.paths.version = CgroupVersion::v1;
            f.paths.job_id = *job;
            f.paths.v1.emplace(ctrl, join(uid_dir, j));
        }
    }
}

void scan_v2_scope(const SystemReader& sys, const std::string& scope, std::map<std::uint64_t, FoundJob>& found) {
    for (const auto& j : sys.list_dir(scope)) {
        auto job = numbered(j, "job_");
        if (!job || found.count(*job)) continue;
        auto& f = found[*job];
        f.job_id = *job;
        f.paths.version = CgroupVersion::v2;
        f.paths.job_id = *job;
        f.paths.unified = join(scope, j);
    }
}

}  // namespace

std::vector<FoundJob> scan_job_cgroups(const SystemReader& sys, const CgroupMounts& mounts,
                                       std::string_view node) {
    std::map<std::uint64_t, FoundJob> v1_found;
    const std::string named_tree = "slurm_" + std::string(node);
    for (const auto& ctrl : v1_job_controllers()) {
        auto mounts_of = mounts.v1.find(ctrl);
        if (mounts_of == mounts.v1.end()) continue;
        for (const auto& m : mounts_of->second) {
            auto entries = sys.list_dir(m);
            bool any_named = false, has_named = false, has_plain = false;
            for (const auto& e : entries) {
                any_named = any_named || starts_with(e, "slurm_");
                has_named = has_named || e == named_tree;
                has_plain = has_plain || e == "slurm";
            }
            if (!any_named && !has_plain) continue;  // no Slurm tree in this mount: try the next
            if (has_named) scan_v1_tree(sys, join(m, named_tree), ctrl, v1_found);
            if (has_plain && !any_named) scan_v1_tree(sys, join(m, "slurm"), ctrl, v1_found);
            break;  // combined mounts (cpu,cpuacct) are the same tree again
        }
    }

    std::map<std::uint64_t, FoundJob> v2_found;
    const std::string named_scope = std::string(node) + "_" + std::string(kScope);
    for (const auto& m : mounts.v2) {
        std::vector<std::string> named, plain;
        bool any_named = false;
        for (const auto& slice : sys.list_dir(m)) {
            if (!ends_with(slice, ".slice")) continue;
            const std::string slice_dir = join(m, slice);
            for (const auto& s : sys.list_dir(slice_dir)) {
                if (s == kScope) plain.push_back(join(slice_dir, s));
                else if (ends_with(s, "_" + std::string(kScope))) {
                    any_named = true;
                    if (s == named_scope) named.push_back(join(slice_dir, s));
                }
            }
        }
        if (!any_named && plain.empty()) continue;
        for (const auto& s : named) scan_v2_scope(sys, s, v2_found);
        if (!any_named)
            for (const auto& s : plain) scan_v2_scope(sys, s, v2_found);
        break;
    }

    std::vector<FoundJob> out;
    for (auto& [id, f] : v1_found) out.push_back(std::move(f));
    for (auto& [id, f] : v2_found)
        if (!v1_found.count(id)) out.push_back(std::move(f));
    std::sort(out.begin(), out.end(), [](const FoundJob& a, const FoundJob& b) { return a.job_id < b.job_id; });
    return out;
}

}  // namespace fructosa
