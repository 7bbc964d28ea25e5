// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/modelhistoryreader.h"

#include "models/serieskey.h"
#include "storage/baselinestore.h"
#include "storage/qualitystore.h"

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

namespace {

// The model's stored baselines and its hourly points over [from, now).
bool readSpan(const HistoryQuery &query, const QVector<SeriesInfo> &series, const ModelSeries &ms, const QString &model,
    qint64 from, qint64 now, ModelHistory *out, QString *error)
{
    out->model = model;
    out->roles = ms.roles;
    out->now = now;
    out->firstSecond = ms.firstSeen;
    out->from = from;
    QHash<QString, SeriesInfo> byKey;
    for (const SeriesInfo &s : series)
        byKey.insert(s.key, s);
    for (const QString &key : out->roles.allKeys()) {
        const auto it = byKey.constFind(key);
        if (it == byKey.constEnd() || out->hourly.contains(key))
            continue;
        SeriesWindow w;
        if (!query.window(*it, from, now, 3600, &w, error, true))
            return false;
        out->hourly.insert(key, w.seriesPoints());
    }
    // Quality per hour: every quality key of the model, merged per hour (outcomes add; no metric is averaged).
    QSqlDatabase db = QSqlDatabase::database(query.connectionName(), false);
    QStringList qualityKeys;
    if (!QualityStore::keys(db, from, now, &qualityKeys, error))
        return false;
    QMap<qint64, QualityMetrics> merged;
    for (const QString &key : std::as_const(qualityKeys)) {
        if (SeriesKey::fromString(key).tagValue(u"model") != model)
            continue;
        QVector<QualityStore::Window> windows;
        if (!QualityStore::windows(db, key, from, now, 3600, &windows, error))
            return false;
        for (const QualityStore::Window &w : std::as_const(windows))
            merged[w.from].merge(w.metrics);
    }
    for (auto it = merged.cbegin(); it != merged.cend(); ++it)
        out->qualityHourly.insert(it.key(), QualityStats::from(u"prediction.quality|model:"_s + model, *it, true));
    return query.coverage(from, now, 3600, now, &out->coverage, error);
}

} // namespace

bool read(const HistoryQuery &query, const QVector<SeriesInfo> &series, const QString &model, qint64 now,
    ModelHistory *out, QString *error)
{
    *out = {};
    const ModelSeries ms = seriesOf(series, model);
    QSqlDatabase db = QSqlDatabase::database(query.connectionName(), false);
    if (!BaselineStore::forModel(db, model, &out->stored, error))
        return false;
    Baseline::History h;
    h.stored = out->stored;
    h.firstSecond = ms.firstSeen;
    return readSpan(query, series, ms, model, Outlook::spanStart(now, Baseline::epochOf(h, now)), now, out, error);
}

bool formDueBaselines(const HistoryQuery &query, qint64 now, int *formed, QString *error)
{
    *formed = 0;
    QVector<SeriesInfo> series;
    if (!query.seriesList(&series, error))
        return false;
    QSqlDatabase db = QSqlDatabase::database(query.connectionName(), false);
    for (const QString &model : models(series)) {
        const ModelSeries ms = seriesOf(series, model);
        ModelHistory history;
        if (!BaselineStore::forModel(db, model, &history.stored, error))
            return false;
        Baseline::History h;
        h.stored = history.stored;
        h.firstSecond = ms.firstSeen;
        const qint64 epoch = Baseline::epochOf(h, now);
        const qint64 start = Baseline::firstDayStart(epoch);
        const qint64 formedAt = start + Baseline::kFirstDaySeconds;
        // A margin past the day's end: its last seconds are flushed and folded into the hour before it is read.
        if (epoch < 0 || now < formedAt + 120)
            continue; // still forming (or no data)
        QStringList due;
        for (const KpiCatalog::Definition &def : KpiCatalog::all()) {
            if (!Baseline::formsAutomatically(def.name) || !Outlook::hasSeriesFor(def.name, ms.roles))
                continue;
            const bool stored = std::any_of(h.stored.cbegin(), h.stored.cend(), [&](const Baseline::Stored &s) {
                return s.kpi == def.name && s.validFrom >= epoch && s.source != Baseline::Source::Deploy;
            });
            if (!stored)
                due << def.name;
        }
        if (due.isEmpty())
            continue;
        const QStringList already = due;
        if (!readSpan(query, series, ms, model, start, formedAt, &history, error))
            return false;
        const ModelOutlook outlook = Outlook::compute(history, Baseline::Limits {});
        for (const QString &kpi : already) {
            const KpiOutlook *k = outlook.find(kpi);
            if (!k || !k->baseline.exists || k->baseline.forming || k->baseline.source != Baseline::Source::FirstDay)
                continue; // no figure for it (no such series, or too little data in the first day)
            Baseline::Stored row;
            row.model = model;
            row.kpi = kpi;
            row.source = Baseline::Source::FirstDay;
            row.value = k->baseline.value;
            row.spread = k->baseline.spread;
            row.n = k->baseline.n;
            row.windowFrom = k->baseline.windowFrom;
            row.windowTo = k->baseline.windowTo;
            row.validFrom = formedAt;
            row.created = now;
            bool appended = false;
            if (!BaselineStore::append(db, row, &appended, error))
                return false;
            *formed += appended ? 1 : 0;
        }
    }
    return true;
}

} // namespace perfdash::ModelHistoryReader
