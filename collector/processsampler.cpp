// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/processsampler.h"

#include "models/serieskey.h"

#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr double kBytesPerMiB = 1024.0 * 1024.0;
// Below this the tick granularity (10 ms) would make the CPU figure noise.
constexpr qint64 kMinCpuWindowNs = 100'000'000;
} // namespace

ProcessSampler::ProcessSampler()
    : ProcessSampler(Options())
{ }

ProcessSampler::ProcessSampler(Options options)
    : m_options(std::move(options))
    , m_ticksPerSecond(double(::sysconf(_SC_CLK_TCK)))
    , m_pageMiB(double(::sysconf(_SC_PAGESIZE)) / kBytesPerMiB)
{ }

QString ProcessSampler::seriesKey(const QString &name, qint64 pid)
{
    QStringList tags { u"pid:"_s + QString::number(pid), u"source:collector"_s };
    normalizeTags(tags);
    return SeriesKey { name, tags }.toString();
}

QString ProcessSampler::infoKey(qint64 pid, const QString &command)
{
    QStringList tags { u"pid:"_s + QString::number(pid), u"source:collector"_s };
    if (!command.isEmpty())
        tags << u"command:"_s + command;
    normalizeTags(tags);
    return SeriesKey { u"process.info"_s, tags }.toString();
}

std::optional<procfs::PidStat> ProcessSampler::read(const std::string &path)
{
    if (!procfs::readFile(path.c_str(), m_buffer))
        return std::nullopt;
    return procfs::parsePidStat(m_buffer);
}

ProcessSampler::WatchResult ProcessSampler::watch(qint64 pid, qint64 monoNs)
{
    if (m_pids.contains(pid))
        return WatchResult::AlreadyWatched;
    if (pid <= 0) {
        ++m_unreadable;
        return WatchResult::Unreadable;
    }
    if (m_pids.size() >= m_options.maxPids) {
        ++m_refused;
        return WatchResult::Full;
    }
    Watched w;
    w.statPath = QString(m_options.procRoot + u'/' + QString::number(pid) + u"/stat"_s).toStdString();
    const auto stat = read(w.statPath);
    if (!stat || stat->state == 'Z' || stat->state == 'X') {
        ++m_unreadable;
        return WatchResult::Unreadable;
    }
    w.starttime = stat->starttime;
    w.ticks = stat->utime + stat->stime;
    w.lastNs = monoNs;
    // Keys are built once: a round then costs the reads and no string work.
    w.cpuKey = seriesKey(u"process.cpu_percent"_s, pid);
    w.rssKey = seriesKey(u"process.rss_mb"_s, pid);
    w.vmsKey = seriesKey(u"process.vms_mb"_s, pid);
    w.threadsKey = seriesKey(u"process.threads"_s, pid);
    w.gpuMemKey = seriesKey(u"process.gpu_mem_mb"_s, pid);
    // Once per pid: a reused pid is watched afresh, and a process that renames itself later keeps its first name.
    std::string cmdline;
    const std::string cmdlinePath
        = QString(m_options.procRoot + u'/' + QString::number(pid) + u"/cmdline"_s).toStdString();
    if (!procfs::readFile(cmdlinePath.c_str(), cmdline))
        cmdline.clear();
    w.infoKey
        = infoKey(pid, procfs::commandName(QByteArrayView(cmdline.data(), qsizetype(cmdline.size())), stat->comm));
    m_pids.insert(pid, std::move(w));
    return WatchResult::Added;
}

void ProcessSampler::sample(
    qint64 monoNs, QVector<ResourceValue> &out, QVector<qint64> &gone, const QHash<qint64, double> *gpuMemMb)
{
    for (auto it = m_pids.begin(); it != m_pids.end();) {
        Watched &w = it.value();
        const auto stat = read(w.statPath);
        if (!stat || stat->state == 'Z' || stat->state == 'X') {
            ++m_exited;
            gone.push_back(it.key());
            it = m_pids.erase(it);
            continue;
        }
        if (stat->starttime != w.starttime) {
            // Another process has the number now: its ticks are not a continuation of ours.
            ++m_reused;
            gone.push_back(it.key());
            it = m_pids.erase(it);
            continue;
        }
        const quint64 ticks = stat->utime + stat->stime;
        const qint64 elapsedNs = monoNs - w.lastNs;
        if (elapsedNs >= kMinCpuWindowNs) {
            const double cpuSeconds = double(ticks >= w.ticks ? ticks - w.ticks : 0) / m_ticksPerSecond;
            out.push_back({ w.cpuKey, 100.0 * cpuSeconds / (double(elapsedNs) / 1e9) });
            w.ticks = ticks;
            w.lastNs = monoNs;
        }
        out.push_back({ w.rssKey, double(std::max<qint64>(stat->rssPages, 0)) * m_pageMiB });
        out.push_back({ w.vmsKey, double(stat->vsizeBytes) / kBytesPerMiB });
        out.push_back({ w.threadsKey, double(stat->threads) });
        if (gpuMemMb)
            out.push_back({ w.gpuMemKey, gpuMemMb->value(it.key(), 0.0) });
        out.push_back({ w.infoKey, 1.0 });
        ++it;
    }
}

void ProcessSampler::addCounters(SamplerCounters &counters) const
{
    counters.watched = quint64(m_pids.size());
    counters.exited = m_exited;
    counters.reused = m_reused;
    counters.unreadable = m_unreadable;
    counters.refused = m_refused;
}

} // namespace perfdash
