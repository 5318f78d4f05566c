/* spank_fructosa.so: FrUCToSA's SPANK plugin. The C ABI Slurm loads.
 *
 * This file only dispatches: every slurm_spank_* hook switches on spank_context()
 * and calls a small per-context function (options.c for srun/sbatch/salloc,
 * remote.c for slurmstepd). Every hook returns 0: a monitor never fails a job or
 * drains a node. Only the slurm_spank_* hooks and the plugin_* symbols are
 * exported (hidden visibility plus spank_fructosa.lds). */
#include <slurm/slurm.h>
#include <slurm/spank.h>

#include "log.h"
#include "message.h"
#include "options.h"
#include "remote.h"
#include "settings.h"

_Static_assert(FRUCTOSA_STEP_BATCH == SLURM_BATCH_SCRIPT, "batch step id");
_Static_assert(FRUCTOSA_STEP_EXTERN == SLURM_EXTERN_CONT, "extern step id");
_Static_assert(FRUCTOSA_STEP_INTERACTIVE == SLURM_INTERACTIVE_STEP, "interactive step id");
_Static_assert(FRUCTOSA_STEP_PENDING == SLURM_PENDING_STEP, "pending step id");

#define EXPORT __attribute__((visibility("default")))

#pragma GCC visibility push(default)
SPANK_PLUGIN(fructosa, 1);
#pragma GCC visibility pop

static struct fructosa_settings g_settings;

/* plugstack.conf arguments: bad ones are logged once and fall back to defaults. */
static void load_settings(int argc, char **argv) {
  char err[512];
  if (fructosa_settings_parse(&g_settings, argc, argv, err, sizeof err) > 0)
    FR_ERROR("plugstack.conf: %s", err);
}

EXPORT int slurm_spank_init(spank_t sp, int argc, char **argv) {
  switch (spank_context()) {
  case S_CTX_LOCAL:
  case S_CTX_ALLOCATOR:
    load_settings(argc, argv);
    return fructosa_options_register(sp, &g_settings);
  case S_CTX_REMOTE:
    load_settings(argc, argv);
    fructosa_options_register(sp, &g_settings);
    return fructosa_remote_init(sp, &g_settings);
  default: /* slurmd, prolog/epilog: nothing to do */
    return 0;
  }
}

EXPORT int slurm_spank_init_post_opt(spank_t sp, int argc, char **argv) {
  (void)argc;
  (void)argv;
  switch (spank_context()) {
  case S_CTX_REMOTE:
    return fructosa_remote_init_post_opt(sp);
  default:
    return 0;
  }
}

EXPORT int slurm_spank_task_post_fork(spank_t sp, int argc, char **argv) {
  (void)argc;
  (void)argv;
  switch (spank_context()) {
  case S_CTX_REMOTE:
    return fructosa_remote_task_post_fork(sp);
  default:
    return 0;
  }
}

EXPORT int slurm_spank_task_exit(spank_t sp, int argc, char **argv) {
  (void)argc;
  (void)argv;
  switch (spank_context()) {
  case S_CTX_REMOTE:
    return fructosa_remote_task_exit(sp);
  default:
    return 0;
  }
}

EXPORT int slurm_spank_exit(spank_t sp, int argc, char **argv) {
  (void)argc;
  (void)argv;
  switch (spank_context()) {
  case S_CTX_REMOTE:
    return fructosa_remote_exit(sp);
  default:
    return 0;
  }
}
