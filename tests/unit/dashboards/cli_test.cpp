// make-fructosa-dashboard's command line: options, the dashboards asked for, files and exit status.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dashboards/cli.h"

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


TEST(Cli, InlineValuesAndEndOfOptions) {
    CliOptions o = parse_command_line({"--section=compute", "--kind=node", "--", "-odd-name.ini"});
    EXPECT_EQ(o.section, "compute");
    EXPECT_EQ(o.kind, "node");
    EXPECT_EQ(o.hosts_file, "-odd-name.ini");
    EXPECT_FALSE(o.out_given);
    o = parse_command_line({"--upload", "http://g", "--out=d=1"});  // the first '=' splits
    EXPECT_TRUE(o.out_given);
    EXPECT_EQ(o.out_dir, "d=1");
    EXPECT_THROW(parse_command_line({"--upload", "http://g", "--out="}), UsageError);
}

TEST(Cli, HelpAndVersionSkipTheOtherChecks) {
    EXPECT_TRUE(parse_command_line({"--kind", "bogus", "-h"}).help);
    EXPECT_TRUE(parse_command_line({"a.ini", "b.ini", "--version"}).version);
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({"--version"}, out, err), 0);
    EXPECT_EQ(out.str().rfind("make-fructosa-dashboard ", 0), 0u) << out.str();
    EXPECT_EQ(usage_text().rfind("usage: make-fructosa-dashboard [HOSTS]", 0), 0u);
}

TEST(Cli, EmptyValuesAreMistakes) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--section="}, {"--datasource", ""}, {"--out", ""}, {"--folder-uid", "f"}, {"-x"}})
        EXPECT_THROW(parse_command_line(args), UsageError) << args[0];
}

TEST(Cli, KindsAndPrefixReachTheDashboards) {
    CliOptions o;
    o.kind = "cluster";
    o.prefix = "site";
    o.datasource = "G2";
    auto ds = build_dashboards(o, {"ignored"});
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds[0].first, "fructosa-cluster.json");
    EXPECT_EQ(ds[0].second["templating"]["list"][0]["current"]["value"], "G2");
    EXPECT_NE(ds[0].second.dump().find("site.fructosa.lmaster"), std::string::npos);
    o.kind = "all";
    auto all = build_dashboards(o, {"n1"});
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[1].first, "n1.json");
    EXPECT_EQ(all[2].first, "fructosa-cluster.json");
    EXPECT_EQ(all[3].first, "fructosa-job.json");
}

TEST(Cli, HostsAreOnlyForNodeDashboards) {
    fs::path dir = fs::temp_directory_path() / ("fructosa-dash-kind-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "hosts.ini") << "[hosts]\nn1\n";
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({(dir / "hosts.ini").string(), "--kind", "job", "--out", (dir / "o").string()}, out, err), 0);
    EXPECT_NE(err.str().find("note: HOSTS is only used for node dashboards (--kind job)"), std::string::npos)
        << err.str();
    EXPECT_TRUE(fs::exists(dir / "o" / "fructosa-job.json"));
    EXPECT_FALSE(fs::exists(dir / "o" / "n1.json"));
    EXPECT_EQ(out.str(), "wrote " + (dir / "o" / "fructosa-job.json").string() + "\n");
    fs::remove_all(dir);
}

TEST(Cli, UploadWithoutATokenFailsBeforeWritingAnything) {
    ::unsetenv("GRAFANA_TOKEN");
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({"--upload", "http://127.0.0.1:1"}, out, err), 1);
    EXPECT_NE(err.str().find("--upload needs a Grafana API token"), std::string::npos) << err.str();
    EXPECT_EQ(out.str(), "");
    std::ostringstream out2, err2;
    EXPECT_EQ(run_cli({"--upload", "https://g"}, out2, err2), 1);
    EXPECT_NE(err2.str().find("https is not supported yet"), std::string::npos) << err2.str();
}

}  // namespace
}  // namespace fructosa
