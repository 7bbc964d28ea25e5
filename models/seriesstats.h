// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"
#include "models/qualitystats.h"
#include "models/quantilesketch.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <cmath>
#include <limits>

namespace perfdash {

// One series' statistics over one one-second bucket. Plain value type: it crosses threads and sockets.
// Quantiles are estimates from a QuantileSketch: within relative error `quantileError` of the value at rank
// floor(q * (n - 1)), n = count. Whether n is large enough for a quantile to mean anything: isMeaningful(q).
struct SeriesStats {
    QString key; // canonical "name|tag1,tag2" (see serieskey.h)
    MetricKind kind = MetricKind::Counter;
    qint64 count = 0; // samples seen (counters: the rate-scaled sum of increments)
    double rate = 0; // count per second
    double sum = 0;
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double last = std::numeric_limits<double>::quiet_NaN(); // gauges: value at the end of the second
    double p50 = std::numeric_limits<double>::quiet_NaN(); // quantiles: timers and distributions only
    double p90 = std::numeric_limits<double>::quiet_NaN();
    double p95 = std::numeric_limits<double>::quiet_NaN();
    double p99 = std::numeric_limits<double>::quiet_NaN();
    double p999 = std::numeric_limits<double>::quiet_NaN();
    double quantileError = std::numeric_limits<double>::quiet_NaN(); // the sketch's relative accuracy (0.01 = 1%)
    qint64 uniqueCount = 0; // sets: distinct members in the second
    // Timers and distributions: the serialized QuantileSketch, so storage and the GUI can merge seconds into windows.
    // On live.sock only to a subscriber that follows the series (too big for every frame: docs/protocol.md, follow);
    // SeriesSummary::fromStats() reads it back.
    QByteArray sketch;
    // Counts alone: the live protocol's brief row of a series the client did not subscribe to (LiveSource::subscribe).
    // Its other statistics are NaN and not known; a quantile of it means nothing.
    bool brief = false;

    double mean() const { return count > 0 ? sum / double(count) : std::numeric_limits<double>::quiet_NaN(); }
    bool hasQuantiles() const { return kind == MetricKind::Timer || kind == MetricKind::Distribution; }
    // Same rule as QuantileSketch::isMeaningful: n >= 1 / (1 - q), so p99 needs 100 values and p999 1000.
    bool isMeaningful(double q) const
    {
        return hasQuantiles() && !brief && count > 0 && quint64(count) >= QuantileSketch::minCountFor(q);
    }
};

// Everything that closed for one UTC-aligned second.
// Either a provisional snapshot of a second that may still take late samples (Aggregator::publishDue), or the
// final state of a closed second (Aggregator::closeDue / closeAll).
struct LiveFrame {
    qint64 second = 0; // unix seconds, start of the bucket
    QVector<SeriesStats> series;
    // Quality metrics of every model that had predictions with a truth in this second, sorted by key.
    QVector<QualityStats> quality {};
    bool provisional = false; // a later frame for the same second supersedes this one
    // Final frames only: true when subscribers have not seen this content yet, because no provisional snapshot was
    // taken or samples arrived after it. False means the provisional snapshot already showed exactly this.
    bool changedSincePublish = true;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::SeriesStats)
Q_DECLARE_METATYPE(perfdash::LiveFrame)
