#include "dashboards/metric_paths.h"

#include <algorithm>

namespace fructosa {

MetricPaths::MetricPaths(std::string prefix) : prefix_(std::move(prefix)) {
    while (!prefix_.empty() && prefix_.back() == '.') prefix_.pop_back();
    while (!prefix_.empty() && prefix_.front() == '.') prefix_.erase(prefix_.begin());
    depth_ = prefix_.empty() ? 0 : 1 + static_cast<int>(std::count(prefix_.begin(), prefix_.end(), '.'));
}

std::string MetricPaths::join(std::initializer_list<std::string_view> parts) const {
    std::string out = prefix_;
    for (auto p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out += '.';
        out += p;
    }
    return out;
}

std::string MetricPaths::host(std::string_view host, std::string_view rest) const { return join({host, rest}); }

std::string MetricPaths::job(std::string_view job, std::string_view host, std::string_view rest) const {
    return join({"jobs", job, host, rest});
}

std::string MetricPaths::job_root(std::string_view job) const { return join({"jobs", job}); }

std::string MetricPaths::jobs_root() const { return join({"jobs"}); }

std::string MetricPaths::lagent(std::string_view host, std::string_view rest) const {
    return join({"fructosa", "lagent", host, rest});
}

std::string MetricPaths::lmaster(std::string_view host, std::string_view rest) const {
    return join({"fructosa", "lmaster", host, rest});
}

std::string MetricPaths::perad_class(std::string_view job, std::string_view rest) const {
    return join({"fructosa", "perad", "jobs", job, "class", rest});
}

std::string MetricPaths::prefix_dot() const { return prefix_.empty() ? "" : prefix_ + "."; }

std::string MetricPaths::prefix_regex() const {
    std::string out;
    for (char c : prefix_dot()) {
        if (std::string_view(".^$|?*+()[]{}\\/").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

}  // namespace fructosa
