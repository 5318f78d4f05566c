#pragma once
/// Which GPUs belong to a job, from what the node says rather than from what the job's
/// user can change (CUDA_VISIBLE_DEVICES):
///   - cgroup v1: the job's devices cgroup (devices.list) allows /dev/nvidia<minor>,
///     char major 195, which NVML's nvmlDeviceGetMinorNumber names;
///   - otherwise (cgroup v2 has no devices.list): the GPU ids Slurm gave the job
///     (SLURM_STEP_GPUS / SLURM_JOB_GPUS, sent by the SPANK plugin as step_start's
///     "gpu_ids"), taken as minor numbers: Slurm numbers a node's GPUs in the order of
///     gres.conf's File= device files, which is /dev/nvidia<N> order;
///   - cross-checked with NVML's compute processes, mapped to jobs through
///     /proc/<pid>/cgroup (job_of_cgroup_text): a GPU running the job's processes is the
///     job's too (also how MIG instances, which have no minor of their own, are found).

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

namespace fructosa {

/// The NVIDIA character device major (/dev/nvidia<minor>, /dev/nvidiactl = 255).
inline constexpr unsigned kNvidiaMajor = 195;
/// /dev/nvidiactl's minor: every CUDA job opens it, it is no GPU.
inline constexpr unsigned kNvidiaCtlMinor = 255;

/// The GPU minors a cgroup v1 devices.list allows ("c 195:0 rw" lines), or nullopt
/// when the list cannot tell: it allows every device ("a *:* rwm", how the kernel
/// shows a cgroup whose default is allow, whatever it denies) or every NVIDIA minor
/// ("c 195:* rwm"). An empty set: no GPU allowed.
std::optional<std::set<unsigned>> gpu_minors_of_devices_list(std::string_view text);

/// The ids of a Slurm GPU list ("0,1", "0-2,5"); nullopt for an empty or malformed list
/// (and for Slurm's "NoDevFiles").
std::optional<std::set<unsigned>> parse_gpu_id_list(std::string_view text);

/// The Slurm job a process belongs to, from its /proc/<pid>/cgroup text: the number of
/// the first ".../job_<N>/..." component of any line; nullopt when none.
std::optional<std::uint64_t> job_of_cgroup_text(std::string_view text);

}  // namespace fructosa
