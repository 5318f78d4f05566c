#include "common/metric_path.h"

#include <array>
#include <charconv>
#include <initializer_list>

#include "common/metric.h"

namespace fructosa {

namespace {

/// The non-empty `parts` joined with '.', in one allocation.
std::string joined(std::initializer_list<std::string_view> parts) {
    std::size_t size = 0;
    for (auto p : parts) size += p.size() + 1;
    std::string out;
    out.reserve(size);
    for (auto p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out += '.';
        out += p;
    }
    return out;
}

/// A job id's decimal digits, held by the caller (no allocation).
class JobIdText {
  public:
    explicit JobIdText(std::uint64_t id)
        : size_(std::to_chars(buf_.data(), buf_.data() + buf_.size(), id).ptr - buf_.data()) {}
    std::string_view view() const { return {buf_.data(), static_cast<std::size_t>(size_)}; }

  private:
    std::array<char, kMaxJobIdDigits> buf_{};
    std::ptrdiff_t size_;
};

bool valid_job_id(std::string_view text) {
    if (text.empty() || text.size() > kMaxJobIdDigits) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

/// True when a path of `levels` components has at least one below `node`.
bool has_below(std::size_t levels, int node) { return levels > static_cast<std::size_t>(node) + 1; }

}  // namespace

std::string child_path(std::string_view base, std::string_view child) {
    return joined({base, child});
}

std::string host_series_base(std::string_view host, std::string_view sensor) {
    return joined({host, sensor});
}

std::string job_root_path(std::string_view job) { return joined({kJobsTree, job}); }

std::string job_series_base(std::string_view job, std::string_view host) {
    return joined({kJobsTree, job, host});
}

std::string job_series_base(std::uint64_t job_id, std::string_view host) {
    return job_series_base(JobIdText(job_id).view(), host);
}

std::string lagent_series_base(std::string_view host) {
    return joined({kSelfTree, kLagentBranch, host});
}

std::string lmaster_series_base(std::string_view host) {
    return joined({kSelfTree, kLmasterBranch, host});
}

std::string cluster_series_base(std::string_view lmaster) {
    return joined({kSelfTree, kClusterBranch, lmaster});
}

std::string perad_class_path(std::string_view job, std::string_view job_class) {
    return joined({kSelfTree, kPeradBranch, kJobsTree, job, kClassLevel, job_class});
}

std::string perad_class_path(std::uint64_t job_id, std::string_view job_class) {
    return perad_class_path(JobIdText(job_id).view(), job_class);
}

bool is_tree_name(std::string_view name) { return name == kJobsTree || name == kSelfTree; }

std::optional<PathOwner> parse_metric_path(std::string_view path) {
    // The first levels (as many as the deepest fixed shape has), and how many there are.
    std::array<std::string_view, kPeradClassNode + 1> level{};
    std::size_t levels = 0;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = path.find('.', start);
        std::string_view part =
            path.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (!component_is_safe(part)) return std::nullopt;
        if (levels < level.size()) level[levels] = part;
        ++levels;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }

    if (level[0] == kJobsTree) {
        std::string_view job = level[kJobSeriesJobNode];
        if (!valid_job_id(job) || !has_below(levels, kJobSeriesHostNode)) return std::nullopt;
        return PathOwner{MetricTree::Job, level[kJobSeriesHostNode], job};
    }
    if (level[0] == kSelfTree) {
        if (level[1] == kPeradBranch) {
            std::string_view job = level[kPeradClassJobNode];
            if (levels != level.size() || level[2] != kJobsTree || !valid_job_id(job) ||
                level[4] != kClassLevel)
                return std::nullopt;
            return PathOwner{MetricTree::PeradClass, {}, job};
        }
        MetricTree tree;
        if (level[1] == kLagentBranch)
            tree = MetricTree::Lagent;
        else if (level[1] == kLmasterBranch)
            tree = MetricTree::Lmaster;
        else
            return std::nullopt;
        if (!has_below(levels, kSelfSeriesHostNode)) return std::nullopt;
        return PathOwner{tree, level[kSelfSeriesHostNode], {}};
    }
    if (!has_below(levels, kHostSeriesHostNode)) return std::nullopt;
    return PathOwner{MetricTree::Host, level[kHostSeriesHostNode], {}};
}

}  // namespace fructosa
