#include "common/metric_patterns.h"

#include <algorithm>

#include "common/metric_path.h"

namespace fructosa {

MetricPatterns::MetricPatterns(std::string prefix) : prefix_(std::move(prefix)) {
    while (!prefix_.empty() && prefix_.back() == '.') prefix_.pop_back();
    while (!prefix_.empty() && prefix_.front() == '.') prefix_.erase(prefix_.begin());
    depth_ =
        prefix_.empty() ? 0 : 1 + static_cast<int>(std::count(prefix_.begin(), prefix_.end(), '.'));
}

std::string MetricPatterns::prefixed(std::string path) const {
    if (prefix_.empty()) return path;
    return child_path(prefix_, path);
}

std::string MetricPatterns::host(std::string_view host, std::string_view rest) const {
    return prefixed(host_series_base(host, rest));
}

std::string MetricPatterns::job(std::string_view job, std::string_view host,
                                std::string_view rest) const {
    return prefixed(child_path(job_series_base(job, host), rest));
}

std::string MetricPatterns::job_root(std::string_view job) const {
    return prefixed(job_root_path(job));
}

std::string MetricPatterns::jobs_root() const { return prefixed(std::string(kJobsTree)); }

std::string MetricPatterns::lagent(std::string_view host, std::string_view rest) const {
    return prefixed(child_path(lagent_series_base(host), rest));
}

std::string MetricPatterns::lmaster(std::string_view host, std::string_view rest) const {
    return prefixed(child_path(lmaster_series_base(host), rest));
}

std::string MetricPatterns::cluster(std::string_view lmaster, std::string_view rest) const {
    return prefixed(child_path(cluster_series_base(lmaster), rest));
}

std::string MetricPatterns::perad_class(std::string_view job, std::string_view rest) const {
    return prefixed(perad_class_path(job, rest));
}

int MetricPatterns::host_node() const { return depth_ + kHostSeriesHostNode; }

int MetricPatterns::daemon_host_node() const { return depth_ + kSelfSeriesHostNode; }

int MetricPatterns::job_host_node() const { return depth_ + kJobSeriesHostNode; }

int MetricPatterns::perad_class_node() const { return depth_ + kPeradClassNode; }

std::string MetricPatterns::prefix_dot() const { return prefix_.empty() ? "" : prefix_ + "."; }

std::string MetricPatterns::prefix_regex() const {
    std::string out;
    for (char c : prefix_dot()) {
        if (std::string_view(".^$|?*+()[]{}\\/").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

}  // namespace fructosa
