#include "collector/sensors/nfs_client.h"

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

namespace {

const std::string mountstats_path = "/proc/self/mountstats";

/// "\040" -> ' ' (the kernel's escaping of blanks and backslashes in mount points).
std::string unescape_octal(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            auto oct = s.substr(i + 1, 3);
            if (oct.find_first_not_of("01234567") == std::string_view::npos) {
                out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

std::vector<MountCounters> parse_mountstats(std::string_view text, std::string_view origin) {
    std::vector<MountCounters> out;
    bool in_nfs = false;
    bool per_op = false;
    for (auto line : split_lines(text)) {
        if (line.starts_with("device ")) {
            in_nfs = per_op = false;
            auto on = line.find(" mounted on ");
            auto with = line.find(" with fstype ");
            if (on == std::string_view::npos || with == std::string_view::npos || with < on)
                parse_error(origin, "unexpected device line: '" + std::string(line) + "'");
            auto fstype_words = split_words(line.substr(with + 13));
            if (fstype_words.empty() || (fstype_words[0] != "nfs" && fstype_words[0] != "nfs4"))
                continue;
            auto device = line.substr(7, on - 7);
            auto mount = unescape_octal(line.substr(on + 12, with - on - 12));
            in_nfs = true;
            MountCounters m;
            m.key = std::string(device) + " " + mount;
            m.name = path_component(mount);
            m.counters["ops"] = 0;
            out.push_back(std::move(m));
            continue;
        }
        if (!in_nfs) continue;
        auto t = trim(line);
        auto& m = out.back();
        const std::string what = m.key;
        if (t.starts_with("bytes:")) {
            auto w = split_words(t.substr(6));
            if (w.size() < 4) parse_error(origin, what + ": short bytes line");
            m.counters["read_bytes"] = to_u64(w[0], origin, what + " normalreadbytes") +
                                       to_u64(w[2], origin, what + " directreadbytes");
            m.counters["write_bytes"] = to_u64(w[1], origin, what + " normalwritebytes") +
                                        to_u64(w[3], origin, what + " directwritebytes");
        } else if (t == "per-op statistics") {
            per_op = true;
        } else if (per_op) {
            auto colon = t.find(':');
            if (colon == std::string_view::npos) continue;
            auto op = t.substr(0, colon);
            auto w = split_words(t.substr(colon + 1));
            if (w.empty())
                parse_error(origin,
                            what + ": per-op line without counts: '" + std::string(t) + "'");
            auto ops = to_u64(w[0], origin, what + " " + std::string(op) + " operations");
            m.counters["ops"] += ops;
            if (op == "READ") m.counters["read_ops"] = ops;
            if (op == "WRITE") m.counters["write_ops"] = ops;
        }
    }
    return out;
}

bool mounts_list_nfs(std::string_view mounts) {
    for (auto line : split_lines(mounts)) {
        auto w = split_words(line);
        if (w.size() >= 3 && (w[2] == "nfs" || w[2] == "nfs4")) return true;
    }
    return false;
}

std::unique_ptr<Sensor> make_nfs_client_sensor(MonotonicClock clock) {
    SensorInfo info{
        "NFSClient",
        "NFS client traffic per mount (/proc/self/mountstats)",
        {{"<mount>.read_bytes_per_s", "bytes/s applications read (page cache and O_DIRECT)"},
         {"<mount>.write_bytes_per_s", "bytes/s applications wrote"},
         {"<mount>.read_ops_per_s", "READ RPCs/s"},
         {"<mount>.write_ops_per_s", "WRITE RPCs/s"},
         {"<mount>.ops_per_s", "RPCs/s of every kind (metadata included)"}},
        {}};
    MountReader read = [](const SystemReader& sys,
                          KeptFiles& files) -> std::optional<std::vector<MountCounters>> {
        // The mount table is cheap (the live reader reads it again only when it changed).
        if (auto table = sys.read_file("/proc/self/mounts"); table && !mounts_list_nfs(*table))
            return std::vector<MountCounters>{};  // what mountstats would give
        std::string text;
        if (!files.read(sys, mountstats_path, text)) return std::nullopt;
        return parse_mountstats(text, mountstats_path);
    };
    return make_mount_rate_sensor(std::move(info), std::move(read), std::move(clock));
}

std::unique_ptr<Sensor> make_nfs_client_sensor() { return make_nfs_client_sensor(steady_seconds); }

}  // namespace fructosa::sensors
