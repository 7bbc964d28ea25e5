// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/historyloader.h"

#include <QDateTime>

namespace perfdash {

HistoryLoader::HistoryLoader(QObject *parent)
    : QObject(parent)
    , m_clock([]() { return QDateTime::currentSecsSinceEpoch(); })
{ }

void HistoryLoader::setSource(RangeSource *source)
{
    if (m_source)
        m_source->disconnect(this);
    m_source = source;
    m_kinds.clear();
    m_pendingHistory = false;
    if (!source)
        return;
    connect(source, &RangeSource::bucketsReady, this, &HistoryLoader::onBucketsReady);
    connect(source, &RangeSource::markersReady, this, &HistoryLoader::onMarkersReady);
    connect(source, &RangeSource::outlookReady, this, &HistoryLoader::onOutlookReady);
    connect(source, &RangeSource::failed, this, &HistoryLoader::onFailed);
}

quint64 HistoryLoader::issue(Kind kind)
{
    const quint64 id = ++m_next;
    m_kinds.insert(id, kind);
    m_newest[size_t(kind)] = id;
    return id;
}

bool HistoryLoader::isCurrent(quint64 id, Kind *kind)
{
    const auto it = m_kinds.constFind(id);
    if (it == m_kinds.constEnd())
        return false; // not ours, or cancelled
    *kind = *it;
    m_kinds.erase(it);
    if (m_newest[size_t(*kind)] != id) {
        ++m_staleDropped; // an answer for a view the user already left
        return false;
    }
    return true;
}

bool HistoryLoader::requestHistory(const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step)
{
    if (!m_source)
        return false;
    QStringList withHeartbeat = keys;
    for (const QString &heartbeat : { Coverage::heartbeatKey(), Coverage::heartbeatKeyFor(keys) }) {
        if (!withHeartbeat.contains(heartbeat))
            withHeartbeat << heartbeat;
    }
    m_pendingHistory = true;
    ++m_historyRequests;
    m_source->requestBuckets(withHeartbeat, fromSecond, toSecond, step, issue(Kind::History));
    return true;
}

void HistoryLoader::cancelHistory()
{
    m_newest[size_t(Kind::History)] = 0;
    m_pendingHistory = false;
}

void HistoryLoader::requestMarkers(qint64 fromSecond, qint64 toSecond)
{
    if (m_source)
        m_source->requestMarkers(fromSecond, toSecond, issue(Kind::Markers));
}

void HistoryLoader::requestReference(const SourceRoles &roles)
{
    m_referenceRoles = roles;
    m_referencePeriod = ReferencePeriod::previousHour(m_clock());
    askReference();
}

void HistoryLoader::requestOutlook(const QString &model)
{
    if (m_source)
        m_source->requestOutlook(model, issue(Kind::Outlook));
}

void HistoryLoader::requestWeekAgo(const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step)
{
    if (m_source)
        m_source->requestBuckets(
            keys, fromSecond - kWeekSeconds, toSecond - kWeekSeconds, std::max<qint64>(60, step), issue(Kind::WeekAgo));
}

void HistoryLoader::onOutlookReady(quint64 id, const ModelOutlook &outlook)
{
    Kind kind;
    if (isCurrent(id, &kind))
        Q_EMIT outlookReady(outlook);
}

void HistoryLoader::askReference()
{
    if (!m_source)
        return;
    QStringList keys = m_referenceRoles.allKeys();
    keys << Coverage::heartbeatKeyFor(keys);
    const ReferencePeriod &p = m_referencePeriod;
    m_source->requestBuckets(keys, p.from, p.to, p.step(), issue(Kind::Reference));
}

void HistoryLoader::onBucketsReady(quint64 id, const QVector<RangeSeries> &series)
{
    Kind kind;
    if (!isCurrent(id, &kind))
        return;
    QHash<QString, QVector<SeriesPoint>> points;
    for (const RangeSeries &s : series)
        points.insert(s.key, s.points);
    if (kind == Kind::WeekAgo) {
        for (auto it = points.begin(); it != points.end(); ++it) {
            for (SeriesPoint &p : *it)
                p.second += kWeekSeconds;
        }
        Q_EMIT weekAgoReady(points, series.isEmpty() ? 60 : series.constFirst().step);
        return;
    }
    if (kind == Kind::History) {
        m_pendingHistory = false;
        qint64 step = 1;
        if (!series.isEmpty())
            step = series.constFirst().step;
        Q_EMIT historyReady(points, step);
        return;
    }
    // The reference: the same Kpi figures as the tiles, over one bucket that spans the period.
    bool anything = false;
    for (auto it = points.cbegin(); it != points.cend(); ++it) {
        if (Coverage::isHeartbeat(it.key()))
            continue;
        for (const SeriesPoint &p : *it)
            anything = anything || p.stats.count > 0;
    }
    const ReferencePeriod &p = m_referencePeriod;
    if (!anything && !p.quarter) {
        m_referencePeriod = ReferencePeriod::previousQuarter(m_clock()); // no previous hour stored yet
        askReference();
        return;
    }
    DashboardReference reference;
    if (anything) {
        const Kpi::PointLookup lookup = [&points](const QString &key) -> const QVector<SeriesPoint> & {
            static const QVector<SeriesPoint> empty;
            const auto it = points.constFind(key);
            return it == points.constEnd() ? empty : *it;
        };
        const Coverage coverage = Coverage::fromHeartbeat(
            lookup(Coverage::heartbeatKeyFor(m_referenceRoles.allKeys())), p.from, p.to, p.step(), m_clock());
        reference.label = p.label();
        reference.figures = Kpi::figures(lookup, m_referenceRoles, coverage, p.from, p.to);
    }
    Q_EMIT referenceReady(reference);
}

void HistoryLoader::onMarkersReady(quint64 id, const QVector<TimeMarker> &markers)
{
    Kind kind;
    if (isCurrent(id, &kind))
        Q_EMIT markersReady(markers);
}

void HistoryLoader::onFailed(quint64 id, const QString &message)
{
    Kind kind;
    if (!isCurrent(id, &kind))
        return;
    if (kind == Kind::Outlook) {
        Q_EMIT outlookFailed(message);
        return;
    }
    if (kind != Kind::History)
        return;
    m_pendingHistory = false;
    Q_EMIT historyFailed(message);
}

} // namespace perfdash
