// `[registry]` of lmaster.conf and perad.conf: defaults, each key, and errors that name
// file, line and key.
#include "common/registry/registry_settings.h"

#include <gtest/gtest.h>

#include <string>

#include "common/config.h"

namespace fructosa {
namespace {

RegistrySettings read(const std::string& text) { return read_registry_settings(IniFile::parse(text, "r.conf")); }

TEST(RegistrySettings, AbsentSectionOrKeysGiveTheDefaults) {
    for (const char* text : {"", "[registry]\n", "[other]\npath = /x\n"}) {
        RegistrySettings s = read(text);
        EXPECT_EQ(s.path, "/var/lib/fructosa/registry.db") << text;
        EXPECT_EQ(s.path, kDefaultRegistryPath);
        EXPECT_EQ(s.busy_timeout_ms, 5000);
        EXPECT_DOUBLE_EQ(s.partial_after_s, 600);
        EXPECT_DOUBLE_EQ(s.running_timeout_s, 7 * 86400);
        EXPECT_EQ(s.url, "");  // SQLite is the default
        EXPECT_FALSE(s.uses_postgresql());
    }
}

TEST(RegistrySettings, UrlSelectsPostgresql) {
    for (const char* url : {"postgresql://fructosa@db1:5432/fructosa", "postgres://db1/fructosa"}) {
        RegistrySettings s = read(std::string("[registry]\nurl = ") + url + "\n");
        EXPECT_EQ(s.url, url);
        EXPECT_TRUE(s.uses_postgresql());
        EXPECT_EQ(s.where(), url);
    }
    // Logs and errors name the store without its password.
    RegistrySettings s = read("[registry]\nurl = postgresql://fructosa:s3cret@db1/fructosa\n");
    EXPECT_EQ(s.where(), "postgresql://fructosa:***@db1/fructosa");
    EXPECT_EQ(read("[registry]\npath = /srv/r.db\n").where(), "/srv/r.db");
}

TEST(RegistrySettings, UrlAndPathTogetherIsAnError) {
    try {
        read("[registry]\npath = /srv/r.db\n\nurl = postgresql://fructosa:s3cret@db1/fructosa\n");
        FAIL() << "accepted both";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "r.conf:4: [registry] url: cannot be given together with path (line 2): url selects PostgreSQL, "
                  "path SQLite; keep one");
    }
    try {
        read("[registry]\nurl = mysql://root:s3cret@db1/fructosa\n");
        FAIL() << "accepted another database";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "r.conf:2: [registry] url: must start with postgresql:// or postgres:// "
                  "(e.g. postgresql://fructosa@dbhost:5432/fructosa)");
    }
}

TEST(RegistrySettings, RunningTimeout) {
    EXPECT_DOUBLE_EQ(read("[registry]\nrunning timeout = 3600\n").running_timeout_s, 3600);
    EXPECT_DOUBLE_EQ(read("[registry]\nrunning timeout = 60\n").running_timeout_s, 60);
}

TEST(RegistrySettings, ReadsEachKey) {
    struct Case {
        const char* text;
        std::string path;
        int busy_timeout_ms;
        double partial_after_s;
    };
    const Case cases[] = {
        {"[registry]\npath = /srv/r.db\n", "/srv/r.db", 5000, 600},
        {"[registry]\nbusy timeout ms = 0\n", kDefaultRegistryPath, 0, 600},
        {"[registry]\nbusy timeout ms = 3600000\n", kDefaultRegistryPath, 3600000, 600},
        {"[registry]\npartial after = 1\n", kDefaultRegistryPath, 5000, 1},
        {"[registry]\npartial after = 2592000\n", kDefaultRegistryPath, 5000, 2592000},
        {"[registry]\nPath = r.db\nBusy Timeout MS = 10\npartial after = 90.5\n", "r.db", 10, 90.5},
    };
    for (const auto& c : cases) {
        RegistrySettings s = read(c.text);
        EXPECT_EQ(s.path, c.path) << c.text;
        EXPECT_EQ(s.busy_timeout_ms, c.busy_timeout_ms) << c.text;
        EXPECT_DOUBLE_EQ(s.partial_after_s, c.partial_after_s) << c.text;
    }
}

TEST(RegistrySettings, ErrorsNameFileLineAndKey) {
    struct Case {
        const char* text;
        const char* starts_with;
    };
    const Case cases[] = {
        {"[registry]\npath = /r.db\nsize = 3\n", "r.conf:3: [registry] size: unknown key"},
        {"[registry]\npath =\n", "r.conf:2: [registry] path: must name a file"},
        {"[registry]\n\nbusy timeout ms = -1\n", "r.conf:3: [registry] busy timeout ms: "},
        {"[registry]\nbusy timeout ms = 3600001\n", "r.conf:2: [registry] busy timeout ms: "},
        {"[registry]\nbusy timeout ms = soon\n", "r.conf:2: [registry] busy timeout ms: "},
        {"[registry]\npartial after = 0.5\n", "r.conf:2: [registry] partial after: "},
        {"[registry]\npartial after = 2592001\n", "r.conf:2: [registry] partial after: "},
        {"[registry]\n\nrunning timeout = 59\n", "r.conf:3: [registry] running timeout: "},
        {"[registry]\nrunning timeout = forever\n", "r.conf:2: [registry] running timeout: "},
    };
    for (const auto& c : cases) {
        try {
            read(c.text);
            ADD_FAILURE() << "accepted: " << c.text;
        } catch (const ConfigError& e) {
            EXPECT_EQ(std::string(e.what()).rfind(c.starts_with, 0), 0u) << e.what();
        }
    }
}

TEST(RegistrySettings, UnknownKeyErrorListsTheKnownKeys) {
    try {
        read("[registry]\npaht = /r.db\n");
        FAIL() << "a misspelt key was accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "r.conf:2: [registry] paht: unknown key (known keys: path, url, busy timeout ms, partial after, running timeout)");
    }
}

}  // namespace
}  // namespace fructosa
