// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/summarycommand.h"

#include "app/commandsupport.h"
#include "app/exportcommand.h"
#include "app/summaryreport.h"
#include "app/runtimepaths.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>


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
    SummaryRequest request;
    request.model = parser.value(model);
    request.window = parser.value(window);
    request.granularity = parser.value(granularity);
    request.end = parser.value(end);
    QString error;
    const QString path = QFileInfo(parser.value(db)).absoluteFilePath();
    ReadOnlyConnection connection(u"perfdashd-summary"_s);
    if (!connection.open(path, &error)) {
        err << "perfdashd summary: " << error << '\n';
        return 1;
    }
    QJsonObject summary;
    switch (summaryReport(connection.name(), path, request, QDateTime::currentSecsSinceEpoch(), &summary, &error)) {
    case SummaryStatus::Ok:
        out << QJsonDocument(summary).toJson(QJsonDocument::Indented);
        return 0;
    case SummaryStatus::BadRequest:
        // "bad window: …" as the option's name, as the other commands say it
        return line.bad(u"bad --"_s % error.mid(4), err);
    case SummaryStatus::UnknownModel:
    case SummaryStatus::Failed:
        break;
    }
    err << "perfdashd summary: " << error << '\n';
    return 1;
}

} // namespace perfdash
