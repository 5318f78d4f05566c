// libFuzzer target: lagent's parser of the SPANK plugin's messages (one JSON line
// per event, collector/step_event.h). The plugin socket accepts only root and
// SlurmUser, but a parser at an edge must never crash: only StepEventError may
// escape, and what parses must satisfy the documented invariants.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collector/step_event.h"

using namespace fructosa;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view line(reinterpret_cast<const char*>(data), size);
    try {
        StepEvent e = parse_step_event(line);
        if (e.kind != StepEvent::Kind::Start && e.kind != StepEvent::Kind::End) std::abort();
        if (!(e.interval >= 0)) std::abort();  // NaN or negative intervals are refused
    } catch (const StepEventError&) {
    }
    return 0;
}
