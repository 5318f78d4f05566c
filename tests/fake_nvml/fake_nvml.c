/* A fake libnvidia-ml.so.1 for the tests: the NVML entry points of
 * collector/gpu/nvml_api.h, answering from a table file named by FAKE_NVML_TABLE.
 * lagent loads it through the same dlopen as the real library ([sensor:GPU] library).
 *
 * The table is read again at every nvmlDeviceGetCount_v2 (the start of each of lagent's
 * snapshots), so a test changes the GPUs while lagent runs. Lines ('#' starts a comment):
 *
 *   gpu <index> key=value ...       a GPU; keys below, a key left out makes its call
 *                                   answer NVML_ERROR_NOT_SUPPORTED
 *   mig <index> <k> key=value ...   MIG instance k of GPU <index> (the GPU is in MIG mode)
 *   proc <index>[/<k>] pid=P [mem=BYTES] [sm=PERCENT]   a compute process on a GPU or MIG
 *                                   instance; sm= gives a per-process utilisation sample
 *   hang <function>                 that function blocks until the line is gone
 *
 * Keys: minor uuid util mem_util mem_used mem_total power_mw energy_mj temp sm_clock
 * throttle ecc_corr ecc_uncorr proc_util (1: nvmlDeviceGetProcessUtilization answers).
 * No FAKE_NVML_TABLE, or a table that cannot be read: nvmlInit_v2 says the driver is
 * not loaded. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/gpu/nvml_api.h"

#define MAX_GPUS 16
#define MAX_MIG 8
#define MAX_PROCS 64
#define MAX_HANGS 16

enum field {
  F_MINOR, F_UTIL, F_MEM_UTIL, F_MEM_USED, F_MEM_TOTAL, F_POWER_MW, F_ENERGY_MJ, F_TEMP,
  F_SM_CLOCK, F_THROTTLE, F_ECC_CORR, F_ECC_UNCORR, F_PROC_UTIL, F_COUNT
};
static const char *field_names[F_COUNT] = {"minor",    "util",     "mem_util", "mem_used",
                                           "mem_total", "power_mw", "energy_mj", "temp",
                                           "sm_clock", "throttle", "ecc_corr", "ecc_uncorr",
                                           "proc_util"};

struct nvmlDevice_st {
  int used;
  int is_mig;
  unsigned index, mig;
  char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
  int has[F_COUNT];
  unsigned long long value[F_COUNT];
};

struct proc {
  struct nvmlDevice_st *dev;
  unsigned pid;
  int has_mem, has_sm;
  unsigned long long mem;
  unsigned sm;
};

static struct nvmlDevice_st gpus[MAX_GPUS];
static struct nvmlDevice_st migs[MAX_GPUS][MAX_MIG];
static struct proc procs[MAX_PROCS];
static unsigned gpu_count, proc_count;
/* Like NVML's: every nvmlInit_v2 counts, each nvmlShutdown takes one back (several
 * NvmlLibrary objects of one test binary share this library). */
static int initialised;

static void parse_keys(struct nvmlDevice_st *d, char *rest) {
  for (char *tok = strtok(rest, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
    char *eq = strchr(tok, '=');
    if (!eq)
      continue;
    *eq = '\0';
    const char *val = eq + 1;
    if (strcmp(tok, "uuid") == 0) {
      snprintf(d->uuid, sizeof d->uuid, "%s", val);
      continue;
    }
    for (int f = 0; f < F_COUNT; ++f)
      if (strcmp(tok, field_names[f]) == 0) {
        d->has[f] = 1;
        d->value[f] = strtoull(val, NULL, 10);
      }
  }
}

static void parse_proc(char *rest) {
  if (proc_count >= MAX_PROCS)
    return;
  char *where = strtok(rest, " \t\n");
  if (!where)
    return;
  unsigned index = 0, k = 0;
  struct nvmlDevice_st *dev = NULL;
  if (sscanf(where, "%u/%u", &index, &k) == 2 && index < MAX_GPUS && k < MAX_MIG)
    dev = &migs[index][k];
  else if (index < MAX_GPUS)
    dev = &gpus[index];
  struct proc *p = &procs[proc_count];
  memset(p, 0, sizeof *p);
  p->dev = dev;
  for (char *tok = strtok(NULL, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
    if (strncmp(tok, "pid=", 4) == 0)
      p->pid = (unsigned)strtoul(tok + 4, NULL, 10);
    else if (strncmp(tok, "mem=", 4) == 0)
      p->has_mem = 1, p->mem = strtoull(tok + 4, NULL, 10);
    else if (strncmp(tok, "sm=", 3) == 0)
      p->has_sm = 1, p->sm = (unsigned)strtoul(tok + 3, NULL, 10);
  }
  ++proc_count;
}

/* Reads the whole table; 0 on success. */
static int load_table(void) {
  const char *path = getenv("FAKE_NVML_TABLE");
  FILE *f = path ? fopen(path, "r") : NULL;
  if (!f)
    return -1;
  memset(gpus, 0, sizeof gpus);
  memset(migs, 0, sizeof migs);
  gpu_count = proc_count = 0;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    char *hash = strchr(line, '#');
    if (hash)
      *hash = '\0';
    char kind[16];
    int n = 0;
    if (sscanf(line, "%15s %n", kind, &n) != 1)
      continue;
    char *rest = line + n;
    if (strcmp(kind, "gpu") == 0) {
      unsigned i = 0;
      int m = 0;
      if (sscanf(rest, "%u %n", &i, &m) != 1 || i >= MAX_GPUS)
        continue;
      struct nvmlDevice_st *d = &gpus[i];
      d->used = 1;
      d->index = i;
      snprintf(d->uuid, sizeof d->uuid, "GPU-fake-%u", i);
      parse_keys(d, rest + m);
      if (i + 1 > gpu_count)
        gpu_count = i + 1;
    } else if (strcmp(kind, "mig") == 0) {
      unsigned i = 0, k = 0;
      int m = 0;
      if (sscanf(rest, "%u %u %n", &i, &k, &m) != 2 || i >= MAX_GPUS || k >= MAX_MIG)
        continue;
      struct nvmlDevice_st *d = &migs[i][k];
      d->used = d->is_mig = 1;
      d->index = i;
      d->mig = k;
      snprintf(d->uuid, sizeof d->uuid, "MIG-fake-%u-%u", i, k);
      parse_keys(d, rest + m);
    } else if (strcmp(kind, "proc") == 0) {
      parse_proc(rest);
    }
  }
  fclose(f);
  return 0;
}

/* Blocks while the table has "hang <function>": the hung driver of the tests. */
static void maybe_hang(const char *function) {
  for (;;) {
    const char *path = getenv("FAKE_NVML_TABLE");
    FILE *f = path ? fopen(path, "r") : NULL;
    int hang = 0;
    char line[1024], kind[16], name[128];
    while (f && fgets(line, sizeof line, f))
      if (sscanf(line, "%15s %127s", kind, name) == 2 && strcmp(kind, "hang") == 0 &&
          strcmp(name, function) == 0)
        hang = 1;
    if (f)
      fclose(f);
    if (!hang)
      return;
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

#define ENTER(name)                                                                      \
  do {                                                                                   \
    maybe_hang(name);                                                                    \
    if (!initialised)                                                                    \
      return NVML_ERROR_UNINITIALIZED;                                                   \
  } while (0)

static nvmlReturn_t get(nvmlDevice_t d, enum field f, unsigned long long *out) {
  if (!d || !d->used)
    return NVML_ERROR_INVALID_ARGUMENT;
  if (!d->has[f])
    return NVML_ERROR_NOT_SUPPORTED;
  *out = d->value[f];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void) {
  maybe_hang("nvmlInit_v2");
  if (load_table() != 0)
    return NVML_ERROR_DRIVER_NOT_LOADED;
  ++initialised;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
  if (!initialised)
    return NVML_ERROR_UNINITIALIZED;
  --initialised;
  return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t r) {
  switch (r) {
  case NVML_SUCCESS: return "Success";
  case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
  case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
  case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
  case NVML_ERROR_NOT_FOUND: return "Not Found";
  case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
  case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
  default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  ENTER("nvmlDeviceGetCount_v2");
  if (load_table() != 0)
    return NVML_ERROR_UNKNOWN;
  *count = gpu_count;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  ENTER("nvmlDeviceGetHandleByIndex_v2");
  if (index >= MAX_GPUS || !gpus[index].used)
    return NVML_ERROR_INVALID_ARGUMENT;
  *device = &gpus[index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
  ENTER("nvmlDeviceGetUtilizationRates");
  unsigned long long g = 0, m = 0;
  nvmlReturn_t r = get(d, F_UTIL, &g);
  if (r == NVML_SUCCESS)
    r = get(d, F_MEM_UTIL, &m);
  if (r == NVML_SUCCESS)
    u->gpu = (unsigned)g, u->memory = (unsigned)m;
  return r;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *mem) {
  ENTER("nvmlDeviceGetMemoryInfo");
  unsigned long long used = 0, total = 0;
  nvmlReturn_t r = get(d, F_MEM_USED, &used);
  if (r == NVML_SUCCESS)
    r = get(d, F_MEM_TOTAL, &total);
  if (r == NVML_SUCCESS)
    mem->used = used, mem->total = total, mem->free = total > used ? total - used : 0;
  return r;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) {
  ENTER("nvmlDeviceGetPowerUsage");
  unsigned long long v = 0;
  nvmlReturn_t r = get(d, F_POWER_MW, &v);
  *mw = (unsigned)v;
  return r;
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *mj) {
  ENTER("nvmlDeviceGetTotalEnergyConsumption");
  return get(d, F_ENERGY_MJ, mj);
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, nvmlTemperatureSensors_t s, unsigned int *c) {
  ENTER("nvmlDeviceGetTemperature");
  if (s != NVML_TEMPERATURE_GPU)
    return NVML_ERROR_INVALID_ARGUMENT;
  unsigned long long v = 0;
  nvmlReturn_t r = get(d, F_TEMP, &v);
  *c = (unsigned)v;
  return r;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, nvmlClockType_t t, unsigned int *mhz) {
  ENTER("nvmlDeviceGetClockInfo");
  if (t != NVML_CLOCK_SM)
    return NVML_ERROR_NOT_SUPPORTED;
  unsigned long long v = 0;
  nvmlReturn_t r = get(d, F_SM_CLOCK, &v);
  *mhz = (unsigned)v;
  return r;
}

nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *reasons) {
  ENTER("nvmlDeviceGetCurrentClocksThrottleReasons");
  return get(d, F_THROTTLE, reasons);
}

nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, nvmlMemoryErrorType_t e, nvmlEccCounterType_t c,
                                         unsigned long long *count) {
  ENTER("nvmlDeviceGetTotalEccErrors");
  (void)c;
  return get(d, e == NVML_MEMORY_ERROR_TYPE_CORRECTED ? F_ECC_CORR : F_ECC_UNCORR, count);
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *count, nvmlProcessInfo_t *infos) {
  ENTER("nvmlDeviceGetComputeRunningProcesses_v3");
  if (!d || !d->used)
    return NVML_ERROR_INVALID_ARGUMENT;
  unsigned n = 0;
  for (unsigned i = 0; i < proc_count; ++i)
    if (procs[i].dev == d)
      ++n;
  if (!infos || *count < n) {
    *count = n;
    return n == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
  }
  unsigned j = 0;
  for (unsigned i = 0; i < proc_count; ++i)
    if (procs[i].dev == d) {
      infos[j].pid = procs[i].pid;
      infos[j].usedGpuMemory = procs[i].has_mem ? procs[i].mem : NVML_VALUE_NOT_AVAILABLE;
      infos[j].gpuInstanceId = d->is_mig ? d->mig : 0xFFFFFFFFu;
      infos[j].computeInstanceId = d->is_mig ? 0 : 0xFFFFFFFFu;
      ++j;
    }
  *count = n;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetProcessUtilization(nvmlDevice_t d, nvmlProcessUtilizationSample_t *u, unsigned int *count,
                                             unsigned long long last_seen) {
  ENTER("nvmlDeviceGetProcessUtilization");
  unsigned long long supported = 0;
  nvmlReturn_t r = get(d, F_PROC_UTIL, &supported);
  if (r != NVML_SUCCESS || !supported)
    return NVML_ERROR_NOT_SUPPORTED;
  /* Every call gives one fresh sample per process with sm=, stamped now. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  unsigned long long now_us = (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
  if (now_us <= last_seen)
    now_us = last_seen + 1;
  unsigned n = 0;
  for (unsigned i = 0; i < proc_count; ++i)
    if (procs[i].dev == d && procs[i].has_sm)
      ++n;
  if (n == 0)
    return NVML_ERROR_NOT_FOUND;
  if (!u || *count < n) {
    *count = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  unsigned j = 0;
  for (unsigned i = 0; i < proc_count; ++i)
    if (procs[i].dev == d && procs[i].has_sm) {
      memset(&u[j], 0, sizeof u[j]);
      u[j].pid = procs[i].pid;
      u[j].timeStamp = now_us;
      u[j].smUtil = procs[i].sm;
      ++j;
    }
  *count = n;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t d, unsigned int *minor) {
  ENTER("nvmlDeviceGetMinorNumber");
  unsigned long long v = 0;
  nvmlReturn_t r = get(d, F_MINOR, &v);
  *minor = (unsigned)v;
  return r;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
  ENTER("nvmlDeviceGetUUID");
  if (!d || !d->used)
    return NVML_ERROR_INVALID_ARGUMENT;
  if (strlen(d->uuid) + 1 > length)
    return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(uuid, d->uuid, strlen(d->uuid) + 1);
  return NVML_SUCCESS;
}

static unsigned mig_count(nvmlDevice_t d) {
  unsigned max = 0;
  for (unsigned k = 0; k < MAX_MIG; ++k)
    if (migs[d->index][k].used)
      max = k + 1;
  return max;
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current, unsigned int *pending) {
  ENTER("nvmlDeviceGetMigMode");
  if (!d || !d->used || d->is_mig)
    return NVML_ERROR_NOT_SUPPORTED;
  *current = *pending = mig_count(d) > 0 ? NVML_DEVICE_MIG_ENABLE : 0;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t d, unsigned int *count) {
  ENTER("nvmlDeviceGetMaxMigDeviceCount");
  if (!d || !d->used || d->is_mig)
    return NVML_ERROR_NOT_SUPPORTED;
  *count = MAX_MIG;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t d, unsigned int index, nvmlDevice_t *mig) {
  ENTER("nvmlDeviceGetMigDeviceHandleByIndex");
  if (!d || !d->used || d->is_mig || index >= MAX_MIG)
    return NVML_ERROR_INVALID_ARGUMENT;
  if (!migs[d->index][index].used)
    return NVML_ERROR_NOT_FOUND;
  *mig = &migs[d->index][index];
  return NVML_SUCCESS;
}
