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

// Stored history: the local collector's database.
class StorageSummarySource : public SummarySource {
public:
    StorageSummarySource(const QString &connectionName, const QString &dbPath)
        : m_query(connectionName)
        , m_path(dbPath)
    {
    }
    QString where() const override { return m_path; }
    bool seriesList(qint64, qint64, QVector<SeriesInfo> *out, QString *error) override
    {
        return m_query.seriesList(out, error);
    }
    bool windows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
        QHash<QString, QVector<SeriesPoint>> *out, QString *error) override
    {
        for (const SeriesInfo &s : series) {
            SeriesWindow w;
            if (!m_query.window(s, from, to, step, &w, error, true))
                return false;
            out->insert(s.key, w.seriesPoints());
        }
        return true;
    }
    bool coverage(qint64 from, qint64 to, qint64 step, qint64 now, Coverage *out, QString *error) override
    {
        return m_query.coverage(from, to, step, now, out, error);
    }
    bool quality(const QString &model, qint64 from, qint64 to, std::optional<QualityStats> *out, QString *error) override
    {
        // Quality from the stored prediction outcomes of every key of the model, merged (never averaged).
        out->reset();
        QSqlDatabase sql = QSqlDatabase::database(m_query.connectionName(), false);
        QStringList qualityKeys;
        QString why;
        if (!QualityStore::keys(sql, from, to, &qualityKeys, &why))
            return true; // a database without the quality table
        QualityMetrics merged;
        bool any = false;
        for (const QString &key : std::as_const(qualityKeys)) {
            if (SeriesKey::fromString(key).tagValue(u"model") != model)
                continue;
            QVector<QualityStore::Window> windows;
            if (!QualityStore::windows(sql, key, from, to, to - from, &windows, error))
                return false;
            for (const auto &w : std::as_const(windows))
                any = merged.merge(w.metrics) || any;
        }
        if (any)
            *out = QualityStats::from(u"prediction.quality|model:"_s % model, merged, false);
        return true;
    }
    bool outlook(const QVector<SeriesInfo> &series, const QString &model, qint64 to, std::optional<ModelOutlook> *out,
        QString *error) override
    {
        // Baselines and trends at the window's end, from the hourly tier (docs/metrics.md).
        ModelHistory history;
        if (!ModelHistoryReader::read(m_query, series, model, to, &history, error))
            return false;
        *out = Outlook::compute(history, Baseline::Limits::fromEnvironment());
        return true;
    }

private:
    HistoryQuery m_query;
    QString m_path;
};

} // namespace

SummaryStatus summaryReport(const QString &connectionName, const QString &dbPath, const SummaryRequest &request,
    qint64 now, QJsonObject *out, QString *error)
{
    StorageSummarySource source(connectionName, dbPath);
    return summaryReport(source, request, now, out, error);
}

SummaryStatus summaryReport(SummarySource &source, const SummaryRequest &request, qint64 now, QJsonObject *out,
    QString *error)
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
        if (it != byKey.constEnd() && std::none_of(read.cbegin(), read.cend(), [&](const SeriesInfo &s) { return s.key == key; }))
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
