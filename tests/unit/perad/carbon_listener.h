#pragma once
// A stand-in for carbon's plaintext receiver in unit tests: a listening TCP socket on
// 127.0.0.1 that hands back what each connection sent.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace fructosa::test {

/// A listening TCP socket on 127.0.0.1 with a kernel-chosen port. publish() connects,
/// writes and closes before the test accepts: the backlog keeps the connection and its bytes.
class CarbonListener {
public:
    /// `listening = false`: the port is bound but refuses connections until listen().
    explicit CarbonListener(bool listening = true) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || (listening && ::listen(fd_, 8) != 0) ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        port_ = ntohs(a.sin_port);
    }
    ~CarbonListener() { ::close(fd_); }
    /// Graphite comes back: connections to the port are taken from now on.
    void listen() {
        if (::listen(fd_, 8) != 0) throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    int port() const { return port_; }

    /// Whether a connection waits within `ms`.
    bool pending(int ms) const {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, ms) == 1;
    }
    /// Everything the next connection sent until it closed; nullopt when none came within 2 s.
    std::optional<std::string> receive() const {
        if (!pending(2000)) return std::nullopt;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return std::nullopt;
        std::string data;
        char buf[4096];
        ssize_t n;
        while ((n = ::recv(c, buf, sizeof buf, 0)) > 0) data.append(buf, static_cast<std::size_t>(n));
        ::close(c);
        return data;
    }

private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace fructosa::test
