// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/stallwatchdog.h"

namespace perfdash {

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
    m_lastNs = now;
    ++m_ticks;
    if (late > m_worstMs) {
        m_worstMs = late;
        m_worstAtMs = now / 1000000;
    }
    m_over50 += late > 50 ? 1 : 0;
    m_over100 += late > 100 ? 1 : 0;
    m_over200 += late > 200 ? 1 : 0;
    if (m_reportMs > 0 && late > m_reportMs)
        Q_EMIT stallDetected(late);
}

} // namespace perfdash
