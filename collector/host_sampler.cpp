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
    : io_(io), host_(std::move(host)), reader_(reader), sink_(std::move(sink)), clock_(std::move(clock)) {
    for (auto& s : sensors) {
        auto r = std::make_unique<Running>();
        r->config = std::move(s);
        r->timer = std::make_unique<boost::asio::steady_timer>(io_);
        running_.push_back(std::move(r));
    }
}

void HostSampler::start() {
    auto now = std::chrono::steady_clock::now();
    for (auto& r : running_) {
        r->next = now;
        tick(*r);
    }
}

void HostSampler::stop() {
    for (auto& r : running_) r->timer->cancel();
}

void HostSampler::reconfigure(std::vector<SensorConfig> sensors) {
    std::vector<std::unique_ptr<Running>> next;
    auto now = std::chrono::steady_clock::now();
    for (auto& s : sensors) {
        auto same = std::find_if(running_.begin(), running_.end(),
                                 [&](const auto& r) { return r && r->config.name == s.name; });
        if (same != running_.end()) {
            std::unique_ptr<Running> r = std::move(*same);
            r->timer->cancel();
            r->config = std::move(s);
            r->next = now;
            schedule_next(*r);
            next.push_back(std::move(r));
        } else {
            auto r = std::make_unique<Running>();
            r->config = std::move(s);
            r->timer = std::make_unique<boost::asio::steady_timer>(io_);
            r->next = now;
            tick(*r);
            next.push_back(std::move(r));
        }
    }
    for (auto& r : running_) {
        if (!r) continue;  // kept: moved into `next`
        *r->live = false;
        r->timer->cancel();
    }
    running_ = std::move(next);
}

double HostSampler::interval_of(std::string_view name) const {
    for (const auto& r : running_)
        if (r->config.name == name) return r->config.interval_s;
    return 0;
}

void HostSampler::tick(Running& r) {
    sample_once(r);
    schedule_next(r);
}

void HostSampler::schedule_next(Running& r) {
    auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(r.config.interval_s));
    // Keep to the grid (no drift); after a long stall skip missed ticks instead of bursting.
    r.next += interval;
    auto now = std::chrono::steady_clock::now();
    if (r.next < now) r.next = now + interval;
    r.timer->expires_at(r.next);
    r.timer->async_wait([this, &r, live = r.live](const boost::system::error_code& ec) {
        if (!ec && *live) tick(r);
    });
}

void HostSampler::sample_once(Running& r) {
    const std::string& name = r.config.name;
    try {
        double ts = clock_();
        auto readings = r.config.sensor->sample(reader_);
        if (!readings && r.has_read) {
            ++errors_;
            r.complaint.complain(fmt::format("sensor {}: read failed, nothing to read where it read before (tried again "
                                             "in {} s)", name, r.config.interval_s));
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
        r.complaint.release(fmt::format("sensor {}: working again", name));
        if (!readings->empty()) sink_(readings_to_points(host_series_base(host_, name), *readings, ts));
    } catch (const std::exception& e) {
        ++errors_;
        r.complaint.complain(fmt::format("sensor {}: {} (tried again in {} s)", name, e.what(), r.config.interval_s));
    }
}

}  // namespace fructosa
