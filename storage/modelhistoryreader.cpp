// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/modelhistoryreader.h"

#include "storage/baselinestore.h"

#include <QSqlDatabase>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::ModelHistoryReader {

std::set<QString> models(const QVector<SeriesInfo> &series)
{
    std::set<QString> out;
    for (const SeriesInfo &s : series) {
        for (const SourceRef &ref : sourcesOf(s.key)) {
            if (ref.kind == SourceRef::Kind::Model)
                out.insert(ref.name);
        }
    }
    return out;
}

ModelSeries seriesOf(const QVector<SeriesInfo> &series, const QString &model)
{
    ModelSeries out;
    for (const SeriesInfo &s : series) {
        for (const SourceRef &ref : sourcesOf(s.key)) {
            if (ref.kind == SourceRef::Kind::Model && ref.name == model) {
                out.keys << s.key;
                out.kinds.insert(s.key, s.kind);
                out.firstSeen = out.firstSeen < 0 ? s.firstSeen : std::min(out.firstSeen, s.firstSeen);
            }
        }
    }
    out.roles = resolveRoles(out.keys, out.kinds);
    return out;
}

bool read(const HistoryQuery &query, const QVector<SeriesInfo> &series, const QString &model, qint64 now,
          ModelHistory *out, QString *error)
{
    *out = {};
    const ModelSeries ms = seriesOf(series, model);
    out->model = model;
    out->roles = ms.roles;
    out->now = now;
    out->firstSecond = ms.firstSeen;
    QSqlDatabase db = QSqlDatabase::database(query.connectionName(), false);
    if (!BaselineStore::forModel(db, model, &out->stored, error))
        return false;
    Baseline::History h;
    h.stored = out->stored;
    h.firstSecond = out->firstSecond;
    out->from = Outlook::spanStart(now, Baseline::epochOf(h, now));
    QHash<QString, SeriesInfo> byKey;
    for (const SeriesInfo &s : series)
        byKey.insert(s.key, s);
    for (const QString &key : out->roles.allKeys()) {
        const auto it = byKey.constFind(key);
        if (it == byKey.constEnd() || out->hourly.contains(key))
            continue;
        SeriesWindow w;
        if (!query.window(*it, out->from, now, 3600, &w, error, true))
            return false;
        out->hourly.insert(key, w.seriesPoints());
    }
    return query.coverage(out->from, now, 3600, now, &out->coverage, error);
}

} // namespace perfdash::ModelHistoryReader
