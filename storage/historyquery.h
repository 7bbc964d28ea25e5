// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/coverage.h"
#include "models/metrickind.h"
#include "models/seriesstats.h"
#include "models/timelineevent.h"
#include "models/workrecords.h"
#include "storage/chunkcodec.h"
#include "storage/storagetiers.h"

#include <QMetaType>
#include <QString>
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
    // The bucket's covered seconds (models/coverage.h: passed, and the collector up), set by
    // SeriesWindow::setCoverage; -1 until then.
    qint64 seconds = -1;
    bool complete = true; // every second of the bucket has passed (false for the partial last bucket)
    // The bucket's merged quantile sketch (QuantileSketch::serialize), when window() was asked for sketches.
    QByteArray sketch;

    double mean() const { return point.count > 0 ? point.sum / double(point.count) : StoredPoint::nan(); }
    // Count per covered second: never per second of a bucket that has not passed or the collector did not see. NaN
    // when none of its seconds is covered; per second of the step while the coverage is not set.
    double rate() const
    {
        const qint64 denominator = seconds < 0 ? step : seconds;
        return denominator > 0 ? double(point.count) / double(denominator) : StoredPoint::nan();
    }
};

struct SeriesWindow {
    SeriesInfo series;
    qint64 step = 1;
    StorageTier tier = StorageTier::Second;
    QVector<WindowPoint> points;

    // Sets each point's covered seconds and completeness from `coverage` (same step, a span that holds the points).
    void setCoverage(const Coverage &coverage);
    // The points as the Kpi functions take them (models/kpi.h): rate per covered second, the sketch when read.
    QVector<SeriesPoint> seriesPoints() const;
};

// Synchronous queries over an open connection (read-only or not). Used by HistoryReader on its thread and by the
// command line. Not thread-safe: one thread per instance, the connection's thread.
class HistoryQuery {
public:
    explicit HistoryQuery(QString connectionName)
        : m_connectionName(std::move(connectionName))
    { }

    QString connectionName() const { return m_connectionName; }
    // The tier that serves a step (RangeSource::tierFor, the one definition).
    static StorageTier tierOf(qint64 step);

    bool seriesList(QVector<SeriesInfo> *out, QString *error) const;
    // Buckets of `step` seconds in [from, to) (the first starts at floorTo(from, step): aligned to the clock), from
    // the tier tierOf(step). Steps coarser than the tier's merge its buckets: counts and sums add, quantiles come
    // from merged sketches (1 min and 1 h tiers), never from averages. Complete: the 1 s seconds a rollup tier has
    // not folded yet (its open row trails the 1 s tier by up to rollupWriteIntervalS, docs/storage.md) are merged
    // in, exactly for counts, sums, min and max, approximated from their stored quantiles for the sketch.
    // withSketches: each bucket also carries its merged sketch (WindowPoint::sketch), so buckets can be merged again
    // into any window (Kpi::latency); the 1 min and 1 h tiers only.
    bool window(const SeriesInfo &series, qint64 from, qint64 to, qint64 step, SeriesWindow *out, QString *error,
        bool withSketches = false) const;
    // Covered seconds of the buckets of `step` in [from, to) as of nowSecond (the first second that has not passed),
    // from the collector's heartbeat series read at the same step; every passed second when it has none.
    bool coverage(qint64 from, qint64 to, qint64 step, qint64 nowSecond, Coverage *out, QString *error) const;
    // Every series' 1 s buckets in [from, to], as frames, for the GUI's history (HistorySource::requestRange).
    bool secondsAsFrames(
        qint64 from, qint64 to, QVector<LiveFrame> *out, QString *error, const QStringList &keys = {}) const;

    // Timeline records in [from, to) (unix seconds), newest first, at most `limit`. Runs carry their steps.
    bool events(qint64 from, qint64 to, int limit, QVector<TimelineEvent> *out, QString *error) const;
    bool operations(qint64 from, qint64 to, int limit, QVector<OperationRecord> *out, QString *error) const;
    // Runs carry the samples taken while they ran (RunRecord::telemetry), the newest first, until their stored sizes
    // add up to kRunTelemetryBudgetBytes; the rest say only how much they stored (telemetryBytes).
    static constexpr qint64 kRunTelemetryBudgetBytes = 16LL * 1024 * 1024;
    bool runs(qint64 from, qint64 to, int limit, QVector<RunRecord> *out, QString *error) const;

private:
    QString m_connectionName;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::SeriesInfo)
Q_DECLARE_METATYPE(perfdash::SeriesWindow)
