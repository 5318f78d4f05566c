#include "collector/step_event.h"

#include <gtest/gtest.h>

using namespace fructosa;

TEST(StepEvent, ParsesAStartWithEveryField) {
    auto e = parse_step_event(
        R"({"v":1,"event":"step_start","time":1700000000.25,"job_id":42,"step_id":"batch","uid":1000,)"
        R"("user":"alice","account":"phys","partition":"debug","job_name":"my \"job\"","nodelist":"n[1-3]",)"
        R"("node":"n2","nnodes":3,"cpus":4,"mem_mb":2048,"gpus":1,"gpu_ids":"0,3","ntasks":3,"local_tasks":1,)"
        R"("interval":5,)"
        R"("cgroup":{"memory":"/slurm_n2/uid_1000/job_42/step_batch/task_0","unified":"/"}})");
    EXPECT_EQ(e.kind, StepEvent::Kind::Start);
    EXPECT_EQ(e.job_id, 42u);
    EXPECT_EQ(e.step_id, "batch");
    EXPECT_EQ(e.uid, 1000u);
    EXPECT_EQ(e.job_name, "my \"job\"");
    EXPECT_EQ(e.cpus, 4u);
    EXPECT_EQ(e.mem_mb, 2048u);
    EXPECT_EQ(e.gpu_ids, "0,3");
    EXPECT_DOUBLE_EQ(e.interval, 5);
    EXPECT_EQ(e.cgroup.at("memory"), "/slurm_n2/uid_1000/job_42/step_batch/task_0");
}

TEST(StepEvent, GpuIdsAreOptionalButAString) {
    const std::string head = R"({"v":1,"event":"step_start","job_id":42,"step_id":"0","uid":0,"node":"n1")";
    EXPECT_EQ(parse_step_event(head + "}").gpu_ids, "");  // a plugin before 0.4 sends none
    EXPECT_THROW(parse_step_event(head + R"(,"gpu_ids":3})"), StepEventError);
    EXPECT_THROW(parse_step_event(head + R"(,"gpu_ids":")" + std::string(2000, '1') + "\"}"), StepEventError);
}

TEST(StepEvent, ParsesAnEnd) {
    auto e = parse_step_event(R"({"v":1,"event":"step_end","time":1,"job_id":7,"step_id":"0","node":"n1","exit_status":256})");
    EXPECT_EQ(e.kind, StepEvent::Kind::End);
    EXPECT_EQ(e.exit_status, 256);
}

TEST(StepEvent, EveryBadMessageSaysWhy) {
    struct Case {
        const char* line;
        const char* reason;
    };
    for (auto [line, reason] : std::initializer_list<Case>{
             {"", "not valid JSON"},
             {"garbage\x01\xff", "not valid JSON"},
             {"[1,2]", "not a JSON object"},
             {R"({"v":2,"event":"step_end"})", "version"},
             {R"({"v":1,"event":"reboot","job_id":1,"step_id":"0","node":"n"})", "unknown event"},
             {R"({"v":1,"event":"step_end","step_id":"0","node":"n"})", "missing field 'job_id'"},
             {R"({"v":1,"event":"step_end","job_id":-4,"step_id":"0","node":"n"})", "non-negative"},
             {R"({"v":1,"event":"step_end","job_id":"4","step_id":"0","node":"n"})", "not a number"},
             {R"({"v":1,"event":"step_start","job_id":4,"step_id":"0","node":"n"})", "missing field 'uid'"},
             {R"({"v":1,"event":"step_start","job_id":4,"step_id":"0","node":"n","uid":0,"cgroup":[1]})", "cgroup"},
             {R"({"v":1,"event":"step_start","job_id":4,"step_id":"0","node":"n","uid":0,"interval":-1})", "interval"},
         }) {
        try {
            parse_step_event(line);
            ADD_FAILURE() << "accepted: " << line;
        } catch (const StepEventError& e) {
            EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << line << " -> " << e.what();
        }
    }
}
