// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rangesource.h"
#include "storage/historyreader.h"

#include <QHash>

namespace perfdash {

// The dashboard's RangeSource over storage's HistoryReader: window buckets become SeriesPoints, events and runs
// become TimeMarkers. Requests go to the reader's thread; answers come back with the caller's generation.
// GUI thread only (the reader's owner thread). The reader must outlive this object.
class HistoryRangeSource : public RangeSource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryRangeSource)
public:
    explicit HistoryRangeSource(HistoryReader *reader, QObject *parent = nullptr);

    void requestBuckets(
        const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 generation) override;
    void requestMarkers(qint64 fromSecond, qint64 toSecond, quint64 generation) override;

    static RangeSeries toRangeSeries(const SeriesWindow &window);

private:
    struct Pending {
        enum class Kind { Buckets, Events, Runs } kind;
        quint64 outer; // the caller's generation
    };
    struct MarkerAnswer {
        QVector<TimeMarker> markers;
        int missing = 2; // events and runs
    };
    void onWindowReady(quint64 generation, const QVector<perfdash::SeriesWindow> &windows);
    void onRecordsReady(quint64 generation, perfdash::HistoryReader::Records kind, const QList<QVariantMap> &records);
    void onFailed(quint64 generation, const QString &message);
    void addRecords(quint64 outer, HistoryReader::Records kind, const QList<QVariantMap> &records);

    HistoryReader *m_reader;
    quint64 m_next = 0;
    QHash<quint64, Pending> m_pending; // by the reader's generation
    QHash<quint64, MarkerAnswer> m_markers; // by the caller's generation
};

} // namespace perfdash
