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
    /// ... and of that, only the newest this many bytes of spool records: no more can
    /// have been lost than the two kernels held unacknowledged, lmaster's send buffer and
    /// carbon's receive buffer. 0: this host's largest autotuned ones,
    /// net.ipv4.tcp_wmem max + net.ipv4.tcp_rmem max (4 + 6 MiB with Linux's defaults),
    /// read at start (spool_replay_bytes_default()).
    std::uint64_t replay_max_bytes = 0;
};

}  // namespace fructosa
