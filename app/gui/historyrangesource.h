// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rangesource.h"
#include "storage/historyreader.h"

#include <QHash>
#include <QSet>

#include <optional>

namespace perfdash {

// The dashboard's RangeSource over storage's HistoryReader: window buckets become SeriesPoints (rate per covered
// second, WindowPoint::rate), events and runs become TimeMarkers. Requests go to the reader's thread with one request
// id per kind of answer (buckets, events, runs); answers come back with the caller's generation.
// GUI thread only (the reader's owner thread). The reader must outlive this object.
class HistoryRangeSource : public RangeSource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryRangeSource)
public:
    explicit HistoryRangeSource(HistoryReader *reader, QObject *parent = nullptr);

    void requestBuckets(
        const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 generation) override;
    void requestMarkers(qint64 fromSecond, qint64 toSecond, quint64 generation) override;
    void requestOutlook(const QString &model, quint64 generation) override;
    void requestAlerts(qint64 fromSecond, qint64 toSecond, quint64 generation) override;
    void requestOperations(qint64 fromSecond, qint64 toSecond, quint64 generation) override;
    void requestRuns(qint64 fromSecond, qint64 toSecond, quint64 generation) override;

    static RangeSeries toRangeSeries(const SeriesWindow &window);
    static TimeMarker toMarker(const TimelineEvent &event);
    static TimeMarker toMarker(const RunRecord &run);

private:
    // The reader's request ids, one counter and one table per kind of answer: id -> the caller's generation.
    struct Requests {
        quint64 next = 0;
        QHash<quint64, quint64> generation;
        quint64 add(quint64 outer)
        {
            generation.insert(++next, outer);
            return next;
        }
        std::optional<quint64> take(quint64 id)
        {
            const auto it = generation.constFind(id);
            if (it == generation.constEnd())
                return std::nullopt;
            const quint64 outer = *it;
            generation.erase(it);
            return outer;
        }
    };
    struct MarkerAnswer {
        QVector<TimeMarker> markers;
        int missing = 2; // events and runs
    };
    void onWindowReady(quint64 id, const QVector<perfdash::SeriesWindow> &windows);
    void onEventsReady(quint64 id, const QVector<perfdash::TimelineEvent> &events);
    void onRunsReady(quint64 id, const QVector<perfdash::RunRecord> &runs);
    void onRequestFailed(perfdash::HistoryReader::Answer kind, quint64 id, const QString &message);
    void addMarkers(quint64 outer, QVector<TimeMarker> markers);

    HistoryReader *m_reader;
    Requests m_buckets;
    Requests m_events;
    Requests m_runs; // the reader's runs answers share one id space: markers' and the runs list's
    QSet<quint64> m_listedRuns; // the ids of m_runs that answer requestRuns, not markers
    Requests m_outlooks;
    Requests m_alerts;
    Requests m_operations;
    QHash<quint64, MarkerAnswer> m_markers; // by the caller's generation
};

} // namespace perfdash
