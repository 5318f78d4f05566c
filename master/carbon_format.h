#pragma once
/// Carbon's two receiver formats, as pure functions (no sockets), so they can be
/// checked byte for byte.
///
/// A point is skipped (and counted) rather than sent when carbon could not store it
/// or it could corrupt the stream: a value or timestamp that is NaN or infinite, a
/// timestamp outside [0, 2^53), or a path that is not a plain Graphite path
/// (bytes outside printable ASCII 0x21-0x7e, an empty component, a leading or
/// trailing dot). A space or newline in a path would otherwise inject lines into
/// the plaintext protocol.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/metric.h"

namespace fructosa {

/// At most this many points per pickle message (carbon unpickles each at once).
inline constexpr std::size_t kPickleMaxPoints = 500;
/// And at most about this many bytes per message: carbon's pickle receiver refuses
/// messages over 1 MiB (its MAX_LENGTH).
inline constexpr std::size_t kPickleMaxBytes = 1000000;

struct PlaintextOutput {
    std::string text;         ///< "path value timestamp\n" per point sent
    std::size_t sent = 0;     ///< points written
    std::size_t skipped = 0;  ///< points left out (see above)
};

struct PickleOutput {
    /// Complete carbon pickle frames: 4-byte big-endian length, then the pickle.
    std::vector<std::string> messages;
    std::size_t sent = 0;
    std::size_t skipped = 0;
};

/// True when `path` may be sent to carbon as it is.
bool valid_carbon_path(std::string_view path);

/// True when the formatters would send `p` (finite numbers, timestamp in range, valid path).
bool carbon_sendable(const Point& p);

/// Carbon's line format. Timestamps are whole seconds (rounded down), values the
/// shortest decimal text that reads back as the same double (no digits lost).
PlaintextOutput format_plaintext(std::span<const Point> points, std::string_view prefix);

/// Carbon's pickle format: each message a protocol-2 pickle of a list of
/// (path, (timestamp, value)) tuples, built from PROTO, EMPTY_LIST, MARK, APPENDS,
/// BINUNICODE, BININT (a timestamp of whole seconds; BINFLOAT for a fractional one,
/// kept exactly, and beyond 32 bits),
/// BINFLOAT (value), TUPLE2 and STOP only: opcodes carbon's safe unpickler accepts.
/// No message is empty; at most `max_points` points and about kPickleMaxBytes each.
PickleOutput format_pickle(std::span<const Point> points, std::string_view prefix,
                           std::size_t max_points = kPickleMaxPoints);

}  // namespace fructosa
