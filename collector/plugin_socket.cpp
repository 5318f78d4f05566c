#include "collector/plugin_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "common/directories.h"

namespace fructosa {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {
constexpr std::size_t kMaxMessage = 64 * 1024;
constexpr std::chrono::seconds kReadDeadline{2};

/// A socket file nobody answers on is left over from a dead lagent.
bool is_stale_socket(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return false;
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " exists and is not a socket: not replacing it");
    asio::io_context io;
    local::socket probe(io);
    boost::system::error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) throw std::runtime_error(path + ": another lagent is listening there");
    return true;
}
}  // namespace

PluginSocket::PluginSocket(asio::io_context& io, std::string path, std::vector<unsigned> allowed_uids,
                           Handler handler)
    : io_(io), path_(std::move(path)), allowed_uids_(std::move(allowed_uids)), handler_(std::move(handler)),
      acceptor_(io),
      pause_timer_(io) {}

void PluginSocket::start() {
    // /run/fructosa is gone after every reboot (tmpfs): make it, 0755 so job users reach the socket.
    ensure_parent_directory(path_, "the plugin socket");
    std::error_code fec;
    if (is_stale_socket(path_)) std::filesystem::remove(path_, fec);
    boost::system::error_code ec;
    acceptor_.open(local(), ec);
    if (!ec) acceptor_.bind(local::endpoint(path_), ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot listen on plugin socket {}: {}", path_, ec.message()));
    // Everyone may connect so that refusals are seen and logged; SO_PEERCRED decides.
    ::chmod(path_.c_str(), 0666);
    log_info("listening for spank_fructosa on {}", path_);
    accept();
}

void PluginSocket::stop() {
    pause_timer_.cancel();
    accepting_ = false;
    boost::system::error_code ec;
    if (acceptor_.is_open()) {
        acceptor_.close(ec);
        std::error_code fec;
        std::filesystem::remove(path_, fec);
    }
}

void PluginSocket::accept() {
    accepting_ = true;
    auto sock = std::make_shared<local::socket>(io_);
    acceptor_.async_accept(*sock, [this, sock](const boost::system::error_code& ec) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) return pause_accepting(ec);
        accept_complaint_.release(fmt::format("accepting on {} again", path_));
        serve(sock);
        accept();
    });
}

void PluginSocket::pause_accepting(const boost::system::error_code& ec) {
    // Trying again at once would fail again at once: a busy loop that also takes the
    // moment a descriptor frees from the sensors.
    accepting_ = false;
    ++accept_pauses_;
    accept_complaint_.complain(fmt::format("cannot accept on {}: {}; pausing {} ms ({} pauses so far)", path_,
                                           ec.message(), kAcceptPause.count(), accept_pauses_));
    pause_timer_.expires_after(kAcceptPause);
    pause_timer_.async_wait([this](const boost::system::error_code& e) {
        if (e || !acceptor_.is_open()) return;
        accept();
    });
}

void PluginSocket::serve(std::shared_ptr<local::socket> sock) {
    struct ucred cred {};
    socklen_t len = sizeof cred;
    if (::getsockopt(sock->native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return;
    bool allowed = cred.uid == 0 ||
                   std::find(allowed_uids_.begin(), allowed_uids_.end(), cred.uid) != allowed_uids_.end();
    if (!allowed) {
        ++refused_;
        refused_complaint_.complain(fmt::format(
            "refused a message on {} from uid {} (pid {}): only root and the SlurmUser may send", path_, cred.uid,
            cred.pid));
        return;  // closing the socket is the answer
    }
    auto buf = std::make_shared<std::string>();
    auto timer = std::make_shared<asio::steady_timer>(io_, kReadDeadline);
    timer->async_wait([sock](const boost::system::error_code& ec) {
        if (!ec) {
            boost::system::error_code ignored;
            sock->close(ignored);
        }
    });
    auto chunk = std::make_shared<std::array<char, 4096>>();
    auto read = std::make_shared<std::function<void()>>();
    *read = [this, sock, buf, timer, chunk, read]() {
        sock->async_read_some(asio::buffer(*chunk), [this, sock, buf, timer, chunk, read](
                                                        const boost::system::error_code& ec, std::size_t n) {
            buf->append(chunk->data(), n);
            auto nl = buf->find('\n');
            bool done = ec || nl != std::string::npos || buf->size() > kMaxMessage;
            if (!done) return (*read)();
            timer->cancel();
            *read = nullptr;  // break the self-reference
            if (nl == std::string::npos && (ec != asio::error::eof || buf->empty())) {
                if (buf->size() > kMaxMessage || (ec && ec != asio::error::eof && !buf->empty())) {
                    ++malformed_;
                    malformed_complaint_.complain(fmt::format("plugin message on {} dropped: {}", path_,
                                                              buf->size() > kMaxMessage ? "too long" : ec.message()));
                }
                return;
            }
            std::string line = buf->substr(0, nl == std::string::npos ? buf->size() : nl);
            try {
                handler_(parse_step_event(line));
            } catch (const StepEventError& e) {
                ++malformed_;
                malformed_complaint_.complain(fmt::format("bad plugin message on {}: {}", path_, e.what()));
            }
        });
    };
    (*read)();
}

}  // namespace fructosa
