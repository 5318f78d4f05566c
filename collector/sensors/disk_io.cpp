#include "collector/sensors/disk_io.h"

#include <algorithm>

#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

namespace {

constexpr std::uint64_t sector_size = 512;  // the unit of diskstats, whatever the device's

enum Field {
    ReadCount,
    WriteCount,
    ReadBytes,
    WriteBytes,
    ReadTime,
    WriteTime,
    ReadMerged,
    WriteMerged,
    Busy
};

}  // namespace

std::vector<DiskStat> parse_diskstats(std::string_view text, std::string_view origin) {
    std::vector<DiskStat> out;
    std::vector<std::string_view> w;
    for (auto line : split_lines(text)) {
        split_words(line, w);
        if (w.empty()) continue;
        DiskStat d;
        if (w.size() < 3)
            parse_error(origin, "diskstats line too short: '" + std::string(line) + "'");
        d.name = std::string(w[2]);
        auto num = [&](std::size_t i, std::string_view what) {
            return to_u64_named(w[i], origin, [&] { return d.name + " " + std::string(what); });
        };
        auto& v = d.values;
        if (w.size() == 14 || w.size() >= 18) {
            v[ReadCount] = num(3, "reads");
            v[ReadMerged] = num(4, "reads merged");
            v[ReadBytes] = num(5, "sectors read") * sector_size;
            v[ReadTime] = num(6, "read time");
            v[WriteCount] = num(7, "writes");
            v[WriteMerged] = num(8, "writes merged");
            v[WriteBytes] = num(9, "sectors written") * sector_size;
            v[WriteTime] = num(10, "write time");
            v[Busy] = num(12, "io time");
        } else if (w.size() == 7) {
            v[ReadCount] = num(3, "reads");
            v[ReadBytes] = num(4, "sectors read") * sector_size;
            v[WriteCount] = num(5, "writes");
            v[WriteBytes] = num(6, "sectors written") * sector_size;
        } else {
            parse_error(origin, d.name + ": unexpected number of fields (" +
                                    std::to_string(w.size()) + ")");
        }
        out.push_back(std::move(d));
    }
    return out;
}

Readings disk_io_readings(const std::vector<DiskStat>& stats,
                          const std::vector<std::string>& whole_disks, bool perdisk) {
    std::array<double, 9> sum{};
    for (const auto& d : stats) {
        if (std::find(whole_disks.begin(), whole_disks.end(), d.name) == whole_disks.end())
            continue;
        for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += static_cast<double>(d.values[i]);
    }
    Readings out;
    for (std::size_t i = 0; i < sum.size(); ++i) add(out, std::string(disk_io_fields[i]), sum[i]);
    if (perdisk)
        for (const auto& d : stats) {
            auto disk = sanitize_component(d.name);
            for (std::size_t i = 0; i < d.values.size(); ++i)
                add(out, disk + "." + std::string(disk_io_fields[i]),
                    static_cast<double>(d.values[i]));
        }
    return out;
}

namespace {

class DiskIoSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "DiskIOCounters",
            "disk I/O since boot, summed over whole disks",
            {{"read_count", "reads completed"},
             {"write_count", "writes completed"},
             {"read_bytes", "bytes read"},
             {"write_bytes", "bytes written"},
             {"read_time", "ms spent reading"},
             {"write_time", "ms spent writing"},
             {"read_merged_count", "adjacent reads merged"},
             {"write_merged_count", "adjacent writes merged"},
             {"busy_time", "ms the device had I/O in flight"},
             {"<disk>.<field>", "the same per disk and partition (perdisk = yes)"}},
            {{"perdisk", "yes: also one set of series per disk (default no)"}}};
        return i;
    }
    void configure(SectionReader& options) override {
        perdisk_ = options.get_bool("perdisk", false);
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        static const std::string path = "/proc/diskstats";
        auto text = sys.read_file(path);
        if (!text) return std::nullopt;
        auto stats = parse_diskstats(*text, path);
        // Whole disks are the entries of /sys/block: one (kept) listing, not a path
        // lookup per disk and sample.
        std::vector<std::string> blocks = sys.list_dir("/sys/block");  // sorted
        std::vector<std::string> whole;
        for (const auto& d : stats) {
            std::string sysfs_name = d.name;  // "cciss/c0d0" is "cciss!c0d0" in sysfs
            std::replace(sysfs_name.begin(), sysfs_name.end(), '/', '!');
            if (std::binary_search(blocks.begin(), blocks.end(), sysfs_name)) whole.push_back(d.name);
        }
        return disk_io_readings(stats, whole, perdisk_);
    }

  private:
    bool perdisk_ = false;
};

}  // namespace

std::unique_ptr<Sensor> make_disk_io_sensor() { return std::make_unique<DiskIoSensor>(); }

}  // namespace fructosa::sensors
