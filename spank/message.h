/* The one-line JSON messages spank_fructosa sends to lagent: the contract.
 *
 * Pure functions (struct in, bounded string out) so the unit tests check every
 * field, the escaping and the truncation without Slurm. Plain C: this code runs
 * inside slurmstepd. */
#ifndef FRUCTOSA_SPANK_MESSAGE_H
#define FRUCTOSA_SPANK_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the message format ("v" field); bump on incompatible changes. */
#define FRUCTOSA_MESSAGE_VERSION 1

/** Slurm's special step ids (slurm.h: SLURM_BATCH_SCRIPT, ...), repeated here so
 *  this file needs no Slurm header; spank_fructosa.c checks they agree. */
#define FRUCTOSA_STEP_PENDING 0xfffffffdu
#define FRUCTOSA_STEP_EXTERN 0xfffffffcu
#define FRUCTOSA_STEP_BATCH 0xfffffffbu
#define FRUCTOSA_STEP_INTERACTIVE 0xfffffffau

#define FRUCTOSA_MAX_CGROUPS 16
#define FRUCTOSA_CGROUP_NAME_MAX 64
#define FRUCTOSA_CGROUP_PATH_MAX 1024

/** One v1 controller (or named hierarchy, "name=systemd") and its path. */
struct fructosa_cgroup_entry {
  char controller[FRUCTOSA_CGROUP_NAME_MAX];
  char path[FRUCTOSA_CGROUP_PATH_MAX];
};

/** What /proc/<pid>/cgroup says: v1 controllers, plus the v2 ("0::") path. */
struct fructosa_cgroups {
  size_t count;
  struct fructosa_cgroup_entry entries[FRUCTOSA_MAX_CGROUPS];
  int has_unified;
  char unified[FRUCTOSA_CGROUP_PATH_MAX];
};

/** Everything step_start carries. NULL strings are sent as "". */
struct fructosa_step_start {
  double time;            /* epoch seconds */
  uint32_t job_id;
  const char *step_id;    /* "0", "batch", "extern", "interactive" */
  uint32_t uid;
  const char *user;
  const char *account;
  const char *partition;
  const char *job_name;
  const char *nodelist;
  const char *node;
  uint32_t nnodes;
  uint32_t cpus;          /* allocated on this node */
  uint64_t mem_mb;        /* allocated on this node, 0 if unknown */
  uint32_t gpus;
  const char *gpu_ids;    /* Slurm's GPU ids on this node ("0,1"), "" when none */
  uint32_t ntasks;        /* total */
  uint32_t local_tasks;
  double interval;        /* seconds */
  const struct fructosa_cgroups *cgroup; /* may be NULL: "cgroup":{} */
};

/** What step_end carries. exit_status is shell style: the exit code, or
 *  128 + signal number for a task killed by a signal; the worst of the tasks. */
struct fructosa_step_end {
  double time;
  uint32_t job_id;
  const char *step_id;
  const char *node;
  int exit_status;
};

/** Writes step_start as one JSON line ending in "\n" into buf (always
 *  NUL-terminated when len > 0). Returns the length written, or -1 when it does
 *  not fit (buf then holds no partial message: it is the empty string). */
int fructosa_format_step_start(const struct fructosa_step_start *msg, char *buf, size_t len);

/** Same for step_end. */
int fructosa_format_step_end(const struct fructosa_step_end *msg, char *buf, size_t len);

/** Slurm step id to its name in messages: "0", "1", ..., "batch", "extern",
 *  "interactive", "pending". buf needs 12 bytes. */
void fructosa_step_id_name(uint32_t step_id, char *buf, size_t len);

/** Converts a wait() status to a shell-style exit code (code, or 128 + signal). */
int fructosa_exit_code(int wait_status);

/** Number of devices in a comma-separated list ("0,1,3" -> 3); "" and
 *  "NoDevFiles" (Slurm's marker for no device files) count 0. NULL -> 0. */
uint32_t fructosa_count_devices(const char *list);

/** Number of CPUs in a Slurm/Linux CPU list ("0-3,8,10-11" -> 7). Returns 0 for
 *  NULL, "" or anything that does not parse. */
uint32_t fructosa_count_cpu_list(const char *list);

#ifdef __cplusplus
}
#endif

#endif
