// make-fructosa-dashboard's command line and the pieces of the upload path that need
// no server (the HTTP exchange itself is tested in tests/integration/test_dashboards.py).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dashboards/cli.h"
#include "dashboards/upload.h"

namespace fructosa {
namespace {

namespace fs = std::filesystem;

TEST(Cli, ParsesTheOriginalsFormAndTheNewOptions) {
    CliOptions o = parse_command_line({"hosts.ini", "-s", "compute"});
    EXPECT_EQ(o.hosts_file, "hosts.ini");
    EXPECT_EQ(o.section, "compute");
    EXPECT_EQ(o.kind, "all");
    EXPECT_EQ(o.out_dir, ".");
    o = parse_command_line({"--kind=job", "--out", "d", "--prefix", "cA", "--datasource", "G2", "--upload",
                            "http://g:3000", "--token-file", "t", "--folder-uid", "f"});
    EXPECT_EQ(o.kind, "job");
    EXPECT_EQ(o.out_dir, "d");
    EXPECT_EQ(o.prefix, "cA");
    EXPECT_EQ(o.datasource, "G2");
    EXPECT_EQ(o.upload_url, "http://g:3000");
    EXPECT_EQ(o.token_file, "t");
    EXPECT_EQ(o.folder_uid, "f");
}

TEST(Cli, RejectsMistakes) {
    EXPECT_THROW(parse_command_line({"--kind", "nodes"}), UsageError);
    EXPECT_THROW(parse_command_line({"--bogus"}), UsageError);
    EXPECT_THROW(parse_command_line({"a.ini", "b.ini"}), UsageError);
    EXPECT_THROW(parse_command_line({"--out"}), UsageError);
    EXPECT_THROW(parse_command_line({"--token-file", "t"}), UsageError);
}

TEST(Cli, BuildsTheAskedDashboards) {
    CliOptions o;
    o.kind = "node";
    auto ds = build_dashboards(o, {"Node1", "n2"});
    ASSERT_EQ(ds.size(), 3u);
    EXPECT_EQ(ds[0].first, "fructosa-node.json");
    EXPECT_EQ(ds[1].first, "Node1.json");
    EXPECT_EQ(ds[1].second["uid"], "fructosa-node-Node1");
    o.kind = "all";
    EXPECT_EQ(build_dashboards(o, {}).size(), 3u);
    o.kind = "job";
    EXPECT_EQ(build_dashboards(o, {"n1"}).at(0).second["uid"], "fructosa-job");
}

TEST(Cli, WritesFilesAndReportsErrorsWithExitStatus) {
    fs::path dir = fs::temp_directory_path() / ("fructosa-dash-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        std::ofstream(dir / "hosts.ini") << "[hosts]\nCamelHost\n";
        std::ofstream(dir / "bad.ini") << "[hosts]\nok\nnot.short\n";
    }
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({(dir / "hosts.ini").string(), "--out", (dir / "o").string()}, out, err), 0) << err.str();
    EXPECT_TRUE(fs::exists(dir / "o" / "CamelHost.json"));
    EXPECT_TRUE(fs::exists(dir / "o" / "fructosa-job.json"));
    std::ostringstream out2, err2;
    EXPECT_EQ(run_cli({(dir / "bad.ini").string(), "--out", (dir / "o2").string()}, out2, err2), 1);
    EXPECT_NE(err2.str().find("bad.ini:3:"), std::string::npos) << err2.str();
    std::ostringstream out3, err3;
    EXPECT_EQ(run_cli({"--kind", "x"}, out3, err3), 2);
    EXPECT_NE(err3.str().find("--help"), std::string::npos);
    std::ostringstream out4, err4;
    EXPECT_EQ(run_cli({"--help"}, out4, err4), 0);
    EXPECT_NE(out4.str().find("--upload URL"), std::string::npos);
    fs::remove_all(dir);
}

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
