// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/exportcommand.h"

#include "app/commandsupport.h"
#include "app/promreportsource.h"
#include "app/reportexport.h"
#include "app/runtimepaths.h"
#include "storage/csvwriter.h"
#include "storage/database.h"
#include "storage/historyquery.h"
#include "models/duration.h"
#include "models/seriesselector.h"
#include "models/timebucket.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QScopeGuard>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

std::optional<qint64> ExportArguments::parseDuration(const QString &text)
{
    return Duration::parse(text);
}

std::optional<qint64> ExportArguments::parseStep(const QString &text)
{
    static const QStringList steps { u"1s"_s, u"1m"_s, u"1h"_s, u"1d"_s };
    if (!steps.contains(text.trimmed()))
        return std::nullopt;
    return parseDuration(text);
}

std::optional<qint64> ExportArguments::parseTime(const QString &input, qint64 nowSeconds, QString *error)
{
    const QString text = input.trimmed();
    if (text == u"now"_s)
        return nowSeconds;
    if (text.startsWith(u'-') || text.startsWith(u'+')) {
        const auto d = parseDuration(text.mid(1));
        if (!d) {
            *error = u"\"%1\" is not a relative time such as -24h, -10m, +1m (units s, m, h, d, w)"_s.arg(input);
            return std::nullopt;
        }
        return text.startsWith(u'-') ? nowSeconds - *d : nowSeconds + *d;
    }
    QDateTime dt = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!dt.isValid()) {
        const QDate date = QDate::fromString(text, Qt::ISODate);
        if (date.isValid())
            dt = date.startOfDay(QTimeZone::utc());
    }
    if (!dt.isValid()) {
        *error = u"\"%1\" is neither ISO 8601 (2026-11-23T20:00:00Z) nor relative (-24h, -10m, now, +1m)"_s.arg(input);
        return std::nullopt;
    }
    if (dt.timeSpec() == Qt::LocalTime)
        dt.setTimeZone(QTimeZone::utc()); // a time without an offset is UTC, as everything we print
    return dt.toSecsSinceEpoch();
}

int runSeriesCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(u"series"_s,
        u"Usage: perfdashd series [--db FILE]\n"
        "  One stored series a line: name{tag=value,...}, kind, first seen (UTC).\n"_s);
    const QCommandLineOption db(u"db"_s, u"SQLite database file."_s, u"FILE"_s, RuntimePaths::defaultDatabase());
    line.parser().addOption(db);
    if (const auto done = line.parse(arguments, out, err))
        return *done;
    ReadOnlyConnection connection(u"perfdashd-series"_s);
    QString error;
    if (!connection.open(QFileInfo(line.parser().value(db)).absoluteFilePath(), &error)) {
        err << "perfdashd series: " << error << '\n';
        return 1;
    }
    QVector<SeriesInfo> series;
    if (!HistoryQuery(connection.name()).seriesList(&series, &error)) {
        err << "perfdashd series: " << error << '\n';
        return 1;
    }
    for (const SeriesInfo &info : series) {
        out << SeriesSelector::displayName(info.key) << '\t' << metricKindName(info.kind) << '\t'
            << QString::fromLatin1(CsvWriter::isoTime(info.firstSeen)) << '\n';
    }
    return 0;
}

int runExportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return runExportCommand(arguments, out, err, QDateTime::currentSecsSinceEpoch());
}

namespace {

constexpr char16_t exportUsage[]
    = u"Usage: perfdashd export [--content NAME] [--model NAME]... [--series SELECTOR] [--from TIME] [--to TIME]\n"
      "                        [--step 1s|1m|1h|1d|auto] [--series-key] [--excel] [--raw] [--db FILE] [-o FILE]\n"
      "                        [--source URL [--host NAME]]\n"
      "  A readable CSV report (docs/reports.md). NAME is one of:\n"
      "    kpi           seed 001's KPIs per model and bucket, with baselines and trends (the default)\n"
      "    series        the series a SELECTOR matches, per bucket (the default when --series is given)\n"
      "    operations, runs, alerts          the stored records in the range\n"
      "    slowest-ops, memory-trend, errors-by-op   seed 003's named reports\n"
      "  SELECTOR  name or name{tag=value,...}: every series of that name with those tags; * (any run of\n"
      "            characters) and ? (one) in the name and values: 'api.*{model=m*}', '*{gpu=*}' (docs/series.md)\n"
      "  TIME      ISO 8601 (2026-11-23T20:00:00Z; no offset means UTC) or now, -24h, -10m, +1m\n"
      "  --series-key  one `series` column (name{tag=value}) instead of one column per tag key\n"
      "  --excel       a byte order mark and times as 2026-11-23 20:00:00 (UTC), for spreadsheets\n"
      "  --raw         the lossless exchange format `perfdashd import` reads: time,series,count,rate,min,max,mean,\n"
      "                p50,p90,p95,p99,seconds,complete,kind (series only)\n"
      "  --source URL  kpi and series from a Prometheus-compatible server instead of the database (docs/fleet.md):\n"
      "                every host's series merged, or one host's with --host NAME\n";

// The lossless exchange format (storage/csvwriter.h): what `perfdashd import` reads back.
int writeRawExport(const QString &selectorText, const WindowCommandOptions::Range &range, const QString &path,
    const QString &outputPath, qint64 nowSeconds, QTextStream &err)
{
    QString error;
    const auto selector = SeriesSelector::parse(selectorText, &error);
    if (!selector) {
        err << "perfdashd export: bad --series: " << error << '\n';
        return 2;
    }
    ReadOnlyConnection connection(u"perfdashd-export"_s);
    if (!connection.open(path, &error)) {
        err << "perfdashd export: " << error << '\n';
        return 1;
    }
    HistoryQuery query(connection.name());
    QVector<SeriesInfo> all;
    if (!query.seriesList(&all, &error)) {
        err << "perfdashd export: " << error << '\n';
        return 1;
    }
    // Rates are per covered second: the heartbeat says which seconds of each bucket passed with the collector up.
    Coverage coverage;
    if (!query.coverage(range.from, range.to, range.step, nowSeconds, &coverage, &error)) {
        err << "perfdashd export: " << error << '\n';
        return 1;
    }
    QVector<SeriesInfo> chosen;
    std::copy_if(all.begin(), all.end(), std::back_inserter(chosen),
        [&](const SeriesInfo &s) { return selector->matches(s.key); });
    if (chosen.isEmpty()) {
        err << "perfdashd export: no series matches " << selectorText << " in " << path << " (" << all.size()
            << " series; `perfdashd series --db " << path << "` lists them)\n";
        return 1;
    }
    struct Row {
        qint64 time;
        int series;
        WindowPoint point;
    };
    std::vector<Row> rows;
    QVector<QString> names;
    for (int i = 0; i < chosen.size(); ++i) {
        SeriesWindow window;
        if (!query.window(chosen[i], range.from, range.to, range.step, &window, &error)) {
            err << "perfdashd export: " << error << '\n';
            return 1;
        }
        window.setCoverage(coverage);
        names.push_back(SeriesSelector::displayName(chosen[i].key));
        for (const WindowPoint &p : window.points)
            rows.push_back({ p.point.time, i, p });
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const Row &a, const Row &b) {
        return a.time != b.time ? a.time < b.time : names[a.series] < names[b.series];
    });
    CsvOutput output;
    if (!output.open(outputPath, &error)) {
        err << "perfdashd export: " << error << '\n';
        return 1;
    }
    CsvWriter &csv = output.csv();
    bool ok = csv.writeRow(CsvWriter::exportHeader());
    for (size_t i = 0; ok && i < rows.size(); ++i)
        ok = csv.writeExportRow(names[rows[i].series], chosen[rows[i].series].kind, rows[i].point);
    if (!output.commit(ok, &error)) {
        err << "perfdashd export: " << error << '\n';
        return 1;
    }
    if (output.toFile())
        err << "perfdashd export: " << rows.size() << " rows of " << chosen.size() << " series to " << outputPath
            << '\n';
    return 0;
}

} // namespace

int runExportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err, qint64 nowSeconds)
{
    SubcommandLine line(u"export"_s, QString::fromUtf16(exportUsage));
    QCommandLineParser &parser = line.parser();
    const WindowCommandOptions options;
    const QCommandLineOption content(u"content"_s, u"What the report holds."_s, u"NAME"_s);
    const QCommandLineOption model(
        u"model"_s, u"A model (repeat, or comma-separated; default every model)."_s, u"NAME"_s);
    const QCommandLineOption series(u"series"_s, u"Series selector."_s, u"SELECTOR"_s);
    const QCommandLineOption seriesKey(u"series-key"_s, u"One series column instead of tag columns."_s);
    const QCommandLineOption excel(u"excel"_s, u"Byte order mark and spreadsheet times."_s);
    const QCommandLineOption raw(u"raw"_s, u"The lossless exchange format."_s);
    const QCommandLineOption source(u"source"_s, u"A Prometheus-compatible server."_s, u"URL"_s);
    const QCommandLineOption host(u"host"_s, u"One host's series (with --source)."_s, u"NAME"_s);
    options.addTo(parser);
    parser.addOptions({ content, model, series, seriesKey, excel, raw, source, host });
    if (const auto done = line.parse(arguments, out, err))
        return *done;

    ReportRequest request;
    const QString contentName = parser.isSet(content) ? parser.value(content)
        : parser.isSet(series)                        ? u"series"_s
                                                      : u"kpi"_s;
    const auto chosen = ReportContents::fromName(contentName);
    if (!chosen) {
        QStringList names;
        for (ReportContent c : ReportContents::all())
            names << ReportContents::name(c);
        return line.bad(u"bad --content \""_s % contentName % u"\" (one of "_s % names.join(u", "_s) % u')', err);
    }
    request.content = *chosen;
    if (request.content == ReportContent::Series && !parser.isSet(series))
        return line.bad(u"--content series needs --series SELECTOR"_s, err);
    if (parser.isSet(raw) && request.content != ReportContent::Series)
        return line.bad(u"--raw exports series only (give --series)"_s, err);

    QUrl server;
    if (parser.isSet(source)) {
        server = QUrl(parser.value(source));
        if (!server.isValid() || (server.scheme() != u"http"_s && server.scheme() != u"https"_s)
            || server.host().isEmpty())
            return line.bad(u"bad --source: "_s % parser.value(source) % u" (http://HOST:PORT[/PATH])"_s, err);
        if (parser.isSet(options.db))
            return line.bad(u"--db and --source name two sources: give one"_s, err);
        if (parser.isSet(raw))
            return line.bad(u"--raw exports the database's own rows: not with --source"_s, err);
        if (!ReportContents::usesStep(request.content))
            return line.bad(u"--source reads kpi and series reports (records are not in a time-series server)"_s, err);
    } else if (parser.isSet(host)) {
        return line.bad(u"--host goes with --source"_s, err);
    }
    QString error;
    const auto range = options.range(parser, nowSeconds, &error);
    if (!range)
        return line.bad(error, err);
    const QString path = options.databasePath(parser);
    out.flush();
    if (parser.isSet(raw))
        return writeRawExport(parser.value(series), *range, path, parser.value(options.output), nowSeconds, err);

    request.database = path;
    for (const QString &m : parser.values(model))
        request.models << m.split(u',', Qt::SkipEmptyParts);
    request.series = parser.value(series);
    request.from = range->from;
    request.to = range->to;
    request.step = range->step;
    request.format.tagColumns = !parser.isSet(seriesKey);
    request.format.excel = parser.isSet(excel);
    if (request.content == ReportContent::Series) {
        if (!SeriesSelector::parse(request.series, &error))
            return line.bad(u"bad --series: "_s % error, err);
    }
    const QString output = parser.value(options.output);
    const bool toFile = !output.isEmpty() && output != u"-";
    QElapsedTimer elapsed;
    elapsed.start();
    qint64 lastProgress = 0;
    const ReportProgress progress = [&](qint64 done, qint64 total) {
        if (elapsed.elapsed() - lastProgress >= 1000 && done < total) {
            lastProgress = elapsed.elapsed();
            err << "perfdashd export: " << done << " of " << total << Qt::endl;
        }
    };
    ReportResult result;
    if (server.isValid()) {
        PromReportSource remote(server, parser.value(host));
        result = exportReport(remote, request, output, nowSeconds, progress);
    } else {
        result = exportReport(request, output, nowSeconds, progress);
    }
    if (!result.ok()) {
        err << "perfdashd export: " << result.error << '\n';
        return 1;
    }
    if (toFile)
        err << "perfdashd export: " << result.rows << " rows to " << output << '\n';
    return 0;
}

} // namespace perfdash
