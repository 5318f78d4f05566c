// Numbers out of a field's range are refused, not converted (found by
// tests/fuzz/fuzz_step_event: {"v":233333333333333333333} was undefined behaviour).
#include "collector/step_event.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace fructosa;

TEST(StepEventRange, NumbersOutsideTheFieldsTypeAreRefused) {
    const std::string end = R"(,"event":"step_end","step_id":"0","node":"n")";
    for (const std::string& bad : std::vector<std::string>{
             R"({"v":233333333333333333333)" + end + R"(,"job_id":1})",
             R"({"v":1e300)" + end + R"(,"job_id":1})",
             R"({"v":-1e300)" + end + R"(,"job_id":1})",
             R"({"v":4294967297)" + end + R"(,"job_id":1})",
             R"({"v":1)" + end + R"(,"job_id":1,"exit_status":2147483648})",
             R"({"v":1)" + end + R"(,"job_id":1,"exit_status":-2147483649})",
             R"({"v":1)" + end + R"(,"job_id":18446744073709551616})",
             R"({"v":1,"event":"step_start","step_id":"0","node":"n","job_id":1,"uid":4294967296})",
             R"({"v":1,"event":"step_start","step_id":"0","node":"n","job_id":1,"uid":0,"cpus":9999999999})",
         }) {
        try {
            parse_step_event(bad);
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const StepEventError& e) {
            std::string why = e.what();
            EXPECT_TRUE(why.find("out of range") != std::string::npos || why.find("version") != std::string::npos ||
                        why.find("non-negative") != std::string::npos)
                << bad << " -> " << why;
        }
    }
}

TEST(StepEventRange, TheLimitsThemselvesAreAccepted) {
    auto e = parse_step_event(
        R"({"v":1.0,"event":"step_start","step_id":"0","node":"n","job_id":18446744073709551615,"uid":4294967295})");
    EXPECT_EQ(e.job_id, 18446744073709551615ul);
    EXPECT_EQ(e.uid, 4294967295u);
    auto end = parse_step_event(R"({"v":1,"event":"step_end","step_id":"0","node":"n","job_id":1,"exit_status":-2147483648})");
    EXPECT_EQ(end.exit_status, -2147483648);
}
