// The unit tests' main: GoogleTest's, plus the skip policy of tests/unit/hardware_skip.h.
// A test skipped for missing hardware prints "skipped for missing hardware: <what>" (the
// line ctest's SKIP_REGULAR_EXPRESSION matches); any other skip fails the run.
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/hardware_skip.h"

namespace {

class SkipPolicy : public ::testing::EmptyTestEventListener {
public:
    void OnTestPartResult(const ::testing::TestPartResult& result) override {
        if (!result.skipped()) return;
        std::string message = result.message() ? result.message() : "";
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = test ? std::string(test->test_suite_name()) + "." + test->name() : "?";
        if (message.rfind(fructosa::test::kHardwareSkipPrefix, 0) == 0) {
            std::printf("%s skipped for %s\n", name.c_str(), message.c_str());
        } else {
            refused.push_back(name + ": " + message);
        }
    }
    std::vector<std::string> refused;
};

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    auto* policy = new SkipPolicy;  // owned by GoogleTest's listener list
    ::testing::UnitTest::GetInstance()->listeners().Append(policy);
    int rc = RUN_ALL_TESTS();
    for (const auto& r : policy->refused)
        std::printf("[  FAILED  ] skipped without naming missing hardware (FRUCTOSA_SKIP_FOR_MISSING_HARDWARE): %s\n",
                    r.c_str());
    std::fflush(stdout);
    return policy->refused.empty() ? rc : 1;
}
