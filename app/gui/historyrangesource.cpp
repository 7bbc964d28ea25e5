// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/historyrangesource.h"

#include "models/quantilesketch.h"

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr int markerLimit = 500; // newest first; more would be a smear on the axis anyway
}

HistoryRangeSource::HistoryRangeSource(HistoryReader *reader, QObject *parent)
    : RangeSource(parent)
    , m_reader(reader)
{
    qRegisterMetaType<QVector<RangeSeries>>();
    qRegisterMetaType<QVector<TimeMarker>>();
    connect(reader, &HistoryReader::windowReady, this, &HistoryRangeSource::onWindowReady);
    connect(reader, &HistoryReader::recordsReady, this, &HistoryRangeSource::onRecordsReady);
    connect(reader, &HistorySource::failed, this, &HistoryRangeSource::onFailed);
}

void HistoryRangeSource::requestBuckets(
    const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 generation)
{
    const quint64 inner = ++m_next + (1ULL << 40); // clear of the reader's other callers' generations
    m_pending.insert(inner, { Pending::Kind::Buckets, generation });
    m_reader->requestWindow(keys, fromSecond, toSecond, step, inner);
}

void HistoryRangeSource::requestMarkers(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    m_markers.insert(generation, {});
    const quint64 events = ++m_next + (1ULL << 40);
    m_pending.insert(events, { Pending::Kind::Events, generation });
    m_reader->requestRecords(HistoryReader::Records::Events, fromSecond, toSecond, markerLimit, events);
    const quint64 runs = ++m_next + (1ULL << 40);
    m_pending.insert(runs, { Pending::Kind::Runs, generation });
    m_reader->requestRecords(HistoryReader::Records::Runs, fromSecond, toSecond, markerLimit, runs);
}

RangeSeries HistoryRangeSource::toRangeSeries(const SeriesWindow &window)
{
    RangeSeries out;
    out.key = window.series.key;
    out.step = window.step;
    out.tier = int(window.tier);
    out.points.reserve(window.points.size());
    for (const WindowPoint &w : window.points) {
        const StoredPoint &p = w.point;
        SeriesPoint point;
        point.second = p.time;
        SeriesStats &s = point.stats;
        s.key = out.key;
        s.kind = window.series.kind;
        s.count = p.count;
        s.rate = w.rate();
        s.sum = p.sum;
        s.min = p.min;
        s.max = p.max;
        s.last = p.last;
        s.uniqueCount = p.unique;
        s.p50 = p.q[0];
        s.p90 = p.q[1];
        s.p95 = p.q[2];
        s.p99 = p.q[3];
        s.p999 = p.q[4];
        if (s.hasQuantiles())
            s.quantileError = QuantileSketch::kDefaultRelativeAccuracy;
        out.points.push_back(std::move(point));
    }
    return out;
}

void HistoryRangeSource::onWindowReady(quint64 generation, const QVector<SeriesWindow> &windows)
{
    const auto it = m_pending.constFind(generation);
    if (it == m_pending.constEnd())
        return;
    const quint64 outer = it->outer;
    m_pending.erase(it);
    QVector<RangeSeries> series;
    series.reserve(windows.size());
    for (const SeriesWindow &w : windows)
        series.push_back(toRangeSeries(w));
    Q_EMIT bucketsReady(outer, series);
}

void HistoryRangeSource::onRecordsReady(
    quint64 generation, HistoryReader::Records kind, const QList<QVariantMap> &records)
{
    const auto it = m_pending.constFind(generation);
    if (it == m_pending.constEnd())
        return;
    const quint64 outer = it->outer;
    m_pending.erase(it);
    addRecords(outer, kind, records);
}

void HistoryRangeSource::addRecords(quint64 outer, HistoryReader::Records kind, const QList<QVariantMap> &records)
{
    auto answer = m_markers.find(outer);
    if (answer == m_markers.end())
        return;
    for (const QVariantMap &r : records) {
        TimeMarker m;
        if (kind == HistoryReader::Records::Events) {
            const bool check = r.value(u"kind"_s).toString() == u"service_check"_s;
            m.kind = check ? TimeMarker::Kind::ServiceCheck : TimeMarker::Kind::Event;
            m.timeMs = r.value(u"time"_s).toLongLong() * 1000;
            m.endMs = m.timeMs;
            m.title = r.value(u"title"_s).toString();
            m.detail = r.value(u"text"_s).toString();
            m.failure = check ? r.value(u"status"_s).toInt() == 2 : r.value(u"alert_type"_s).toString() == u"error"_s;
            if (check)
                m.title = tr("check %1: %2")
                              .arg(m.title,
                                  QStringList { tr("ok"), tr("warning"), tr("critical"), tr("unknown") }.value(
                                      r.value(u"status"_s).toInt(), tr("?")));
        } else {
            m.kind = TimeMarker::Kind::Run;
            m.timeMs = qint64(r.value(u"start_unix"_s).toDouble() * 1000);
            const QVariant end = r.value(u"end_unix"_s);
            m.endMs = end.isNull() ? m.timeMs : qint64(end.toDouble() * 1000);
            m.failure = r.contains(u"success"_s) && !r.value(u"success"_s).isNull() && !r.value(u"success"_s).toBool();
            m.title = tr("run %1%2").arg(r.value(u"workflow"_s).toString(), m.failure ? tr(" (failed)") : QString());
            m.detail = r.value(u"execution_text"_s).toString();
        }
        answer->markers.push_back(std::move(m));
    }
    if (--answer->missing > 0)
        return;
    QVector<TimeMarker> markers = std::move(answer->markers);
    m_markers.erase(answer);
    std::sort(
        markers.begin(), markers.end(), [](const TimeMarker &a, const TimeMarker &b) { return a.timeMs < b.timeMs; });
    Q_EMIT markersReady(outer, markers);
}

void HistoryRangeSource::onFailed(quint64 generation, const QString &message)
{
    const auto it = m_pending.constFind(generation);
    if (it == m_pending.constEnd())
        return;
    const Pending pending = *it;
    m_pending.erase(it);
    if (pending.kind == Pending::Kind::Buckets)
        Q_EMIT failed(pending.outer, message);
    else // markers are a nicety: the half that failed counts as none
        addRecords(pending.outer,
            pending.kind == Pending::Kind::Events ? HistoryReader::Records::Events : HistoryReader::Records::Runs, {});
}

} // namespace perfdash
