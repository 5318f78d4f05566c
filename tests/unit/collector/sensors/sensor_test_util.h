#pragma once
/// Helpers for the sensor tests: fixture trees under FIXTURE_DIR (read through
/// FixtureSystemReader) and trees a test writes in a temp dir, their parsed /proc/stat, a
/// field's value in Readings, and sensors configured from INI text.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "collector/sensor.h"
#include "collector/sensors/proc_stat.h"
#include "collector/system_reader.h"
#include "common/config.h"
#include "tests/unit/collector/fixture_system_reader.h"

namespace fructosa::test {

/// The root of fixture tree `name` (tests/fixtures/<name>).
inline std::string fixture_root(const std::string& name) {
    return std::string(FIXTURE_DIR) + "/" + name;
}

/// A file of a fixture tree; fails the test when it is missing.
inline std::string fixture_text(const std::string& tree, const std::string& path) {
    auto text = FixtureSystemReader(fixture_root(tree)).read_file(path);
    EXPECT_TRUE(text.has_value()) << tree << path;
    return text.value_or("");
}

/// A fixture tree the test writes itself, in a private temp dir removed at the end:
/// for files the checked-in trees have no reason to hold (a /proc/stat without btime).
class TempTree {
  public:
    TempTree()
        : root_(std::filesystem::temp_directory_path() /
                ("fructosa-tree-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
        std::filesystem::remove_all(root_);
        std::filesystem::create_directories(root_);
    }
    ~TempTree() { std::filesystem::remove_all(root_); }
    TempTree(const TempTree&) = delete;
    TempTree& operator=(const TempTree&) = delete;

    /// Writes `text` at absolute path `path` of the tree, creating directories.
    const TempTree& write(const std::string& path, const std::string& text) const {
        auto file = root_ / path.substr(1);
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << text;
        return *this;
    }
    FixtureSystemReader reader() const { return FixtureSystemReader(root_.string()); }

  private:
    std::filesystem::path root_;
};

/// /proc/stat of fixture tree `tree`, parsed.
inline sensors::ProcStat stat_of(const std::string& tree) {
    return sensors::parse_proc_stat(fixture_text(tree, "/proc/stat"), "/proc/stat");
}

/// The value of `field`, or NaN (and a test failure) when absent.
inline double at(const Readings& r, const std::string& field) {
    for (const auto& x : r)
        if (x.field == field) return x.value;
    ADD_FAILURE() << "no field '" << field << "'";
    return std::nan("");
}

inline bool has(const Readings& r, const std::string& field) {
    for (const auto& x : r)
        if (x.field == field) return true;
    return false;
}

/// The named sensor, configured from the body of its [sensor:<name>] section.
inline std::unique_ptr<Sensor> sensor(const std::string& name, const std::string& options = "") {
    auto s = make_sensor(name);
    EXPECT_NE(s, nullptr) << name;
    if (!s) return s;
    auto ini = IniFile::parse("[sensor:" + name + "]\n" + options, "test.conf");
    SectionReader section(ini, "sensor:" + name);
    s->configure(section);
    section.reject_unknown();
    return s;
}

/// One sample of the named sensor on fixture tree `tree`; fails when it is nullopt.
inline Readings sample_on(const std::string& name, const std::string& tree,
                          const std::string& options = "") {
    auto s = sensor(name, options);
    if (!s) return {};
    auto r = s->sample(FixtureSystemReader(fixture_root(tree)));
    EXPECT_TRUE(r.has_value()) << name << " on " << tree;
    return r.value_or(Readings{});
}

}  // namespace fructosa::test
