// Benchmark: CPU time per sample of one host sensor on the live machine, read as lagent reads
// for its host sensors (files and directories kept open), the sensor only:
// no points, no shipping). `bench_host_sensor NAME [SAMPLES]` (default 2000) samples back to
// back and prints the CPU time per sample from getrusage. Prints figures; asserts nothing.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "collector/sensor.h"
#include "collector/system_reader.h"

using namespace fructosa;

static double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_host_sensor NAME [SAMPLES]\n");
        return 2;
    }
    auto sensor = make_sensor(argv[1]);
    if (!sensor) {
        std::fprintf(stderr, "no sensor named %s (lagent --list-sensors)\n", argv[1]);
        return 2;
    }
    const int samples = argc > 2 ? std::atoi(argv[2]) : 2000;
    HostSystemReader live(true);  // as lagent reads for its host sensors: files kept open
    std::size_t readings = 0;
    sensor->sample(live);  // first sample: baselines, descriptors opened
    const double t0 = cpu_seconds();
    for (int i = 0; i < samples; ++i) {
        auto r = sensor->sample(live);
        if (r) readings += r->size();
    }
    const double t1 = cpu_seconds();
    std::printf("%s: %.1f us CPU per sample (%d samples, %.1f readings per sample)\n", argv[1],
                (t1 - t0) / samples * 1e6, samples, double(readings) / samples);
    return 0;
}
