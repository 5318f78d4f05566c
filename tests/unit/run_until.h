#pragma once
/// Drives an io_context from the test thread until a condition holds, for tests of classes
/// that run on timers and sockets.

#include <boost/asio/io_context.hpp>
#include <chrono>

namespace fructosa::test {

/// Runs `io` in short slices until `done()` or `limit` has passed; true when done.
template <typename Pred>
bool run_until(boost::asio::io_context& io, Pred done,
               std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(std::chrono::milliseconds(5));
    }
    return done();
}

}  // namespace fructosa::test
