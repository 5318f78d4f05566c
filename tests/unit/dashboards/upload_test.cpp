// The pieces of the upload to Grafana that need no server (the HTTP exchange itself is
// tested in tests/integration/test_dashboards.py).
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "dashboards/upload.h"

namespace fructosa {
namespace {

namespace fs = std::filesystem;

TEST(Upload, ParsesHttpUrls) {
    HttpUrl u = parse_http_url("http://grafana.example:3000/grafana/");
    EXPECT_EQ(u.host, "grafana.example");
    EXPECT_EQ(u.port, "3000");
    EXPECT_EQ(u.base_path, "/grafana");
    u = parse_http_url("http://127.0.0.1");
    EXPECT_EQ(u.port, "80");
    EXPECT_EQ(u.base_path, "");
    u = parse_http_url("http://[::1]:8080");
    EXPECT_EQ(u.host, "::1");
    EXPECT_EQ(u.port, "8080");
    EXPECT_THROW(parse_http_url("https://g"), UploadError);
    EXPECT_THROW(parse_http_url("g:3000"), UploadError);
    EXPECT_THROW(parse_http_url("http://g:99999"), UploadError);
    EXPECT_THROW(parse_http_url("http://user:pw@g"), UploadError);
}

TEST(Upload, BodyAsGrafanaTakesIt) {
    nlohmann::json d = {{"uid", "fructosa-job"}};
    auto b = upload_body(d, "");
    EXPECT_EQ(b["dashboard"], d);
    EXPECT_EQ(b["overwrite"], true);
    EXPECT_FALSE(b.contains("folderUid"));
    EXPECT_EQ(upload_body(d, "abc")["folderUid"], "abc");
}

TEST(Upload, TokenFromFileThenEnvironment) {
    fs::path f = fs::temp_directory_path() / ("fructosa-token-" + std::to_string(::getpid()));
    std::ofstream(f) << "glsa_secret  \nsecond line\n";
    EXPECT_EQ(read_token(f.string()), "glsa_secret");
    fs::remove(f);
    EXPECT_THROW(read_token(f.string()), UploadError);
    ::setenv("GRAFANA_TOKEN", "from-env", 1);
    EXPECT_EQ(read_token(""), "from-env");
    ::unsetenv("GRAFANA_TOKEN");
    EXPECT_THROW(read_token(""), UploadError);
}

TEST(Upload, ConnectionRefusedIsAnUploadError) {
    // Port 1 on 127.0.0.1: nothing listens there in a test environment.
    EXPECT_THROW(upload_dashboard(parse_http_url("http://127.0.0.1:1"), "t", {{"uid", "x"}}, "",
                                  std::chrono::seconds(5)),
                 UploadError);
}


TEST(Upload, HttpsIsRefusedWithAWayOut) {
    try {
        parse_http_url("https://grafana.example");
        FAIL() << "no error";
    } catch (const UploadError& e) {
        EXPECT_NE(std::string(e.what()).find("https is not supported yet"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("provision the written files"), std::string::npos) << e.what();
    }
}

TEST(Upload, UrlTable) {
    struct Case {
        const char* url;
        const char* host;
        const char* port;
        const char* base;
    };
    const Case good[] = {
        {"http://g", "g", "80", ""},
        {"http://g/", "g", "80", ""},
        {"http://g:3000/a/b//", "g", "3000", "/a/b"},
        {"http://[::1]", "::1", "80", ""},
        {"http://[fe80::1]:1/x", "fe80::1", "1", "/x"},
        {"http://10.0.0.5:65535", "10.0.0.5", "65535", ""},
    };
    for (const auto& c : good) {
        HttpUrl u = parse_http_url(c.url);
        EXPECT_EQ(u.host, c.host) << c.url;
        EXPECT_EQ(u.port, c.port) << c.url;
        EXPECT_EQ(u.base_path, c.base) << c.url;
    }
    for (const char* bad : {"", "ftp://g", "HTTP://g", "http://", "http:///x", "http://:3000", "http://g:",
                            "http://g:0", "http://g:80x", "http://g:-1", "http://[::1", "http://[::1]x",
                            "http://[]:80"})
        EXPECT_THROW(parse_http_url(bad), UploadError) << bad;
}

TEST(Upload, BodySaysWhoWroteIt) {
    EXPECT_EQ(upload_body({{"uid", "u"}}, "f"),
              nlohmann::json({{"dashboard", {{"uid", "u"}}},
                              {"overwrite", true},
                              {"message", "make-fructosa-dashboard"},
                              {"folderUid", "f"}}));
}

TEST(Upload, TokenFileWinsAndMustStartWithTheToken) {
    fs::path f = fs::temp_directory_path() / ("fructosa-token2-" + std::to_string(::getpid()));
    ::setenv("GRAFANA_TOKEN", "from-env", 1);
    std::ofstream(f) << "glsa_x\r\n";
    EXPECT_EQ(read_token(f.string()), "glsa_x");
    std::ofstream(f) << "\nglsa_on_line_two\n";
    try {
        read_token(f.string());
        ADD_FAILURE() << "no error";
    } catch (const UploadError& e) {
        EXPECT_EQ(std::string(e.what()), "the token file " + f.string() + " starts with an empty line");
    }
    ::setenv("GRAFANA_TOKEN", "", 1);
    EXPECT_THROW(read_token(""), UploadError);  // set but empty is no token
    ::unsetenv("GRAFANA_TOKEN");
    fs::remove(f);
}

}  // namespace
}  // namespace fructosa
