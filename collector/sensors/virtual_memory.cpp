#include "collector/sensors/virtual_memory.h"

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

Readings virtual_memory_readings(const MemInfo& m, std::string_view origin) {
    double total = static_cast<double>(meminfo_required(m, "MemTotal", origin));
    double free = static_cast<double>(meminfo_required(m, "MemFree", origin));
    double buffers = static_cast<double>(meminfo_value(m, "Buffers"));
    double cached =
        static_cast<double>(meminfo_value(m, "Cached") + meminfo_value(m, "SReclaimable"));
    double shared = static_cast<double>(meminfo_value(m, "Shmem", meminfo_value(m, "MemShared")));
    double active = static_cast<double>(meminfo_value(m, "Active"));
    double inactive = static_cast<double>(meminfo_value(m, "Inactive",
                                                        meminfo_value(m, "Inact_dirty") +
                                                            meminfo_value(m, "Inact_clean") +
                                                            meminfo_value(m, "Inact_laundry")));
    double slab = static_cast<double>(meminfo_value(m, "Slab"));

    double used = total - free - cached - buffers;
    if (used < 0) used = total - free;  // as psutil: cached can exceed what is in use (LXC)
    // Kernels before 3.14 lack MemAvailable; psutil's last fallback is free + cached.
    double available = static_cast<double>(
        meminfo_value(m, "MemAvailable", static_cast<std::uint64_t>(free + cached)));
    if (available > total) available = free;

    Readings out;
    add(out, "total", total);
    add(out, "available", available);
    add(out, "percent", percent_of(total - available, total));
    add(out, "used", used);
    add(out, "free", free);
    add(out, "active", active);
    add(out, "inactive", inactive);
    add(out, "buffers", buffers);
    add(out, "cached", cached);
    add(out, "shared", shared);
    add(out, "slab", slab);
    return out;
}

namespace {

class VirtualMemorySensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"VirtualMemory",
                                  "RAM use from /proc/meminfo (psutil's virtual_memory)",
                                  {{"total", "bytes"},
                                   {"available", "bytes (MemAvailable)"},
                                   {"percent", "% not available"},
                                   {"used", "bytes (total - free - buffers - cached)"},
                                   {"free", "bytes"},
                                   {"active", "bytes"},
                                   {"inactive", "bytes"},
                                   {"buffers", "bytes"},
                                   {"cached", "bytes (Cached + SReclaimable)"},
                                   {"shared", "bytes (Shmem)"},
                                   {"slab", "bytes"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        static const std::string path = "/proc/meminfo";
        auto text = sys.read_file(path);
        if (!text) return std::nullopt;
        return virtual_memory_readings(parse_meminfo_once(*text, path), path);
    }
};

}  // namespace

std::unique_ptr<Sensor> make_virtual_memory_sensor() {
    return std::make_unique<VirtualMemorySensor>();
}

}  // namespace fructosa::sensors
