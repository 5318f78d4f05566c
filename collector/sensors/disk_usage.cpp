#include "collector/sensors/disk_usage.h"

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

Readings disk_usage_readings(const FsUsage& usage, const std::string& prefix) {
    auto name = [&](const char* field) { return prefix.empty() ? field : prefix + "." + field; };
    double used = static_cast<double>(usage.used);
    double free = static_cast<double>(usage.free);
    Readings out;
    add(out, name("total"), static_cast<double>(usage.total));
    add(out, name("used"), used);
    add(out, name("free"), free);
    // Percent of what users can have: blocks reserved for root count neither way.
    add(out, name("percent"), percent_of(used, used + free));
    return out;
}

namespace {

class DiskUsageSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "DiskUsage",
            "size and use of the file systems holding the given paths",
            {{"total", "bytes (one path; several: <path>.total, '/' is 'root', '/a/b' is 'a_b')"},
             {"used", "bytes"},
             {"free", "bytes available to unprivileged users"},
             {"percent", "% used of used + free"}},
            {{"path", "comma-separated paths (default /)"}}};
        return i;
    }
    void configure(SectionReader& options) override {
        paths_ = options.get_list("path", {"/"});
        if (paths_.empty()) options.fail("path", "needs at least one path");
        for (const auto& p : paths_)
            if (p.empty() || p.front() != '/')
                options.fail("path", "'" + p + "' is not an absolute path");
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        Readings out;
        bool any = false;
        for (const auto& p : paths_) {
            auto usage = sys.fs_usage(p);
            if (!usage) continue;  // not mounted (yet): the other paths still count
            any = true;
            auto r = disk_usage_readings(*usage, paths_.size() == 1 ? "" : path_component(p));
            out.insert(out.end(), r.begin(), r.end());
        }
        if (!any) return std::nullopt;
        return out;
    }

  private:
    std::vector<std::string> paths_{"/"};
};

}  // namespace

std::unique_ptr<Sensor> make_disk_usage_sensor() { return std::make_unique<DiskUsageSensor>(); }

}  // namespace fructosa::sensors
