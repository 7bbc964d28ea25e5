// SPDX-License-Identifier: GPL-3.0-or-later
// `perfdashd summary --source URL` against real servers: a VictoriaMetrics holding two hosts' pushes, and a
// Prometheus 2.42 scraping a real perfdashd's /metrics.
#include "../fleet/fleetframes.h"
#include "collectorprocess.h"
#include "fleet/promencoder.h"
#include "models/coverage.h"
#include "models/timebucket.h"
#include "perfdashdcommand.h"
#include "victoriametricsprocess.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTest>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;
using namespace perfdash::test;

namespace {

QString iso(qint64 second)
{
    return QDateTime::fromSecsSinceEpoch(second, QTimeZone::utc()).toString(Qt::ISODate);
}

} // namespace

class TestFleetReadE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void summaryOfTwoHostsInVictoriaMetricsIsTheUnions()
    {
        if (VictoriaMetricsProcess::program().isEmpty())
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        VictoriaMetricsProcess vm;
        QVERIFY2(vm.start(), qPrintable(vm.output()));
        const qint64 t0 = floorTo(QDateTime::currentSecsSinceEpoch() - 1200, 60);
        QVector<double> all;
        double requests = 0, failed = 0;
        for (const QString &host : { u"gpu-a"_s, u"gpu-b"_s }) {
            PromEncoder encoder({ { "host", host } });
            QByteArray pushed;
            for (qint64 s = 0; s < 180; ++s) {
                QVector<double> values;
                for (int i = 0; i < 10; ++i) {
                    const int k = int(s) * 10 + i;
                    values.push_back(host == u"gpu-a"_s ? 2 + (k * 7919 % 500) * 0.1 : 40 + (k * 104729 % 991) * 0.3);
                }
                all += values;
                const double ok = host == u"gpu-a"_s ? 9 : 4, bad = s % 3 == 0 ? 1 : 0;
                requests += ok + bad;
                failed += bad;
                SeriesStats heartbeat;
                heartbeat.key = Coverage::heartbeatKey();
                heartbeat.kind = MetricKind::Gauge;
                heartbeat.count = 1;
                heartbeat.sum = heartbeat.last = heartbeat.min = heartbeat.max = 5;
                encoder.add({ t0 + s,
                    { timer(u"serve.latency|model:m1"_s, values), counter(u"serve.requests|model:m1,status:200"_s, ok),
                        counter(u"serve.requests|model:m1,status:500"_s, bad), heartbeat } });
                if ((s + 1) % 10 == 0)
                    pushed += encoder.takePush((t0 + s + 1) * 1000);
            }
            QCOMPARE(vm.post(u"/api/v1/import/prometheus"_s, pushed).first, 204);
        }
        QVERIFY(vm.flush());

        const Exported summary = runPerfdashd({ u"summary"_s, u"--source"_s, vm.url(), u"--model"_s, u"m1"_s,
            u"--window"_s, u"10m"_s, u"--end"_s, iso(t0 + 300) });
        QVERIFY2(summary.exitCode == 0, qPrintable(summary.err));
        const QJsonObject json = QJsonDocument::fromJson(summary.out).object();
        const QJsonObject evidence = json.value(u"evidence"_s).toObject();
        QCOMPARE(evidence.value(u"requests"_s).toDouble(), requests);
        QCOMPARE(evidence.value(u"failed_requests"_s).toDouble(), failed);
        QCOMPARE(evidence.value(u"latency_n"_s).toInteger(), all.size());
        QCOMPARE(evidence.value(u"covered_seconds"_s).toInteger(), 180);
        const double p95 = json.value(u"serving_metrics"_s).toObject().value(u"latency_p95_ms"_s).toDouble();
        const double exact = exactQuantile(all, 0.95);
        QVERIFY2(std::abs(p95 - exact) <= 0.01 * exact, qPrintable(u"p95 %1, the union's %2"_s.arg(p95).arg(exact)));
        const QJsonObject source = json.value(u"source"_s).toObject();
        QCOMPARE(source.value(u"url"_s).toString(), vm.url());
        QCOMPARE(source.value(u"merged"_s).toBool(), true);
        QCOMPARE(source.value(u"hosts"_s).toArray(), QJsonArray({ u"gpu-a"_s, u"gpu-b"_s }));

        // One host's figures: its own requests only; grouped: one summary per host.
        const Exported one = runPerfdashd({ u"summary"_s, u"--source"_s, vm.url(), u"--model"_s, u"m1"_s, u"--window"_s,
            u"10m"_s, u"--end"_s, iso(t0 + 300), u"--host"_s, u"gpu-b"_s });
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        const QJsonObject b = QJsonDocument::fromJson(one.out).object();
        QCOMPARE(b.value(u"evidence"_s).toObject().value(u"requests"_s).toDouble(), 180.0 * 4 + 60);
        QCOMPARE(b.value(u"source"_s).toObject().value(u"merged"_s).toBool(), false);
        const Exported grouped = runPerfdashd({ u"summary"_s, u"--source"_s, vm.url(), u"--model"_s, u"m1"_s,
            u"--window"_s, u"10m"_s, u"--end"_s, iso(t0 + 300), u"--hosts"_s, u"grouped"_s });
        QVERIFY2(grouped.exitCode == 0, qPrintable(grouped.err));
        QCOMPARE(QJsonDocument::fromJson(grouped.out).array().size(), 2);

        // Export: the same CSV writers as the database's. Series: every minute's 500s of both hosts (20 each).
        const Exported series = runPerfdashd(
            { u"export"_s, u"--source"_s, vm.url(), u"--series"_s, u"serve.requests{model=m1,status=500}"_s,
                u"--from"_s, iso(t0), u"--to"_s, iso(t0 + 180), u"--step"_s, u"1m"_s });
        QVERIFY2(series.exitCode == 0, qPrintable(series.err));
        const QList<QByteArray> seriesLines = series.out.trimmed().split('\n');
        QCOMPARE(seriesLines.size(), 4); // the header and three minutes
        QVERIFY2(seriesLines[0].contains("count"), seriesLines[0].constData());
        for (int i = 1; i < 4; ++i)
            QVERIFY2(seriesLines[i].contains(",40,"), seriesLines[i].constData());
        const Exported kpi = runPerfdashd({ u"export"_s, u"--source"_s, vm.url(), u"--content"_s, u"kpi"_s,
            u"--model"_s, u"m1"_s, u"--from"_s, iso(t0), u"--to"_s, iso(t0 + 180), u"--step"_s, u"1m"_s });
        QVERIFY2(kpi.exitCode == 0, qPrintable(kpi.err));
        const QList<QByteArray> kpiLines = kpi.out.trimmed().split('\n');
        QCOMPARE(kpiLines.size(), 4);
        // Each minute: host a's 9 + host b's 4 requests a second, and 20 failures each.
        QVERIFY2(kpiLines[0].startsWith("time,model,requests,errors,"), kpiLines[0].constData());
        for (int i = 1; i < 4; ++i)
            QVERIFY2(kpiLines[i].contains(",m1,820,40,"), kpiLines[i].constData());
        const Exported records = runPerfdashd({ u"export"_s, u"--source"_s, vm.url(), u"--content"_s, u"runs"_s });
        QCOMPARE(records.exitCode, 2);

        // An unknown model lists the known ones (exit 1, as the local command); a server that is not there says so.
        const Exported unknown = runPerfdashd({ u"summary"_s, u"--source"_s, vm.url(), u"--model"_s, u"m9"_s,
            u"--window"_s, u"10m"_s, u"--end"_s, iso(t0 + 300) });
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(
            unknown.err.contains(u"no model m9 in "_s % vm.url() % u"; known models: m1"_s), qPrintable(unknown.err));
        vm.stop();
        const Exported refused = runPerfdashd({ u"summary"_s, u"--source"_s, vm.url(), u"--model"_s, u"m1"_s });
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(
            refused.err.contains(u"cannot reach "_s % vm.url() % u": Connection refused"_s), qPrintable(refused.err));
        const Exported badUrl
            = runPerfdashd({ u"summary"_s, u"--source"_s, u"localhost:8428"_s, u"--model"_s, u"m1"_s });
        QCOMPARE(badUrl.exitCode, 2);
    }

    void baselinesAndTrendsFromTheServersHistory()
    {
        // 30 hours of two hosts' pushes, a minute apart, 0.5 ms slower every hour.
        // The automatic baseline forms from the first day the server holds, merged over both hosts, and the trend
        // sees the rise: the same Outlook::compute as on stored history, over the server's hourly buckets.
        if (VictoriaMetricsProcess::program().isEmpty())
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        VictoriaMetricsProcess vm;
        QVERIFY2(vm.start(), qPrintable(vm.output()));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const qint64 t0 = floorTo(now - 30 * 3600, 3600) + 600; // 10 min into an hour
        const qint64 dayStart = floorTo(t0, 3600) + 3600; // the first whole hour
        QVector<double> firstDay;
        for (const QString &host : { u"gpu-a"_s, u"gpu-b"_s }) {
            PromEncoder encoder({ { "host", host } });
            QByteArray pushed;
            int frames = 0;
            for (qint64 s = t0; s < now - 120; s += 60) {
                const double rise = double(s - t0) / 3600 * 0.5;
                QVector<double> values;
                for (int k = 0; k < 10; ++k)
                    values.push_back(10 + k + (host == u"gpu-b"_s ? 5 : 0) + rise);
                if (s >= dayStart && s < dayStart + 86400)
                    firstDay += values;
                SeriesStats heartbeat = gauge(Coverage::heartbeatKey(), 5);
                encoder.add({ s,
                    { timer(u"serve.latency|model:m1"_s, values), counter(u"serve.requests|model:m1,status:200"_s, 10),
                        heartbeat } });
                if (++frames % 5 == 0)
                    pushed += encoder.takePush((s + 1) * 1000);
            }
            pushed += encoder.takePush(now * 1000 - 60000);
            QCOMPARE(vm.post(u"/api/v1/import/prometheus"_s, pushed).first, 204);
        }
        QVERIFY(vm.flush());

        const Exported summary
            = runPerfdashd({ u"summary"_s, u"--source"_s, vm.url(), u"--model"_s, u"m1"_s, u"--window"_s, u"1h"_s });
        QVERIFY2(summary.exitCode == 0, qPrintable(summary.err));
        const QJsonObject json = QJsonDocument::fromJson(summary.out).object();
        const QJsonObject baseline = json.value(u"baselines"_s).toObject().value(u"latency_p95"_s).toObject();
        QVERIFY2(!baseline.isEmpty(), summary.out.constData());
        QCOMPARE(baseline.value(u"source"_s).toString(), u"first_24h"_s);
        QCOMPARE(baseline.value(u"forming"_s).toBool(), false);
        QCOMPARE(QDateTime::fromString(baseline.value(u"window_from"_s).toString(), Qt::ISODate).toSecsSinceEpoch(),
            dayStart);
        const double exact = exactQuantile(firstDay, 0.95);
        const double value = baseline.value(u"baseline"_s).toDouble();
        QVERIFY2(std::abs(value - exact) <= 0.02 * exact,
            qPrintable(u"baseline p95 %1, the first day's exact %2"_s.arg(value).arg(exact)));
        // Now above the baseline, and worsening.
        QVERIFY2(baseline.value(u"current"_s).toDouble() > value, summary.out.constData());
        const QJsonObject trend = json.value(u"trends"_s).toObject().value(u"latency_p95"_s).toObject();
        const QString label = trend.value(u"7_day_trend"_s).toString();
        QVERIFY2(label == u"declining"_s || label == u"slight_decline"_s,
            QJsonDocument(trend).toJson(QJsonDocument::Compact).constData());
    }

    void summaryOfTwoPushingCollectors()
    {
        // The whole path: two real perfdashd --push into VictoriaMetrics, read back by `perfdashd summary --source`.
        if (VictoriaMetricsProcess::program().isEmpty())
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        VictoriaMetricsProcess vm;
        QVERIFY2(vm.start(), qPrintable(vm.output()));
        QTemporaryDir dirA, dirB;
        CollectorProcess a(dirA.path()), b(dirB.path());
        for (auto [collector, host] : { std::pair { &a, "a" }, { &b, "b" } }) {
            QVERIFY(collector->start({ u"--no-sampling"_s, u"--grace-ms"_s, u"200"_s, u"--push"_s, vm.url(),
                u"--push-interval"_s, u"1s"_s, u"--push-label"_s, u"host="_s % QLatin1String(host) }));
        }
        QVector<double> all;
        for (int i = 0; i < 1000; ++i) {
            // a: 1..1000 ms evenly; b: 300..900 ms crowded near 300. Three decimals: what the collector parses.
            const double va = double(i + 1), vb = std::round((300.0 + 600.0 * std::pow(i / 999.0, 2.0)) * 1000) / 1000;
            all << va << vb;
            a.send("serve.latency:" + QByteArray::number(va, 'f', 3)
                + "|ms|#model:m1\nserve.requests:1|c|#model:m1,status:" + (i % 10 == 0 ? "500" : "200"));
            b.send("serve.latency:" + QByteArray::number(vb, 'f', 3)
                + "|ms|#model:m1\nserve.requests:1|c|#model:m1,status:" + (i % 20 == 0 ? "500" : "200"));
        }
        // Both series searchable before the summary reads them: a push may carry them in different batches, and
        // what came after the last flush is not searchable yet.
        const auto counted = [&vm](const QString &metric) {
            vm.flush();
            const QJsonArray r = vm.query(u"sum(increase(%1[10m]))"_s.arg(metric), QDateTime::currentSecsSinceEpoch());
            return r.size() == 1 ? r[0].toObject().value(u"value"_s).toArray().at(1).toString().toDouble() : -1.0;
        };
        QTRY_COMPARE_WITH_TIMEOUT(counted(u"serve_latency_count"_s), 2000.0, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(counted(u"serve_requests_total"_s), 2000.0, 30000);
        const Exported summary
            = runPerfdashd({ u"summary"_s, u"--source"_s, vm.url(), u"--model"_s, u"m1"_s, u"--window"_s, u"10m"_s });
        QVERIFY2(summary.exitCode == 0, qPrintable(summary.err));
        const QJsonObject json = QJsonDocument::fromJson(summary.out).object();
        const QJsonObject evidence = json.value(u"evidence"_s).toObject();
        QCOMPARE(evidence.value(u"requests"_s).toDouble(), 2000.0);
        QCOMPARE(evidence.value(u"failed_requests"_s).toDouble(), 150.0);
        QCOMPARE(evidence.value(u"latency_n"_s).toInteger(), 2000);
        const double p95 = json.value(u"serving_metrics"_s).toObject().value(u"latency_p95_ms"_s).toDouble();
        const double exact = exactQuantile(all, 0.95);
        QVERIFY2(std::abs(p95 - exact) <= 0.01 * exact, qPrintable(u"p95 %1, the union's %2"_s.arg(p95).arg(exact)));
        QCOMPARE(json.value(u"source"_s).toObject().value(u"hosts"_s).toArray(), QJsonArray({ u"a"_s, u"b"_s }));
        QCOMPARE(a.stop(), 0);
        QCOMPARE(b.stop(), 0);
    }

    void summaryFromAPrometheusScrapingPerfdashd()
    {
        const QString prometheusProgram = QStandardPaths::findExecutable(u"prometheus"_s);
        if (prometheusProgram.isEmpty())
            QSKIP("prometheus is not installed (apt-get install prometheus; CI installs it)");
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--http"_s, u"127.0.0.1:0"_s, u"--no-sampling"_s }));
        quint16 port = 0;
        {
            QTcpServer probe; // a free port for Prometheus' web listener
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        QFile config(dir.filePath(u"prometheus.yml"_s));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: perfdash\n    static_configs:\n"
                     "      - targets: ['"
            + collector.httpAddress.toUtf8() + "']\n");
        config.close();
        QProcess prometheus;
        prometheus.setProcessChannelMode(QProcess::MergedChannels);
        prometheus.start(prometheusProgram,
            { u"--config.file="_s % config.fileName(), u"--storage.tsdb.path="_s % dir.filePath(u"tsdb"_s),
                u"--web.listen-address=127.0.0.1:%1"_s.arg(port) });
        QVERIFY(prometheus.waitForStarted(10000));
        const auto stopPrometheus = qScopeGuard([&prometheus] {
            prometheus.terminate();
            if (!prometheus.waitForFinished(15000))
                prometheus.kill();
        });
        const QString url = u"http://127.0.0.1:%1"_s.arg(port);
        const auto latencies = [](int batch) {
            QByteArray datagram;
            for (int i = 1; i <= 100; ++i) {
                datagram += "serve.requests:1|c|#model:m1,status:" + QByteArray(i % 20 == 0 ? "500" : "200") + '\n';
                datagram += "serve.latency:" + QByteArray::number(i * (batch + 1)) + "|ms|#model:m1\n";
            }
            return datagram;
        };
        // Prometheus sees a series from its first scrape on: a warm-up makes every series and bucket exist before the
        // counted traffic, as a long-running collector's do (increase() has no zero to start from on a scrape).
        for (int batch = 1; batch <= 5; ++batch)
            collector.send(latencies(batch));
        const auto instant = [&](const QString &promql) {
            QNetworkAccessManager net;
            QUrlQuery q;
            q.addQueryItem(u"query"_s, QString::fromLatin1(QUrl::toPercentEncoding(promql)));
            QUrl u(url + u"/api/v1/query"_s);
            u.setQuery(q);
            QNetworkReply *reply = net.get(QNetworkRequest(u));
            QEventLoop loop;
            connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            reply->deleteLater();
            const QJsonArray result = QJsonDocument::fromJson(reply->readAll())
                                          .object()
                                          .value(u"data"_s)
                                          .toObject()
                                          .value(u"result"_s)
                                          .toArray();
            return result.isEmpty() ? -1.0
                                    : result[0].toObject().value(u"value"_s).toArray().at(1).toString().toDouble();
        };
        // Scrapes Prometheus has stored: waiting for a few more (not for a time) keeps the test's pace the server's.
        const auto scrapes = [&instant]() { return instant(u"sum(count_over_time(up{job=\"perfdash\"}[1h]))"_s); };
        const auto latestSample = [&instant]() { return instant(u"max(timestamp(serve_requests_total))"_s); };
        QTRY_COMPARE_WITH_TIMEOUT(instant(u"sum(serve_requests_total)"_s), 500.0, 60000);
        // A bucket's count is the rise from the last sample at or before its start to the last at or before its end
        // (fleet/promreader.cpp, increaseOf): exact once a series has a sample before the bucket. The counted
        // traffic goes after the next minute boundary, so every bucket of the window [boundary, end) has the
        // warm-up's samples before it, and the warm-up's 500 lie before the window.
        const qint64 boundary = (qint64(latestSample()) / 60 + 1) * 60;
        QTRY_VERIFY_WITH_TIMEOUT(latestSample() > double(boundary), 90000);
        for (int batch = 1; batch <= 5; ++batch)
            collector.send(latencies(batch));
        QTRY_COMPARE_WITH_TIMEOUT(instant(u"sum(serve_requests_total)"_s), 1000.0, 60000);
        const double seen = scrapes();
        QTRY_VERIFY_WITH_TIMEOUT(scrapes() >= seen + 3, 60000); // and some after
        const qint64 end = QDateTime::currentSecsSinceEpoch();

        const Exported summary = runPerfdashd(
            { u"summary"_s, u"--source"_s, url, u"--model"_s, u"m1"_s, u"--window"_s, u"%1s"_s.arg(end - boundary),
                u"--end"_s, QDateTime::fromSecsSinceEpoch(end, Qt::UTC).toString(Qt::ISODate) });
        QVERIFY2(summary.exitCode == 0, qPrintable(summary.err));
        const QJsonObject json = QJsonDocument::fromJson(summary.out).object();
        QVERIFY2(json.value(u"model_id"_s).toString() == u"m1"_s, summary.out.constData());
        const QJsonObject evidence = json.value(u"evidence"_s).toObject();
        const QString out = QString::fromUtf8(summary.out);
        qInfo("Prometheus' figures for 500 requests sent: %g requests, %g failed (25 sent), latency n %lld over %lld s",
            evidence.value(u"requests"_s).toDouble(), evidence.value(u"failed_requests"_s).toDouble(),
            evidence.value(u"latency_n"_s).toInteger(), end - boundary);
        // Prometheus' own increase() over the same buckets read 0 when the scrapes before and after the burst fell on
        // either side of a minute boundary, and up to 10 % more than was sent otherwise.
        QCOMPARE(evidence.value(u"requests"_s).toDouble(), 500.0);
        QCOMPARE(evidence.value(u"failed_requests"_s).toDouble(), 25.0);
        QCOMPARE(evidence.value(u"latency_n"_s).toInteger(), 500);
        QCOMPARE(json.value(u"source"_s).toObject().value(u"url"_s).toString(), url);

        QCOMPARE(collector.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFleetReadE2E)
#include "tst_fleet_read_e2e.moc"
