/* spank_fructosa's settings: the plugstack.conf arguments and the user options.
 *
 * Pure parsing into plain structs (no Slurm calls), so every rule is unit tested.
 * Defaults live in fructosa_settings_defaults() only. */
#ifndef FRUCTOSA_SPANK_SETTINGS_H
#define FRUCTOSA_SPANK_SETTINGS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FRUCTOSA_SOCKET_PATH_MAX 256
#define FRUCTOSA_DEFAULT_SOCKET "/run/fructosa/lagent.sock"
#define FRUCTOSA_TIMEOUT_MS_MAX 10000

/** The site's settings, from the plugin's line in plugstack.conf:
 *  default=on|off socket=PATH timeout_ms=N min_interval=S interval=S. */
struct fructosa_settings {
  int default_on;                            /* profile jobs that give no option */
  char socket_path[FRUCTOSA_SOCKET_PATH_MAX]; /* %n is replaced by the node name */
  int timeout_ms;                            /* connect + send budget per message */
  double min_interval;                       /* smallest --fructosa-interval allowed */
  double interval;                           /* job sampling interval by default */
};

/** default=off, socket=/run/fructosa/lagent.sock, timeout_ms=100,
 *  min_interval=1, interval=10. */
void fructosa_settings_defaults(struct fructosa_settings *s);

/** Parses plugstack arguments over the defaults. A bad or unknown argument keeps
 *  that key's default (a monitor never fails a job) and is described in err
 *  (all of them, "; "-separated, truncated to errlen). interval below
 *  min_interval is raised to min_interval (and reported).
 *  Returns the number of bad arguments (0: err is ""). */
int fructosa_settings_parse(struct fructosa_settings *s, int argc, char *const argv[],
                            char *err, size_t errlen);

/** --fructosa[=on|off]: NULL or "" (no argument) and "on" give 1, "off" gives 0.
 *  Returns 0 on success, -1 for any other value (*on untouched). */
int fructosa_parse_on_off(const char *value, int *on);

/** --fructosa-interval=SECONDS: a finite number >= min_interval and > 0.
 *  Returns 0 on success, -1 otherwise (*seconds untouched). */
int fructosa_parse_interval(const char *value, double min_interval, double *seconds);

/** Copies pattern into out, replacing every "%n" with node and "%%" with "%".
 *  Returns 0, or -1 if the result does not fit (out is then ""). */
int fructosa_expand_socket_path(const char *pattern, const char *node, char *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif
