// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/summarycommand.h"

#include "app/commandsupport.h"
#include "app/exportcommand.h"
#include "app/runtimepaths.h"
#include "models/performancesummary.h"
#include "models/serieskey.h"
#include "storage/historyquery.h"
#include "storage/modelhistoryreader.h"
#include "storage/qualitystore.h"
#include "storage/storagetiers.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>

#include <algorithm>
#include <set>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr char16_t usage[]
    = u"Usage: perfdashd summary --model NAME [--window 1h|6h|24h|7d|30d|DURATION]\n"
      "                         [--granularity minute|hour|day] [--db FILE] [--end TIME]\n"
      "  Prints the model's performance summary over [end - window, end) as JSON: latency\n"
      "  p50/p95/p99, throughput, error rate, queue depth, resources and quality, as the\n"
      "  dashboard computes them (docs/metrics.md). DURATION: 90m, 36h, 2w…; the window's start\n"
      "  is rounded down to the granularity (default: minute up to 24h, hour up to 30d, else day).\n"
      "  TIME: now (default), -1h, or ISO 8601.\n";

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

int runSummaryCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(u"summary"_s, QString::fromUtf16(usage));
    QCommandLineParser &parser = line.parser();
    const QCommandLineOption model(u"model"_s, u"The model."_s, u"NAME"_s);
    const QCommandLineOption window(u"window"_s, u"The window."_s, u"WINDOW"_s, u"1h"_s);
    const QCommandLineOption granularity(u"granularity"_s, u"minute, hour or day."_s, u"G"_s);
    const QCommandLineOption db(u"db"_s, u"SQLite database file."_s, u"FILE"_s, RuntimePaths::defaultDatabase());
    const QCommandLineOption end(u"end"_s, u"The window's end."_s, u"TIME"_s, u"now"_s);
    parser.addOptions({ model, window, granularity, db, end });
    if (const auto done = line.parse(arguments, out, err))
        return *done;
    if (!parser.isSet(model) || parser.value(model).isEmpty())
        return line.bad(u"--model is required"_s, err);
    const auto span = ExportArguments::parseDuration(parser.value(window));
    if (!span)
        return line.bad(
            u"bad --window: "_s % parser.value(window) % u" (1h, 6h, 24h, 7d, 30d, or a duration like 90m)"_s, err);
    qint64 step = *span <= 86400 ? 60 : *span <= 30 * 86400 ? 3600 : 86400;
    if (parser.isSet(granularity)) {
        step = granularityStep(parser.value(granularity));
        if (step == 0)
            return line.bad(u"bad --granularity: "_s % parser.value(granularity) % u" (minute, hour or day)"_s, err);
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QString error;
    const auto endTime = ExportArguments::parseTime(parser.value(end), now, &error);
    if (!endTime)
        return line.bad(u"bad --end: "_s % error, err);
    const qint64 to = std::min(*endTime, now);
    const qint64 from = floorTo(to - *span, step);

    const QString path = QFileInfo(parser.value(db)).absoluteFilePath();
    ReadOnlyConnection connection(u"perfdashd-summary"_s);
    if (!connection.open(path, &error)) {
        err << "perfdashd summary: " << error << '\n';
        return 1;
    }
    const HistoryQuery query(connection.name());
    QVector<SeriesInfo> series;
    if (!query.seriesList(&series, &error)) {
        err << "perfdashd summary: " << error << '\n';
        return 1;
    }
    const QString wanted = parser.value(model);
    const std::set<QString> models = ModelHistoryReader::models(series);
    if (!models.count(wanted)) {
        err << "perfdashd summary: no model " << wanted << " in " << path;
        if (models.empty())
            err << " (it holds no model: series get one from a model tag)\n";
        else
            err << "; known models: " << QStringList(models.begin(), models.end()).join(u", "_s) << '\n';
        return 1;
    }

    // The model's series and their roles, as the dashboard resolves them; machine-wide gauges for the fallback.
    QHash<QString, SeriesInfo> byKey;
    for (const SeriesInfo &s : std::as_const(series))
        byKey.insert(s.key, s);
    PerformanceSummaryInput in;
    in.model = wanted;
    in.window = parser.value(window);
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
        if (!query.window(*it, from, to, step, &w, &error, true))
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
            err << "perfdashd summary: " << error << '\n';
            return 1;
        }
    }
    Coverage coverage;
    if (!query.coverage(from, to, step, now, &coverage, &error)) {
        err << "perfdashd summary: " << error << '\n';
        return 1;
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
    QSqlDatabase sql = QSqlDatabase::database(connection.name(), false);
    QStringList qualityKeys;
    if (QualityStore::keys(sql, from, to, &qualityKeys, &error)) {
        QualityMetrics merged;
        bool any = false;
        for (const QString &key : std::as_const(qualityKeys)) {
            if (SeriesKey::fromString(key).tagValue(u"model") != wanted)
                continue;
            QVector<QualityStore::Window> windows;
            if (!QualityStore::windows(sql, key, from, to, to - from, &windows, &error)) {
                err << "perfdashd summary: " << error << '\n';
                return 1;
            }
            for (const auto &w : std::as_const(windows))
                any = merged.merge(w.metrics) || any;
        }
        if (any)
            in.quality = QualityStats::from(u"prediction.quality|model:"_s % wanted, merged, false);
    }
    // Baselines and trends at the window's end, from the hourly tier (docs/metrics.md).
    ModelHistory history;
    if (!ModelHistoryReader::read(query, series, wanted, to, &history, &error)) {
        err << "perfdashd summary: " << error << '\n';
        return 1;
    }
    in.limits = Baseline::Limits::fromEnvironment();
    in.outlook = Outlook::compute(history, in.limits);
    out << QJsonDocument(performanceSummary(in)).toJson(QJsonDocument::Indented);
    return 0;
}

} // namespace perfdash
