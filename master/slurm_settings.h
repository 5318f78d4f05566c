#pragma once
/// lmaster's `[slurm]` section: whether and how job records are enriched from slurmctld.

#include <string>

namespace fructosa {

struct SlurmSettings {
    bool enrich = true;  ///< ask slurmctld for final state, time limit, exit code
    std::string conf;    ///< slurm.conf for libslurm; empty: its default (SLURM_CONF or /etc/slurm)
};

}  // namespace fructosa
