// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>
#include <string>

namespace perfdash::procfs {

// Parsers for the few /proc files the samplers read. They take the file's text and do no I/O; any thread.

// The aggregate "cpu" line of /proc/stat, in clock ticks since boot, and the number of "cpuN" lines.
struct CpuTimes {
    quint64 busy = 0; // user + nice + system + irq + softirq + steal (guest time is inside user and nice)
    quint64 total = 0; // busy + idle + iowait
    int cores = 0;
};
std::optional<CpuTimes> parseStat(QByteArrayView text);

// /proc/meminfo, in KiB. available falls back to free + buffers + cached on kernels without MemAvailable (< 3.14).
struct MemInfo {
    quint64 totalKiB = 0;
    quint64 availableKiB = 0;
    quint64 swapTotalKiB = 0;
    quint64 swapFreeKiB = 0;
};
std::optional<MemInfo> parseMeminfo(QByteArrayView text);

// /proc/loadavg: the 1, 5 and 15 minute load averages.
struct LoadAvg {
    double load1 = 0;
    double load5 = 0;
    double load15 = 0;
};
std::optional<LoadAvg> parseLoadavg(QByteArrayView text);

// A cgroup v2 memory.max: the limit in bytes, or nothing for "max" (no limit) and anything unreadable.
std::optional<quint64> parseMemoryMax(QByteArrayView text);

// /proc/PID/stat. comm is what lies between the first '(' and the last ')', so names with spaces and parentheses
// survive. Times are in clock ticks; starttime counts from boot and tells a reused pid from the process we knew.
struct PidStat {
    qint64 pid = 0;
    QByteArray comm;
    char state = '?';
    quint64 utime = 0;
    quint64 stime = 0;
    qint64 threads = 0;
    quint64 starttime = 0;
    quint64 vsizeBytes = 0;
    qint64 rssPages = 0;
};
std::optional<PidStat> parsePidStat(QByteArrayView text);

// What a person calls a process, from /proc/PID/cmdline (arguments separated by NUL bytes): the program's base name,
// and for an interpreter (python*, node, ruby, perl, java, a shell, ...) the base name of its script (`-m module` for
// Python modules, `-jar` archives for Java): "python3 inference_pipeline.py". comm (from /proc/PID/stat) stands in
// when cmdline is empty (kernel threads, zombies). Usable as a tag value: `,`, `|` and control characters become `_`,
// and the result is at most maxBytes of UTF-8, cut on a character boundary and then ending in "…". Empty when both
// inputs are.
QString commandName(QByteArrayView cmdline, QByteArrayView comm, qsizetype maxBytes = 64);

// Reads a whole (small) file with plain read(2) into out, reusing its capacity. False if it cannot be opened or read.
bool readFile(const char *path, std::string &out);

} // namespace perfdash::procfs
