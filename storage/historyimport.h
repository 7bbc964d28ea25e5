// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"
#include "storage/chunkcodec.h"
#include "storage/storagetiers.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <array>
#include <functional>
#include <vector>

namespace perfdash {

// One series of history brought in from elsewhere: buckets of `step` seconds (1, 60 or 3600), times aligned to the
// step, in time order, one row per bucket. Timers and distributions carry min, max and p50..p99 (p999 optional).
struct ImportSeries {
    QString key; // canonical "name|k:v,..." (models/serieskey.h)
    MetricKind kind = MetricKind::Gauge;
    qint64 step = 60;
    std::vector<StoredPoint> rows;
    bool counted = true; // false: written like the others but left out of the report (the import's own heartbeat)
};

struct HistoryImportOptions {
    Retention retention; // a bucket older than now minus a tier's retention is not written to that tier
    qint64 now = 0; // unix seconds
    bool replace = false; // imported buckets replace stored ones (never those of an open row)
};

struct HistoryImportReport {
    int series = 0; // series written to
    int newSeries = 0; // of them, not in the registry before
    std::array<qint64, 3> written {}; // buckets written per tier (1 s, 1 min, 1 h)
    std::array<qint64, 3> expired {}; // buckets older than the tier's retention, not written there
    qint64 kept = 0; // buckets the database already held: stored kept, imported skipped (replaced with `replace`)
    qint64 heldOpen = 0; // buckets in the span of a stored open row (a collector's): skipped
    QStringList keptExamples; // the first few of `kept` and `heldOpen`: "chunk_1m key time (why)"
    qint64 first = 0, last = 0; // the time span of the imported buckets
};

// Writes history into every tier of perfdash.db in ONE transaction, beside a running collector: the rows at their own
// tier, rolled up (BucketMerge, as the writer does) into the coarser tiers, as closed, deflated ChunkCodec chunks, and
// for timers a merged sketch per 1 min and 1 h bucket, synthesized from min, p50..p99 and max
// (BucketMerge::addApproximation) where the input has no sketch. Buckets already stored are kept (or replaced); spans
// at or after a series' open row in a tier belong to the writer that owns it and are never touched. Registers new
// series. Call from the thread that owns `db`; the caller opens it writable with a busy timeout.
class HistoryImport {
public:
    static bool write(const QSqlDatabase &db, const std::vector<ImportSeries> &series,
        const HistoryImportOptions &options, HistoryImportReport *report, QString *error,
        const std::function<void(int seriesDone)> &progress = {});
};

} // namespace perfdash
