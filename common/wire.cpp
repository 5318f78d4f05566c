#include "common/wire.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace fructosa::wire {

namespace {

class Writer {
public:
    explicit Writer(FrameType type) : type_(type) { out_.resize(kHeaderSize); }
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) { put_be(v, 2); }
    void u32(std::uint32_t v) { put_be(v, 4); }
    void u64(std::uint64_t v) { put_be(v, 8); }
    void f64(double v) { put_be(std::bit_cast<std::uint64_t>(v), 8); }
    void str16(const std::string& s) {
        if (s.size() > 0xffff) throw WireError("string longer than 65535 bytes");
        u16(static_cast<std::uint16_t>(s.size()));
        out_.insert(out_.end(), s.begin(), s.end());
    }
    void str32(const std::string& s) {
        u32(static_cast<std::uint32_t>(s.size()));
        out_.insert(out_.end(), s.begin(), s.end());
    }
    std::vector<std::uint8_t> finish() {
        std::size_t len = out_.size() - kHeaderSize;
        if (len > kMaxPayload) throw WireError(fmt::format("payload of {} bytes exceeds the limit", len));
        out_[0] = 'F';
        out_[1] = 'R';
        out_[2] = kVersion;
        out_[3] = static_cast<std::uint8_t>(type_);
        for (int i = 0; i < 4; ++i) out_[4 + i] = static_cast<std::uint8_t>(len >> (24 - 8 * i));
        return std::move(out_);
    }

private:
    void put_be(std::uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    FrameType type_;
    std::vector<std::uint8_t> out_;
};

class Reader {
public:
    Reader(std::span<const std::uint8_t> p, const char* what) : p_(p), what_(what) {}
    std::uint64_t be(int n) {
        need(static_cast<std::size_t>(n));
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | p_[pos_++];
        return v;
    }
    std::uint8_t u8() { return static_cast<std::uint8_t>(be(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(be(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(be(4)); }
    std::uint64_t u64() { return be(8); }
    double f64() { return std::bit_cast<double>(be(8)); }
    std::string bytes(std::size_t n) {
        need(n);
        std::string s(reinterpret_cast<const char*>(p_.data() + pos_), n);
        pos_ += n;
        return s;
    }
    std::string str16() { return bytes(u16()); }
    std::string str32() { return bytes(u32()); }
    std::size_t left() const { return p_.size() - pos_; }
    void end() const {
        if (left() != 0) throw WireError(fmt::format("{}: {} trailing bytes", what_, left()));
    }

private:
    void need(std::size_t n) const {
        if (left() < n) throw WireError(fmt::format("{}: truncated payload", what_));
    }
    std::span<const std::uint8_t> p_;
    std::size_t pos_ = 0;
    const char* what_;
};

constexpr std::size_t kMinPointSize = 2 + 8 + 8;

}  // namespace

std::vector<std::uint8_t> encode_hello(const Hello& h) {
    Writer w(FrameType::Hello);
    w.str16(h.host);
    w.str16(h.agent_version);
    w.str16(h.auth_method);
    w.str32(h.credential);
    return w.finish();
}

std::vector<std::uint8_t> encode_batch(const Batch& b) {
    Writer w(FrameType::Batch);
    w.u64(b.seq);
    w.u32(static_cast<std::uint32_t>(b.points.size()));
    for (const auto& p : b.points) {
        if (p.path.empty() || p.path.size() > kMaxPathLength)
            throw WireError(fmt::format("metric path of {} bytes is not allowed", p.path.size()));
        w.str16(p.path);
        w.f64(p.timestamp);
        w.f64(p.value);
    }
    return w.finish();
}

std::vector<std::uint8_t> encode_ack(std::uint64_t seq) {
    Writer w(FrameType::Ack);
    w.u64(seq);
    return w.finish();
}

std::vector<std::uint8_t> encode_error(const std::string& message) {
    Writer w(FrameType::Error);
    w.str16(message.substr(0, 1000));
    return w.finish();
}

std::vector<std::uint8_t> encode_job_event(const JobEvent& e) {
    Writer w(FrameType::JobEvent);
    w.u64(e.seq);
    w.str32(e.json);
    return w.finish();
}

Hello decode_hello(std::span<const std::uint8_t> payload) {
    Reader r(payload, "hello");
    Hello h;
    h.host = r.str16();
    h.agent_version = r.str16();
    h.auth_method = r.str16();
    h.credential = r.str32();
    r.end();
    if (h.host.empty()) throw WireError("hello: empty host name");
    return h;
}

Batch decode_batch(std::span<const std::uint8_t> payload) {
    Reader r(payload, "batch");
    Batch b;
    b.seq = r.u64();
    std::uint32_t n = r.u32();
    // Check the count against the bytes present before reserving anything.
    if (static_cast<std::uint64_t>(n) * kMinPointSize > r.left())
        throw WireError(fmt::format("batch: {} points announced, payload too short", n));
    b.points.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        Point p;
        p.path = r.str16();
        if (p.path.empty() || p.path.size() > kMaxPathLength)
            throw WireError(fmt::format("batch: point {} has a path of {} bytes", i, p.path.size()));
        p.timestamp = r.f64();
        p.value = r.f64();
        b.points.push_back(std::move(p));
    }
    r.end();
    return b;
}

std::uint64_t decode_ack(std::span<const std::uint8_t> payload) {
    Reader r(payload, "ack");
    auto v = r.u64();
    r.end();
    return v;
}

std::string decode_error(std::span<const std::uint8_t> payload) {
    Reader r(payload, "error");
    auto s = r.str16();
    r.end();
    return s;
}

JobEvent decode_job_event(std::span<const std::uint8_t> payload) {
    Reader r(payload, "job event");
    JobEvent e;
    e.seq = r.u64();
    e.json = r.str32();
    r.end();
    return e;
}

std::span<const std::uint8_t> frame_payload(std::span<const std::uint8_t> frame) {
    if (frame.size() < kHeaderSize) throw WireError(fmt::format("frame of {} bytes has no header", frame.size()));
    return frame.subspan(kHeaderSize);
}

std::optional<SequenceHead> peek_sequence(std::span<const std::uint8_t> frame) {
    if (frame.size() < kHeaderSize + 8) return std::nullopt;
    SequenceHead head;
    head.type = static_cast<FrameType>(frame[3]);
    head.seq = Reader(frame.subspan(kHeaderSize, 8), "sequence").u64();
    return head;
}

void FrameDecoder::feed(const std::uint8_t* data, std::size_t size) {
    if (start_ > 0 && start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    } else if (start_ > (64u << 10)) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
    buffer_.insert(buffer_.end(), data, data + size);
}

FrameDecoder::Result FrameDecoder::next(Frame& out) {
    if (!error_.empty()) return Result::Bad;
    std::size_t avail = buffer_.size() - start_;
    if (avail < kHeaderSize) {
        // Refuse a wrong magic as early as possible (garbage, or an HTTP client).
        if (avail >= 1 && buffer_[start_] != 'F') error_ = "bad magic (not a FrUCToSA agent)";
        else if (avail >= 2 && buffer_[start_ + 1] != 'R') error_ = "bad magic (not a FrUCToSA agent)";
        return error_.empty() ? Result::NeedMore : Result::Bad;
    }
    const std::uint8_t* h = buffer_.data() + start_;
    if (h[0] != 'F' || h[1] != 'R') {
        error_ = "bad magic (not a FrUCToSA agent)";
        return Result::Bad;
    }
    if (h[2] != kVersion) {
        error_ = fmt::format("unsupported protocol version {} (this side speaks {})", h[2], kVersion);
        return Result::Bad;
    }
    if (h[3] < 1 || h[3] > 5) {
        error_ = fmt::format("unknown frame type {}", h[3]);
        return Result::Bad;
    }
    std::uint32_t len = (std::uint32_t{h[4]} << 24) | (std::uint32_t{h[5]} << 16) |
                        (std::uint32_t{h[6]} << 8) | std::uint32_t{h[7]};
    if (len > kMaxPayload) {
        error_ = fmt::format("frame length {} exceeds the limit of {}", len, kMaxPayload);
        return Result::Bad;
    }
    if (avail < kHeaderSize + len) return Result::NeedMore;
    out.type = static_cast<FrameType>(h[3]);
    out.payload.assign(h + kHeaderSize, h + kHeaderSize + len);
    start_ += kHeaderSize + len;
    return Result::Frame;
}

}  // namespace fructosa::wire
