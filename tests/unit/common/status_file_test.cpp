// StatusFile: a daemon's own figures as "name value" lines for `fructosad status`.
#include "common/status_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace fructosa;

TEST(StatusFile, OneLinePerFigureNamedByTheLastComponentOfItsSeries) {
    Points p{{"fructosa.lmaster.h1.agents_connected", 5, 3}, {"fructosa.lmaster.h1.points_queued", 5, 12.5},
             {"jobs_classified", 5, 7}};
    EXPECT_EQ(status_file_text(p, 1700000000.4),
              "updated 1700000000\nagents_connected 3\npoints_queued 12.5\njobs_classified 7\n");
}

TEST(StatusFile, WriteReplacesTheFileAndAnEmptyPathWritesNothing) {
    auto dir = std::filesystem::temp_directory_path() / ("fructosa-status-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = (dir / "x.status").string();
    StatusFile f(path);
    f.write({{"a.b", 1, 1}}, 10);
    f.write({{"a.c", 2, 2}}, 20);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "updated 20\nc 2\n");
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    StatusFile none("");
    none.write({{"a.b", 1, 1}}, 10);  // nothing to check but that it does not throw
    std::filesystem::remove_all(dir);
}
