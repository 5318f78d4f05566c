#include "collector/sensors/swap_memory.h"

#include <unistd.h>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

SwapCounts parse_vmstat_swap(std::string_view text, std::string_view origin) {
    std::optional<std::uint64_t> in, out;
    // Two of vmstat's ~180 lines: only those are split into words.
    for (auto line : split_lines(text)) {
        if (!line.starts_with("pswp")) continue;
        auto words = split_words(line);
        if (words.size() != 2) continue;
        if (words[0] == "pswpin") in = to_u64(words[1], origin, "pswpin");
        if (words[0] == "pswpout") out = to_u64(words[1], origin, "pswpout");
    }
    if (!in) parse_error(origin, "no 'pswpin' line");
    if (!out) parse_error(origin, "no 'pswpout' line");
    return {*in, *out};
}

Readings swap_memory_readings(const MemInfo& m, const std::optional<SwapCounts>& counts,
                              std::uint64_t page_size, std::string_view origin) {
    double total = static_cast<double>(meminfo_required(m, "SwapTotal", origin));
    double free = static_cast<double>(meminfo_required(m, "SwapFree", origin));
    double used = total - free;
    Readings out;
    add(out, "total", total);
    add(out, "used", used);
    add(out, "free", free);
    add(out, "percent", percent_of(used, total));
    if (counts) {
        add(out, "sin", static_cast<double>(counts->pages_in * page_size));
        add(out, "sout", static_cast<double>(counts->pages_out * page_size));
    }
    return out;
}

namespace {

class SwapMemorySensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"SwapMemory",
                                  "swap space and swap traffic",
                                  {{"total", "bytes"},
                                   {"used", "bytes"},
                                   {"free", "bytes"},
                                   {"percent", "% used"},
                                   {"sin", "bytes swapped in since boot"},
                                   {"sout", "bytes swapped out since boot"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        static const std::string meminfo = "/proc/meminfo";
        static const std::string vmstat = "/proc/vmstat";
        auto text = sys.read_file(meminfo);
        if (!text) return std::nullopt;
        std::optional<SwapCounts> counts;
        if (auto v = sys.read_file(vmstat)) counts = parse_vmstat_swap(*v, vmstat);
        long page = ::sysconf(_SC_PAGESIZE);
        return swap_memory_readings(parse_meminfo_once(*text, meminfo), counts,
                                    page > 0 ? static_cast<std::uint64_t>(page) : 4096, meminfo);
    }
};

}  // namespace

std::unique_ptr<Sensor> make_swap_memory_sensor() { return std::make_unique<SwapMemorySensor>(); }

}  // namespace fructosa::sensors
