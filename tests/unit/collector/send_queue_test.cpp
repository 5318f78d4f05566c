#include "collector/send_queue.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "common/wire.h"

using namespace fructosa;
namespace fs = std::filesystem;

namespace {

struct SpoolDir {
    std::string path = (fs::temp_directory_path() / ("fructosa-sendq-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                           .string();
    SpoolDir() { fs::remove_all(path); }
    ~SpoolDir() { fs::remove_all(path); }
};

/// Pushes a batch of `n` points and returns its frame.
std::vector<std::uint8_t> push_batch(SendQueue& q, std::size_t n) {
    wire::Batch b;
    b.seq = q.take_seq();
    for (std::size_t i = 0; i < n; ++i) b.points.push_back({"node7.A.x", double(b.seq), double(i)});
    auto frame = wire::encode_batch(b);
    q.push(b.seq, false, n, frame);
    return frame;
}

std::vector<std::uint8_t> push_event(SendQueue& q, const std::string& json) {
    std::uint64_t seq = q.take_seq();
    auto frame = wire::encode_job_event({seq, json});
    q.push(seq, true, 0, frame);
    return frame;
}

std::vector<std::uint8_t> bytes(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

/// The sequence number of each frame next_frame() gives, writing them all.
std::vector<std::uint64_t> write_all(SendQueue& q) {
    std::vector<std::uint64_t> seqs;
    for (auto f = q.next_frame(); !f.empty(); f = q.next_frame()) {
        seqs.push_back(wire::peek_sequence(f)->seq);
        q.advance();
    }
    return seqs;
}

}  // namespace

TEST(SendQueue, FramesGoOutInOrderAndLeaveWhenAcknowledged) {
    SendQueue q(1000, "", 0);
    auto first = push_batch(q, 2);
    push_event(q, "{}");
    push_batch(q, 3);
    EXPECT_EQ(q.frames(), 3u);
    EXPECT_EQ(q.points_queued(), 5u);
    EXPECT_EQ(bytes(q.next_frame()), first);
    EXPECT_EQ(write_all(q), (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_TRUE(q.next_frame().empty());
    q.acknowledge(2);
    EXPECT_EQ(q.frames(), 1u);
    EXPECT_EQ(q.points_sent(), 2u);
    EXPECT_EQ(q.events_sent(), 1u);
    EXPECT_EQ(q.points_queued(), 3u);
    q.acknowledge(3);
    EXPECT_EQ(q.frames(), 0u);
    EXPECT_EQ(q.points_sent(), 5u);
    EXPECT_EQ(q.points_dropped(), 0u);
}

TEST(SendQueue, RewindSendsEveryUnacknowledgedFrameAgain) {
    SendQueue q(1000, "", 0);
    push_batch(q, 1);
    push_batch(q, 1);
    EXPECT_EQ(write_all(q), (std::vector<std::uint64_t>{1, 2}));
    q.rewind();
    q.acknowledge(2);  // an ack on a new connection covers only what was written on it
    EXPECT_EQ(q.frames(), 2u);
    EXPECT_EQ(write_all(q), (std::vector<std::uint64_t>{1, 2}));
    q.acknowledge(1);
    EXPECT_EQ(q.frames(), 1u);
    EXPECT_EQ(q.points_sent(), 1u);
}

TEST(SendQueue, WithoutASpoolTheOldestBatchesAreDroppedButNeverEvents) {
    SendQueue q(100, "", 0);
    push_event(q, "{\"type\":\"step_start\"}");
    for (int i = 0; i < 5; ++i) push_batch(q, 40);
    EXPECT_LE(q.points_queued(), 100u);
    EXPECT_EQ(q.points_queued() + q.points_dropped(), 200u);
    EXPECT_GT(q.points_dropped(), 0u);
    auto seqs = write_all(q);
    ASSERT_FALSE(seqs.empty());
    EXPECT_EQ(seqs.front(), 1u);  // the event stays
    EXPECT_EQ(seqs.back(), 6u);   // the newest batch stays
}

TEST(SendQueue, TheFrameOnTheWireIsNeverDropped) {
    SendQueue q(50, "", 0);
    auto on_wire = push_batch(q, 40);
    auto frame = q.next_frame();  // the bytes a write on the wire is reading
    q.set_writing(true);
    for (int i = 0; i < 3; ++i) push_batch(q, 40);
    EXPECT_EQ(bytes(frame), on_wire);
    EXPECT_EQ(q.points_dropped(), 80u);
    q.set_writing(false);
    q.advance();
    q.acknowledge(1);
    EXPECT_EQ(q.points_sent(), 40u);
}

TEST(SendQueue, FramesBeyondTheMemoryBoundWaitOnDiskAndComeBackIntact) {
    SpoolDir d;
    SendQueue q(10, d.path, 1 << 20);
    std::vector<std::vector<std::uint8_t>> frames;
    for (int i = 0; i < 5; ++i) frames.push_back(push_batch(q, 10));
    EXPECT_EQ(q.frames(), 5u);
    EXPECT_EQ(q.points_dropped(), 0u);
    for (const auto& expected : frames) {
        EXPECT_EQ(bytes(q.next_frame()), expected);
        q.advance();
    }
    q.acknowledge(5);
    EXPECT_EQ(q.points_sent(), 50u);
}

TEST(SendQueue, WhatWasNeverAcknowledgedIsSentAfterARestart) {
    SpoolDir d;
    std::vector<std::vector<std::uint8_t>> frames;
    {
        SendQueue q(1000, d.path, 1 << 20);
        push_batch(q, 1);
        frames.push_back(push_event(q, "{\"type\":\"job_end\"}"));
        frames.push_back(push_batch(q, 2));
        write_all(q);
        q.acknowledge(1);
    }
    SendQueue q(1000, d.path, 1 << 20);
    q.load_spool();
    EXPECT_EQ(q.frames(), 2u);
    EXPECT_EQ(q.points_queued(), 2u);
    EXPECT_EQ(q.take_seq(), 4u);  // numbering goes on after the spooled frames
    for (const auto& expected : frames) {
        EXPECT_EQ(bytes(q.next_frame()), expected);
        q.advance();
    }
    q.acknowledge(3);
    EXPECT_EQ(q.events_sent(), 1u);
    EXPECT_EQ(q.points_sent(), 2u);
}

TEST(SendQueue, WhenTheSpoolCannotBeWrittenTheMemoryBoundAppliesAndDropsAreCounted) {
    // A spool whose segment is /dev/full: every append fails with ENOSPC, as on a full disk.
    SpoolDir d;
    fs::create_directories(d.path);
    fs::create_symlink("/dev/full", d.path + "/0000000000000001.seg");
    SendQueue q(100, d.path, 1 << 20);
    push_event(q, "{\"type\":\"step_start\"}");
    for (int i = 0; i < 10; ++i) push_batch(q, 40);
    EXPECT_EQ(q.points_queued(), 80u);  // the two newest batches: the next would pass 100
    EXPECT_EQ(q.points_dropped(), 320u);
    EXPECT_EQ(q.events_dropped(), 0u);
    auto seqs = write_all(q);
    EXPECT_EQ(seqs, (std::vector<std::uint64_t>{1, 10, 11}));  // the event and the two newest batches
    q.acknowledge(11);
    EXPECT_EQ(q.points_sent(), 80u);
    EXPECT_EQ(q.events_sent(), 1u);
}

TEST(SendQueue, JobEventsDroppedWithTheSpoolsOldestSegmentAreCountedAsEvents) {
    SpoolDir d;
    // 1 KiB segments, at most 3 KiB on disk: the oldest segments go, the event with them.
    SendQueue q(1'000'000, d.path, 3 << 10, 1 << 10);
    push_event(q, "{\"type\":\"step_start\"}");
    std::uint64_t pushed = 0;
    for (int i = 0; i < 40; ++i) {
        push_batch(q, 10);
        pushed += 10;
    }
    EXPECT_EQ(q.events_dropped(), 1u);
    EXPECT_GT(q.points_dropped(), 0u);
    EXPECT_EQ(q.points_queued() + q.points_dropped(), pushed);
    auto seqs = write_all(q);
    ASSERT_FALSE(seqs.empty());
    EXPECT_GT(seqs.front(), 1u);  // the event is gone
    EXPECT_EQ(seqs.back(), 41u);  // the newest batch stays
}
