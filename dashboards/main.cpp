// make-fructosa-dashboard: writes (and optionally uploads) FrUCToSA's Grafana dashboards.
#include <iostream>
#include <string>
#include <vector>

#include "dashboards/cli.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return fructosa::run_cli(args, std::cout, std::cerr);
}
