#include "common/net/backoff.h"

#include <algorithm>

namespace fructosa::net {

Backoff::Backoff(std::chrono::milliseconds first, std::chrono::milliseconds max)
    : first_(first), max_(max), current_(first) {}

std::chrono::milliseconds Backoff::next() {
    std::chrono::milliseconds now = current_;
    current_ = std::min(current_ * 2, max_);
    return now;
}

}  // namespace fructosa::net
