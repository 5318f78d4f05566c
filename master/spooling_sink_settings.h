#pragma once
/// What a SpoolingSink takes: plain values, filled from `[Graphite] spool directory` and
/// `spool max mb` by lmaster_config.cpp. No Asio here.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace fructosa {

/// Where lmaster spools what it acknowledged to agents, and how it drains the spool.
struct SpoolSettings {
    std::string directory = "/var/spool/fructosa/lmaster";
    std::uint64_t max_bytes = 1024ull << 20;
    std::size_t chunk_points = 2000;        ///< read from the spool at a time
    std::size_t low_watermark = 10000;      ///< refill the inner sink below this many queued points
    /// Carbon acknowledges nothing: after a lost connection, what was written to it within
    /// this window before the loss is sent again (it may have died in socket buffers).
    /// Each lost carbon connection therefore duplicates at most this much data.
    std::chrono::milliseconds replay_window{2000};
};

}  // namespace fructosa
