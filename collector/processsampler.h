// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/procfs.h"
#include "collector/resourcevalue.h"

#include <QHash>

#include <string>

namespace perfdash {

// Per-process gauges from /proc/PID/stat, under the names the `sample` record uses, tagged pid:N and
// source:collector: process.cpu_percent (% of one core, above 100 on several), process.rss_mb, process.vms_mb,
// process.threads, and process.gpu_mem_mb when a GPU is present; and process.info (always 1), whose extra tag
// command:NAME (procfs::commandName of /proc/PID/cmdline, read once when the pid is first watched) names the process
// for the GUI, so no other series carries the name. A pid whose process ends, turns zombie or whose
// number is taken by another process (start time changed) is dropped and counted. Used on one thread.
class ProcessSampler {
public:
    struct Options {
        QString procRoot = QStringLiteral("/proc");
        int maxPids = 256; // bounds a round's cost; more pids are refused and counted
    };
    enum class WatchResult { Added, AlreadyWatched, Unreadable, Full };

    ProcessSampler();
    explicit ProcessSampler(Options options);

    // Starts sampling pid; its first reading is the CPU baseline. monoNs is a monotonic clock in nanoseconds.
    WatchResult watch(qint64 pid, qint64 monoNs);
    // Appends each watched pid's values and the pids dropped this round. gpuMemMb (pid -> MB over every GPU) is null
    // when there is no GPU; otherwise a watched pid missing from it uses no GPU memory.
    void sample(qint64 monoNs, QVector<ResourceValue> &out, QVector<qint64> &gone,
        const QHash<qint64, double> *gpuMemMb = nullptr);

    int watchedCount() const { return int(m_pids.size()); }
    bool isWatched(qint64 pid) const { return m_pids.contains(pid); }
    // Counts exited, reused, unreadable and refused into counters.
    void addCounters(SamplerCounters &counters) const;
    // The key of one of this sampler's series for pid, e.g. seriesKey(u"process.rss_mb", 42).
    static QString seriesKey(const QString &name, qint64 pid);
    // The key of pid's process.info series: "process.info|command:python3 app.py,pid:42,source:collector".
    static QString infoKey(qint64 pid, const QString &command);

private:
    struct Watched {
        std::string statPath;
        quint64 starttime = 0;
        quint64 ticks = 0; // utime + stime at lastNs
        qint64 lastNs = 0;
        QString cpuKey, rssKey, vmsKey, threadsKey, gpuMemKey, infoKey;
    };
    std::optional<procfs::PidStat> read(const std::string &path);

    Options m_options;
    QHash<qint64, Watched> m_pids;
    std::string m_buffer;
    double m_ticksPerSecond;
    double m_pageMiB;
    quint64 m_exited = 0;
    quint64 m_reused = 0;
    quint64 m_unreadable = 0;
    quint64 m_refused = 0;
};

} // namespace perfdash
