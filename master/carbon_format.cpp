#include "master/carbon_format.h"

#include <bit>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace fructosa {

namespace {

constexpr double kMaxTimestamp = 9007199254740992.0;  // 2^53: whole seconds stay exact

// Pickle opcodes (Python's Lib/pickle.py).
constexpr char kProto = '\x80';
constexpr char kEmptyList = ']';
constexpr char kMark = '(';
constexpr char kAppends = 'e';
constexpr char kBinUnicode = 'X';
constexpr char kBinInt = 'J';
constexpr char kBinFloat = 'G';
constexpr char kTuple2 = '\x86';
constexpr char kStop = '.';

void put_le32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_be(std::string& out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_binfloat(std::string& out, double v) {
    out += kBinFloat;
    put_be(out, std::bit_cast<std::uint64_t>(v), 8);
}

/// One (path, (timestamp, value)) tuple, as it goes between MARK and APPENDS.
void put_point(std::string& out, std::string_view prefix, const Point& p) {
    out += kBinUnicode;
    std::size_t len = p.path.size() + (prefix.empty() ? 0 : prefix.size() + 1);
    put_le32(out, static_cast<std::uint32_t>(len));
    if (!prefix.empty()) {
        out += prefix;
        out += '.';
    }
    out += p.path;
    // Whole seconds as BININT (what carbon has always been sent); a sub-second time
    // exactly, as BINFLOAT: carbon reads either as a float, and whoever listens (a relay,
    // a test counting every sample) can tell samples 0.2 s apart.
    double ts = p.timestamp;
    if (ts == std::floor(ts) && ts <= 2147483647.0) {
        out += kBinInt;
        put_le32(out, static_cast<std::uint32_t>(static_cast<std::int32_t>(ts)));
    } else {
        put_binfloat(out, ts);
    }
    put_binfloat(out, p.value);
    out += kTuple2;
    out += kTuple2;
}

/// Closes the open message in `body` (which starts with 4 placeholder length bytes).
void finish_pickle(std::string& body, std::vector<std::string>& messages) {
    body += kAppends;
    body += kStop;
    std::uint32_t len = static_cast<std::uint32_t>(body.size() - 4);
    for (int i = 0; i < 4; ++i) body[static_cast<std::size_t>(i)] = static_cast<char>((len >> (24 - 8 * i)) & 0xff);
    messages.push_back(std::move(body));
    body.clear();
}

void start_pickle(std::string& body) {
    body.assign(4, '\0');
    body += kProto;
    body += '\x02';
    body += kEmptyList;
    body += kMark;
}

}  // namespace

bool valid_carbon_path(std::string_view path) {
    if (path.empty() || path.front() == '.' || path.back() == '.') return false;
    char prev = 0;
    for (char c : path) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7e) return false;
        if (c == '.' && prev == '.') return false;
        prev = c;
    }
    return true;
}

bool carbon_sendable(const Point& p) {
    return std::isfinite(p.value) && std::isfinite(p.timestamp) && p.timestamp >= 0 &&
           p.timestamp < kMaxTimestamp && valid_carbon_path(p.path);
}

PlaintextOutput format_plaintext(std::span<const Point> points, std::string_view prefix) {
    PlaintextOutput out;
    for (const auto& p : points) {
        if (!carbon_sendable(p)) {
            ++out.skipped;
            continue;
        }
        if (!prefix.empty()) {
            out.text += prefix;
            out.text += '.';
        }
        // fmt's "{}" prints the shortest text that round-trips to the same double.
        fmt::format_to(std::back_inserter(out.text), "{} {} {}\n", p.path, p.value,
                       static_cast<std::int64_t>(std::floor(p.timestamp)));
        ++out.sent;
    }
    return out;
}

PickleOutput format_pickle(std::span<const Point> points, std::string_view prefix, std::size_t max_points) {
    if (max_points == 0) max_points = 1;
    PickleOutput out;
    std::string body;
    std::size_t in_message = 0;
    for (const auto& p : points) {
        if (!carbon_sendable(p)) {
            ++out.skipped;
            continue;
        }
        std::size_t size_before = body.size();
        if (in_message == 0) start_pickle(body);
        put_point(body, prefix, p);
        if (in_message > 0 && body.size() + 2 > kPickleMaxBytes) {
            // This point would push the message over carbon's limit: close the message
            // without it and open the next one with it.
            std::string tail = body.substr(size_before);
            body.resize(size_before);
            finish_pickle(body, out.messages);
            start_pickle(body);
            body += tail;
            in_message = 0;
        }
        ++in_message;
        ++out.sent;
        if (in_message == max_points) {
            finish_pickle(body, out.messages);
            in_message = 0;
        }
    }
    if (in_message > 0) finish_pickle(body, out.messages);
    return out;
}

}  // namespace fructosa
