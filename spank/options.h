/* The user options --fructosa[=on|off] and --fructosa-interval=SECONDS.
 *
 * In srun/sbatch/salloc a bad value stops the submission with a message naming
 * the valid values; in slurmstepd a bad value is logged and ignored, so a
 * running job never fails because of an option. */
#ifndef FRUCTOSA_SPANK_OPTIONS_H
#define FRUCTOSA_SPANK_OPTIONS_H

#include <slurm/spank.h>

#include "settings.h"

/** What the user asked for; *_set is 0 when the option was not given. */
struct fructosa_user_options {
  int profiling_set;
  int profiling_on;
  int interval_set;
  double interval;
};

/** Registers both options (their help shows in `srun --help`). settings (kept by
 *  the caller for the plugin's lifetime) gives min_interval and the defaults
 *  named in the help text. Returns 0; failures are logged. */
int fructosa_options_register(spank_t sp, const struct fructosa_settings *settings);

/** The values the option callbacks stored in this process. */
const struct fructosa_user_options *fructosa_user_options(void);

#endif
