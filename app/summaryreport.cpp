// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/summaryreport.h"

#include "app/exportcommand.h"
#include "models/performancesummary.h"
#include "models/serieskey.h"
#include "models/timebucket.h"
#include "storage/historyquery.h"
#include "storage/modelhistoryreader.h"
#include "storage/qualitystore.h"
#include "storage/storagetiers.h"

#include <QSqlDatabase>

#include <algorithm>
#include <set>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

qint64 granularityStep(const QString &name)
{
    if (name == u"minute"_s)
        return 60;
    if (name == u"hour"_s)
        return 3600;
    if (name == u"day"_s)
        return 86400;
    return 0;
}

QString granularityName(qint64 step)
{
    return step == 60 ? u"minute"_s : step == 3600 ? u"hour"_s : u"day"_s;
}

} // namespace

SummaryStatus summaryReport(const QString &connectionName, const QString &dbPath, const SummaryRequest &request,
    qint64 now, QJsonObject *out, QString *error)
{
    const auto bad = [error](const QString &message) {
        *error = message;
        return SummaryStatus::BadRequest;
    };
    const auto failed = [error](const QString &message) {
        *error = message;
        return SummaryStatus::Failed;
    };
    if (request.model.isEmpty())
        return bad(u"the model is required"_s);
    const auto span = ExportArguments::parseDuration(request.window);
    if (!span)
        return bad(u"bad window: "_s % request.window % u" (1h, 6h, 24h, 7d, 30d, or a duration like 90m)"_s);
    qint64 step = *span <= 86400 ? 60 : *span <= 30 * 86400 ? 3600 : 86400;
    if (!request.granularity.isEmpty()) {
        step = granularityStep(request.granularity);
        if (step == 0)
            return bad(u"bad granularity: "_s % request.granularity % u" (minute, hour or day)"_s);
    }
    QString why;
    const auto endTime = ExportArguments::parseTime(request.end, now, &why);
    if (!endTime)
        return bad(u"bad end: "_s % why);
    const qint64 to = std::min(*endTime, now);
    const qint64 from = floorTo(to - *span, step);

    const HistoryQuery query(connectionName);
    QVector<SeriesInfo> series;
    if (!query.seriesList(&series, &why))
        return failed(why);
    const QString wanted = request.model;
    const std::set<QString> models = ModelHistoryReader::models(series);
    if (!models.count(wanted)) {
        *error = u"no model "_s % wanted % u" in "_s % dbPath
            % (models.empty() ? u" (it holds no model: series get one from a model tag)"_s
                              : u"; known models: "_s % QStringList(models.begin(), models.end()).join(u", "_s));
        return SummaryStatus::UnknownModel;
    }
    // The model's series and their roles, as the dashboard resolves them; machine-wide gauges for the fallback.
    QHash<QString, SeriesInfo> byKey;
    for (const SeriesInfo &s : std::as_const(series))
        byKey.insert(s.key, s);
    PerformanceSummaryInput in;
    in.model = wanted;
    in.window = request.window;
    in.granularity = granularityName(step);
    in.from = from;
    in.to = to;
    in.roles = ModelHistoryReader::seriesOf(series, wanted).roles;
    QHash<QString, QVector<SeriesPoint>> points;
    const auto read = [&](const QString &key) -> bool {
        const auto it = byKey.constFind(key);
        if (it == byKey.constEnd() || points.contains(key))
            return true;
        SeriesWindow w;
        if (!query.window(*it, from, to, step, &w, &why, true))
            return false;
        points.insert(key, w.seriesPoints());
        return true;
    };
    QStringList wantedKeys = in.roles.allKeys();
    const QStringList machine { u"system.cpu_percent"_s, u"system.memory_used_mb"_s, u"system.memory_total_mb"_s };
    wantedKeys << machine;
    QString gpuKey;
    for (const SeriesInfo &s : std::as_const(series)) {
        if (SeriesKey::fromString(s.key).name == u"gpu.utilization_percent"_s && (gpuKey.isEmpty() || s.key < gpuKey))
            gpuKey = s.key;
    }
    if (!gpuKey.isEmpty())
        wantedKeys << gpuKey;
    for (const QString &key : std::as_const(wantedKeys)) {
        if (!read(key)) {
            return failed(why);
        }
    }
    Coverage coverage;
    if (!query.coverage(from, to, step, now, &coverage, &why)) {
        return failed(why);
    }
    const Kpi::PointLookup lookup = [&points](const QString &key) -> const QVector<SeriesPoint> & {
        static const QVector<SeriesPoint> empty;
        const auto it = points.constFind(key);
        return it == points.constEnd() ? empty : *it;
    };
    in.figures = Kpi::figures(lookup, in.roles, coverage, from, to);
    in.machineCpu = Kpi::gauge(lookup(machine[0]), from, to);
    in.machineMemoryUsedMb = Kpi::gauge(lookup(machine[1]), from, to);
    in.machineMemoryTotalMb = Kpi::gauge(lookup(machine[2]), from, to);
    if (!gpuKey.isEmpty())
        in.machineGpu = Kpi::gauge(lookup(gpuKey), from, to);

    // Quality from the stored prediction outcomes of every key of the model, merged (never averaged).
    QSqlDatabase sql = QSqlDatabase::database(connectionName, false);
    QStringList qualityKeys;
    if (QualityStore::keys(sql, from, to, &qualityKeys, &why)) {
        QualityMetrics merged;
        bool any = false;
        for (const QString &key : std::as_const(qualityKeys)) {
            if (SeriesKey::fromString(key).tagValue(u"model") != wanted)
                continue;
            QVector<QualityStore::Window> windows;
            if (!QualityStore::windows(sql, key, from, to, to - from, &windows, &why)) {
                return failed(why);
            }
            for (const auto &w : std::as_const(windows))
                any = merged.merge(w.metrics) || any;
        }
        if (any)
            in.quality = QualityStats::from(u"prediction.quality|model:"_s % wanted, merged, false);
    }
    // Baselines and trends at the window's end, from the hourly tier (docs/metrics.md).
    ModelHistory history;
    if (!ModelHistoryReader::read(query, series, wanted, to, &history, &why)) {
        return failed(why);
    }
    in.limits = Baseline::Limits::fromEnvironment();
    in.outlook = Outlook::compute(history, in.limits);
    *out = performanceSummary(in);
    return SummaryStatus::Ok;
}

} // namespace perfdash
