#pragma once
/// The agent-to-master protocol (documented in README "Wire protocol").
///
/// Every message is a frame: an 8-byte header, then `length` payload bytes.
///   bytes 0-1  magic "FR"
///   byte  2    protocol version (1)
///   byte  3    frame type (FrameType)
///   bytes 4-7  payload length, unsigned 32-bit big-endian, at most kMaxPayload
/// Integers are big-endian, doubles are IEEE-754 binary64 big-endian, strings are
/// a u16 (or u32 where noted) byte count followed by the bytes.
///
/// The decoder never touches a socket: it is fed bytes and answers frame / need more /
/// bad, so it can be tested and fuzzed alone.

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/metric.h"

namespace fructosa::wire {

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 8;
inline constexpr std::uint32_t kMaxPayload = 8u << 20;  ///< 8 MiB: larger length fields are refused
inline constexpr std::size_t kMaxPathLength = 1024;

enum class FrameType : std::uint8_t {
    Hello = 1,     ///< agent -> master, first frame: who the agent is, and its credential
    Batch = 2,     ///< agent -> master: sequence number and metric points
    Ack = 3,       ///< master -> agent: every batch up to this sequence number is handed on
    Error = 4,     ///< master -> agent: why the master closes the connection
    JobEvent = 5,  ///< agent -> master: sequence number and a JSON job record (acked like batches)
};

/// Raised by the payload decoders on malformed input; the message says what was wrong.
class WireError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Frame {
    FrameType type{};
    std::vector<std::uint8_t> payload;
};

struct Hello {
    std::string host;           ///< short host name the agent claims
    std::string agent_version;
    std::string auth_method;    ///< "none" or "munge"
    std::string credential;     ///< MUNGE credential text when auth_method is "munge"
    bool operator==(const Hello&) const = default;
};

struct Batch {
    std::uint64_t seq = 0;
    Points points;
    bool operator==(const Batch&) const = default;
};

struct JobEvent {
    std::uint64_t seq = 0;
    std::string json;
    bool operator==(const JobEvent&) const = default;
};

std::vector<std::uint8_t> encode_hello(const Hello& h);
std::vector<std::uint8_t> encode_batch(const Batch& b);
std::vector<std::uint8_t> encode_ack(std::uint64_t seq);
std::vector<std::uint8_t> encode_error(const std::string& message);
std::vector<std::uint8_t> encode_job_event(const JobEvent& e);

/// Payload decoders; each throws WireError on malformed input.
Hello decode_hello(std::span<const std::uint8_t> payload);
Batch decode_batch(std::span<const std::uint8_t> payload);
std::uint64_t decode_ack(std::span<const std::uint8_t> payload);
std::string decode_error(std::span<const std::uint8_t> payload);
JobEvent decode_job_event(std::span<const std::uint8_t> payload);

/// The payload of `frame`, one whole frame as an encoder made it: the bytes after the
/// header (lmaster's spool keeps batch payloads only). Throws WireError when `frame` is
/// shorter than a header.
std::span<const std::uint8_t> frame_payload(std::span<const std::uint8_t> frame);

/// What leads a Batch or JobEvent frame: the frame type and the sequence number that
/// opens the payload.
struct SequenceHead {
    FrameType type{};
    std::uint64_t seq = 0;
};

/// Reads the type and sequence number of an encoded Batch or JobEvent frame without
/// decoding the rest (lagent sorts its spooled frames by them); nullopt when `frame`
/// is too short to hold them.
std::optional<SequenceHead> peek_sequence(std::span<const std::uint8_t> frame);

/// Incremental frame splitter: feed bytes as they come, then take frames out.
class FrameDecoder {
public:
    enum class Result { Frame, NeedMore, Bad };

    void feed(const std::uint8_t* data, std::size_t size);
    /// Takes the next complete frame into `out`. On Bad, `error()` says why and the
    /// stream is unusable (the caller closes the connection).
    Result next(Frame& out);
    const std::string& error() const { return error_; }
    /// Bytes held but not yet returned as frames (bounded by header + kMaxPayload).
    std::size_t buffered() const { return buffer_.size() - start_; }

private:
    std::vector<std::uint8_t> buffer_;
    std::size_t start_ = 0;
    std::string error_;
};

}  // namespace fructosa::wire
