// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/stallwatchdog.h"

#include <algorithm>

#include <time.h>

namespace perfdash {

namespace {
qint64 threadCpuNs()
{
    timespec ts {};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
} // namespace

StallWatchdog::StallWatchdog(int tickMs, QObject *parent)
    : QObject(parent)
    , m_timer(this)
    , m_tickMs(tickMs)
{
    // A precise timer: a coarse one may fire up to 5% late by design, which would read as stalls.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(tickMs);
    connect(&m_timer, &QTimer::timeout, this, &StallWatchdog::onTick);
}

void StallWatchdog::start()
{
    reset();
    m_clock.start();
    m_lastNs = 0;
    m_lastCpuNs = threadCpuNs();
    m_timer.start();
}

void StallWatchdog::stop()
{
    m_timer.stop();
}

void StallWatchdog::reset()
{
    m_ticks = 0;
    m_worstMs = 0;
    m_worstAtMs = 0;
    m_worstCpuMs = 0;
    m_worstBusyMs = 0;
    m_lastCpuNs = threadCpuNs();
    m_over50 = m_over100 = m_over200 = 0;
    if (m_clock.isValid())
        m_lastNs = m_clock.nsecsElapsed();
}

qint64 StallWatchdog::stallsOver(int ms) const
{
    return ms >= 200 ? m_over200 : ms >= 100 ? m_over100 : m_over50;
}

void StallWatchdog::onTick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double late = double(now - m_lastNs) / 1e6 - double(m_tickMs);
    const qint64 cpu = threadCpuNs();
    const double busy = double(cpu - m_lastCpuNs) / 1e6;
    m_lastNs = now;
    m_lastCpuNs = cpu;
    ++m_ticks;
    m_worstBusyMs = std::max(m_worstBusyMs, busy);
    if (late > m_worstMs) {
        m_worstMs = late;
        m_worstAtMs = now / 1000000;
        m_worstCpuMs = busy;
    }
    m_over50 += late > 50 ? 1 : 0;
    m_over100 += late > 100 ? 1 : 0;
    m_over200 += late > 200 ? 1 : 0;
    if (m_reportMs > 0 && late > m_reportMs)
        Q_EMIT stallDetected(late);
}

} // namespace perfdash
