// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/procfs.h"
#include "collector/resourcevalue.h"

#include <optional>
#include <string>

namespace perfdash {

// Machine-wide gauges from /proc: system.cpu_percent (all cores, 0..100), system.cpu_count, system.memory_total_mb,
// system.memory_used_mb (total - available), system.memory_available_mb, system.swap_used_mb, system.load1/5/15, and
// system.memory_limit_mb from the cgroup's memory.max when one is set (a container's share of the machine).
// Keeps the previous /proc/stat reading for the CPU delta. Used on one thread (the sampler's).
class SystemSampler {
public:
    explicit SystemSampler(const QString &procRoot = QStringLiteral("/proc"),
        const QString &cgroupRoot = QStringLiteral("/sys/fs/cgroup"));

    // Reads /proc/stat so that the next sample() has a CPU delta to report.
    void baseline();
    // Appends this round's values; CPU only when a previous reading exists and some ticks passed.
    void sample(QVector<ResourceValue> &out);

private:
    std::string m_statPath;
    std::string m_meminfoPath;
    std::string m_loadavgPath;
    std::string m_memoryMaxPath;
    std::string m_buffer;
    std::optional<procfs::CpuTimes> m_last;
};

} // namespace perfdash
