// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/viewrange.h"

#include <QDateTime>

#include <algorithm>

namespace perfdash {

ViewRange::ViewRange(Clock clock)
{
    setClock(std::move(clock));
}

void ViewRange::setClock(Clock clock)
{
    m_clock = clock ? std::move(clock) : Clock([]() { return QDateTime::currentMSecsSinceEpoch(); });
}

qint64 ViewRange::stepFor(qint64 fromSecond, qint64 toSecond, qint64 nowSecond)
{
    const qint64 span = std::max<qint64>(1, toSecond - fromSecond);
    // A step that is not a multiple of 60 reads the 1 s tier (tierFor), so 60 s steps become 59 there.
    if (span <= 2LL * 3600 && fromSecond >= nowSecond - kSecondTierKeptSeconds) {
        const qint64 step = std::max<qint64>(1, (span + kTargetBuckets - 1) / kTargetBuckets);
        return step % 60 == 0 ? step - 1 : step;
    }
    if (span <= 3LL * 86400) {
        const qint64 minutes = std::max<qint64>(1, (span / 60 + kTargetBuckets - 1) / kTargetBuckets);
        return minutes % 60 == 0 ? 60 * (minutes + 1) : 60 * minutes;
    }
    return 3600 * std::max<qint64>(1, (span / 3600 + kTargetBuckets - 1) / kTargetBuckets);
}

void ViewRange::setLiveWindowSeconds(qint64 seconds)
{
    m_windowSeconds = std::max<qint64>(10, seconds);
    m_mode = Mode::Following;
}

void ViewRange::showHistory(qint64 fromMs, qint64 toMs)
{
    toMs = std::min(toMs, m_clock());
    fromMs = std::min(fromMs, toMs - kMinimumSpanMs);
    m_mode = Mode::History;
    m_fromMs = fromMs;
    m_toMs = toMs;
    updateHistoryStep();
}

void ViewRange::requestRange(qint64 fromMs, qint64 toMs, qint64 oldestLiveMs, qint64 liveBufferMs)
{
    const qint64 now = m_clock();
    const qint64 span = toMs - fromMs;
    if (toMs > now + 2000) { // the future holds nothing yet
        toMs = now;
        fromMs = toMs - span;
    }
    m_fromMs = fromMs;
    m_toMs = toMs;
    if (m_mode != Mode::History && (span > liveBufferMs || fromMs < oldestLiveMs))
        m_mode = Mode::History;
    if (m_mode == Mode::History)
        updateHistoryStep();
    else
        m_mode = Mode::Zoomed;
}

std::pair<qint64, qint64> ViewRange::zoomed(double factor) const
{
    const double center = (double(m_fromMs) + double(m_toMs)) / 2;
    const double half = std::max(kMinimumSpanMs / 2.0, double(m_toMs - m_fromMs) * factor / 2);
    return { qint64(center - half), qint64(center + half) };
}

std::pair<qint64, qint64> ViewRange::panned(double fraction) const
{
    const qint64 shift = qint64(double(m_toMs - m_fromMs) * fraction);
    return { m_fromMs + shift, m_toMs + shift };
}

void ViewRange::follow(qint64 latestSecond, qint64 anchorFirstSecond)
{
    if (m_mode != Mode::Following)
        return;
    m_toMs = (latestSecond + 1) * 1000;
    m_fromMs = m_toMs - m_windowSeconds * 1000;
    // A fresh dashboard fills its charts instead of drawing a sliver at the right edge; then the range rolls.
    if (anchorFirstSecond >= 0)
        m_fromMs = std::max(m_fromMs, std::min(anchorFirstSecond * 1000 - 5000, m_toMs - 60000));
}

void ViewRange::updateHistoryStep()
{
    const qint64 fromS = m_fromMs / 1000, toS = (m_toMs + 999) / 1000;
    m_historyStep = stepFor(fromS, toS, m_clock() / 1000);
}

} // namespace perfdash
