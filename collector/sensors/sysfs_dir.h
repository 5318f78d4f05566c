#pragma once
/// A sysfs directory read into memory (attribute name -> trimmed contents), so the
/// NetIFStats, hwmon and battery logic are pure functions of plain data.

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "collector/system_reader.h"

namespace fructosa::sensors {

struct SysfsDir {
    std::string name;                          ///< the directory's own name ("eth0", "hwmon1")
    std::map<std::string, std::string> attrs;  ///< readable attributes only

    /// The attribute, or nullopt when the directory lacks it or it could not be read.
    std::optional<std::string> get(const std::string& attr) const;
};

/// Reads the attributes of `dir` whose names `wanted` accepts; unreadable ones (a
/// subdirectory, EINVAL from a NIC without link speed) are left out.
SysfsDir read_sysfs_dir(const SystemReader& sys, const std::string& dir,
                        const std::function<bool(std::string_view)>& wanted);

/// The same for attributes known by name: each is read directly, without listing the
/// directory (a kernfs readdir per device and sample costs more than the reads). An
/// attribute the directory lacks is absent, as it is from read_sysfs_dir.
SysfsDir read_sysfs_attrs(const SystemReader& sys, const std::string& dir,
                          std::initializer_list<std::string_view> names);

}  // namespace fructosa::sensors
