// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/summarycommand.h"

#include "app/commandsupport.h"
#include "app/exportcommand.h"
#include "app/promreportsource.h"
#include "app/summaryreport.h"
#include "app/runtimepaths.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr char16_t usage[]
    = u"Usage: perfdashd summary --model NAME [--window 1h|6h|24h|7d|30d|DURATION]\n"
      "                         [--granularity minute|hour|day] [--db FILE] [--end TIME]\n"
      "                         [--source URL [--hosts merged|grouped] [--host NAME]]\n"
      "  Prints the model's performance summary over [end - window, end) as JSON: latency\n"
      "  p50/p95/p99, throughput, error rate, queue depth, resources and quality, as the\n"
      "  dashboard computes them (docs/metrics.md). DURATION: 90m, 36h, 2w…; the window's start\n"
      "  is rounded down to the granularity (default: minute up to 24h, hour up to 30d, else day).\n"
      "  TIME: now (default), -1h, or ISO 8601.\n"
      "  --source URL  read a Prometheus-compatible server instead of the database (docs/fleet.md):\n"
      "                http://host:8428 (VictoriaMetrics), http://host:9090 (Prometheus),\n"
      "                http://vmselect:8481/select/0/prometheus (a cluster). The figures are the union of\n"
      "                every host's (--hosts merged, the default), one summary per host in a JSON array\n"
      "                (--hosts grouped), or one host's (--host NAME); \"source\" says which.\n";

// One summary from the server: the same function as the database's, plus where its figures came from.
SummaryStatus remoteSummary(const QUrl &url, const QString &host, const SummaryRequest &request, qint64 now,
    QJsonObject *out, QStringList *hosts, QString *error)
{
    PromReportSource source(url, host);
    const SummaryStatus status = summaryReport(source, request, now, out, error);
    if (status == SummaryStatus::Ok)
        out->insert(u"source"_s, source.describe());
    if (hosts)
        *hosts = source.hostsRead();
    return status;
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
    const QCommandLineOption source(u"source"_s, u"A Prometheus-compatible server."_s, u"URL"_s);
    const QCommandLineOption hosts(u"hosts"_s, u"merged or grouped."_s, u"MODE"_s, u"merged"_s);
    const QCommandLineOption host(u"host"_s, u"One host's figures."_s, u"NAME"_s);
    parser.addOptions({ model, window, granularity, db, end, source, hosts, host });
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
    // The answer and the exit code, the same for a database and a server.
    const auto finish = [&](SummaryStatus status, const QJsonObject &summary) {
        switch (status) {
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
    };
    if (parser.isSet(source)) {
        const QUrl url(parser.value(source));
        if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s) || url.host().isEmpty())
            return line.bad(u"bad --source: "_s % parser.value(source) % u" (http://HOST:PORT[/PATH])"_s, err);
        if (parser.isSet(db))
            return line.bad(u"--db and --source name two sources: give one"_s, err);
        const QString mode = parser.value(hosts);
        if (mode != u"merged"_s && mode != u"grouped"_s)
            return line.bad(u"bad --hosts: "_s % mode % u" (merged or grouped)"_s, err);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QJsonObject summary;
        QStringList seen;
        SummaryStatus status = remoteSummary(url, parser.value(host), request, now, &summary, &seen, &error);
        if (status == SummaryStatus::Ok && mode == u"grouped"_s && !parser.isSet(host)) {
            // One summary per host that has the model, each from that host's series alone.
            QJsonArray perHost;
            for (const QString &name : std::as_const(seen)) {
                QJsonObject one;
                status = remoteSummary(url, name, request, now, &one, nullptr, &error);
                if (status == SummaryStatus::UnknownModel)
                    continue; // this host has series but not this model's
                if (status != SummaryStatus::Ok)
                    break;
                perHost.append(one);
            }
            if (status == SummaryStatus::Ok || status == SummaryStatus::UnknownModel) {
                out << QJsonDocument(perHost).toJson(QJsonDocument::Indented);
                return 0;
            }
        }
        return finish(status, summary);
    }
    const QString path = QFileInfo(parser.value(db)).absoluteFilePath();
    ReadOnlyConnection connection(u"perfdashd-summary"_s);
    if (!connection.open(path, &error)) {
        err << "perfdashd summary: " << error << '\n';
        return 1;
    }
    QJsonObject summary;
    const SummaryStatus status
        = summaryReport(connection.name(), path, request, QDateTime::currentSecsSinceEpoch(), &summary, &error);
    return finish(status, summary);
}

} // namespace perfdash
