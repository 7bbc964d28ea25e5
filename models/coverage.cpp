// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/coverage.h"

#include "models/serieskey.h"
#include "models/timebucket.h"

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

QString Coverage::heartbeatKey()
{
    return u"perfdash.ingest.live_series"_s;
}

QString Coverage::heartbeatKeyFor(const QStringList &seriesKeys)
{
    QString host;
    for (const QString &key : seriesKeys) {
        const QString its = SeriesKey::fromString(key).tagValue(u"host");
        if (its.isEmpty() || (!host.isEmpty() && its != host))
            return heartbeatKey();
        host = its;
    }
    return host.isEmpty() ? heartbeatKey() : heartbeatKey() % u"|host:"_s % host;
}

bool Coverage::isHeartbeat(const QString &key)
{
    return key == heartbeatKey() || key.startsWith(heartbeatKey() % u"|host:"_s);
}

Coverage Coverage::passed(qint64 from, qint64 to, qint64 step, qint64 nowSecond)
{
    Coverage out;
    out.m_step = std::max<qint64>(1, step);
    for (qint64 b = floorTo(from, out.m_step); b < to; b += out.m_step) {
        const qint64 passed = std::clamp<qint64>(nowSecond - b, 0, out.m_step);
        out.m_buckets[b] = { passed, passed == out.m_step };
    }
    return out;
}

Coverage Coverage::fromHeartbeat(
    const QVector<SeriesPoint> &heartbeat, qint64 from, qint64 to, qint64 step, qint64 nowSecond)
{
    Coverage out = passed(from, to, step, nowSecond);
    bool any = false;
    for (const SeriesPoint &p : heartbeat)
        any = any || (p.stats.count > 0 && p.second >= floorTo(from, out.m_step) && p.second < to);
    if (!any)
        return out; // nothing says when the collector was up: every passed second counts
    for (auto &[start, b] : out.m_buckets)
        b.covered = 0;
    for (const SeriesPoint &p : heartbeat) {
        auto it = out.m_buckets.find(floorTo(p.second, out.m_step));
        if (it != out.m_buckets.end())
            it->second.covered += p.stats.count; // one heartbeat sample per second the collector ran
    }
    const auto passedIn = [&](qint64 start) { return std::clamp<qint64>(nowSecond - start, 0, out.m_step); };
    // The collector samples its heartbeat once a tick, and a late tick lands in the next second: one bucket holds two
    // samples, its neighbour none, though the collector saw both. A sample beyond a bucket's passed seconds counts
    // for the neighbour that is short of them (the earlier one first), never more than has passed anywhere.
    for (auto it = out.m_buckets.begin(); it != out.m_buckets.end(); ++it) {
        qint64 excess = it->second.covered - passedIn(it->first);
        if (excess <= 0)
            continue;
        it->second.covered -= excess;
        if (it != out.m_buckets.begin()) {
            auto before = std::prev(it);
            const qint64 room = std::max<qint64>(0, passedIn(before->first) - before->second.covered);
            const qint64 moved = std::min(room, excess);
            before->second.covered += moved;
            excess -= moved;
        }
        if (auto after = std::next(it); excess > 0 && after != out.m_buckets.end())
            after->second.covered += excess; // clipped when its turn comes, or just below for the last one
    }
    for (auto &[start, b] : out.m_buckets)
        b.covered = std::min(b.covered, passedIn(start));
    return out;
}

qint64 Coverage::bucket(qint64 start) const
{
    const auto it = m_buckets.find(start);
    return it == m_buckets.end() ? -1 : it->second.covered;
}

qint64 Coverage::seconds(qint64 from, qint64 to) const
{
    qint64 total = 0;
    for (auto it = m_buckets.lower_bound(from); it != m_buckets.end() && it->first < to; ++it)
        total += it->second.covered;
    return total;
}

bool Coverage::isComplete(qint64 start) const
{
    const auto it = m_buckets.find(start);
    return it != m_buckets.end() && it->second.complete;
}

} // namespace perfdash
