// SPDX-License-Identifier: GPL-3.0-or-later
// PromReader and `perfdashd summary --source` against a local VictoriaMetrics holding N timer series of one host over
// H hours at one push a minute (PromEncoder's exact bytes). Prints the median of --runs runs of each.
// Usage: bench_promreader [--series 100] [--hours 24] [--step 60] [--runs 3] [--perfdashd PATH]; needs
// victoria-metrics, and perfdashd (by default next to it) for the summary.
#include "../e2e/victoriametricsprocess.h"
#include "fleet/promclient.h"
#include "fleet/promencoder.h"
#include "fleet/promsync.h"
#include "models/coverage.h"
#include "models/timebucket.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QProcess>
#include <QTimeZone>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;

namespace {

double median(QVector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption seriesOption(u"series"_s, u"Timer series."_s, u"N"_s, u"100"_s);
    const QCommandLineOption hoursOption(u"hours"_s, u"Hours of data."_s, u"H"_s, u"24"_s);
    const QCommandLineOption stepOption(u"step"_s, u"Bucket step, seconds."_s, u"S"_s, u"60"_s);
    const QCommandLineOption runsOption(u"runs"_s, u"Runs of each."_s, u"R"_s, u"3"_s);
    const QCommandLineOption perfdashdOption(u"perfdashd"_s, u"The perfdashd to time (default: next to this)."_s,
        u"PATH"_s, QCoreApplication::applicationDirPath() + u"/perfdashd"_s);
    parser.addOptions({ seriesOption, hoursOption, stepOption, runsOption, perfdashdOption });
    parser.process(app);
    const int seriesCount = parser.value(seriesOption).toInt();
    const qint64 hours = parser.value(hoursOption).toLongLong();
    const qint64 step = parser.value(stepOption).toLongLong();
    const int runs = parser.value(runsOption).toInt();

    if (test::VictoriaMetricsProcess::program().isEmpty()) {
        std::fprintf(stderr, "victoria-metrics is not installed\n");
        return 1;
    }
    test::VictoriaMetricsProcess vm;
    if (!vm.start()) {
        std::fprintf(stderr, "victoria-metrics did not start: %s\n", qPrintable(vm.output()));
        return 1;
    }
    const qint64 end = floorTo(QDateTime::currentSecsSinceEpoch(), 60);
    const qint64 start = end - hours * 3600;
    QStringList keys;
    for (int i = 0; i < seriesCount; ++i)
        keys << u"bench.latency%1|model:m1"_s.arg(i, 3, 10, QChar(u'0'));

    // One push a minute, each series 60 values between 10 and 15 ms (about 20 sketch buckets).
    QElapsedTimer timer;
    timer.start();
    PromEncoder encoder({ { "host", u"bench"_s } });
    std::mt19937_64 random(42);
    std::uniform_real_distribution<double> latency(10.0, 15.0);
    QByteArray chunk;
    qint64 bytes = 0;
    for (qint64 minute = start; minute < end; minute += 60) {
        LiveFrame frame;
        frame.second = minute;
        for (const QString &key : std::as_const(keys)) {
            QuantileSketch sketch;
            for (int v = 0; v < 60; ++v)
                sketch.add(latency(random));
            SeriesStats s;
            s.key = key;
            s.kind = MetricKind::Timer;
            s.count = qint64(sketch.count());
            s.sum = sketch.sum();
            s.min = sketch.min();
            s.max = sketch.max();
            s.sketch = sketch.serialize();
            frame.series.push_back(std::move(s));
        }
        SeriesStats requests;
        requests.key = u"serve.requests|model:m1"_s;
        requests.kind = MetricKind::Counter;
        requests.count = 600;
        requests.sum = 600;
        SeriesStats heartbeat;
        heartbeat.key = Coverage::heartbeatKey();
        heartbeat.kind = MetricKind::Gauge;
        heartbeat.count = 60;
        heartbeat.sum = heartbeat.last = heartbeat.min = heartbeat.max = 1;
        frame.series << requests << heartbeat;
        encoder.add(frame);
        chunk += encoder.takePush((minute + 60) * 1000);
        if (chunk.size() > (32 << 20) || minute + 60 >= end) {
            bytes += chunk.size();
            const auto [status, body] = vm.post(u"/api/v1/import/prometheus"_s, chunk, 300000);
            if (status != 204) {
                std::fprintf(stderr, "import answered %d: %s\n", status, body.constData());
                return 1;
            }
            chunk.clear();
        }
    }
    vm.flush();
    std::printf("imported %d timer series x %lld h at 1 push/min: %.1f MB of text in %.1f s\n", seriesCount, hours,
        double(bytes) / 1e6, double(timer.elapsed()) / 1000.0);

    PromReader reader(QUrl(vm.url()), PromReader::Hosts::Merged);
    QVector<double> readMs;
    qint64 points = 0;
    for (int r = 0; r < runs; ++r) {
        QVector<RangeSeries> out;
        QString error;
        timer.restart();
        if (!PromSync::buckets(reader, keys, start, end, step, &out, &error, 600000)) {
            std::fprintf(stderr, "requestBuckets failed: %s\n", qPrintable(error));
            return 1;
        }
        readMs << double(timer.nsecsElapsed()) / 1e6;
        points = 0;
        for (const RangeSeries &s : std::as_const(out))
            points += s.points.size();
    }
    std::printf("requestBuckets %d keys x %lld h at %lld s: %lld points, median %.0f ms (runs:", seriesCount, hours,
        step, points, median(readMs));
    for (double ms : std::as_const(readMs))
        std::printf(" %.0f", ms);
    std::printf(")\n");

    // The server's share: the bucket query alone, its answer read but not parsed.
    {
        QStringList names;
        for (const QString &key : std::as_const(keys))
            names << key.left(key.indexOf(u'|')).replace(u'.', u"\\\\."_s);
        QStringList metrics;
        for (const QString &key : std::as_const(keys))
            metrics << QString::fromLatin1(PromSchema::metricName(key.left(key.indexOf(u'|'))));
        const QString promql
            = u"sum without (host,instance,job) (increase({__name__=~\"(?:%1)_bucket\",perfdash_series=~\"%2\"}[%3s])) > 0"_s
                  .arg(metrics.join(u'|'), names.join(u'|'))
                  .arg(step);
        QUrl url(vm.url() + u"/api/v1/query_range"_s);
        url.setQuery(QString::fromLatin1("query=" + QUrl::toPercentEncoding(promql)
                         + "&start=" + QByteArray::number(start + step) + "&end=" + QByteArray::number(end)
                         + "&step=" + QByteArray::number(step)),
            QUrl::StrictMode);
        QNetworkAccessManager net;
        QVector<double> rawMs;
        qsizetype size = 0;
        for (int r = 0; r < runs; ++r) {
            timer.restart();
            std::unique_ptr<QNetworkReply> reply(net.get(QNetworkRequest(url)));
            QEventLoop loop;
            QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray body = reply->readAll();
            rawMs << double(timer.nsecsElapsed()) / 1e6;
            size = body.size();
            if (status != 200) {
                std::fprintf(stderr, "raw bucket query answered %d: %s\n", status, body.right(400).constData());
                break;
            }
            timer.restart();
            const PromAnswer parsed = PromClient::parse(body, status);
            std::printf("  parse of %.1f MB, %lld series: %.0f ms\n", double(size) / 1e6, qint64(parsed.series.size()),
                double(timer.nsecsElapsed()) / 1e6);
        }
        std::printf(
            "the bucket query alone (HTTP, unparsed): %.1f MB, median %.0f ms\n", double(size) / 1e6, median(rawMs));
    }

    const QString perfdashd = parser.value(perfdashdOption);
    QVector<double> summaryMs;
    for (int r = 0; r < runs; ++r) {
        QProcess summary;
        timer.restart();
        summary.start(perfdashd,
            { u"summary"_s, u"--source"_s, vm.url(), u"--model"_s, u"m1"_s, u"--window"_s, u"%1h"_s.arg(hours),
                u"--end"_s, QDateTime::fromSecsSinceEpoch(end, QTimeZone::utc()).toString(Qt::ISODate) });
        if (!summary.waitForFinished(600000) || summary.exitCode() != 0) {
            std::fprintf(stderr, "perfdashd summary failed: %s\n", summary.readAllStandardError().constData());
            return 1;
        }
        summaryMs << double(timer.nsecsElapsed()) / 1e6;
    }
    std::printf("perfdashd summary --source --window %lldh (%d series listed): median %.0f ms (runs:", hours,
        seriesCount + 2, median(summaryMs));
    for (double ms : std::as_const(summaryMs))
        std::printf(" %.0f", ms);
    std::printf(")\n");
    return 0;
}
