#pragma once
/// The wait between attempts to reach a peer that went away: starts at `first`,
/// doubles after every attempt up to `max`, and starts again from `first` when the
/// owner decides the peer is healthy (what counts as healthy is the owner's call:
/// lmaster acknowledging data, carbon taking a write). No clock and no timer here, so
/// the sequence is tested on its own.

#include <chrono>

namespace fructosa::net {

class Backoff {
public:
    /// 0.2 s doubling to 30 s: what lagent and lmaster have always used.
    static constexpr std::chrono::milliseconds kDefaultFirst{200};
    static constexpr std::chrono::milliseconds kDefaultMax{30000};

    /// `first` is the first delay (> 0); the delay never grows past `max`.
    explicit Backoff(std::chrono::milliseconds first = kDefaultFirst, std::chrono::milliseconds max = kDefaultMax);

    /// The delay to wait now; the one after it is twice as long (at most `max`).
    std::chrono::milliseconds next();
    /// What next() returns, without advancing (for "retrying in N s" messages).
    std::chrono::milliseconds peek() const { return current_; }
    /// Back to `first`: the peer proved healthy.
    void reset() { current_ = first_; }

    std::chrono::milliseconds first() const { return first_; }
    std::chrono::milliseconds max() const { return max_; }

private:
    std::chrono::milliseconds first_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds current_;
};

}  // namespace fructosa::net
