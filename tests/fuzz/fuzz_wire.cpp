// libFuzzer target: lmaster's view of the bytes an agent (or anyone) sends.
// The input is cut into chunks fed to a FrameDecoder one by one (the first byte picks
// the chunk size, so frames split across reads are covered); every frame it yields
// goes through every payload decoder, whatever its type. Oracles besides the
// sanitizers: only WireError may escape a decoder; a payload that decodes re-encodes
// to the same bytes; the decoder never holds more than one frame's worth of bytes;
// lmaster's path guard (master/agent_paths.h) never accepts an unsafe path.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "common/metric.h"
#include "common/wire.h"
#include "master/agent_paths.h"

using namespace fructosa;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

std::span<const std::uint8_t> payload_of(const std::vector<std::uint8_t>& frame) {
    return std::span<const std::uint8_t>(frame).subspan(wire::kHeaderSize);
}

bool same(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

void decode_all(const wire::Frame& f) {
    std::span<const std::uint8_t> p(f.payload);
    std::string host = "node001";
    try {
        wire::Hello h = wire::decode_hello(p);
        check(!h.host.empty());
        check(same(payload_of(wire::encode_hello(h)), p));
        host = h.host;
    } catch (const wire::WireError&) {
    }
    try {
        wire::Batch b = wire::decode_batch(p);
        check(same(payload_of(wire::encode_batch(b)), p));
        for (const auto& pt : b.points) {
            check(!pt.path.empty() && pt.path.size() <= wire::kMaxPathLength);
            if (valid_agent_host(host) && agent_may_write(pt.path, host)) {
                // An accepted path names the host and is made of safe components only.
                check(pt.path.find("..") == std::string::npos && pt.path.find('/') == std::string::npos &&
                      pt.path.find(' ') == std::string::npos && pt.path.find(host) != std::string::npos);
            }
        }
    } catch (const wire::WireError&) {
    }
    try {
        std::uint64_t seq = wire::decode_ack(p);
        check(same(payload_of(wire::encode_ack(seq)), p));
    } catch (const wire::WireError&) {
    }
    try {
        std::string e = wire::decode_error(p);
        if (e.size() <= 1000) check(same(payload_of(wire::encode_error(e)), p));
    } catch (const wire::WireError&) {
    }
    try {
        wire::JobEvent e = wire::decode_job_event(p);
        check(same(payload_of(wire::encode_job_event(e)), p));
    } catch (const wire::WireError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::size_t chunk = static_cast<std::size_t>(data[0] % 64) + 1;  // 1..64 bytes per read
    if (data[0] >= 192) chunk = size;                                   // or all at once
    ++data;
    --size;
    wire::FrameDecoder decoder;
    std::size_t fed = 0;
    bool bad = false;
    while (fed < size && !bad) {
        std::size_t n = std::min(chunk, size - fed);
        decoder.feed(data + fed, n);
        fed += n;
        wire::Frame frame;
        while (true) {
            auto r = decoder.next(frame);
            if (r == wire::FrameDecoder::Result::NeedMore) break;
            if (r == wire::FrameDecoder::Result::Bad) {
                check(!decoder.error().empty());
                bad = true;
                break;
            }
            check(frame.payload.size() <= wire::kMaxPayload);
            decode_all(frame);
        }
        if (!bad) check(decoder.buffered() <= wire::kHeaderSize + wire::kMaxPayload);
    }
    return 0;
}
