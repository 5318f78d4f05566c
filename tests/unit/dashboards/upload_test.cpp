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

}  // namespace
}  // namespace fructosa
