// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/reportcommand.h"

#include "app/commandsupport.h"
#include "app/exportcommand.h"
#include "app/runtimepaths.h"
#include "storage/csvwriter.h"
#include "storage/recordreports.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr char16_t usage[]
    = u"Usage: perfdashd report slowest-ops|memory-trend|errors-by-op [--db FILE] [--from TIME] [--to TIME]\n"
      "                        [--module NAME] [--tag KEY:VALUE]... [--limit N] [--min-percent P]\n"
      "                        [--format csv|json]\n"
      "  Seed 003's reports over the stored operations, each row with its module (the op_code column):\n"
      "  slowest-ops   mean elapsed seconds and items/s per module and operation, slowest first (default the\n"
      "                last 7 days, at most --limit 10);\n"
      "  memory-trend  mean and peak memory (MB) per UTC day and module (default the last 30 days);\n"
      "  errors-by-op  operations with an error rate above --min-percent (1), worst first (default 7 days).\n"
      "  --module NAME: only that module's operations. --tag KEY:VALUE: only operations sent with that tag\n"
      "  (repeat it: every one). TIME: now, -7d, or ISO 8601.\n";

} // namespace

int runReportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    const QString name = arguments.value(0);
    static const QStringList names { u"slowest-ops"_s, u"memory-trend"_s, u"errors-by-op"_s };
    if (name == u"-h" || name == u"--help") {
        out << QString::fromUtf16(usage);
        return 0;
    }
    if (!names.contains(name)) {
        err << "perfdashd report: " << (name.isEmpty() ? u"which report?"_s : u"no report \""_s % name % u'"')
            << " (slowest-ops, memory-trend, errors-by-op)\n"
            << QString::fromUtf16(usage);
        return 2;
    }
    SubcommandLine line(u"report "_s % name, QString::fromUtf16(usage));
    QCommandLineParser &parser = line.parser();
    const QCommandLineOption db(u"db"_s, u"SQLite database file."_s, u"FILE"_s, RuntimePaths::defaultDatabase());
    const QCommandLineOption from(u"from"_s, u"Start."_s, u"TIME"_s, name == u"memory-trend" ? u"-30d"_s : u"-7d"_s);
    const QCommandLineOption to(u"to"_s, u"End."_s, u"TIME"_s, u"now"_s);
    const QCommandLineOption limit(u"limit"_s, u"Rows at most."_s, u"N"_s, u"10"_s);
    const QCommandLineOption minPercent(u"min-percent"_s, u"Error rates above this."_s, u"P"_s, u"1"_s);
    const QCommandLineOption format(u"format"_s, u"csv or json."_s, u"FORMAT"_s, u"csv"_s);
    const QCommandLineOption module(u"module"_s, u"Only this module's operations (op_code)."_s, u"NAME"_s);
    const QCommandLineOption tag(u"tag"_s, u"Only operations with this tag (repeatable)."_s, u"KEY:VALUE"_s);
    parser.addOptions({ db, from, to, limit, minPercent, format, module, tag });
    if (const auto done = line.parse(arguments.mid(1), out, err))
        return *done;
    const QString fmt = parser.value(format);
    if (fmt != u"csv" && fmt != u"json")
        return line.bad(u"bad --format: "_s % fmt % u" (csv or json)"_s, err);
    bool ok = false;
    const int rows = parser.value(limit).toInt(&ok);
    if (!ok || rows < 1 || rows > 100000)
        return line.bad(u"bad --limit: "_s % parser.value(limit) % u" (1 to 100000)"_s, err);
    const double percent = parser.value(minPercent).toDouble(&ok);
    if (!ok || !(percent >= 0 && percent <= 100))
        return line.bad(u"bad --min-percent: "_s % parser.value(minPercent) % u" (0 to 100)"_s, err);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QString error;
    const auto range = commandTimeRange(parser, from, to, now, &error);
    if (!range)
        return line.bad(error, err);
    const auto [startSecond, endSecond] = *range;
    const QStringList tags = parser.values(tag);
    for (const QString &t : tags) {
        if (t.isEmpty() || t.startsWith(u':') || t.contains(u',') || t.contains(u'|'))
            return line.bad(u"bad --tag: \""_s % t % u"\" (KEY:VALUE or KEY, without , or |)"_s, err);
    }
    const OperationReports::Filter filter { startSecond, endSecond + 1, parser.value(module), tags };
    const QString path = QFileInfo(parser.value(db)).absoluteFilePath();
    ReadOnlyConnection connection(u"perfdashd-report"_s);
    if (!connection.open(path, &error)) {
        err << "perfdashd report: " << error << '\n';
        return 1;
    }
    QSqlDatabase sql = QSqlDatabase::database(connection.name(), false);
    ReportTable table;
    if (name == u"slowest-ops")
        ok = RecordReports::slowestOperations(sql, filter, rows, &table, &error);
    else if (name == u"memory-trend")
        ok = RecordReports::memoryTrend(sql, filter, &table, &error);
    else
        ok = RecordReports::errorsByOperation(sql, filter, percent, &table, &error);
    if (!ok) {
        err << "perfdashd report: " << error << '\n';
        return 1;
    }
    if (fmt == u"json") {
        out << QJsonDocument(table.toJson()).toJson(QJsonDocument::Indented);
        return 0;
    }
    out.flush();
    CsvOutput output;
    bool rowsOk = output.open({}, &error) && output.csv().writeCells(table.header);
    for (qsizetype i = 0; rowsOk && i < table.rows.size(); ++i)
        rowsOk = output.csv().writeCells(table.rows[i]);
    if (!output.commit(rowsOk, &error)) {
        err << "perfdashd report: " << error << '\n';
        return 1;
    }
    return 0;
}

} // namespace perfdash
