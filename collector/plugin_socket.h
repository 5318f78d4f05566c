#pragma once
/// The unix socket on which lagent hears spank_fructosa.so. Only root and the configured
/// SlurmUser uids may send (checked with SO_PEERCRED); anyone else is refused and logged.
/// Each connection carries one line; a slow or silent sender is cut off after a deadline.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "collector/step_event.h"
#include "common/logging.h"

namespace fructosa {

class PluginSocket {
public:
    using Handler = std::function<void(const StepEvent&)>;

    PluginSocket(boost::asio::io_context& io, std::string path, std::vector<unsigned> allowed_uids, Handler handler);
    /// Binds and listens. Replaces a stale socket file; refuses to replace a live one or a
    /// non-socket. Throws std::runtime_error with the reason.
    void start();
    void stop();
    std::uint64_t refused() const { return refused_; }
    std::uint64_t malformed() const { return malformed_; }
    const std::string& path() const { return path_; }

private:
    void accept();
    void serve(std::shared_ptr<boost::asio::local::stream_protocol::socket> sock);

    boost::asio::io_context& io_;
    std::string path_;
    std::vector<unsigned> allowed_uids_;
    Handler handler_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::uint64_t refused_ = 0;
    std::uint64_t malformed_ = 0;
    Complaint refused_complaint_;
    Complaint malformed_complaint_;
};

}  // namespace fructosa
