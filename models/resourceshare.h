// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <limits>

namespace perfdash {

// What a resource gauge is measured against: a maximum that means something (all the machine's cores, its memory or
// the cgroup's limit), never the peak in range, so a full arc means the resource is used up. Pure; any thread.
struct ResourceShare {
    static constexpr double none = std::numeric_limits<double>::quiet_NaN();
    double value = none; // as measured, in the unit of maximum
    double maximum = none; // the arc's end
    double fraction() const; // value / maximum; NaN when either is unknown

    // A process's CPU (process.cpu_percent: 100 per busy core) against every core (system.cpu_count), 100 × cores;
    // one core when the count is unknown.
    static ResourceShare processCpu(double percentOfOneCore, double cores);
    // The machine's CPU (system.cpu_percent: all cores, 0..100) against 100.
    static ResourceShare machineCpu(double percentOfAllCores);
    // Memory in use (a process's RSS or the machine's used MB) against the machine's memory, or the cgroup's limit
    // (system.memory_limit_mb, /sys/fs/cgroup/memory.max) when one is set and smaller.
    static ResourceShare memory(double usedMb, double machineTotalMb, double cgroupLimitMb = none);
    // Whether memory() measured against the cgroup's limit rather than the machine's memory.
    static bool limitApplies(double machineTotalMb, double cgroupLimitMb);
};

} // namespace perfdash
