// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/seriesstore.h"

#include "models/kpi.h"
#include "models/serieskey.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>
#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

static_assert(SeriesStore::latestSeconds >= Kpi::kRecentSeconds, "the source tree's error rate reads kRecentSeconds");

SeriesStore::SeriesStore(qint64 windowSeconds, QObject *parent)
    : QObject(parent)
    , m_windowSeconds(windowSeconds)
{ }

const QVector<SeriesPoint> &SeriesStore::points(const QString &key) const
{
    static const QVector<SeriesPoint> empty;
    const auto it = m_points.constFind(key);
    return it == m_points.constEnd() ? empty : *it;
}

void SeriesStore::insertPoint(const QString &key, qint64 second, const SeriesStats &stats)
{
    auto it = m_points.find(key);
    if (it == m_points.end()) {
        it = m_points.insert(key, {});
        m_order.push_back(key);
        Q_EMIT seriesAdded(key);
    }
    auto &pts = *it;
    if (!stats.sketch.isEmpty()) {
        const auto bound = m_sketchesDroppedBefore.constFind(key);
        if (bound == m_sketchesDroppedBefore.cend()) {
            m_sketchesDroppedBefore.insert(key, std::numeric_limits<qint64>::min());
        } else if (second < *bound) {
            SeriesStats withoutSketch = stats; // older than what keeps sketches
            withoutSketch.sketch = QByteArray();
            insertPoint(key, second, withoutSketch);
            return;
        }
    }
    // Live frames arrive in order, so the common case is a plain append.
    if (pts.isEmpty() || pts.constLast().second < second) {
        pts.push_back({ second, stats });
        return;
    }
    auto pos
        = std::lower_bound(pts.begin(), pts.end(), second, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
    if (pos != pts.end() && pos->second == second)
        pos->stats = stats;
    else
        pts.insert(pos, { second, stats });
}

void SeriesStore::evictOlderThan(qint64 second, bool adopted)
{
    // Not shown: a sparkline's newest recentSeconds, any other series' newest latestSeconds, and always its newest
    // point (never before the window's start).
    const qint64 recent = std::max(second, m_latestSecond - recentSeconds + 1);
    const qint64 latest = std::max(second, m_latestSecond - latestSeconds + 1);
    for (auto it = m_points.begin(); it != m_points.end(); ++it) {
        auto &pts = *it;
        qint64 keepFrom = second;
        if (!isShown(it.key()) && !m_derived.contains(it.key())) {
            keepFrom = adopted || m_sparklines.contains(it.key()) ? recent : latest;
            if (!pts.isEmpty() && pts.constLast().second < keepFrom)
                keepFrom = pts.constLast().second;
        }
        if (pts.isEmpty() || pts.constFirst().second >= keepFrom)
            continue;
        auto firstKept = std::lower_bound(
            pts.begin(), pts.end(), keepFrom, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
        pts.erase(pts.begin(), firstKept);
        // A series that shrank (from a window to seconds, or an adopted minute to seconds) gives the room back.
        if (pts.capacity() > 2 * pts.size() + 16)
            pts.squeeze();
    }
}

void SeriesStore::setBoundedByShown(bool bounded)
{
    if (m_bounded == bounded)
        return;
    m_bounded = bounded;
    m_keptAnnounced = false;
    evictOlderThan(m_latestSecond - m_windowSeconds + 1);
    // Asked for at once, so that whole frames of every series stop before the tree names its sparklines (a second of
    // them is 1.9 MB at 10,000 series, 18 MB at 100,000); announced again after the next changed().
    if (m_bounded)
        Q_EMIT keptInFullChanged();
}

void SeriesStore::setSparklineKeys(const QSet<QString> &keys)
{
    const bool dropped
        = std::any_of(m_sparklines.cbegin(), m_sparklines.cend(), [&](const QString &k) { return !keys.contains(k); });
    const bool changedKeys = dropped || keys.size() != m_sparklines.size();
    m_sparklines = keys;
    if (dropped && m_bounded)
        evictOlderThan(m_latestSecond - m_windowSeconds + 1);
    if (changedKeys && m_bounded && m_keptAnnounced)
        Q_EMIT keptInFullChanged();
}

QStringList SeriesStore::keptInFull() const
{
    QStringList out(m_shown.cbegin(), m_shown.cend());
    out.sort();
    QStringList sparklines;
    for (const QString &key : m_sparklines) {
        if (!m_shown.contains(key))
            sparklines << key;
    }
    sparklines.sort();
    return out + sparklines;
}

void SeriesStore::emitChanged()
{
    Q_EMIT changed(); // the source tree names its sparklines here
    if (m_bounded && !m_keptAnnounced) {
        m_keptAnnounced = true;
        Q_EMIT keptInFullChanged();
    }
}

QStringList SeriesStore::setShown(const QStringList &keys)
{
    QSet<QString> shown(keys.cbegin(), keys.cend());
    QStringList added;
    for (const QString &key : keys) {
        if (!m_shown.contains(key) && !added.contains(key))
            added << key;
    }
    const bool dropped
        = std::any_of(m_shown.cbegin(), m_shown.cend(), [&](const QString &k) { return !shown.contains(k); });
    m_shown = std::move(shown);
    if (dropped && m_bounded)
        evictOlderThan(m_latestSecond - m_windowSeconds + 1);
    if ((dropped || !added.isEmpty()) && m_bounded && m_keptAnnounced)
        Q_EMIT keptInFullChanged();
    return added;
}

void SeriesStore::dropSketchesBefore(qint64 second)
{
    for (auto it = m_sketchesDroppedBefore.begin(); it != m_sketchesDroppedBefore.end(); ++it) {
        if (it.value() >= second)
            continue;
        auto &pts = m_points[it.key()];
        // Only the points between the previous bound and this one can still hold a sketch: walk back over those.
        auto pos = std::lower_bound(
            pts.begin(), pts.end(), second, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
        while (pos != pts.begin() && std::prev(pos)->second >= it.value()) {
            --pos;
            pos->stats.sketch = QByteArray();
        }
        it.value() = second;
    }
}

void SeriesStore::ingest(const LiveFrame &frame)
{
    ingest(QVector<LiveFrame> { frame });
}

void SeriesStore::ingest(const QVector<LiveFrame> &frames)
{
    if (frames.isEmpty())
        return;
    for (const auto &frame : frames) {
        m_latestSecond = std::max(m_latestSecond, frame.second);
        for (const auto &stats : frame.series)
            insertPoint(stats.key, frame.second, stats);
        // A model's accuracy in the second, from its prediction outcomes, as the gauge prediction.accuracy (same
        // tags), so the dashboard can chart and tile it like any series. Live only: storage keeps the mergeable
        // quality rows instead.
        for (const auto &quality : frame.quality) {
            if (!std::isfinite(quality.accuracy))
                continue;
            SeriesKey key = SeriesKey::fromString(quality.key);
            key.name = u"prediction.accuracy"_s;
            SeriesStats accuracy;
            accuracy.key = key.toString();
            accuracy.kind = MetricKind::Gauge;
            // count = scored predictions and sum = the correct ones, so a window's mean is correct / scored
            // (Kpi::accuracy), never a mean of per-second accuracies.
            accuracy.count = qint64(std::max<quint64>(1, quality.binary + quality.classes));
            accuracy.sum = quality.accuracy * double(accuracy.count);
            accuracy.min = accuracy.max = accuracy.last = quality.accuracy;
            m_derived.insert(accuracy.key);
            insertPoint(accuracy.key, frame.second, accuracy);
        }
    }
    evictOlderThan(m_latestSecond - m_windowSeconds + 1);
    dropSketchesBefore(m_latestSecond - sketchSeconds + 1);
    emitChanged();
}

void SeriesStore::reserveAfter(qint64 points)
{
    for (auto it = m_points.begin(); it != m_points.end(); ++it)
        it->reserve(it->size() + points);
}

void SeriesStore::adopt(SeriesStore &other)
{
    if (other.m_order.isEmpty())
        return;
    for (const QString &key : std::as_const(other.m_order)) {
        QVector<SeriesPoint> incoming = std::exchange(other.m_points[key], {});
        auto it = m_points.find(key);
        // The sketch bound: the points before it hold no sketch in either store (a store's bound, or its first
        // point when that is later); the bound of a store that never had sketches is no constraint. The
        // dropSketchesBefore() below then walks only from there.
        const auto claim = [&key](const QHash<QString, qint64> &bounds,
                               const QVector<SeriesPoint> *points) -> std::optional<qint64> {
            const auto b = bounds.constFind(key);
            if (b == bounds.cend())
                return std::nullopt;
            return points && !points->isEmpty() ? std::max(*b, points->constFirst().second) : *b;
        };
        const std::optional<qint64> theirs = claim(other.m_sketchesDroppedBefore, &incoming);
        const std::optional<qint64> mine = claim(m_sketchesDroppedBefore, it == m_points.end() ? nullptr : &*it);
        if (theirs || mine)
            m_sketchesDroppedBefore.insert(key, theirs && mine ? std::min(*theirs, *mine) : theirs ? *theirs : *mine);
        if (it == m_points.end()) {
            m_points.insert(key, std::move(incoming));
            m_order.push_back(key);
            Q_EMIT seriesAdded(key);
            continue;
        }
        if (it->isEmpty() || incoming.isEmpty() || it->constFirst().second > incoming.constLast().second) {
            // The common case: live points that all came after the incoming ones go at their end (reserveAfter).
            incoming.append(*it);
            *it = std::move(incoming);
        } else {
            // Both sorted by second: merged in one pass, the incoming point where both hold one (as ingest does).
            const QVector<SeriesPoint> held = std::exchange(*it, {});
            QVector<SeriesPoint> merged;
            merged.reserve(held.size() + incoming.size());
            auto h = held.cbegin();
            for (SeriesPoint &p : incoming) {
                while (h != held.cend() && h->second < p.second)
                    merged.push_back(*h++);
                if (h != held.cend() && h->second == p.second)
                    ++h;
                merged.push_back(std::move(p));
            }
            merged.append(QVector<SeriesPoint>(h, held.cend()));
            *it = std::move(merged);
        }
    }
    m_latestSecond = std::max(m_latestSecond, other.m_latestSecond);
    other.m_points.clear();
    other.m_order.clear();
    other.m_sketchesDroppedBefore.clear();
    evictOlderThan(m_latestSecond - m_windowSeconds + 1, true);
    dropSketchesBefore(m_latestSecond - sketchSeconds + 1);
    emitChanged();
}

} // namespace perfdash
