// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/systemsampler.h"

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr double kMiBPerKiB = 1.0 / 1024.0;
}

SystemSampler::SystemSampler(const QString &procRoot, const QString &cgroupRoot)
    : m_statPath(QString(procRoot + u"/stat"_s).toStdString())
    , m_meminfoPath(QString(procRoot + u"/meminfo"_s).toStdString())
    , m_loadavgPath(QString(procRoot + u"/loadavg"_s).toStdString())
    , m_memoryMaxPath(QString(cgroupRoot + u"/memory.max"_s).toStdString())
{ }

void SystemSampler::baseline()
{
    if (procfs::readFile(m_statPath.c_str(), m_buffer))
        m_last = procfs::parseStat(m_buffer);
}

void SystemSampler::sample(QVector<ResourceValue> &out)
{
    if (procfs::readFile(m_statPath.c_str(), m_buffer)) {
        if (const auto now = procfs::parseStat(m_buffer)) {
            // A counter that went backwards (a CPU taken offline) gives no reading this round, not a bogus one.
            if (m_last && now->total > m_last->total && now->busy >= m_last->busy) {
                const double busy = double(now->busy - m_last->busy);
                out.push_back({ u"system.cpu_percent"_s, 100.0 * busy / double(now->total - m_last->total) });
            }
            if (now->cores > 0)
                out.push_back({ u"system.cpu_count"_s, double(now->cores) });
            m_last = now;
        }
    }
    if (procfs::readFile(m_meminfoPath.c_str(), m_buffer)) {
        if (const auto mem = procfs::parseMeminfo(m_buffer)) {
            const quint64 available = std::min(mem->availableKiB, mem->totalKiB);
            out.push_back({ u"system.memory_total_mb"_s, double(mem->totalKiB) * kMiBPerKiB });
            out.push_back({ u"system.memory_used_mb"_s, double(mem->totalKiB - available) * kMiBPerKiB });
            out.push_back({ u"system.memory_available_mb"_s, double(available) * kMiBPerKiB });
            if (mem->swapTotalKiB > 0)
                out.push_back({ u"system.swap_used_mb"_s,
                    double(mem->swapTotalKiB - std::min(mem->swapFreeKiB, mem->swapTotalKiB)) * kMiBPerKiB });
        }
    }
    if (procfs::readFile(m_memoryMaxPath.c_str(), m_buffer)) {
        if (const auto bytes = procfs::parseMemoryMax(m_buffer))
            out.push_back({ u"system.memory_limit_mb"_s, double(*bytes) / (1024.0 * 1024.0) });
    }
    if (procfs::readFile(m_loadavgPath.c_str(), m_buffer)) {
        if (const auto load = procfs::parseLoadavg(m_buffer)) {
            out.push_back({ u"system.load1"_s, load->load1 });
            out.push_back({ u"system.load5"_s, load->load5 });
            out.push_back({ u"system.load15"_s, load->load15 });
        }
    }
}

} // namespace perfdash
