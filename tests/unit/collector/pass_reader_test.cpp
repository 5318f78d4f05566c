// PassReader: within one pass each file, listing and existence check is asked of the
// machine once, whatever number of sensors ask; a new pass reads afresh.
#include "collector/pass_reader.h"

#include <gtest/gtest.h>

#include <map>

using namespace fructosa;

namespace {

/// A machine of scripted files that counts how often each is read.
class CountingReader : public SystemReader {
  public:
    std::optional<std::string> read_file(const std::string& path) const override {
        ++reads[path];
        auto it = files.find(path);
        if (it == files.end()) return std::nullopt;
        return it->second;
    }
    std::vector<std::string> list_dir(const std::string& path) const override {
        ++listings[path];
        return {"a", "b"};
    }
    bool exists(const std::string& path) const override {
        ++checks[path];
        return files.count(path) > 0;
    }
    std::optional<FsUsage> fs_usage(const std::string&) const override { return std::nullopt; }
    std::vector<std::pair<std::string, std::string>> interface_addresses() const override { return {}; }
    std::optional<std::uint64_t> link_generation() const override { return ++generation_asks; }

    std::map<std::string, std::string> files;
    mutable std::map<std::string, int> reads, listings, checks;
    mutable std::uint64_t generation_asks = 0;
};

}  // namespace

TEST(PassReader, EachFileIsReadOncePerPass) {
    CountingReader machine;
    machine.files["/proc/stat"] = "cpu 1 2 3 4\n";
    PassReader pass(machine);
    pass.begin_pass();
    for (int sensor = 0; sensor < 5; ++sensor)  // CPUTimes, CPUPercent, CPUStats, ...
        EXPECT_EQ(pass.read_file("/proc/stat"), std::optional<std::string>("cpu 1 2 3 4\n"));
    std::string into;
    ASSERT_TRUE(pass.read_file_into("/proc/stat", into));
    EXPECT_EQ(into, "cpu 1 2 3 4\n");
    EXPECT_EQ(machine.reads["/proc/stat"], 1);

    machine.files["/proc/stat"] = "cpu 5 6 7 8\n";
    pass.begin_pass();
    EXPECT_EQ(pass.read_file("/proc/stat"), std::optional<std::string>("cpu 5 6 7 8\n"));
    EXPECT_EQ(machine.reads["/proc/stat"], 2);
}

TEST(PassReader, AMissingFileIsMissingForTheWholePass) {
    CountingReader machine;
    PassReader pass(machine);
    pass.begin_pass();
    EXPECT_FALSE(pass.read_file("/sys/class/power_supply/BAT0/capacity").has_value());
    std::string into = "left over";
    EXPECT_FALSE(pass.read_file_into("/sys/class/power_supply/BAT0/capacity", into));
    EXPECT_EQ(machine.reads["/sys/class/power_supply/BAT0/capacity"], 1);
    machine.files["/sys/class/power_supply/BAT0/capacity"] = "80\n";  // it appears
    pass.begin_pass();
    EXPECT_EQ(pass.read_file("/sys/class/power_supply/BAT0/capacity"), std::optional<std::string>("80\n"));
}

TEST(PassReader, ListingsAndExistenceAreAskedOncePerPass) {
    CountingReader machine;
    machine.files["/proc/meminfo"] = "MemTotal: 1 kB\n";
    PassReader pass(machine);
    pass.begin_pass();
    EXPECT_EQ(pass.list_dir("/sys/class/net"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(pass.list_dir("/sys/class/net"), (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(pass.exists("/proc/meminfo"));
    EXPECT_TRUE(pass.exists("/proc/meminfo"));
    EXPECT_FALSE(pass.exists("/proc/nope"));
    EXPECT_EQ(machine.listings["/sys/class/net"], 1);
    EXPECT_EQ(machine.checks["/proc/meminfo"], 1);
    pass.begin_pass();
    pass.list_dir("/sys/class/net");
    pass.exists("/proc/meminfo");
    EXPECT_EQ(machine.listings["/sys/class/net"], 2);
    EXPECT_EQ(machine.checks["/proc/meminfo"], 2);
}

TEST(PassReader, TheLinkGenerationIsAskedOncePerPass) {
    CountingReader machine;
    PassReader pass(machine);
    pass.begin_pass();
    EXPECT_EQ(pass.link_generation(), 1u);
    EXPECT_EQ(pass.link_generation(), 1u);
    EXPECT_EQ(machine.generation_asks, 1u);
    pass.begin_pass();
    EXPECT_EQ(pass.link_generation(), 2u);
    EXPECT_EQ(machine.generation_asks, 2u);
}
