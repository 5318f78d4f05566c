#include "perad/timeline.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "common/metric_path.h"
#include "perad/time_arg.h"

namespace fructosa {

namespace {

/// Below this many slots a series is stretched to kMinColumns, above kMaxColumns it is
/// squeezed (neighbours averaged): lines of 40 to 60 columns.
constexpr std::size_t kMinColumns = 40;
constexpr std::size_t kMaxColumns = 60;

struct Figure {
    const char* key;
    const char* label;
    enum class Unit { Percent, Bytes, BytesPerS } unit;
    bool fixed_percent;  ///< drawn on 0-100 %, not on its own range
};

const Figure kFigures[] = {
    {"cpu_efficiency_percent", "cpu efficiency", Figure::Unit::Percent, true},
    {"cpu_usage_percent", "cpu usage", Figure::Unit::Percent, false},
    {"memory_percent_of_limit", "memory/limit", Figure::Unit::Percent, true},
    {"memory_bytes", "memory", Figure::Unit::Bytes, false},
    {"io_bytes_per_s", "i/o rate", Figure::Unit::BytesPerS, false},
    {"gpu_utilization_percent", "gpu utilisation", Figure::Unit::Percent, true},
};

const Figure& figure_of(const std::string& key) {
    for (const auto& f : kFigures)
        if (key == f.key) return f;
    return kFigures[0];
}

bool measured(const std::optional<double>& x) { return x && std::isfinite(*x); }

std::string bytes_text(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (std::abs(b) >= 1024 && u < 4) b /= 1024, ++u;
    return u == 0 ? fmt::format("{:.0f} B", b) : fmt::format("{:.1f} {}", b, units[u]);
}

std::string value_text(const Figure& f, double v) {
    switch (f.unit) {
        case Figure::Unit::Percent: return fmt::format("{:.0f}%", v);
        case Figure::Unit::Bytes: return bytes_text(v);
        case Figure::Unit::BytesPerS: return bytes_text(v) + "/s";
    }
    return "";
}

using Points = std::map<double, std::optional<double>>;

Points by_time(const RenderSeries& s) {
    Points p;
    for (const auto& pt : s.points) p[pt.time] = measured(pt.value) ? pt.value : std::nullopt;
    return p;
}

std::optional<double> at(const Points& p, double t) {
    auto it = p.find(t);
    return it == p.end() ? std::nullopt : it->second;
}

TimelineSeries plain(const char* key, const RenderSeries& s) {
    TimelineSeries out{key, {}, {}};
    for (const auto& pt : s.points) {
        out.times.push_back(pt.time);
        out.values.push_back(measured(pt.value) ? pt.value : std::nullopt);
    }
    return out;
}

/// `first` combined slot by slot with `second` (matched by time): a gap where either is.
template <class Combine>
TimelineSeries combined(const char* key, const RenderSeries& first, const RenderSeries& second, Combine combine) {
    Points other = by_time(second);
    TimelineSeries out{key, {}, {}};
    for (const auto& pt : first.points) {
        out.times.push_back(pt.time);
        std::optional<double> b = at(other, pt.time);
        out.values.push_back(measured(pt.value) && b ? std::optional<double>(combine(*pt.value, *b)) : std::nullopt);
    }
    return out;
}

std::optional<double> largest(const RenderSeries& s) {
    std::optional<double> m;
    for (const auto& pt : s.points)
        if (measured(pt.value)) m = m ? std::max(*m, *pt.value) : *pt.value;
    return m;
}

std::string clock_text(double t) {
    std::string s = format_local_time(t);  // YYYY-MM-DD HH:MM:SS
    return s.size() > 11 ? s.substr(11) : s;
}

/// The columns a series of `n` slots is drawn on.
Samples columns_of(const Samples& v) {
    return resample(v, std::clamp(v.size(), kMinColumns, kMaxColumns));
}

struct MinMax {
    std::optional<double> lo, hi;
};

MinMax min_max(const Samples& v) {
    MinMax m;
    for (const auto& x : v)
        if (measured(x)) {
            m.lo = m.lo ? std::min(*m.lo, *x) : *x;
            m.hi = m.hi ? std::max(*m.hi, *x) : *x;
        }
    return m;
}

void print_node(std::ostream& out, const NodeTimeline& n, const std::string& tag, std::size_t host_width) {
    std::string host = n.host + tag;
    bool first = true;
    for (const auto& s : n.series) {
        const Figure& f = figure_of(s.key);
        std::string line;
        MinMax m = min_max(s.values);
        if (!m.lo) {
            line = "(not measured)";
        } else {
            SparkScale scale = f.fixed_percent ? SparkScale{0, 100} : auto_scale(s.values).value_or(SparkScale{});
            line = fmt::format("{}  min {}  max {}", sparkline(columns_of(s.values), scale), value_text(f, *m.lo),
                               value_text(f, *m.hi));
        }
        out << fmt::format("  {:<{}}  {:<15}  {}\n", first ? host : "", host_width, f.label, line);
        first = false;
    }
}

void print_axis(std::ostream& out, const NodeTimeline& n, std::size_t host_width) {
    const TimelineSeries* s = nullptr;
    for (const auto& x : n.series)
        if (!x.times.empty()) s = &x;
    if (!s) return;
    const std::size_t width = columns_of(s->values).size();
    const std::string a = clock_text(s->times.front()), b = clock_text(s->times.back());
    std::string axis = width >= a.size() + b.size() + 2 ? a + std::string(width - a.size() - b.size(), ' ') + b
                                                         : a + " to " + b;
    out << fmt::format("  {:<{}}  {:<15}  {}\n", "", host_width, "", axis);
}

}  // namespace

std::optional<double> NodeTimeline::mean_cpu() const {
    for (const auto& s : series) {
        if (s.key != "cpu_efficiency_percent" && s.key != "cpu_usage_percent") continue;
        double sum = 0;
        std::size_t n = 0;
        for (const auto& x : s.values)
            if (measured(x)) sum += *x, ++n;
        if (n > 0) return sum / static_cast<double>(n);
    }
    return std::nullopt;
}

std::vector<std::string> timeline_targets(std::uint64_t job_id, const std::string& prefix) {
    const std::string base =
        (prefix.empty() ? "" : prefix + ".") + job_series_base(std::to_string(job_id), "*") + ".";
    std::vector<std::string> t;
    for (const char* field : {"cpu.efficiency_percent", "cpu.usage_percent", "memory.current", "memory.limit",
                              "io.read_bytes_per_s", "io.write_bytes_per_s", "gpu.*.util_percent"})
        t.push_back(base + field);
    return t;
}

JobTimeline assemble_timeline(const std::vector<RenderSeries>& series, std::uint64_t job_id,
                              const std::string& prefix) {
    const std::string root = (prefix.empty() ? "" : prefix + ".") + job_root_path(std::to_string(job_id)) + ".";
    std::map<std::string, std::map<std::string, const RenderSeries*>> hosts;  // host -> field -> series
    for (const auto& s : series) {
        if (s.target.rfind(root, 0) != 0) continue;  // not a plain path of this job
        const std::string rest = s.target.substr(root.size());
        const auto dot = rest.find('.');
        if (dot == std::string::npos || dot == 0) continue;
        hosts[rest.substr(0, dot)][rest.substr(dot + 1)] = &s;
    }
    JobTimeline t;
    for (const auto& [host, fields] : hosts) {
        NodeTimeline n{host, {}};
        auto get = [&](const std::string& f) -> const RenderSeries* {
            auto it = fields.find(f);
            return it == fields.end() ? nullptr : it->second;
        };
        if (auto* s = get("cpu.efficiency_percent"))
            n.series.push_back(plain("cpu_efficiency_percent", *s));
        else if (auto* u = get("cpu.usage_percent"))
            n.series.push_back(plain("cpu_usage_percent", *u));
        if (auto* cur = get("memory.current")) {
            const RenderSeries* lim = get("memory.limit");
            // The limit does not change during a job: its largest figure stands for every slot.
            std::optional<double> limit = lim ? largest(*lim) : std::nullopt;
            if (limit && *limit > 0) {
                TimelineSeries m = plain("memory_percent_of_limit", *cur);
                for (auto& v : m.values)
                    if (v) v = *v / *limit * 100;
                n.series.push_back(std::move(m));
            } else {
                n.series.push_back(plain("memory_bytes", *cur));
            }
        }
        const RenderSeries* rd = get("io.read_bytes_per_s");
        const RenderSeries* wr = get("io.write_bytes_per_s");
        if (rd && wr) n.series.push_back(combined("io_bytes_per_s", *rd, *wr, [](double a, double b) { return a + b; }));
        std::vector<Points> gpus;
        const RenderSeries* first_gpu = nullptr;
        for (const auto& [field, s] : fields)
            if (field.rfind("gpu.", 0) == 0 && field.ends_with(".util_percent")) {
                gpus.push_back(by_time(*s));
                if (!first_gpu) first_gpu = s;
            }
        if (first_gpu) {
            // Several GPUs on one node: their mean at each time they were measured.
            TimelineSeries g{"gpu_utilization_percent", {}, {}};
            for (const auto& pt : first_gpu->points) {
                double sum = 0;
                std::size_t k = 0;
                for (const auto& p : gpus)
                    if (auto v = at(p, pt.time)) sum += *v, ++k;
                g.times.push_back(pt.time);
                g.values.push_back(k ? std::optional<double>(sum / static_cast<double>(k)) : std::nullopt);
            }
            n.series.push_back(std::move(g));
        }
        if (!n.series.empty()) t.nodes.push_back(std::move(n));
    }
    return t;
}

TimelineOutcome load_timeline(const std::string& web_url, const std::string& prefix, const JobRecord& job,
                              double now, std::chrono::milliseconds timeout) {
    TimelineOutcome o;
    if (web_url.empty()) {
        o.why_none = "perad.conf sets no [graphite] web url to read the job's series from";
        return o;
    }
    const JobInfo& j = job.info;
    if (!j.start_time) {
        o.why_none = "the registry has no start time for the job";
        return o;
    }
    const double from = *j.start_time;
    const double until = std::max(j.end_time.value_or(now), from + 1);
    try {
        JobTimeline t = assemble_timeline(
            fetch_render(web_url, timeline_targets(j.job_id, prefix), from, until, kTimelineMaxPoints, timeout),
            j.job_id, prefix);
        if (t.nodes.empty()) {
            o.why_none = fmt::format("graphite-web at {} has no series of job {} between {} and {}", web_url,
                                     j.job_id, format_local_time(from), format_local_time(until));
            return o;
        }
        t.source = web_url;
        t.from = from;
        t.until = until;
        for (const auto& n : job.nodes)
            if (std::none_of(t.nodes.begin(), t.nodes.end(), [&](const NodeTimeline& x) { return x.host == n.host; }))
                t.silent.push_back(n.host);
        o.timeline = std::move(t);
    } catch (const std::exception& e) {
        o.why_none = e.what();
    }
    return o;
}

void print_timeline(std::ostream& out, const JobTimeline& t) {
    out << fmt::format("Timeline  (graphite-web {}; {} = not measured)\n", t.source, kSparkGap);
    std::vector<std::pair<const NodeTimeline*, std::string>> drawn;
    if (t.nodes.size() <= kTimelineMaxNodesDrawn) {
        for (const auto& n : t.nodes) drawn.push_back({&n, ""});
    } else {
        // A wide job: the busiest and the idlest node stand for the rest.
        const NodeTimeline *busiest = nullptr, *idlest = nullptr;
        for (const auto& n : t.nodes) {
            auto m = n.mean_cpu();
            if (!m) continue;
            if (!busiest || *m > *busiest->mean_cpu()) busiest = &n;
            if (!idlest || *m < *idlest->mean_cpu()) idlest = &n;
        }
        if (busiest) drawn.push_back({busiest, " (busiest)"});
        if (idlest && idlest != busiest) drawn.push_back({idlest, " (idlest)"});
        if (drawn.empty()) drawn.push_back({&t.nodes.front(), ""});
    }
    std::size_t host_width = 0;
    for (const auto& [n, tag] : drawn) host_width = std::max(host_width, n->host.size() + tag.size());
    for (const auto& [n, tag] : drawn) print_node(out, *n, tag, host_width);
    print_axis(out, *drawn.front().first, host_width);
    if (t.nodes.size() > drawn.size()) {
        std::vector<double> means;
        for (const auto& n : t.nodes)
            if (auto m = n.mean_cpu()) means.push_back(*m);
        std::sort(means.begin(), means.end());
        std::string spread = means.empty()
                                 ? "no node has CPU figures"
                                 : fmt::format("mean CPU per node {:.0f}% to {:.0f}% (median {:.0f}%){}",
                                               means.front(), means.back(), means[means.size() / 2],
                                               means.size() < t.nodes.size()
                                                   ? fmt::format(", {} without", t.nodes.size() - means.size())
                                                   : "");
        out << fmt::format("  {} nodes, {} not drawn: {}; --format json has every node\n", t.nodes.size(),
                           t.nodes.size() - drawn.size(), spread);
    }
    if (!t.silent.empty()) {
        std::string hosts;
        for (const auto& h : t.silent) hosts += (hosts.empty() ? "" : ", ") + h;
        out << "  no series from " << hosts << "\n";
    }
}

nlohmann::json timeline_json(const JobTimeline& t) {
    using json = nlohmann::json;
    json nodes = json::array();
    for (const auto& n : t.nodes) {
        json series = json::object();
        for (const auto& s : n.series) {
            json points = json::array();
            for (std::size_t i = 0; i < s.times.size(); ++i)
                points.push_back({s.times[i], s.values[i] ? json(*s.values[i]) : json(nullptr)});
            series[s.key] = std::move(points);
        }
        nodes.push_back({{"host", n.host}, {"series", std::move(series)}});
    }
    return {{"source", t.source}, {"from", t.from}, {"until", t.until}, {"nodes", std::move(nodes)},
            {"silent_nodes", t.silent}};
}

}  // namespace fructosa
