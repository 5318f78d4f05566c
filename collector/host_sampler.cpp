#include "collector/host_sampler.h"

#include <algorithm>
#include <chrono>

namespace fructosa {

double system_wall_clock() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Points readings_to_points(std::string_view base, const Readings& readings, double timestamp) {
    Points out;
    out.reserve(readings.size());
    for (const auto& r : readings) out.push_back(Point{child_path(base, r.field), timestamp, r.value});
    return out;
}

HostSampler::HostSampler(boost::asio::io_context& io, std::string host, std::vector<SensorConfig> sensors,
                         const SystemReader& reader, Sink sink, WallClock clock)
    : io_(io),
      reader_(reader),
      host_(std::move(host)),
      interval_path_(child_path(lagent_series_base(host_), "sample_interval_seconds")),
      sink_(std::move(sink)),
      clock_(std::move(clock)) {
    std::vector<Running> running;
    for (auto& s : sensors) {
        Running r;
        r.base = host_series_base(host_, s.name);
        r.config = std::move(s);
        running.push_back(std::move(r));
    }
    groups_ = make_groups(std::move(running));
}

std::vector<std::unique_ptr<HostSampler::Group>> HostSampler::make_groups(std::vector<Running> sensors) {
    std::vector<std::unique_ptr<Group>> groups;
    for (auto& r : sensors) {
        auto same = std::find_if(groups.begin(), groups.end(),
                                 [&](const auto& g) { return g->interval_s == r.config.interval_s; });
        if (same == groups.end()) {
            groups.push_back(std::make_unique<Group>(io_, reader_));
            groups.back()->interval_s = r.config.interval_s;
            same = groups.end() - 1;
        }
        (*same)->sensors.push_back(std::move(r));
    }
    // Fastest first: its pass is the one the adaptive policy watches. Within a group the
    // sensors keep their configured order, and the groups sample in this order at start.
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a->interval_s < b->interval_s; });
    return groups;
}

void HostSampler::reconfigure(std::vector<SensorConfig> sensors) {
    std::vector<Running> running;
    std::vector<std::size_t> added;  // indexes into `running` of new sensors
    for (auto& s : sensors) {
        Running r;
        bool kept = false;
        for (auto& g : groups_) {
            auto it = std::find_if(g->sensors.begin(), g->sensors.end(),
                                   [&](const Running& x) { return x.config.name == s.name; });
            if (it != g->sensors.end()) {
                r = std::move(*it);
                g->sensors.erase(it);
                kept = true;
                break;
            }
        }
        if (!kept) r.base = host_series_base(host_, s.name);
        r.config = std::move(s);
        if (!kept) added.push_back(running.size());
        running.push_back(std::move(r));
    }
    // New sensors sample at once, in one pass of their own.
    if (!stopped_ && !added.empty()) {
        PassReader pass(reader_);
        pass.begin_pass();
        Points points;
        for (auto i : added) sample_once(running[i].config.interval_s, pass, running[i], points);
        if (!points.empty()) sink_(std::move(points));
    }
    for (auto& g : groups_) {
        *g->live = false;
        g->timer.cancel();
    }
    groups_ = make_groups(std::move(running));
    if (stopped_) return;
    // Every sensor continues on its (new) interval from now.
    auto now = std::chrono::steady_clock::now();
    for (auto& g : groups_) {
        g->last = now;
        g->next = now + effective(*g);
        arm(*g);
    }
}

double HostSampler::interval_of(std::string_view name) const {
    for (const auto& g : groups_)
        for (const auto& r : g->sensors)
            if (r.config.name == name) return r.config.interval_s;
    return 0;
}

std::size_t HostSampler::sensor_count() const {
    std::size_t n = 0;
    for (const auto& g : groups_) n += g->sensors.size();
    return n;
}

double HostSampler::fastest_interval() const { return groups_.empty() ? 0 : groups_.front()->interval_s; }

std::chrono::steady_clock::duration HostSampler::effective(const Group& g) const {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(g.interval_s * factor_));
}

void HostSampler::start() {
    stopped_ = false;
    auto now = std::chrono::steady_clock::now();
    for (auto& g : groups_) {
        g->next = now;
        tick(*g);
    }
}

void HostSampler::stop() {
    stopped_ = true;
    for (auto& g : groups_) g->timer.cancel();
}

void HostSampler::set_interval_factor(double factor) {
    if (factor <= 0 || factor == factor_) return;
    factor_ = factor;
    if (stopped_) return;
    // A group that now waits longer than its new interval since its last pass samples at
    // last + new interval (or at once); one due sooner keeps its turn.
    for (auto& g : groups_) {
        auto due = g->last + effective(*g);
        if (due < g->next) {
            g->next = std::max(due, std::chrono::steady_clock::now());
            arm(*g);
        }
    }
}

void HostSampler::tick(Group& g) {
    g.last = std::chrono::steady_clock::now();
    g.pass.begin_pass();
    g.points.clear();
    for (auto& r : g.sensors) sample_once(g.interval_s, g.pass, r, g.points);
    bool fastest = &g == groups_.front().get();
    if (fastest && observer_) observer_(g.pass, clock_());  // may change factor_
    if (fastest && publish_interval_)
        g.points.push_back(Point{interval_path_, clock_(), g.interval_s * factor_});
    if (!g.points.empty()) {
        sink_(std::move(g.points));
        g.points = Points();
    }
    // Keep to the grid (no drift); after a long stall skip missed ticks instead of bursting.
    auto interval = effective(g);
    g.next += interval;
    if (g.next < g.last) g.next = g.last + interval;
    if (auto now = std::chrono::steady_clock::now(); g.next < now) g.next = now + interval;
    arm(g);
}

void HostSampler::arm(Group& g) {
    g.timer.expires_at(g.next);
    g.timer.async_wait([this, &g, live = g.live](const boost::system::error_code& ec) {
        if (!ec && *live) tick(g);
    });
}

void HostSampler::sample_once(double interval_s, const SystemReader& pass, Running& r, Points& out) {
    const std::string& name = r.config.name;
    double interval = interval_s * factor_;
    try {
        double ts = clock_();
        auto readings = r.config.sensor->sample(pass);
        if (!readings && r.has_read) {
            ++errors_;
            r.complaint.complain(fmt::format("sensor {}: read failed, nothing to read where it read before (tried again "
                                             "in {} s)", name, interval));
            return;
        }
        if (!readings) {
            if (!r.unavailable_reported) {
                log_info("sensor {}: not available on this machine; it stays quiet until it appears", name);
                r.unavailable_reported = true;
            }
            return;
        }
        if (r.unavailable_reported) {
            log_info("sensor {}: now available", name);
            r.unavailable_reported = false;
        }
        // Empty readings are no read yet (the GPU sensor before its first snapshot): a
        // later nullopt then still means "not on this machine".
        if (!readings->empty()) r.has_read = true;
        if (r.complaint.active()) r.complaint.release(fmt::format("sensor {}: working again", name));
        out.reserve(out.size() + readings->size());
        for (const auto& reading : *readings) out.push_back(Point{child_path(r.base, reading.field), ts, reading.value});
    } catch (const std::exception& e) {
        ++errors_;
        r.complaint.complain(fmt::format("sensor {}: {} (tried again in {} s)", name, e.what(), interval));
    }
}

}  // namespace fructosa
