// What the codec reads from whole encoded frames without decoding them (common/wire.h:
// frame_payload, peek_sequence), for lagent's and lmaster's spools.
#include "common/wire.h"

#include <gtest/gtest.h>

using namespace fructosa;
using namespace fructosa::wire;

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
