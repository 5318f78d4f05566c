#pragma once
/// The unix socket on which lagent hears spank_fructosa.so. Only root and the configured
/// SlurmUser uids may send (checked with SO_PEERCRED); anyone else is refused and logged.
/// Each connection carries one line; a slow or silent sender is cut off after a deadline.
/// When accepting fails (out of descriptors: EMFILE, ENFILE), the socket stops accepting
/// for kAcceptPause instead of trying again at once: the waiting connections stay in the
/// listen backlog, and the pause leaves the sensors' reads a chance (no busy loop).

#include <chrono>
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
    /// How long accepting pauses after a failed accept.
    static constexpr std::chrono::milliseconds kAcceptPause{250};
    std::uint64_t refused() const { return refused_; }    ///< senders other than root and the SlurmUser
    std::uint64_t malformed() const { return malformed_; }  ///< too long, cut off, bad JSON, bad field
    std::uint64_t accept_pauses() const { return accept_pauses_; }  ///< accepts failed, each a pause
    /// False while accepting pauses after a failed accept.
    bool accepting() const { return accepting_; }
    const std::string& path() const { return path_; }

private:
    void accept();
    void pause_accepting(const boost::system::error_code& ec);
    void serve(std::shared_ptr<boost::asio::local::stream_protocol::socket> sock);

    boost::asio::io_context& io_;
    std::string path_;
    std::vector<unsigned> allowed_uids_;
    Handler handler_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer pause_timer_;
    bool accepting_ = false;
    std::uint64_t refused_ = 0;
    std::uint64_t malformed_ = 0;
    std::uint64_t accept_pauses_ = 0;
    Complaint refused_complaint_;
    Complaint malformed_complaint_;
    Complaint accept_complaint_;
};

}  // namespace fructosa
