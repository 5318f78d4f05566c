/* The slurmstepd side: one step on one node, from start to end.
 *
 * step_start goes out in task_post_fork for local task 0: there slurmstepd runs
 * as root and the task is already in all its cgroups (read from
 * /proc/<task pid>/cgroup), while task_init runs in the task after it became the
 * job's user. step_end goes out in exit, once per step per node, with the worst
 * task exit status gathered in task_exit. Every function returns 0: a monitor
 * never fails a job. */
#ifndef FRUCTOSA_SPANK_REMOTE_H
#define FRUCTOSA_SPANK_REMOTE_H

#include <slurm/spank.h>

#include "settings.h"

/** slurm_spank_init: remembers the settings and the job and step ids. */
int fructosa_remote_init(spank_t sp, const struct fructosa_settings *settings);
/** slurm_spank_init_post_opt: decides whether this step is profiled. */
int fructosa_remote_init_post_opt(spank_t sp);
/** slurm_spank_task_post_fork: sends step_start (local task 0, or the extern step). */
int fructosa_remote_task_post_fork(spank_t sp);
/** slurm_spank_task_exit: keeps the worst exit status; sends step_end after the last local task. */
int fructosa_remote_task_exit(spank_t sp);
/** slurm_spank_exit: sends step_end if step_start went out and step_end did not yet. */
int fructosa_remote_exit(spank_t sp);

#endif
