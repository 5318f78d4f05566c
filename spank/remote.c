/* slurmstepd side of spank_fructosa (see remote.h). */
#include "remote.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "lagent_socket.h"
#include "log.h"
#include "message.h"
#include "options.h"
#include "passwd_file.h"
#include "proc_cgroup.h"

#define ENV_VALUE_MAX 1024
#define NODE_NAME_MAX 256

/* Everything one slurmstepd knows about its step. One step per slurmstepd. */
static struct {
  const struct fructosa_settings *settings;
  int have_ids;
  uint32_t job_id;
  uint32_t step_id;
  char step_name[16];
  char node[NODE_NAME_MAX];
  int enabled;
  double interval;
  int start_sent;   /* step_start was attempted: step_end follows */
  int end_sent;     /* step_end went out when the last local task exited */
  uint32_t tasks_exited;
  int worst_exit;
} g_step;

static struct fructosa_cgroups g_cgroups;
static char g_line[32768];

static double epoch_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* spank_get_item for one scalar item, checked and logged. quiet: the item may
 * legitimately be missing here (debug level instead of info). */
#define GET_ITEM(sp, item, ptr, quiet) get_item_logged(sp, item, #item, ptr, quiet)
static int get_item_logged(spank_t sp, spank_item_t item, const char *name, void *ptr, int quiet) {
  spank_err_t rc = spank_get_item(sp, item, ptr);
  if (rc == ESPANK_SUCCESS)
    return 0;
  if (quiet)
    FR_DEBUG("spank_get_item(%s): %s", name, spank_strerror(rc));
  else
    FR_INFO("spank_get_item(%s): %s", name, spank_strerror(rc));
  return -1;
}

/* The job's environment variable, or "" (logged at debug level) if unset. */
static void job_env(spank_t sp, const char *name, char *buf, int len) {
  buf[0] = '\0';
  spank_err_t rc = spank_getenv(sp, name, buf, len);
  if (rc != ESPANK_SUCCESS) {
    buf[0] = '\0';
    FR_DEBUG("spank_getenv(%s): %s", name, spank_strerror(rc));
  }
}

/* This node's Slurm name. slurmstepd's own environment holds the right
 * SLURMD_NODENAME; the job's may hold the batch node's (srun inside sbatch). */
static void find_node_name(spank_t sp, char *buf, size_t len) {
  const char *own = getenv("SLURMD_NODENAME");
  if (own && *own) {
    snprintf(buf, len, "%s", own);
    return;
  }
  job_env(sp, "SLURMD_NODENAME", buf, (int)len);
  if (*buf)
    return;
  if (gethostname(buf, len) != 0)
    buf[0] = '\0';
  buf[len - 1] = '\0';
  char *dot = strchr(buf, '.');
  if (dot)
    *dot = '\0';
}

static void send_line(const char *what, const char *line, int len) {
  char socket_path[FRUCTOSA_SOCKET_PATH_MAX + NODE_NAME_MAX];
  if (fructosa_expand_socket_path(g_step.settings->socket_path, g_step.node, socket_path,
                                  sizeof socket_path) != 0) {
    FR_ERROR("socket path '%s' too long for node %s; %s not sent",
             g_step.settings->socket_path, g_step.node, what);
    return;
  }
  char err[256];
  if (fructosa_send_line(socket_path, line, (size_t)len, g_step.settings->timeout_ms, err,
                         sizeof err) != 0) {
    FR_ERROR("%s for job %u step %s not delivered to lagent at %s: %s (job continues)", what,
             g_step.job_id, g_step.step_name, socket_path, err);
    return;
  }
  FR_DEBUG("%s for job %u step %s sent to %s", what, g_step.job_id, g_step.step_name,
           socket_path);
}

int fructosa_remote_init(spank_t sp, const struct fructosa_settings *settings) {
  memset(&g_step, 0, sizeof g_step);
  g_step.settings = settings;
  g_step.interval = settings->interval;
  if (GET_ITEM(sp, S_JOB_ID, &g_step.job_id, 0) == 0 &&
      GET_ITEM(sp, S_JOB_STEPID, &g_step.step_id, 0) == 0)
    g_step.have_ids = 1;
  fructosa_step_id_name(g_step.step_id, g_step.step_name, sizeof g_step.step_name);
  find_node_name(sp, g_step.node, sizeof g_step.node);
  return 0;
}

int fructosa_remote_init_post_opt(spank_t sp) {
  (void)sp;
  const struct fructosa_user_options *o = fructosa_user_options();
  /* The extern step gets no user options: only the site default applies there. */
  g_step.enabled = o->profiling_set ? o->profiling_on : g_step.settings->default_on;
  if (o->interval_set)
    g_step.interval = o->interval;
  if (g_step.enabled && !g_step.have_ids) {
    FR_ERROR("no job/step id: profiling off for this step");
    g_step.enabled = 0;
  }
  return 0;
}

static void send_step_start(spank_t sp, pid_t task_pid) {
  char user[ENV_VALUE_MAX], account[ENV_VALUE_MAX], partition[ENV_VALUE_MAX];
  char job_name[ENV_VALUE_MAX], nodelist[ENV_VALUE_MAX], gpus[ENV_VALUE_MAX];
  job_env(sp, "SLURM_JOB_USER", user, sizeof user);
  job_env(sp, "SLURM_JOB_ACCOUNT", account, sizeof account);
  job_env(sp, "SLURM_JOB_PARTITION", partition, sizeof partition);
  job_env(sp, "SLURM_JOB_NAME", job_name, sizeof job_name);
  job_env(sp, "SLURM_JOB_NODELIST", nodelist, sizeof nodelist);
  /* The ids Slurm gave the job: lagent matches them to the GPUs' minor numbers on
   * cgroup v2, so never CUDA_VISIBLE_DEVICES, which the user can set. */
  char gpu_ids[ENV_VALUE_MAX];
  job_env(sp, "SLURM_STEP_GPUS", gpu_ids, sizeof gpu_ids);
  if (!*gpu_ids)
    job_env(sp, "SLURM_JOB_GPUS", gpu_ids, sizeof gpu_ids);
  if (strcmp(gpu_ids, "NoDevFiles") == 0)
    gpu_ids[0] = '\0';
  /* The count alone may also come from CUDA_VISIBLE_DEVICES (a GRES without File=). */
  snprintf(gpus, sizeof gpus, "%s", gpu_ids);
  if (!*gpus)
    job_env(sp, "CUDA_VISIBLE_DEVICES", gpus, sizeof gpus);

  uid_t uid = 0;
  uint32_t nnodes = 0, ntasks = 0, local_tasks = 0;
  uint16_t ncpus = 0;
  uint64_t mem_mb = 0;
  if (GET_ITEM(sp, S_JOB_UID, &uid, 0) == 0 && !*user &&
      fructosa_passwd_name("/etc/passwd", (uint32_t)uid, user, sizeof user) != 0)
    FR_DEBUG("no SLURM_JOB_USER and uid %u not in /etc/passwd", (unsigned)uid);
  /* nnodes is the job's, like nodelist; the batch step's own S_JOB_NNODES is 0. */
  char num_nodes[32];
  job_env(sp, "SLURM_JOB_NUM_NODES", num_nodes, sizeof num_nodes);
  nnodes = (uint32_t)strtoul(num_nodes, NULL, 10);
  if (nnodes == 0)
    GET_ITEM(sp, S_JOB_NNODES, &nnodes, 0);
  GET_ITEM(sp, S_JOB_TOTAL_TASK_COUNT, &ntasks, 0);
  GET_ITEM(sp, S_JOB_LOCAL_TASK_COUNT, &local_tasks, 0);
  if (ntasks == 0) /* the batch step: its one task, the script */
    ntasks = local_tasks;
  GET_ITEM(sp, S_JOB_NCPUS, &ncpus, 0);
  uint32_t cpus = ncpus;
  if (cpus == 0) { /* the extern step has no CPU count of its own: the job's cores */
    char *cores = NULL;
    if (GET_ITEM(sp, S_JOB_ALLOC_CORES, &cores, 1) == 0)
      cpus = fructosa_count_cpu_list(cores);
  }
  if (GET_ITEM(sp, S_STEP_ALLOC_MEM, &mem_mb, 1) != 0 || mem_mb == 0)
    GET_ITEM(sp, S_JOB_ALLOC_MEM, &mem_mb, 1);

  int skipped = fructosa_read_proc_cgroup(task_pid, &g_cgroups);
  if (skipped < 0) {
    FR_ERROR("cannot read /proc/%ld/cgroup: sending no cgroup paths", (long)task_pid);
    memset(&g_cgroups, 0, sizeof g_cgroups);
  } else if (skipped > 0) {
    FR_INFO("%d cgroup entries of pid %ld skipped (too long or too many)", skipped,
            (long)task_pid);
  }

  struct fructosa_step_start msg = {
      .time = epoch_seconds(),
      .job_id = g_step.job_id,
      .step_id = g_step.step_name,
      .uid = (uint32_t)uid,
      .user = user,
      .account = account,
      .partition = partition,
      .job_name = job_name,
      .nodelist = nodelist,
      .node = g_step.node,
      .nnodes = nnodes,
      .cpus = cpus,
      .mem_mb = mem_mb,
      .gpus = fructosa_count_devices(gpus),
      .gpu_ids = gpu_ids,
      .ntasks = ntasks,
      .local_tasks = local_tasks,
      .interval = g_step.interval,
      .cgroup = &g_cgroups,
  };
  int len = fructosa_format_step_start(&msg, g_line, sizeof g_line);
  if (len < 0) {
    FR_ERROR("step_start for job %u step %s does not fit in %zu bytes: not sent",
             g_step.job_id, g_step.step_name, sizeof g_line);
    return;
  }
  send_line("step_start", g_line, len);
}

int fructosa_remote_task_post_fork(spank_t sp) {
  if (!g_step.enabled || g_step.start_sent)
    return 0;
  pid_t task_pid = 0; /* 0: slurmstepd itself, which the extern step runs in */
  if (g_step.step_id != FRUCTOSA_STEP_EXTERN) {
    int task_id = -1;
    if (GET_ITEM(sp, S_TASK_ID, &task_id, 0) != 0 || task_id != 0)
      return 0;
    if (GET_ITEM(sp, S_TASK_PID, &task_pid, 0) != 0)
      task_pid = 0;
  }
  g_step.start_sent = 1;
  send_step_start(sp, task_pid);
  return 0;
}

static void send_step_end(void) {
  g_step.end_sent = 1;
  struct fructosa_step_end msg = {
      .time = epoch_seconds(),
      .job_id = g_step.job_id,
      .step_id = g_step.step_name,
      .node = g_step.node,
      .exit_status = g_step.worst_exit,
  };
  int len = fructosa_format_step_end(&msg, g_line, sizeof g_line);
  if (len < 0) {
    FR_ERROR("step_end for job %u step %s does not fit: not sent", g_step.job_id,
             g_step.step_name);
    return;
  }
  send_line("step_end", g_line, len);
}

int fructosa_remote_task_exit(spank_t sp) {
  if (!g_step.enabled)
    return 0;
  int status = 0;
  if (GET_ITEM(sp, S_TASK_EXIT_STATUS, &status, 0) == 0) {
    int code = fructosa_exit_code(status);
    if (code > g_step.worst_exit)
      g_step.worst_exit = code;
  }
  /* When the last task of this node has exited, the step's cgroups still hold its
   * figures; by slurm_spank_exit slurmstepd may already be removing them. So step_end
   * goes out now, and lagent's final sample sees the whole step. */
  uint32_t local_tasks = 0;
  ++g_step.tasks_exited;
  if (g_step.start_sent && !g_step.end_sent &&
      GET_ITEM(sp, S_JOB_LOCAL_TASK_COUNT, &local_tasks, 0) == 0 && local_tasks > 0 &&
      g_step.tasks_exited >= local_tasks)
    send_step_end();
  return 0;
}

int fructosa_remote_exit(spank_t sp) {
  (void)sp;
  if (g_step.enabled && g_step.start_sent && !g_step.end_sent)
    send_step_end(); /* steps without tasks here (extern), or a task count we could not read */
  return 0;
}
