// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/rulescommand.h"

#include "app/commandsupport.h"
#include "app/exportcommand.h"
#include "app/runtimepaths.h"
#include "models/duration.h"
#include "storage/alertdatareader.h"
#include "storage/alertstore.h"
#include "storage/csvwriter.h"
#include "storage/recordreports.h"
#include "storage/rulesfile.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr char16_t rulesUsage[]
    = u"Usage: perfdashd rules check FILE\n"
      "       perfdashd rules test --rules FILE [--from TIME] [--to TIME] [--db FILE] [--interval DURATION]\n"
      "                            [--format text|json]\n"
      "  check: validates a rules file; exit 0, or one line per problem naming the rule and field, exit 1.\n"
      "  test: replays the rules on stored history with the collector's evaluator and prints, per rule, each\n"
      "  firing with its start and end, and the count. TIME: now, -7d, or ISO 8601 (default: the last 24 h).\n"
      "  --interval: the evaluation interval (default PERF_MONITORING_INTERVAL, else 60s).\n";

constexpr char16_t alertsUsage[]
    = u"Usage: perfdashd alerts [--db FILE] [--from TIME] [--to TIME] [--format csv|json]\n"
      "  Prints the stored alert transitions (pending, firing, resolved) in [from, to), oldest first.\n"
      "  TIME: now, -24h, or ISO 8601 (default: the last 7 days).\n";

QString isoTime(qint64 t)
{
    return QString::fromLatin1(CsvWriter::isoTime(t));
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

int check(const QString &path, QTextStream &out, QTextStream &err)
{
    const RulesFile::Loaded loaded = RulesFile::load(path);
    if (!loaded.exists) {
        err << "perfdashd rules check: no file " << path << '\n';
        return 1;
    }
    if (!loaded.rules) {
        for (const RuleError &e : loaded.errors)
            err << path << ": " << e.text() << '\n';
        return 1;
    }
    out << path << ": " << loaded.rules->rules.size() << (loaded.rules->rules.size() == 1 ? " rule" : " rules")
        << ", valid\n";
    for (const AlertRule &r : loaded.rules->rules)
        out << "  " << r.id << ": " << r.describe() << (r.enabled ? "" : " (disabled)") << '\n';
    return 0;
}

int test(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(u"rules test"_s, QString::fromUtf16(rulesUsage));
    QCommandLineParser &parser = line.parser();
    const QCommandLineOption rules(u"rules"_s, u"The rules file."_s, u"FILE"_s);
    const QCommandLineOption db(u"db"_s, u"SQLite database file."_s, u"FILE"_s, RuntimePaths::defaultDatabase());
    const QCommandLineOption from(u"from"_s, u"Start."_s, u"TIME"_s, u"-24h"_s);
    const QCommandLineOption to(u"to"_s, u"End."_s, u"TIME"_s, u"now"_s);
    const QCommandLineOption interval(u"interval"_s, u"Evaluation interval."_s, u"DURATION"_s);
    const QCommandLineOption format(u"format"_s, u"text or json."_s, u"FORMAT"_s, u"text"_s);
    parser.addOptions({ rules, db, from, to, interval, format });
    if (const auto done = line.parse(arguments, out, err))
        return *done;
    if (!parser.isSet(rules))
        return line.bad(u"--rules is required"_s, err);
    const QString fmt = parser.value(format);
    if (fmt != u"text" && fmt != u"json")
        return line.bad(u"bad --format: "_s % fmt % u" (text or json)"_s, err);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QString error;
    const auto range = commandTimeRange(parser, from, to, now, &error);
    if (!range)
        return line.bad(error, err);
    const auto [start, end] = *range;
    qint64 every = AlertRules::intervalFromEnvironment();
    if (parser.isSet(interval)) {
        const auto d = Duration::parse(parser.value(interval));
        if (!d)
            return line.bad(u"bad --interval: "_s % parser.value(interval) % u" (such as 60s, 5m)"_s, err);
        every = *d;
    }
    const RulesFile::Loaded loaded = RulesFile::load(parser.value(rules));
    if (!loaded.rules) {
        if (!loaded.exists)
            err << "perfdashd rules test: no file " << parser.value(rules) << '\n';
        for (const RuleError &e : loaded.errors)
            err << parser.value(rules) << ": " << e.text() << '\n';
        return 1;
    }
    const QString dbPath = QFileInfo(parser.value(db)).absoluteFilePath();
    if (!QFileInfo::exists(dbPath)) {
        err << "perfdashd rules test: no database " << dbPath << '\n';
        return 1;
    }
    AlertDataReader::ReplayResult result;
    if (!AlertDataReader::replay(
            dbPath, loaded.rules->rules, start, std::min(end, now), every, false, &result, &error)) {
        err << "perfdashd rules test: " << error << '\n';
        return 1;
    }
    if (fmt == u"json") {
        QJsonArray list;
        for (int i = 0; i < result.rules.size(); ++i) {
            const auto &r = result.rules[i];
            QJsonArray firings;
            for (const auto &f : r.firings)
                firings.append(QJsonObject { { u"instance"_s, f.instance }, { u"start"_s, isoTime(f.start) },
                    { u"end"_s, f.end < 0 ? QJsonValue() : QJsonValue(isoTime(f.end)) },
                    { u"peak"_s, number(f.peak) } });
            list.append(QJsonObject { { u"rule_id"_s, r.ruleId }, { u"rule"_s, loaded.rules->rules[i].describe() },
                { u"count"_s, r.firings.size() }, { u"flaps"_s, r.flaps }, { u"per_day"_s, r.perDay },
                { u"firings"_s, firings } });
        }
        out << QJsonDocument(QJsonObject { { u"from"_s, isoTime(result.from) }, { u"to"_s, isoTime(result.to) },
                                 { u"interval_s"_s, result.interval }, { u"rules"_s, list } })
                   .toJson(QJsonDocument::Indented);
        return 0;
    }
    out << "Replayed " << isoTime(result.from) << " to " << isoTime(result.to) << " every "
        << Duration::format(result.interval) << " (" << result.readMs << " ms reading, " << result.evaluateMs
        << " ms evaluating)\n";
    for (int i = 0; i < result.rules.size(); ++i) {
        const auto &r = result.rules[i];
        out << '\n' << r.ruleId << ": " << loaded.rules->rules[i].describe() << '\n';
        out << "  " << r.describe() << '\n';
        for (const auto &f : r.firings) {
            out << "  " << isoTime(f.start) << " – " << (f.end < 0 ? u"still firing"_s : isoTime(f.end)) << "  "
                << f.instance;
            if (f.end >= 0)
                out << "  (" << Duration::format(f.end - f.start) << ')';
            out << '\n';
        }
    }
    return 0;
}

} // namespace

int runRulesCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    const QString sub = arguments.value(0);
    if (sub == u"check") {
        if (arguments.size() != 2 || arguments[1].startsWith(u'-')) {
            err << "perfdashd rules check: one FILE is required\n" << QString::fromUtf16(rulesUsage);
            return 2;
        }
        return check(arguments[1], out, err);
    }
    if (sub == u"test")
        return test(arguments.mid(1), out, err);
    if (sub == u"-h" || sub == u"--help") {
        out << QString::fromUtf16(rulesUsage);
        return 0;
    }
    err << "perfdashd rules: check or test, not \"" << sub << "\"\n" << QString::fromUtf16(rulesUsage);
    return 2;
}

int runAlertsCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(u"alerts"_s, QString::fromUtf16(alertsUsage));
    QCommandLineParser &parser = line.parser();
    const QCommandLineOption db(u"db"_s, u"SQLite database file."_s, u"FILE"_s, RuntimePaths::defaultDatabase());
    const QCommandLineOption from(u"from"_s, u"Start."_s, u"TIME"_s, u"-7d"_s);
    const QCommandLineOption to(u"to"_s, u"End."_s, u"TIME"_s, u"now"_s);
    const QCommandLineOption format(u"format"_s, u"csv or json."_s, u"FORMAT"_s, u"csv"_s);
    parser.addOptions({ db, from, to, format });
    if (const auto done = line.parse(arguments, out, err))
        return *done;
    const QString fmt = parser.value(format);
    if (fmt != u"csv" && fmt != u"json")
        return line.bad(u"bad --format: "_s % fmt % u" (csv or json)"_s, err);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QString error;
    const auto range = commandTimeRange(parser, from, to, now, &error);
    if (!range)
        return line.bad(error, err);
    const auto [start, end] = *range;
    const QString path = QFileInfo(parser.value(db)).absoluteFilePath();
    ReadOnlyConnection connection(u"perfdashd-alerts"_s);
    if (!connection.open(path, &error)) {
        err << "perfdashd alerts: " << error << '\n';
        return 1;
    }
    QSqlDatabase sql = QSqlDatabase::database(connection.name(), false);
    QVector<AlertEvent> events;
    // The end is inclusive of the second asked for ("now" includes an alert of this very second).
    if (!AlertStore::events(sql, start, end + 1, 0, &events, &error)) {
        err << "perfdashd alerts: " << error << '\n';
        return 1;
    }
    if (fmt == u"json") {
        QJsonArray list;
        for (const AlertEvent &e : std::as_const(events)) {
            QJsonObject labels;
            for (auto it = e.labels.constBegin(); it != e.labels.constEnd(); ++it)
                labels.insert(it.key(), it.value());
            list.append(QJsonObject { { u"time"_s, isoTime(e.time) }, { u"rule_id"_s, e.ruleId },
                { u"rule"_s, e.ruleName }, { u"instance"_s, e.instance }, { u"model"_s, e.model() },
                { u"severity"_s, e.severity }, { u"state"_s, e.state }, { u"value"_s, number(e.value) },
                { u"threshold"_s, number(e.threshold) }, { u"message"_s, e.message }, { u"labels"_s, labels } });
        }
        out << QJsonDocument(list).toJson(QJsonDocument::Indented);
        return 0;
    }
    out.flush();
    CsvOutput output;
    if (!output.open({}, &error)) {
        err << "perfdashd alerts: " << error << '\n';
        return 1;
    }
    // The same table as the export's "alerts" content (storage/recordreports.h).
    ReportTable table;
    if (!RecordReports::alerts(sql, start, end + 1, {}, &table, &error)) {
        err << "perfdashd alerts: " << error << '\n';
        return 1;
    }
    bool rowsOk = output.csv().writeCells(table.header);
    for (qsizetype i = 0; rowsOk && i < table.rows.size(); ++i)
        rowsOk = output.csv().writeCells(table.rows[i]);
    if (!output.commit(rowsOk, &error)) {
        err << "perfdashd alerts: " << error << '\n';
        return 1;
    }
    return 0;
}

} // namespace perfdash
