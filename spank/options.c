/* --fructosa and --fructosa-interval (see options.h). */
#include "options.h"

#include <stdio.h>

#include "log.h"

enum { OPT_PROFILE = 1, OPT_INTERVAL = 2 };

static const struct fructosa_settings *g_settings;
static struct fructosa_user_options g_options;
static char g_profile_usage[160];
static char g_interval_usage[160];

/* In srun/sbatch/salloc a bad value must stop the submission (-1); remote
 * (slurmstepd) never fails a job over an option (0 and ignore it). */
static int reject(int remote) { return remote ? 0 : -1; }

static int on_profile(int val, const char *optarg, int remote) {
  (void)val;
  int on = 0;
  if (fructosa_parse_on_off(optarg, &on) != 0) {
    FR_ERROR("invalid --fructosa value '%s': valid values are on|off (no value means on)",
             optarg ? optarg : "");
    return reject(remote);
  }
  g_options.profiling_set = 1;
  g_options.profiling_on = on;
  return 0;
}

static int on_interval(int val, const char *optarg, int remote) {
  (void)val;
  double min_interval = g_settings ? g_settings->min_interval : 1.0;
  double seconds = 0;
  if (fructosa_parse_interval(optarg, min_interval, &seconds) != 0) {
    FR_ERROR("invalid --fructosa-interval value '%s': give a number of seconds >= %g",
             optarg ? optarg : "", min_interval);
    return reject(remote);
  }
  g_options.interval_set = 1;
  g_options.interval = seconds;
  return 0;
}

static struct spank_option g_profile_option = {
    "fructosa", "on|off", g_profile_usage, 2, OPT_PROFILE, on_profile};
static struct spank_option g_interval_option = {
    "fructosa-interval", "SECONDS", g_interval_usage, 1, OPT_INTERVAL, on_interval};

int fructosa_options_register(spank_t sp, const struct fructosa_settings *settings) {
  g_settings = settings;
  snprintf(g_profile_usage, sizeof g_profile_usage,
           "Profile this job with FrUCToSA: on or off (no value means on; "
           "site default: %s)", settings->default_on ? "on" : "off");
  snprintf(g_interval_usage, sizeof g_interval_usage,
           "FrUCToSA sampling interval for this job in seconds (default %g, at least %g)",
           settings->interval, settings->min_interval);
  spank_err_t rc = spank_option_register(sp, &g_profile_option);
  if (rc != ESPANK_SUCCESS)
    FR_ERROR("cannot register --fructosa: %s", spank_strerror(rc));
  rc = spank_option_register(sp, &g_interval_option);
  if (rc != ESPANK_SUCCESS)
    FR_ERROR("cannot register --fructosa-interval: %s", spank_strerror(rc));
  return 0;
}

const struct fructosa_user_options *fructosa_user_options(void) { return &g_options; }
