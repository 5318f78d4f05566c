#include "collector/sensors/sysfs_dir.h"

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

std::optional<std::string> SysfsDir::get(const std::string& attr) const {
    auto it = attrs.find(attr);
    if (it == attrs.end()) return std::nullopt;
    return it->second;
}

SysfsDir read_sysfs_dir(const SystemReader& sys, const std::string& dir,
                        const std::function<bool(std::string_view)>& wanted) {
    SysfsDir d;
    d.name = dir.substr(dir.rfind('/') + 1);
    for (const auto& entry : sys.list_dir(dir)) {
        if (!wanted(entry)) continue;
        if (auto v = read_trimmed(sys, dir + "/" + entry)) d.attrs[entry] = *v;
    }
    return d;
}

SysfsDir read_sysfs_attrs(const SystemReader& sys, const std::string& dir,
                          std::initializer_list<std::string_view> names) {
    SysfsDir d;
    d.name = dir.substr(dir.rfind('/') + 1);
    std::string path = dir + "/";
    for (auto name : names) {
        path.resize(dir.size() + 1);
        path.append(name);
        if (auto v = read_trimmed(sys, path)) d.attrs.emplace(std::string(name), std::move(*v));
    }
    return d;
}

}  // namespace fructosa::sensors
