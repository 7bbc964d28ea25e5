// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/historyrangesource.h"

#include "models/quantilesketch.h"

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr int markerLimit = 500; // newest first; more would be a smear on the axis anyway
constexpr int runLimit = 5000; // newest first: the Runs view's table and chart; a day at the demo's 0.2 runs/s is 17k
constexpr int alertLimit = 2000; // transitions of the range, newest kept: the panel lists alerts, not every flap
} // namespace

HistoryRangeSource::HistoryRangeSource(HistoryReader *reader, QObject *parent)
    : RangeSource(parent)
    , m_reader(reader)
{
    qRegisterMetaType<QVector<RangeSeries>>();
    qRegisterMetaType<QVector<TimeMarker>>();
    connect(reader, &HistoryReader::windowReady, this, &HistoryRangeSource::onWindowReady);
    connect(reader, &HistoryReader::eventsReady, this, &HistoryRangeSource::onEventsReady);
    connect(reader, &HistoryReader::runsReady, this, &HistoryRangeSource::onRunsReady);
    connect(reader, &HistoryReader::requestFailed, this, &HistoryRangeSource::onRequestFailed);
    connect(reader, &HistoryReader::outlookReady, this, [this](quint64 id, const ModelOutlook &outlook) {
        if (const auto outer = m_outlooks.take(id))
            Q_EMIT outlookReady(*outer, outlook);
    });
    connect(reader, &HistoryReader::alertsReady, this, [this](quint64 id, const QVector<AlertEvent> &events) {
        if (const auto outer = m_alerts.take(id))
            Q_EMIT alertsReady(*outer, events);
    });
    connect(reader, &HistoryReader::operationsReady, this, [this](quint64 id, const QVector<OperationRecord> &ops) {
        if (const auto outer = m_operations.take(id))
            Q_EMIT operationsReady(*outer, ops);
    });
}

void HistoryRangeSource::requestAlerts(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    m_reader->requestAlerts(fromSecond, toSecond, alertLimit, m_alerts.add(generation));
}

void HistoryRangeSource::requestOperations(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    m_reader->requestOperations(fromSecond, toSecond, kOperationLimit, m_operations.add(generation));
}

void HistoryRangeSource::requestRuns(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    const quint64 id = m_runs.add(generation);
    m_listedRuns.insert(id);
    m_reader->requestRuns(fromSecond, toSecond, runLimit, id);
}

void HistoryRangeSource::requestOutlook(const QString &model, quint64 generation)
{
    m_reader->requestOutlook(model, m_outlooks.add(generation));
}

void HistoryRangeSource::requestBuckets(
    const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 generation)
{
    m_reader->requestWindow(keys, fromSecond, toSecond, step, m_buckets.add(generation));
}

void HistoryRangeSource::requestMarkers(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    m_markers.insert(generation, {});
    m_reader->requestEvents(fromSecond, toSecond, markerLimit, m_events.add(generation));
    m_reader->requestRuns(fromSecond, toSecond, markerLimit, m_runs.add(generation));
}

RangeSeries HistoryRangeSource::toRangeSeries(const SeriesWindow &window)
{
    RangeSeries out;
    out.key = window.series.key;
    out.step = window.step;
    out.tier = int(window.tier);
    out.points = window.seriesPoints();
    return out;
}

TimeMarker HistoryRangeSource::toMarker(const TimelineEvent &e)
{
    TimeMarker m;
    const bool check = e.kind == u"service_check"_s;
    m.kind = check ? TimeMarker::Kind::ServiceCheck : TimeMarker::Kind::Event;
    m.timeMs = e.timeMs;
    m.endMs = m.timeMs;
    m.title = e.title;
    m.detail = e.text;
    m.failure = check ? e.status == 2 : e.alertType == u"error"_s;
    m.tags = e.tags;
    if (check)
        m.title
            = tr("check %1: %2")
                  .arg(m.title,
                      QStringList { tr("ok"), tr("warning"), tr("critical"), tr("unknown") }.value(e.status, tr("?")));
    return m;
}

TimeMarker HistoryRangeSource::toMarker(const RunRecord &r)
{
    TimeMarker m;
    m.kind = TimeMarker::Kind::Run;
    m.timeMs = qint64(r.start * 1000);
    m.endMs = std::isfinite(r.end) ? qint64(r.end * 1000) : m.timeMs;
    m.failure = !r.success;
    m.title = tr("run %1%2").arg(r.workflow, m.failure ? tr(" (failed)") : QString());
    m.detail = r.executionText;
    m.tags = QStringList { u"workflow:"_s + r.workflow };
    return m;
}

void HistoryRangeSource::onWindowReady(quint64 id, const QVector<SeriesWindow> &windows)
{
    const auto outer = m_buckets.take(id);
    if (!outer)
        return;
    QVector<RangeSeries> series;
    series.reserve(windows.size());
    for (const SeriesWindow &w : windows)
        series.push_back(toRangeSeries(w));
    Q_EMIT bucketsReady(*outer, series);
}

void HistoryRangeSource::onEventsReady(quint64 id, const QVector<TimelineEvent> &events)
{
    const auto outer = m_events.take(id);
    if (!outer)
        return;
    QVector<TimeMarker> markers;
    markers.reserve(events.size());
    for (const TimelineEvent &e : events)
        markers.push_back(toMarker(e));
    addMarkers(*outer, std::move(markers));
}

void HistoryRangeSource::onRunsReady(quint64 id, const QVector<RunRecord> &runs)
{
    const auto outer = m_runs.take(id);
    if (!outer)
        return;
    if (m_listedRuns.remove(id)) {
        Q_EMIT runsReady(*outer, runs);
        return;
    }
    QVector<TimeMarker> markers;
    markers.reserve(runs.size());
    for (const RunRecord &r : runs)
        markers.push_back(toMarker(r));
    addMarkers(*outer, std::move(markers));
}

void HistoryRangeSource::addMarkers(quint64 outer, QVector<TimeMarker> markers)
{
    auto answer = m_markers.find(outer);
    if (answer == m_markers.end())
        return;
    answer->markers += markers;
    if (--answer->missing > 0)
        return;
    QVector<TimeMarker> all = std::move(answer->markers);
    m_markers.erase(answer);
    std::sort(all.begin(), all.end(), [](const TimeMarker &a, const TimeMarker &b) { return a.timeMs < b.timeMs; });
    Q_EMIT markersReady(outer, all);
}

void HistoryRangeSource::onRequestFailed(HistoryReader::Answer kind, quint64 id, const QString &message)
{
    switch (kind) {
    case HistoryReader::Answer::Window:
        if (const auto outer = m_buckets.take(id))
            Q_EMIT failed(*outer, message);
        break;
    case HistoryReader::Answer::Events: // markers are a nicety: the half that failed counts as none
        if (const auto outer = m_events.take(id))
            addMarkers(*outer, {});
        break;
    case HistoryReader::Answer::Runs:
        if (const auto outer = m_runs.take(id)) {
            if (m_listedRuns.remove(id))
                Q_EMIT runsFailed(*outer, message);
            else
                addMarkers(*outer, {});
        }
        break;
    case HistoryReader::Answer::Outlook:
        if (const auto outer = m_outlooks.take(id))
            Q_EMIT failed(*outer, message);
        break;
    case HistoryReader::Answer::Alerts:
        if (const auto outer = m_alerts.take(id))
            Q_EMIT alertsFailed(*outer, message);
        break;
    case HistoryReader::Answer::Operations:
        if (const auto outer = m_operations.take(id))
            Q_EMIT operationsFailed(*outer, message);
        break;
    default:
        break; // not asked by this source
    }
}

} // namespace perfdash
