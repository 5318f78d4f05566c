#include "collector/sensor.h"
#include "collector/sensors/battery.h"
#include "collector/sensors/boot_time.h"
#include "collector/sensors/cpu_count.h"
#include "collector/sensors/cpu_freq.h"
#include "collector/sensors/cpu_percent.h"
#include "collector/sensors/cpu_stats.h"
#include "collector/sensors/cpu_times.h"
#include "collector/sensors/disk_io.h"
#include "collector/sensors/disk_partitions.h"
#include "collector/sensors/disk_usage.h"
#include "collector/sensors/hardware_counters.h"
#include "collector/sensors/gpu.h"
#include "collector/sensors/hwmon.h"
#include "collector/sensors/infiniband.h"
#include "collector/sensors/lustre_client.h"
#include "collector/sensors/nfs_client.h"
#include "collector/sensors/net_connections.h"
#include "collector/sensors/rapl.h"
#include "collector/sensors/net_if_addrs.h"
#include "collector/sensors/net_if_stats.h"
#include "collector/sensors/net_io.h"
#include "collector/sensors/swap_memory.h"
#include "collector/sensors/top_processes.h"
#include "collector/sensors/users.h"
#include "collector/sensors/virtual_memory.h"

namespace fructosa {

const std::vector<SensorRegistration>& sensor_registry() {
    using namespace sensors;
    // The order of the original's sensor table, which --list-sensors keeps.
    static const std::vector<SensorRegistration> registry = {
        {"CPUPercent", make_cpu_percent_sensor},
        {"VirtualMemory", make_virtual_memory_sensor},
        {"CPUTimes", make_cpu_times_sensor},
        {"CPUTimesPercent", make_cpu_times_percent_sensor},
        {"CPUCount", make_cpu_count_sensor},
        {"CPUStats", make_cpu_stats_sensor},
        {"CPUFreq", [] { return make_cpu_freq_sensor(); }},
        {"SwapMemory", make_swap_memory_sensor},
        {"DiskPartitions", make_disk_partitions_sensor},
        {"DiskUsage", make_disk_usage_sensor},
        {"DiskIOCounters", make_disk_io_sensor},
        {"NetIOCounters", make_net_io_sensor},
        {"NetConnections", make_net_connections_sensor},
        {"NetIFAddrs", [] { return make_net_if_addrs_sensor(); }},
        {"NetIFStats", [] { return make_net_if_stats_sensor(); }},
        {"SensorsTemperatures", make_sensors_temperatures_sensor},
        {"SensorsFans", make_sensors_fans_sensor},
        {"SensorsBattery", make_sensors_battery_sensor},
        {"Energy", make_energy_sensor},
        {"BootTime", make_boot_time_sensor},
        {"Users", make_users_sensor},
        // Beyond the original: fabric, parallel file systems, hardware counters, processes.
        {"InfiniBand", [] { return make_infiniband_sensor(); }},
        {"NFSClient", [] { return make_nfs_client_sensor(); }},
        {"LustreClient", [] { return make_lustre_client_sensor(); }},
        {"HardwareCounters", [] { return make_hardware_counters_sensor(); }},
        {"TopProcesses", [] { return make_top_processes_sensor(); }},
        {"GPU", make_gpu_sensor},
    };
    return registry;
}

std::unique_ptr<Sensor> make_sensor(const std::string& name) {
    for (const auto& r : sensor_registry())
        if (r.name == name) return r.make();
    return nullptr;
}

}  // namespace fructosa
