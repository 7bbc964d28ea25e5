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
    StorageReportSource source(connectionName, dbPath);
    return summaryReport(source, request, now, out, error);
}

SummaryStatus summaryReport(
    ReportSource &source, const SummaryRequest &request, qint64 now, QJsonObject *out, QString *error)
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
    qint64 step = *span <= 86400 ? 60 : *span <= 30LL * 86400 ? 3600 : 86400;
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

    QVector<SeriesInfo> series;
    if (!source.seriesList(from, to, &series, &why))
        return failed(why);
    const QString wanted = request.model;
    const std::set<QString> models = ModelHistoryReader::models(series);
    if (!models.count(wanted)) {
        *error = u"no model "_s % wanted % u" in "_s % source.where()
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
    QVector<SeriesInfo> read;
    for (const QString &key : std::as_const(wantedKeys)) {
        const auto it = byKey.constFind(key);
        if (it != byKey.constEnd()
            && std::none_of(read.cbegin(), read.cend(), [&](const SeriesInfo &s) { return s.key == key; }))
            read.push_back(*it);
    }
    QHash<QString, QVector<SeriesPoint>> points;
    if (!source.windows(read, from, to, step, &points, &why))
        return failed(why);
    Coverage coverage;
    if (!source.coverage(from, to, step, now, &coverage, &why))
        return failed(why);
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
    if (!source.quality(wanted, from, to, &in.quality, &why))
        return failed(why);
    if (!source.outlook(series, wanted, to, &in.outlook, &why))
        return failed(why);
    in.limits = Baseline::Limits::fromEnvironment();
    *out = performanceSummary(in);
    return SummaryStatus::Ok;
}

} // namespace perfdash
