/* Logging with the plugin's prefix through Slurm's own log functions (slurmd's
 * log in slurmstepd, stderr in srun/sbatch). Only spank_fructosa.c, options.c
 * and remote.c use it: the pure files never log. */
#ifndef FRUCTOSA_SPANK_LOG_H
#define FRUCTOSA_SPANK_LOG_H

#include <slurm/spank.h>

#define FR_ERROR(fmt, ...) slurm_error("spank_fructosa: " fmt, ##__VA_ARGS__)
#define FR_INFO(fmt, ...) slurm_info("spank_fructosa: " fmt, ##__VA_ARGS__)
#define FR_DEBUG(fmt, ...) slurm_debug("spank_fructosa: " fmt, ##__VA_ARGS__)

#endif
