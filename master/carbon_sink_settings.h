#pragma once
/// What a CarbonSink takes: plain values (carbon-c-relay's `server_new(ip, port, qsize)`),
/// filled from `[Graphite]` by lmaster_config.cpp. No Asio here.

#include <chrono>
#include <cstddef>
#include <string>

#include "common/net/backoff.h"
#include "master/carbon_format.h"

namespace fructosa {

/// How points travel to carbon: its pickle receiver (the original's choice) or plaintext.
enum class CarbonProtocol { Pickle, Plaintext };

inline const char* to_string(CarbonProtocol p) { return p == CarbonProtocol::Pickle ? "pickle" : "plaintext"; }

/// One carbon receiver and how to feed it.
struct CarbonSinkSettings {
    std::string host = "localhost";
    int port = 2004;
    CarbonProtocol protocol = CarbonProtocol::Pickle;
    std::string prefix;  ///< prepended with a dot to every path ("" = none)
    std::size_t max_queued_points = 1000000;
    std::chrono::milliseconds min_backoff = net::Backoff::kDefaultFirst;
    std::chrono::milliseconds max_backoff = net::Backoff::kDefaultMax;
    std::size_t points_per_write = kPickleMaxPoints;
};

}  // namespace fructosa
