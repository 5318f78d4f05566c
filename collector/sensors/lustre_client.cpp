#include "collector/sensors/lustre_client.h"

#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

namespace {

/// Where llite instances are, newest layout first.
const std::vector<std::string> llite_dirs = {"/sys/kernel/debug/lustre/llite",
                                             "/proc/fs/lustre/llite"};

/// Lines that are times or that count something other than client operations.
bool is_operation(std::string_view name) {
    if (name == "snapshot_time" || name == "start_time" || name == "elapsed_time") return false;
    if (name == "read" || name == "write") return false;  // latencies of the same calls as *_bytes
    if (name.starts_with("osc_") || name.ends_with("_bytes")) return false;
    return true;
}

/// The file system name of an llite instance: up to its last '-'.
std::string_view fsname_of(std::string_view instance) {
    auto dash = instance.rfind('-');
    return dash == std::string_view::npos ? instance : instance.substr(0, dash);
}

}  // namespace

std::map<std::string, std::uint64_t> parse_llite_stats(std::string_view text,
                                                       std::string_view origin) {
    std::map<std::string, std::uint64_t> c{{"read_bytes", 0},
                                           {"write_bytes", 0},
                                           {"read_ops", 0},
                                           {"write_ops", 0},
                                           {"metadata_ops", 0}};
    for (auto line : split_lines(text)) {
        auto w = split_words(line);
        if (w.empty()) continue;
        auto name = w[0];
        if (name == "snapshot_time" || name == "start_time" || name == "elapsed_time") continue;
        if (w.size() < 3 || w[2] != "samples")
            parse_error(origin, "unexpected line: '" + std::string(line) + "'");
        auto count = to_u64(w[1], origin, std::string(name) + " samples");
        if (name == "read_bytes" || name == "write_bytes") {
            // "read_bytes 4 samples [bytes] <min> <max> <sum> [<sumsq>]"
            if (w.size() < 7) parse_error(origin, std::string(name) + ": no sum");
            c[std::string(name)] = to_u64(w[6], origin, std::string(name) + " sum");
            c[name == "read_bytes" ? "read_ops" : "write_ops"] = count;
        } else if (is_operation(name)) {
            c["metadata_ops"] += count;
        }
    }
    c["ops"] = c["read_ops"] + c["write_ops"] + c["metadata_ops"];
    return c;
}

std::optional<std::string> lustre_mount_point(std::string_view mounts, std::string_view instance) {
    const std::string suffix = ":/" + std::string(fsname_of(instance));
    std::optional<std::string> found;
    for (auto line : split_lines(mounts)) {
        auto w = split_words(line);
        if (w.size() < 3 || w[2] != "lustre" || !w[0].ends_with(suffix)) continue;
        if (found) return std::nullopt;  // mounted twice: the stats cannot tell which
        found = std::string(w[1]);
    }
    return found;
}

std::unique_ptr<Sensor> make_lustre_client_sensor(MonotonicClock clock) {
    SensorInfo info{"LustreClient",
                    "Lustre client traffic per mount (llite.*.stats)",
                    {{"<mount>.read_bytes_per_s", "bytes/s read"},
                     {"<mount>.write_bytes_per_s", "bytes/s written"},
                     {"<mount>.read_ops_per_s", "read calls/s"},
                     {"<mount>.write_ops_per_s", "write calls/s"},
                     {"<mount>.metadata_ops_per_s", "open, close, getattr, ... /s"},
                     {"<mount>.ops_per_s", "all of them /s"}},
                    {}};
    MountReader read = [](const SystemReader& sys,
                          KeptFiles& files) -> std::optional<std::vector<MountCounters>> {
        for (const auto& dir : llite_dirs) {
            auto instances = sys.list_dir(dir);
            if (instances.empty()) continue;
            std::string mounts;
            files.read(sys, "/proc/self/mounts", mounts);
            std::vector<MountCounters> out;
            std::string text;
            for (const auto& inst : instances) {
                const std::string path = dir + "/" + inst + "/stats";
                if (!files.read(sys, path, text)) continue;
                MountCounters m;
                m.key = inst;
                auto mount = lustre_mount_point(mounts, inst);
                m.name = mount ? path_component(*mount) : sanitize_component(fsname_of(inst));
                m.counters = parse_llite_stats(text, path);
                out.push_back(std::move(m));
            }
            return out;
        }
        return std::nullopt;
    };
    return make_mount_rate_sensor(std::move(info), std::move(read), std::move(clock));
}

std::unique_ptr<Sensor> make_lustre_client_sensor() {
    return make_lustre_client_sensor(steady_seconds);
}

}  // namespace fructosa::sensors
