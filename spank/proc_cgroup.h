/* Reading the cgroups a process runs in, from /proc/<pid>/cgroup.
 *
 * The plugin hands lagent the exact paths the task really runs in, so lagent never
 * guesses layouts that differ between Slurm versions, cgroup v1 and v2, and
 * several slurmd per host. Plain C, no allocation. */
#ifndef FRUCTOSA_SPANK_PROC_CGROUP_H
#define FRUCTOSA_SPANK_PROC_CGROUP_H

#include <sys/types.h>

#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parses the text of /proc/<pid>/cgroup ("ID:controllers:path" lines).
 *  "4:memory:/a" gives memory=/a, "1:cpu,cpuacct:/b" gives cpu=/b and cpuacct=/b,
 *  "9:name=systemd:/" gives name=systemd=/, "0::/c" gives the unified path.
 *  Lines that do not parse, names or paths too long for the fixed buffers and
 *  controllers beyond FRUCTOSA_MAX_CGROUPS are skipped and counted.
 *  Returns the number of skipped items (0 when everything was taken). */
int fructosa_parse_proc_cgroup(const char *text, struct fructosa_cgroups *out);

/** Reads /proc/<pid>/cgroup (pid 0: /proc/self/cgroup) and parses it. Not
 *  reentrant (one static buffer): SPANK hooks run one at a time.
 *  Returns the number of skipped items, or -1 (errno set) if unreadable. */
int fructosa_read_proc_cgroup(pid_t pid, struct fructosa_cgroups *out);

#ifdef __cplusplus
}
#endif

#endif
