#pragma once
/// The table of the fake libnvidia-ml.so.1 (tests/fake_nvml/fake_nvml.c) for one test:
/// a private file named by FAKE_NVML_TABLE, rewritten while the code under test runs.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fructosa::test {

class FakeNvmlTable {
public:
    explicit FakeNvmlTable(const std::string& text) {
        path_ = std::filesystem::temp_directory_path() / ("fake_nvml_" + std::to_string(getpid()) + ".table");
        write(text);
        setenv("FAKE_NVML_TABLE", path_.c_str(), 1);
    }
    ~FakeNvmlTable() {
        unsetenv("FAKE_NVML_TABLE");
        std::filesystem::remove(path_);
    }
    /// The driver gone: the library cannot read its table any more.
    void remove() { std::filesystem::remove(path_); }
    /// Replaces the table atomically (the library reads it from another thread).
    void write(const std::string& text) {
        auto tmp = path_.string() + ".new";
        std::ofstream(tmp) << text;
        std::filesystem::rename(tmp, path_);
    }

private:
    std::filesystem::path path_;
};

/// The fake library built by tests/CMakeLists.txt.
inline const char* fake_nvml_library() { return FAKE_NVML_LIBRARY; }

/// Two GPUs: GPU 0 busy with two processes and per-process utilisation, GPU 1 in MIG mode
/// with one instance (MIG instances answer memory only, like NVML's).
inline const char* kTwoGpuTable = R"(# index minor ...
gpu 0 minor=0 uuid=GPU-aaa util=87 mem_util=40 mem_used=1000 mem_total=16000 power_mw=250500 energy_mj=123456789 temp=61 sm_clock=1410 throttle=4 ecc_corr=2 ecc_uncorr=0 proc_util=1
gpu 1 minor=3 uuid=GPU-bbb util=0 mem_util=0 mem_used=10 mem_total=80000 power_mw=60000 energy_mj=5000 temp=30 sm_clock=210 throttle=0
mig 1 2 uuid=MIG-ccc mem_used=2048 mem_total=10000
proc 0 pid=100 mem=600 sm=50
proc 0 pid=200 mem=400
proc 1/2 pid=300 mem=2048
)";

}  // namespace fructosa::test
