#pragma once
/// /proc/meminfo, shared by VirtualMemory and SwapMemory.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace fructosa::sensors {

/// Key -> value; "kB" values converted to bytes, unitless ones (HugePages_Total) kept.
using MemInfo = std::map<std::string, std::uint64_t, std::less<>>;

/// Parses /proc/meminfo text; throws naming `origin` on a line without "key: number".
MemInfo parse_meminfo(std::string_view text, std::string_view origin);

/// parse_meminfo, parsed once while the text stays the same (VirtualMemory and
/// SwapMemory read the same /proc/meminfo in one pass).
const MemInfo& parse_meminfo_once(const std::string& text, std::string_view origin);

/// The value of `key`, or `fallback` when the kernel does not report it.
std::uint64_t meminfo_value(const MemInfo& m, std::string_view key, std::uint64_t fallback = 0);

/// The value of `key`; throws naming `origin` when it is missing.
std::uint64_t meminfo_required(const MemInfo& m, std::string_view key, std::string_view origin);

}  // namespace fructosa::sensors
