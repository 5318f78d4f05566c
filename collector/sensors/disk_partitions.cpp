#include "collector/sensors/disk_partitions.h"

#include <chrono>

#include <algorithm>

#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

std::string decode_mount_field(std::string_view field) {
    std::string out;
    out.reserve(field.size());
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            auto oct = field.substr(i + 1, 3);
            bool digits =
                std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; });
            if (digits) {
                out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += field[i];
    }
    return out;
}

std::vector<Mount> parse_mounts(std::string_view text, std::string_view origin) {
    std::vector<Mount> out;
    for (auto line : split_lines(text)) {
        auto words = split_words(line);
        if (words.empty()) continue;
        if (words.size() < 4)
            parse_error(origin, "mount line with fewer than 4 fields: '" + std::string(line) + "'");
        out.push_back(Mount{decode_mount_field(words[0]), decode_mount_field(words[1]),
                            decode_mount_field(words[2]), decode_mount_field(words[3])});
    }
    return out;
}

std::vector<std::string> parse_physical_fstypes(std::string_view text) {
    std::vector<std::string> out;
    for (auto line : split_lines(text)) {
        auto words = split_words(line);
        if (words.size() == 1)
            out.emplace_back(words[0]);
        else if (words.size() == 2 && words[0] == "nodev" && words[1] == "zfs")
            out.emplace_back("zfs");
    }
    return out;
}

std::vector<Mount> physical_partitions(const std::vector<Mount>& mounts,
                                       const std::vector<std::string>& fstypes) {
    std::vector<Mount> out;
    for (const auto& m : mounts) {
        if (m.device.empty() || m.device == "none") continue;
        if (std::find(fstypes.begin(), fstypes.end(), m.fstype) == fstypes.end()) continue;
        out.push_back(m);
    }
    return out;
}

namespace {

bool is_readonly(std::string_view options) {
    while (!options.empty()) {
        auto comma = options.find(',');
        if (options.substr(0, comma) == "ro") return true;
        if (comma == std::string_view::npos) break;
        options.remove_prefix(comma + 1);
    }
    return false;
}

/// Adds `amount` to the reading `field`, creating it at the end when new.
void bump(Readings& out, const std::string& field, double amount, bool replace = false) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const Reading& r) { return r.field == field; });
    if (it == out.end())
        out.push_back(Reading{field, amount});
    else
        it->value = replace ? amount : it->value + amount;
}

}  // namespace

Readings disk_partitions_readings(const std::vector<Mount>& partitions) {
    Readings out;
    add(out, "count", static_cast<double>(partitions.size()));
    for (const auto& p : partitions) bump(out, "fstype." + sanitize_component(p.fstype), 1);
    for (const auto& p : partitions)
        bump(out, path_component(p.mountpoint) + ".readonly", is_readonly(p.options) ? 1 : 0, true);
    return out;
}

namespace {

class DiskPartitionsSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "DiskPartitions",
            "mounted physical file systems",
            {{"count", "mounted partitions"},
             {"fstype.<type>", "partitions of that file system type"},
             {"<mount point>.readonly",
              "1 when mounted read-only ('/' is 'root', '/a/b c' is 'a_b_c')"}},
            {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        static const std::string mounts = "/proc/self/mounts";
        static const std::string filesystems = "/proc/filesystems";
        auto m = sys.read_file(mounts);
        if (!m) return std::nullopt;
        // /proc/filesystems changes only when a file system module loads: every 5 minutes is enough.
        auto now = std::chrono::steady_clock::now();
        if (!fstypes_ || now - fstypes_read_ > std::chrono::minutes(5)) {
            auto f = sys.read_file(filesystems);
            if (!f) return std::nullopt;
            auto types = parse_physical_fstypes(*f);
            if (fstypes_ != types) kept_text_.clear();  // the readings depend on them too
            fstypes_ = std::move(types);
            fstypes_read_ = now;
        }
        // The readings are a function of the table's text: parsed again only when it changed.
        if (kept_text_.empty() || *m != kept_text_) {
            kept_ = disk_partitions_readings(physical_partitions(parse_mounts(*m, mounts), *fstypes_));
            kept_text_ = std::move(*m);
        }
        return kept_;
    }

  private:
    std::string kept_text_;  ///< the mount table the kept readings were made from
    Readings kept_;
    std::optional<decltype(parse_physical_fstypes(""))> fstypes_;
    std::chrono::steady_clock::time_point fstypes_read_{};
};

}  // namespace

std::unique_ptr<Sensor> make_disk_partitions_sensor() {
    return std::make_unique<DiskPartitionsSensor>();
}

}  // namespace fructosa::sensors
