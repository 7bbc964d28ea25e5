// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/modeloutlook.h"
#include "storage/historyquery.h"

#include <set>

namespace perfdash {

// Reads what a model's baselines and trends are computed from (models/modeloutlook.h): its stored baselines and its
// hourly history. Used by `perfdashd summary` and the GUI's history worker, so both read the same thing. Any thread
// with its own connection.
namespace ModelHistoryReader {

// A model's series as the dashboard resolves them: its keys, their kinds and roles, and when the first was seen.
struct ModelSeries {
    QStringList keys;
    QHash<QString, MetricKind> kinds;
    SourceRoles roles;
    qint64 firstSeen = -1;
};
// Every model that has a series, from the series' model tags (as the source tree has them).
std::set<QString> models(const QVector<SeriesInfo> &series);
ModelSeries seriesOf(const QVector<SeriesInfo> &series, const QString &model);

// now: the first second that has not passed. False with *error on an SQL failure.
bool read(const HistoryQuery &query, const QVector<SeriesInfo> &series, const QString &model, qint64 now,
    ModelHistory *out, QString *error);

// Forms the first-24 h baselines that are due and not stored yet (a model whose first day after its deploy is over)
// and appends them to the baselines table, so they are kept as versions like the others. The writer's connection,
// inside no transaction; *formed counts the rows appended. Cheap when nothing is due: one read of the registry and
// of each model's baselines.
bool formDueBaselines(const HistoryQuery &query, qint64 now, int *formed, QString *error);

} // namespace ModelHistoryReader

} // namespace perfdash
