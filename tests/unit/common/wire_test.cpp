#include "common/wire.h"

#include <gtest/gtest.h>

using namespace fructosa;
using namespace fructosa::wire;

namespace {

std::vector<Frame> split(const std::vector<std::uint8_t>& bytes, size_t chunk) {
    FrameDecoder d;
    std::vector<Frame> out;
    for (size_t i = 0; i < bytes.size(); i += chunk) {
        d.feed(bytes.data() + i, std::min(chunk, bytes.size() - i));
        Frame f;
        while (d.next(f) == FrameDecoder::Result::Frame) out.push_back(f);
    }
    return out;
}

std::span<const std::uint8_t> payload_of(const std::vector<std::uint8_t>& frame) {
    return std::span<const std::uint8_t>(frame).subspan(kHeaderSize);
}

}  // namespace

TEST(Wire, BatchRoundTripsThroughAnyChunking) {
    Batch b{42, {{"node001.CPUPercent.0", 1700000000.5, 12.25}, {"node001.BootTime", 1700000000, 1.6e9}}};
    auto bytes = encode_batch(b);
    for (size_t chunk : {1u, 3u, 7u, 1000u}) {
        auto frames = split(bytes, chunk);
        ASSERT_EQ(frames.size(), 1u) << "chunk " << chunk;
        EXPECT_EQ(frames[0].type, FrameType::Batch);
        EXPECT_EQ(decode_batch(frames[0].payload), b);
    }
}

TEST(Wire, SeveralFramesInOneRead) {
    std::vector<std::uint8_t> all;
    for (auto f : {encode_ack(1), encode_ack(2), encode_error("bye")}) all.insert(all.end(), f.begin(), f.end());
    auto frames = split(all, all.size());
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(decode_ack(frames[1].payload), 2u);
    EXPECT_EQ(decode_error(frames[2].payload), "bye");
}

TEST(Wire, HelloAndJobEventRoundTrip) {
    Hello h{"node-7", "0.4.0", "munge", "MUNGE:abc"};
    EXPECT_EQ(decode_hello(payload_of(encode_hello(h))), h);
    JobEvent e{9, R"({"event":"step_end"})"};
    EXPECT_EQ(decode_job_event(payload_of(encode_job_event(e))), e);
}

TEST(Wire, GarbageIsRefusedAtOnce) {
    FrameDecoder d;
    const char* http = "GET / HTTP/1.1\r\n";
    d.feed(reinterpret_cast<const std::uint8_t*>(http), 16);
    Frame f;
    EXPECT_EQ(d.next(f), FrameDecoder::Result::Bad);
    EXPECT_NE(d.error().find("magic"), std::string::npos);
}

TEST(Wire, GiantLengthIsRefusedWithoutWaiting) {
    std::vector<std::uint8_t> h{'F', 'R', kVersion, 2, 0xff, 0xff, 0xff, 0xff};
    FrameDecoder d;
    d.feed(h.data(), h.size());
    Frame f;
    EXPECT_EQ(d.next(f), FrameDecoder::Result::Bad);
    EXPECT_NE(d.error().find("exceeds"), std::string::npos);
}

TEST(Wire, WrongVersionAndTypeAreNamed) {
    for (auto [ver, type, word] : {std::tuple{2, 2, "version"}, std::tuple{1, 99, "type"}}) {
        std::vector<std::uint8_t> h{'F', 'R', static_cast<std::uint8_t>(ver), static_cast<std::uint8_t>(type), 0, 0, 0, 0};
        FrameDecoder d;
        d.feed(h.data(), h.size());
        Frame f;
        EXPECT_EQ(d.next(f), FrameDecoder::Result::Bad);
        EXPECT_NE(d.error().find(word), std::string::npos) << d.error();
    }
}

TEST(Wire, TruncatedAndLyingPayloadsThrow) {
    auto bytes = encode_batch(Batch{1, {{"a.b", 1, 2}}});
    auto p = payload_of(bytes);
    EXPECT_THROW(decode_batch(p.first(p.size() - 1)), WireError);
    // A count of 2^32-1 points with a tiny payload must fail before allocating.
    std::vector<std::uint8_t> lie(p.begin(), p.end());
    lie[8] = lie[9] = lie[10] = lie[11] = 0xff;
    EXPECT_THROW(decode_batch(lie), WireError);
    std::vector<std::uint8_t> extra(p.begin(), p.end());
    extra.push_back(0);
    EXPECT_THROW(decode_batch(extra), WireError);
}

TEST(Wire, EmptyAndOverlongPathsAreRefused) {
    EXPECT_THROW(encode_batch(Batch{1, {{"", 1, 2}}}), WireError);
    EXPECT_THROW(encode_batch(Batch{1, {{std::string(kMaxPathLength + 1, 'a'), 1, 2}}}), WireError);
}

TEST(Sanitize, NothingCanAddPathLevels) {
    EXPECT_EQ(sanitize_component("eth0.100"), "eth0_100");
    EXPECT_EQ(sanitize_component("my job/x y"), "my_job_x_y");
    EXPECT_EQ(sanitize_component(std::string("a\nb\tc\0d", 7)), "a_b_c_d");
    EXPECT_EQ(sanitize_component(""), "_");
    EXPECT_EQ(sanitize_component("Node-01"), "Node-01");
}

TEST(WirePeek, FramePayloadIsWhatThePayloadDecodersTake) {
    Batch b{7, {{"node001.A.x", 1700000000, 1.5}, {"node001.A.y", 1700000000, 2}}};
    auto frame = encode_batch(b);
    auto payload = frame_payload(frame);
    EXPECT_EQ(payload.size(), frame.size() - kHeaderSize);
    EXPECT_EQ(decode_batch(payload), b);
    EXPECT_EQ(decode_error(frame_payload(encode_error("bye"))), "bye");
    std::vector<std::uint8_t> short_frame(kHeaderSize - 1, 0);
    EXPECT_THROW(frame_payload(short_frame), WireError);
}

TEST(WirePeek, SequenceOfBatchesAndJobEvents) {
    auto batch = peek_sequence(encode_batch(Batch{0x0102030405060708ull, {{"a.b", 1, 2}}}));
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->type, FrameType::Batch);
    EXPECT_EQ(batch->seq, 0x0102030405060708ull);
    auto event = peek_sequence(encode_job_event(JobEvent{42, "{}"}));
    ASSERT_TRUE(event);
    EXPECT_EQ(event->type, FrameType::JobEvent);
    EXPECT_EQ(event->seq, 42u);
}

TEST(WirePeek, TooShortForASequenceIsNothing) {
    auto frame = encode_job_event(JobEvent{42, ""});
    EXPECT_TRUE(peek_sequence(std::span<const std::uint8_t>(frame).first(kHeaderSize + 8)));
    EXPECT_FALSE(peek_sequence(std::span<const std::uint8_t>(frame).first(kHeaderSize + 7)));
    EXPECT_FALSE(peek_sequence({}));
}
