// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/exportcommand.h"

#include "app/commandsupport.h"
#include "app/runtimepaths.h"
#include "storage/csvwriter.h"
#include "storage/database.h"
#include "storage/historyquery.h"
#include "models/duration.h"
#include "models/seriesselector.h"

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

int runExportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err, qint64 nowSeconds)
{
    SubcommandLine line(u"export"_s,
        u"Usage: perfdashd export --db FILE --series SELECTOR --from TIME --to TIME "
        "--step 1s|1m|1h|1d [-o FILE]\n"
        "  SELECTOR  name or name{tag=value,...}: every series of that name with those tags; * (any run of\n"
        "            characters) and ? (one) in the name and values: 'api.*{model=m*}', '*{gpu=*}' (docs/series.md)\n"
        "  TIME      ISO 8601 (2026-11-23T20:00:00Z; no offset means UTC) or now, -24h, -10m, +1m\n"
        "  Columns: time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind (rate per "
        "covered second)\n"_s);
    QCommandLineParser &parser = line.parser();
    const WindowCommandOptions options;
    const QCommandLineOption series(u"series"_s, u"Series selector."_s, u"SELECTOR"_s);
    options.addTo(parser);
    parser.addOption(series);
    if (const auto done = line.parse(arguments, out, err))
        return *done;
    if (!parser.isSet(series))
        return line.bad(u"--series is required"_s, err);
    QString error;
    const auto selector = SeriesSelector::parse(parser.value(series), &error);
    if (!selector)
        return line.bad(u"bad --series: "_s % error, err);
    const auto range = options.range(parser, nowSeconds, &error);
    if (!range)
        return line.bad(error, err);

    const QString path = options.databasePath(parser);
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
    if (!query.coverage(range->from, range->to, range->step, nowSeconds, &coverage, &error)) {
        err << "perfdashd export: " << error << '\n';
        return 1;
    }
    QVector<SeriesInfo> chosen;
    std::copy_if(all.begin(), all.end(), std::back_inserter(chosen),
                 [&](const SeriesInfo &s) { return selector->matches(s.key); });
    if (chosen.isEmpty()) {
        err << "perfdashd export: no series matches " << parser.value(series) << " in " << path << " ("
            << all.size() << " series; `perfdashd series --db " << path << "` lists them)\n";
        return 1;
    }

    QElapsedTimer elapsed;
    elapsed.start();
    qint64 lastProgress = 0;
    struct Row {
        qint64 time;
        int series;
        WindowPoint point;
    };
    std::vector<Row> rows;
    QVector<QString> names;
    for (int i = 0; i < chosen.size(); ++i) {
        SeriesWindow window;
        if (!query.window(chosen[i], range->from, range->to, range->step, &window, &error)) {
            err << "perfdashd export: " << error << '\n';
            return 1;
        }
        window.setCoverage(coverage);
        names.push_back(SeriesSelector::displayName(chosen[i].key));
        for (const WindowPoint &p : window.points)
            rows.push_back({ p.point.time, i, p });
        if (elapsed.elapsed() - lastProgress >= 1000) {
            lastProgress = elapsed.elapsed();
            err << "perfdashd export: read " << (i + 1) << " of " << chosen.size() << " series, " << rows.size()
                << " rows" << Qt::endl;
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const Row &a, const Row &b) {
        return a.time != b.time ? a.time < b.time : names[a.series] < names[b.series];
    });

    out.flush();
    CsvOutput output;
    if (!output.open(parser.value(options.output), &error)) {
        err << "perfdashd export: " << error << '\n';
        return 1;
    }
    CsvWriter &csv = output.csv();
    bool ok = csv.writeRow(CsvWriter::exportHeader());
    for (size_t i = 0; ok && i < rows.size(); ++i) {
        ok = csv.writeExportRow(names[rows[i].series], chosen[rows[i].series].kind, rows[i].point);
        if (elapsed.elapsed() - lastProgress >= 1000) {
            lastProgress = elapsed.elapsed();
            err << "perfdashd export: wrote " << i << " of " << rows.size() << " rows" << Qt::endl;
        }
    }
    if (!output.commit(ok, &error)) {
        err << "perfdashd export: " << error << '\n';
        return 1;
    }
    if (output.toFile())
        err << "perfdashd export: " << rows.size() << " rows of " << chosen.size() << " series to "
            << parser.value(options.output) << '\n';
    return 0;
}

} // namespace perfdash
