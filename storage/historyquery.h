// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"
#include "models/seriesstats.h"
#include "storage/chunkcodec.h"
#include "storage/storagetiers.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QVariantMap>
#include <QVector>

namespace perfdash {

struct SeriesInfo {
    qint64 id = -1;
    QString key; // canonical "name|k:v,..." (models/serieskey.h)
    MetricKind kind = MetricKind::Counter;
    qint64 firstSeen = 0;
};

// One bucket of a window query: `step` seconds starting at point.time.
struct WindowPoint {
    StoredPoint point;
    qint64 step = 1;

    double mean() const { return point.count > 0 ? point.sum / double(point.count) : StoredPoint::nan(); }
    double rate() const { return double(point.count) / double(step); }
};

struct SeriesWindow {
    SeriesInfo series;
    qint64 step = 1;
    StorageTier tier = StorageTier::Second;
    QVector<WindowPoint> points;
};

// Synchronous queries over an open connection (read-only or not). Used by HistoryReader on its thread and by the
// command line. Not thread-safe: one thread per instance, the connection's thread.
class HistoryQuery {
public:
    explicit HistoryQuery(QString connectionName) : m_connectionName(std::move(connectionName)) { }

    // The tier that serves a step: 1 h for multiples of 3600, 1 min for multiples of 60, else 1 s.
    static StorageTier tierFor(qint64 step);

    bool seriesList(QVector<SeriesInfo> *out, QString *error) const;
    // Buckets of `step` seconds in [from, to), from the tier tierFor(step). Steps coarser than the tier's merge its
    // buckets: counts and sums add, quantiles come from merged sketches (1 min and 1 h tiers), never from averages.
    bool window(const SeriesInfo &series, qint64 from, qint64 to, qint64 step, SeriesWindow *out,
                QString *error) const;
    // Every series' 1 s buckets in [from, to], as frames, for the GUI's history (HistorySource::requestRange).
    bool secondsAsFrames(qint64 from, qint64 to, QVector<LiveFrame> *out, QString *error) const;

    // Timeline records in [from, to) (unix seconds), newest first, at most `limit`. Runs carry their "steps".
    bool events(qint64 from, qint64 to, int limit, QList<QVariantMap> *out, QString *error) const;
    bool operations(qint64 from, qint64 to, int limit, QList<QVariantMap> *out, QString *error) const;
    bool runs(qint64 from, qint64 to, int limit, QList<QVariantMap> *out, QString *error) const;

private:
    bool records(const QString &sql, qint64 from, qint64 to, int limit, QList<QVariantMap> *out,
                 QString *error) const;
    QString m_connectionName;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::SeriesInfo)
Q_DECLARE_METATYPE(perfdash::SeriesWindow)
