#include "collector/job/job_of_process.h"

#include <charconv>
#include <vector>

namespace fructosa {

namespace {

std::optional<std::uint64_t> number_after(std::string_view s, std::string_view prefix) {
    if (!s.starts_with(prefix) || s.size() == prefix.size()) return std::nullopt;
    std::uint64_t v = 0;
    auto digits = s.substr(prefix.size());
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> job_in_path(std::string_view path) {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        auto slash = path.find('/');
        auto part = path.substr(0, slash);
        if (!part.empty()) parts.push_back(part);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    for (std::size_t i = 1; i < parts.size(); ++i) {
        auto job = number_after(parts[i], "job_");
        if (!job) continue;
        const auto parent = parts[i - 1];
        if (parent == "slurmstepd.scope" || parent.ends_with("_slurmstepd.scope")) return job;
        if (i >= 2 && number_after(parent, "uid_") &&
            (parts[i - 2] == "slurm" || parts[i - 2].starts_with("slurm_")))
            return job;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> slurm_job_of_proc_cgroup(std::string_view text) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        // "hierarchy-id:controllers:path"; the path may itself hold ':'.
        auto c1 = line.find(':');
        auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        if (c2 != std::string_view::npos)
            if (auto job = job_in_path(line.substr(c2 + 1))) return job;
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return std::nullopt;
}

}  // namespace fructosa
