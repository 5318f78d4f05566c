#include "master/cluster_aggregator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/job_event.h"
#include "common/metric_path.h"

namespace fructosa {

namespace {

/// Heat map buckets: (ub-10, ub] percent, 0 counted in the first.
constexpr int kBucketWidth = 10;
constexpr int kBuckets = 10;

int bucket_of(double percent) {
    int b = static_cast<int>(std::ceil(percent / kBucketWidth));
    return std::clamp(b, 1, kBuckets);
}

/// `field` against a NodeFigure's pattern ("x", "*", "*.suffix").
bool field_matches(std::string_view pattern, std::string_view field) {
    if (pattern == "*") return !field.empty() && field.find('.') == std::string_view::npos;
    if (pattern.starts_with("*.")) {
        std::string_view suffix = pattern.substr(1);  // ".suffix"
        if (field.size() <= suffix.size() || !field.ends_with(suffix)) return false;
        std::string_view head = field.substr(0, field.size() - suffix.size());
        return head.find('.') == std::string_view::npos;
    }
    return pattern == field;
}

std::optional<std::uint64_t> job_id_of(std::string_view digits) {
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return id;
}

}  // namespace

ClusterAggregator::ClusterAggregator(AggregateSettings settings, std::string lmaster)
    : settings_(settings), base_(cluster_series_base(lmaster)) {}

ClusterAggregator::Node* ClusterAggregator::node(std::string_view host, double now) {
    auto it = nodes_.find(host);
    if (it == nodes_.end()) {
        if (nodes_.size() >= settings_.max_nodes) return nullptr;
        it = nodes_.emplace(std::string(host), Node{}).first;
        stats_.nodes_tracked = nodes_.size();
    }
    it->second.last_seen = std::max(it->second.last_seen, now);
    return &it->second;
}

void ClusterAggregator::observe(const Points& points, double now) {
    // A batch is one agent's: look its node up once per run of points of one host.
    std::string_view last_host;  // a view into an earlier point of `points`
    Node* last = nullptr;
    bool looked_up = false;
    for (const Point& p : points) {
        auto owner = parse_metric_path(p.path);
        if (!owner) continue;
        if (owner->tree != MetricTree::Host && owner->tree != MetricTree::Job && owner->tree != MetricTree::Lagent)
            continue;  // lmaster's and perad's own series
        if (p.timestamp < now - settings_.reporting_window) {
            ++stats_.points_late;  // a replay from a spool: not this interval's news
            continue;
        }
        if (!looked_up || owner->host != last_host) {
            last = node(owner->host, now);  // nullptr beyond `max nodes`
            last_host = owner->host;
            looked_up = true;
        }
        if (!last) {
            ++stats_.points_over_max_nodes;
            continue;
        }
        switch (owner->tree) {
            case MetricTree::Host:
                observe_host_point(*last, std::string_view(p.path).substr(owner->host.size() + 1), p);
                break;
            case MetricTree::Job: observe_job_point(*last, owner->job, now); break;
            case MetricTree::Lagent: {
                // fructosa.lagent.<host>.<name>, without building the base
                std::string_view name = std::string_view(p.path).substr(
                    kSelfTree.size() + kLagentBranch.size() + owner->host.size() + 3);
                for (std::size_t i = 0; i < kLagentFigures.size(); ++i)
                    if (name == kLagentFigures[i]) last->lagent[i] = Latest{p.value, now};
                break;
            }
            default: break;
        }
    }
}

void ClusterAggregator::observe_host_point(Node& n, std::string_view rest, const Point& p) {
    std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return;
    std::string_view sensor = rest.substr(0, dot);
    std::string_view field = rest.substr(dot + 1);
    for (std::size_t i = 0; i < kNodeFigures.size(); ++i) {
        const NodeFigure& f = kNodeFigures[i];
        if (sensor != f.sensor || !field_matches(f.field, field)) continue;
        if (!std::isfinite(p.value)) return;
        if (f.kind == FigureKind::Mean) {
            n.interval[i].sum += p.value;
            ++n.interval[i].count;
        } else {
            auto& prev = n.previous[i];
            // A counter that went back (reboot, lagent restart) starts over: no rate from it.
            if (prev && p.timestamp > prev->second && p.value >= prev->first) {
                n.interval[i].sum += (p.value - prev->first) / (p.timestamp - prev->second);
                ++n.interval[i].count;
            }
            if (!prev || p.timestamp > prev->second) prev = std::make_pair(p.value, p.timestamp);
        }
        return;
    }
}

void ClusterAggregator::observe_job_point(Node& n, std::string_view job, double now) {
    auto id = job_id_of(job);
    if (!id) return;
    for (auto& j : n.jobs)
        if (j.job == *id) {
            j.last_seen = now;
            return;
        }
    if (n.jobs.size() >= kMaxJobsPerNode) {
        ++stats_.job_nodes_refused;
        return;
    }
    n.jobs.push_back({*id, now});
}

void ClusterAggregator::on_job_event(std::string_view host, const std::string& json_text, double now) {
    JobEvent e;
    try {
        e = job_event_from_json(nlohmann::json::parse(json_text));
    } catch (const std::exception&) {
        return;  // JobEventHandler counts and logs bad events; nothing to aggregate here
    }
    Node* n = node(host, now);
    std::string partition = e.meta.partition.empty() ? std::string() : sanitize_component(e.meta.partition);
    if (!partition.empty()) {
        if (n) n->partition = partition;
        auto it = job_partitions_.find(e.job_id);
        if (it != job_partitions_.end())
            it->second = {partition, now};
        else if (job_partitions_.size() < settings_.max_nodes)
            job_partitions_.emplace(e.job_id, JobPartition{partition, now});
    }
    if (n && e.kind == JobEvent::Kind::JobEnd)
        for (auto& j : n->jobs)
            if (j.job == e.job_id) j.ended = true;  // a short job still counts in this interval
}

Points ClusterAggregator::report(double now) {
    Points out;
    // Stamped at the start of the interval's slot, so that the reports of several
    // lmasters land in the same whisper slot and sumSeries adds them up.
    const double stamp = std::floor(now / settings_.interval) * settings_.interval;
    auto add = [&](std::string_view name, double value) {
        out.push_back(Point{child_path(base_, name), stamp, value});
    };
    const double window_start = now - settings_.reporting_window;

    struct Totals {
        std::uint64_t nodes = 0;
        std::array<Accumulator, kNodeFigures.size()> figures{};
        std::set<std::uint64_t> jobs;
    };
    Totals cluster;
    std::map<std::string, Totals> partitions;
    std::array<std::uint64_t, kBuckets> cpu_buckets{}, memory_buckets{};
    std::array<Accumulator, kLagentFigures.size()> lagents{};
    std::uint64_t silent = 0, job_nodes = 0;
    std::set<std::uint64_t> live_jobs;  // on some node, whether reporting or not
    std::set<std::string> refused_partitions;
    auto totals_of = [&](const std::string& name) -> Totals* {
        auto p = partitions.find(name);
        if (p != partitions.end()) return &p->second;
        if (partitions.size() >= kMaxPartitions) {
            refused_partitions.insert(name);
            return nullptr;
        }
        return &partitions.emplace(name, Totals{}).first->second;
    };

    for (auto it = nodes_.begin(); it != nodes_.end();) {
        Node& n = it->second;
        if (n.last_seen < now - settings_.forget_after) {
            ++stats_.nodes_expired;
            it = nodes_.erase(it);
            continue;
        }
        const std::string& host = it->first;
        for (std::size_t i = 0; i < kNodeFigures.size(); ++i) {
            if (n.interval[i].count == 0) continue;
            n.latest[i] = Latest{n.interval[i].sum / static_cast<double>(n.interval[i].count), now};
            n.interval[i] = {};
            if (i == kCpuFigure)
                out.push_back(Point{child_path(host_series_base(host, kNodeFiguresSensor), "cpu_percent_mean"),
                                    stamp, n.latest[i].value});
        }
        std::erase_if(n.jobs, [&](const JobOnNode& j) { return j.last_seen < window_start; });
        for (const auto& j : n.jobs) live_jobs.insert(j.job);
        // Jobs that ended count in this report, not in the next.
        auto drop_ended = [&n] { std::erase_if(n.jobs, [](const JobOnNode& j) { return j.ended; }); };
        if (n.last_seen < window_start) {
            ++silent;
            drop_ended();
            ++it;
            continue;
        }
        Totals* part = n.partition.empty() ? nullptr : totals_of(n.partition);
        ++cluster.nodes;
        if (part) ++part->nodes;
        for (std::size_t i = 0; i < kNodeFigures.size(); ++i) {
            if (n.latest[i].time < window_start) continue;  // never measured, or no longer
            double v = n.latest[i].value;
            cluster.figures[i].sum += v;
            ++cluster.figures[i].count;
            if (part) part->figures[i].sum += v, ++part->figures[i].count;
            if (i == kCpuFigure) ++cpu_buckets[bucket_of(v) - 1];
            if (i == kMemoryFigure) ++memory_buckets[bucket_of(v) - 1];
        }
        for (std::size_t i = 0; i < kLagentFigures.size(); ++i)
            if (n.lagent[i].time >= window_start) lagents[i].sum += n.lagent[i].value, ++lagents[i].count;
        for (const auto& j : n.jobs) {
            ++job_nodes;
            cluster.jobs.insert(j.job);
            auto jp = job_partitions_.find(j.job);
            if (jp == job_partitions_.end()) continue;
            if (Totals* p = totals_of(jp->second.partition)) p->jobs.insert(j.job);
        }
        drop_ended();
        ++it;
    }
    std::erase_if(job_partitions_, [&](const auto& kv) {
        return kv.second.time < window_start && !live_jobs.count(kv.first);
    });
    stats_.nodes_tracked = nodes_.size();

    add("nodes_reporting", static_cast<double>(cluster.nodes));
    add("nodes_silent", static_cast<double>(silent));
    auto add_figures = [&](const std::string& prefix, const Totals& t, bool all) {
        for (std::size_t i = 0; i < kNodeFigures.size(); ++i) {
            if (!all && i != kCpuFigure && i != kMemoryFigure) continue;
            std::string name = prefix + std::string(kNodeFigures[i].name);
            // A sum over no node is not a measured zero: left out, the count says why.
            if (t.figures[i].count > 0) add(name + "_sum", t.figures[i].sum);
            add(name + "_count", static_cast<double>(t.figures[i].count));
        }
    };
    add_figures("", cluster, true);
    for (int b = 0; b < kBuckets; ++b) {
        add(fmt::format("cpu_percent_nodes.{}", (b + 1) * kBucketWidth), static_cast<double>(cpu_buckets[b]));
        add(fmt::format("memory_percent_nodes.{}", (b + 1) * kBucketWidth), static_cast<double>(memory_buckets[b]));
    }
    add("jobs_running", static_cast<double>(cluster.jobs.size()));
    add("job_nodes", static_cast<double>(job_nodes));
    for (std::size_t i = 0; i < kLagentFigures.size(); ++i)
        if (lagents[i].count > 0) add("lagents." + std::string(kLagentFigures[i]), lagents[i].sum);
    for (const auto& [name, t] : partitions) {
        std::string prefix = "partition." + name + ".";
        add(prefix + "nodes_reporting", static_cast<double>(t.nodes));
        add_figures(prefix, t, false);
        add(prefix + "jobs_running", static_cast<double>(t.jobs.size()));
    }
    stats_.partitions_refused = refused_partitions.size();

    add("nodes_tracked", static_cast<double>(stats_.nodes_tracked));
    add("points_over_max_nodes", static_cast<double>(stats_.points_over_max_nodes));
    add("nodes_expired", static_cast<double>(stats_.nodes_expired));
    add("job_nodes_refused", static_cast<double>(stats_.job_nodes_refused));
    add("points_late", static_cast<double>(stats_.points_late));
    add("partitions_refused", static_cast<double>(stats_.partitions_refused));
    return out;
}

}  // namespace fructosa
