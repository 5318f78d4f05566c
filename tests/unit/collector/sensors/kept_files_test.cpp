// KeptFiles: files kept open and re-read with pread.
#include "collector/sensors/kept_files.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(KeptFiles, RereadsTheSameDescriptorAndSeesNewContents) {
    TempTree t;
    t.write("/a", "one\n");
    auto reader = t.reader();
    KeptFiles files;
    std::string out;
    ASSERT_TRUE(files.read(reader, "/a", out));
    EXPECT_EQ(out, "one\n");
    t.write("/a", "two, longer\n");
    ASSERT_TRUE(files.read(reader, "/a", out));
    EXPECT_EQ(out, "two, longer\n");
    EXPECT_EQ(files.open_count(), 1u);
    EXPECT_FALSE(files.read(reader, "/missing", out));
    EXPECT_EQ(files.open_count(), 1u);
}

TEST(KeptFiles, SweepClosesWhatWasNotReadSinceTheLastSweep) {
    TempTree t;
    t.write("/a", "1").write("/b", "2");
    auto reader = t.reader();
    KeptFiles files;
    std::string out;
    files.read(reader, "/a", out);
    files.read(reader, "/b", out);
    files.sweep();
    EXPECT_EQ(files.open_count(), 2u);
    files.read(reader, "/a", out);
    files.sweep();
    EXPECT_EQ(files.open_count(), 1u);
    EXPECT_EQ(read_kept_trimmed(files, reader, "/b"), "2");
}

TEST(KeptFiles, BeyondItsCapacityAFileIsReadAndClosed) {
    TempTree t;
    t.write("/a", "1").write("/b", "2");
    auto reader = t.reader();
    KeptFiles files(1);
    std::string out;
    ASSERT_TRUE(files.read(reader, "/a", out));
    ASSERT_TRUE(files.read(reader, "/b", out));
    EXPECT_EQ(out, "2");
    EXPECT_EQ(files.open_count(), 1u);
}

TEST(KeptFiles, AFileGoneIsClosedAtTheSecondSweep) {
    // A kept descriptor of a removed file still reads the old inode (a /proc/<pid>/stat
    // of an exited process fails instead, and is opened again at once); the sweeps of
    // the next samples close it.
    TempTree t;
    t.write("/a", "old");
    auto reader = t.reader();
    KeptFiles files;
    std::string out;
    ASSERT_TRUE(files.read(reader, "/a", out));
    std::filesystem::remove(reader.root() + "/a");
    files.sweep();
    files.sweep();
    EXPECT_EQ(files.open_count(), 0u);
    EXPECT_FALSE(files.read(reader, "/a", out));
}

TEST(KeptFiles, OnePieceFilesAreReadWhole) {
    TempTree t;
    t.write("/stat", "1 (x) S 0\n").write("/big", std::string(40000, 'x'));
    auto reader = t.reader();
    KeptFiles files(8, true);
    std::string out;
    ASSERT_TRUE(files.read(reader, "/stat", out));
    EXPECT_EQ(out, "1 (x) S 0\n");
    ASSERT_TRUE(files.read(reader, "/big", out));  // longer than one buffer: read to its end
    EXPECT_EQ(out.size(), 40000u);
}
