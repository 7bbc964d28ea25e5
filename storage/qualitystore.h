// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/qualitymetrics.h"
#include "models/qualitystats.h"
#include "storage/storagetiers.h"

#include <QSqlDatabase>
#include <QString>
#include <QVector>

#include <optional>

namespace perfdash {

// The `quality` table (migration 003): every model's QualityMetrics per second, minute and hour.
//
// Writing (the storage thread, inside the writer's transaction): writeSecond() inserts a final second's blob and,
// only when that second was not stored before, merges it into its minute and hour rows. A retried or repeated second
// therefore never counts twice, and a rolled-back transaction takes its rollups with it (no state in memory).
//
// Reading (any thread with its own connection): window() merges, for [from, to), the hour rows that lie wholly
// inside, then minute rows inside the rest, then second rows for the edges, so nothing is counted twice and no
// metric is averaged. The answer is exact for any window the 1 s tier still covers; beyond the 1 s retention a window
// edge that is not minute-aligned loses its partial minute (rows that straddle an edge are never used).
namespace QualityStore {

// True on success; false with *error on an SQL failure or a corrupt blob in the database.
bool writeSecond(QSqlDatabase &db, const QualityStats &stats, qint64 second, QString *error);
// Deletes rows older than each tier's retention, at most `batch` per tier; returns the count, or -1 on failure.
int deleteExpired(QSqlDatabase &db, const Retention &retention, qint64 nowSeconds, int batch);

struct Window {
    QString key;
    qint64 from = 0;
    qint64 to = 0;
    QualityMetrics metrics;
    int rows = 0; // stored rows merged (any tier)
    int corruptRows = 0; // rows whose blob did not decode, or would not merge (left out)
};

// Every model key stored in [from, to), sorted.
bool keys(QSqlDatabase &db, qint64 from, qint64 to, QStringList *out, QString *error);
// Consecutive windows of `step` seconds from `from` (the last one ends at `to`) for one key; windows with no rows are
// left out.
bool windows(
    QSqlDatabase &db, const QString &key, qint64 from, qint64 to, qint64 step, QVector<Window> *out, QString *error);

} // namespace QualityStore

} // namespace perfdash
