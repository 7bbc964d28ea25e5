// SPDX-License-Identifier: GPL-3.0-or-later
// perfdashd --push against a real VictoriaMetrics (docs/fleet.md): a fleet-wide p95 from merged buckets, and the faults
// of issue 16 (the server stopped and restarted, a tiny buffer, a server that never answers, a wrong URL, a refused
// connection). Skips when /usr/bin/victoria-metrics is not installed.
#include "collectorprocess.h"
#include "victoriametricsprocess.h"

#include "fleet/promschema.h"
#include "models/quantilesketch.h"

#include <QDateTime>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;
using namespace perfdash::test;

namespace {

// A collector pushing every second, its seconds final 200 ms after they end.
bool startPushing(CollectorProcess &collector, const QString &url, const QStringList &extra = {})
{
    return collector.start(
        QStringList { u"--no-sampling"_s, u"--grace-ms"_s, u"200"_s, u"--push"_s, url, u"--push-interval"_s, u"1s"_s }
        + extra);
}

// Timer values as StatsD text (three decimals), and the values the collector parses from it.
QVector<double> sendTimer(CollectorProcess &collector, const QByteArray &name, const QVector<double> &values)
{
    QVector<double> sent;
    QByteArray datagram;
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QByteArray text = QByteArray::number(values[i], 'f', 3);
        sent.push_back(text.toDouble());
        datagram += name + ':' + text + "|ms\n";
        // 40 lines a datagram: well under the collector's datagram limit, and few enough datagrams for the kernel.
        if ((i + 1) % 40 == 0 || i + 1 == values.size()) {
            collector.send(datagram);
            datagram.clear();
        }
    }
    return sent;
}

qint64 stat(const CollectorProcess &collector, const QString &name)
{
    return statsOf(collector).value(name, u"-1"_s).toLongLong();
}

// One number from an instant query at now (NaN when there is no single answer).
double scalar(VictoriaMetricsProcess &vm, const QString &promql)
{
    const QJsonArray result = vm.query(promql, QDateTime::currentSecsSinceEpoch());
    if (result.size() != 1)
        return std::nan("");
    return result.at(0).toObject().value(u"value"_s).toArray().at(1).toString().toDouble();
}

double exactQuantile(QVector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    return values.at(qsizetype(std::floor(q * double(values.size() - 1))));
}

bool skipWithoutVictoriaMetrics()
{
    return VictoriaMetricsProcess::program().isEmpty();
}

} // namespace

class TestFleetPushE2e : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        if (skipWithoutVictoriaMetrics())
            QSKIP("victoria-metrics is not installed (Debian's victoria-metrics package; .ci/run installs it)");
    }

    void fleetP95ComesFromMergedBuckets()
    {
        VictoriaMetricsProcess vm;
        QVERIFY(vm.start());
        QTemporaryDir dirA, dirB;
        CollectorProcess a(dirA.path()), b(dirB.path());
        QVERIFY(startPushing(a, vm.url(), { u"--push-label"_s, u"host=a"_s }));
        QVERIFY(startPushing(b, vm.url(), { u"--push-label"_s, u"host=b"_s }));
        // a: 1..2000 ms evenly; b: 2000 values from 300 to 900 ms, crowded near 300.
        QVector<double> valuesA, valuesB;
        for (int i = 1; i <= 2000; ++i)
            valuesA.push_back(double(i));
        for (int i = 0; i < 2000; ++i)
            valuesB.push_back(300.0 + 600.0 * std::pow(double(i) / 1999.0, 2.0));
        const QVector<double> sentA = sendTimer(a, "fleet.lat", valuesA);
        const QVector<double> sentB = sendTimer(b, "fleet.lat", valuesB);
        QTRY_COMPARE_WITH_TIMEOUT(stat(a, u"lines_accepted"_s), 2000, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stat(b, u"lines_accepted"_s), 2000, 10000);
        // Everything sent has reached the engine: the window's increase of _count is the number of values.
        const QString window = u"[10m]"_s;
        QTRY_VERIFY_WITH_TIMEOUT(
            vm.flush() && scalar(vm, u"sum(increase(fleet_lat_count"_s % window % u"))"_s) == 4000.0, 30000);
        QCOMPARE(scalar(vm, u"sum(increase(fleet_lat_count{host=\"a\"}"_s % window % u"))"_s), 2000.0);

        const QVector<double> all = sentA + sentB;
        const double exact = exactQuantile(all, 0.95);
        // Averaging the hosts' p95s would be far off: the test can tell merged buckets from an average.
        const double averaged = (exactQuantile(sentA, 0.95) + exactQuantile(sentB, 0.95)) / 2;
        QVERIFY2(std::abs(averaged - exact) / exact > 0.10,
            qPrintable(u"mean of per-host p95s %1 vs union p95 %2"_s.arg(averaged).arg(exact)));

        // The fleet's sketch rebuilt from the merged buckets: the sketch's own 1 %. The engine may show the buckets a
        // moment after the counts (a query answered from its cache): ask until they hold every value, as above.
        QuantileSketch merged;
        bool bucketsParse = true;
        const auto mergeBuckets = [&] {
            merged = QuantileSketch();
            const QJsonArray buckets = vm.query(u"sum by (vmrange) (increase(fleet_lat_bucket"_s % window % u"))"_s,
                QDateTime::currentSecsSinceEpoch());
            for (const QJsonValue &row : buckets) {
                const QString range = row.toObject().value(u"metric"_s).toObject().value(u"vmrange"_s).toString();
                const auto parsed = PromSchema::parseRange(range);
                if (!parsed || parsed->sign != PromSchema::BucketRange::Sign::Positive
                    || std::abs(parsed->gamma - merged.gamma()) >= 1e-9) {
                    bucketsParse = false;
                    qWarning("unexpected bucket range %s", qPrintable(range));
                    continue;
                }
                const double n = row.toObject().value(u"value"_s).toArray().at(1).toString().toDouble();
                merged.add(merged.bucketValue(parsed->index), quint64(std::llround(n)));
            }
            return merged.count();
        };
        QTRY_COMPARE_WITH_TIMEOUT((vm.flush(), mergeBuckets()), quint64(4000), 30000);
        QVERIFY(bucketsParse);
        const double rebuilt = merged.quantile(0.95);
        QVERIFY2(std::abs(rebuilt - exact) / exact <= 0.01,
            qPrintable(u"rebuilt p95 %1 vs exact %2"_s.arg(rebuilt).arg(exact)));
        // VictoriaMetrics' own histogram_quantile interpolates inside a bucket: within one bucket's width, gamma - 1.
        const double engine
            = scalar(vm, u"histogram_quantile(0.95, sum by (vmrange) (increase(fleet_lat_bucket"_s % window % u")))"_s);
        QVERIFY2(std::abs(engine - exact) / exact <= merged.gamma() - 1,
            qPrintable(
                u"histogram_quantile %1 vs exact %2 (bound %3)"_s.arg(engine).arg(exact).arg(merged.gamma() - 1)));
        qInfo(
            "union p95 %.3f; rebuilt sketch %.3f (%.3f %%); histogram_quantile %.3f (%.3f %%); mean of host p95s %.3f",
            exact, rebuilt, 100 * std::abs(rebuilt - exact) / exact, engine, 100 * std::abs(engine - exact) / exact,
            averaged);
        QCOMPARE(statsOf(a).value(u"push.state"_s), u"ok"_s);
        QCOMPARE(stat(a, u"push.dropped_samples"_s), 0);
        QCOMPARE(a.stop(), 0);
        QCOMPARE(b.stop(), 0);
    }

    void serverStoppedAndRestartedLosesNothing()
    {
        VictoriaMetricsProcess vm;
        QVERIFY(vm.start());
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(startPushing(collector, vm.url(), { u"--push-label"_s, u"host=r"_s }));
        QVector<double> first, second;
        for (int i = 1; i <= 500; ++i) {
            first.push_back(double(i));
            second.push_back(double(1000 + i));
        }
        sendTimer(collector, "restart.lat", first);
        QTRY_VERIFY_WITH_TIMEOUT(vm.flush() && scalar(vm, u"sum(restart_lat_count)"_s) == 500.0, 30000);
        vm.stop();
        // While it is down: ingest goes on, stats answer, failures are counted.
        sendTimer(collector, "restart.lat", second);
        QTRY_COMPARE_WITH_TIMEOUT(stat(collector, u"lines_accepted"_s), 1000, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(stat(collector, u"push.failures"_s) >= 2, 20000);
        QCOMPARE(statsOf(collector).value(u"push.state"_s), u"failing"_s);
        QVERIFY(stat(collector, u"push.queued_batches"_s) >= 1);
        QVERIFY(vm.start());
        // The buffer held it: every value arrives, in order, and the window's increase counts all 1000.
        QTRY_VERIFY_WITH_TIMEOUT(vm.flush() && scalar(vm, u"sum(restart_lat_count)"_s) == 1000.0, 90000);
        QCOMPARE(scalar(vm, u"sum(increase(restart_lat_count[10m]))"_s), 1000.0);
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"push.state"_s), u"ok"_s, 10000);
        const auto stats = statsOf(collector);
        QVERIFY(stats.value(u"push.retries"_s).toLongLong() >= 1);
        QCOMPARE(stats.value(u"push.dropped_samples"_s), u"0"_s);
        QCOMPARE(collector.stop(), 0);
        const QByteArray err = collector.process.readAllStandardError();
        QCOMPARE(err.count("failing:"), 1); // once per change of state, not per attempt
        QCOMPARE(err.count("recovered"), 1);
    }

    void refusedConnectionWithATinyBuffer()
    {
        quint16 closed = 0;
        {
            QTcpServer probe; // a port nobody listens on once it closes
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closed = probe.serverPort();
        }
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(startPushing(collector, u"http://127.0.0.1:%1"_s.arg(closed), { u"--push-buffer"_s, u"32KiB"_s }));
        QVector<double> values;
        for (int i = 1; i <= 300; ++i)
            values.push_back(double(i));
        // A few seconds of pushes that cannot go (the collector's own gauges alone make some KiB a second): the
        // buffer keeps at most 32 KiB, and says what it dropped.
        for (int round = 0; round < 3; ++round)
            sendTimer(collector, "tiny.lat" + QByteArray::number(round), values);
        QTRY_COMPARE_WITH_TIMEOUT(stat(collector, u"lines_accepted"_s), 900, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(stat(collector, u"push.dropped_batches.buffer_full"_s) >= 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(stat(collector, u"push.failures"_s) >= 2, 20000);
        const auto stats = statsOf(collector);
        QCOMPARE(stats.value(u"push.state"_s), u"failing"_s);
        QVERIFY(stats.value(u"push.queued_bytes"_s).toLongLong() <= 32LL * 1024);
        QVERIFY(stats.value(u"push.queued_batches"_s).toLongLong() >= 1);
        QVERIFY(stats.value(u"push.dropped_samples"_s).toLongLong() > 0);
        QVERIFY2(stats.value(u"push.last_error"_s).contains(u"refused"_s, Qt::CaseInsensitive),
            qPrintable(stats.value(u"push.last_error"_s)));
        QCOMPARE(stats.value(u"push.sent_batches"_s), u"0"_s);
        // SIGTERM: one last attempt, bounded; what is left is counted and said in one line.
        QElapsedTimer stopping;
        stopping.start();
        QCOMPARE(collector.stop(), 0);
        QVERIFY(stopping.elapsed() < 8000);
        const QByteArray err = collector.process.readAllStandardError();
        QCOMPARE(err.count("failing:"), 1);
        QVERIFY2(err.contains("not delivered within 2 s of shutdown were dropped"), err.constData());
    }

    void aServerThatNeverAnswersTimesOut()
    {
        QTcpServer silent; // accepts connections (the kernel does) and never answers
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(startPushing(collector, u"http://127.0.0.1:%1"_s.arg(silent.serverPort())));
        QVector<double> values;
        for (int i = 1; i <= 100; ++i)
            values.push_back(double(i));
        // Ingest is unaffected while the push waits for its 10 s transfer timeout.
        for (int round = 1; round <= 3; ++round) {
            sendTimer(collector, "silent.lat", values);
            QTRY_COMPARE_WITH_TIMEOUT(stat(collector, u"lines_accepted"_s), 100LL * round, 10000);
        }
        QCOMPARE(stat(collector, u"push.failures"_s), 0);
        QTRY_VERIFY_WITH_TIMEOUT(stat(collector, u"push.failures"_s) >= 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(stat(collector, u"push.retries"_s) >= 1, 10000); // retried after the backoff
        const auto stats = statsOf(collector);
        QVERIFY2(stats.value(u"push.last_error"_s).contains(u"no answer within 10 s"_s),
            qPrintable(stats.value(u"push.last_error"_s)));
        QCOMPARE(stats.value(u"push.state"_s), u"failing"_s);
        QCOMPARE(collector.stop(), 0);
    }

    void pushLabelsAndCountersAreOnMetrics()
    {
        // /metrics names the host as the push does, and the push counters pass Prometheus' linter.
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(startPushing(collector, u"http://127.0.0.1:1"_s,
            { u"--http"_s, u"127.0.0.1:0"_s, u"--push-label"_s, u"host=gpu-07"_s, u"--push-label"_s,
                u"team=vision"_s }));
        sendTimer(collector, "labelled.lat", { 1, 2, 3 });
        QNetworkAccessManager net;
        const auto get = [&net](const QString &url) {
            std::unique_ptr<QNetworkReply> reply(net.get(QNetworkRequest(QUrl(url))));
            QEventLoop loop;
            QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
            QTimer::singleShot(5000, &loop, &QEventLoop::quit);
            if (!reply->isFinished())
                loop.exec();
            return reply->isFinished() ? reply->readAll() : QByteArray();
        };
        const QString url = u"http://"_s % collector.httpAddress % u"/metrics"_s;
        QByteArray body;
        QTRY_VERIFY_WITH_TIMEOUT((body = get(url)).contains("labelled_lat_count{host=\"gpu-07\""), 20000);
        QVERIFY2(body.contains("labelled_lat_count{host=\"gpu-07\",perfdash_kind=\"timer\",perfdash_series="
                               "\"labelled.lat\",team=\"vision\"} 3\n"),
            body.constData());
        QTRY_VERIFY_WITH_TIMEOUT((body = get(url)).contains("\nperfdash_push_failures "), 20000);
        // Lint once the collector's own series are final too (the heartbeat among them): they once named
        // perfdash_alerts_evaluations twice.
        QTRY_VERIFY_WITH_TIMEOUT((body = get(url)).contains("\nperfdash_ingest_live_series{host=\"gpu-07\""), 20000);
        for (const char *name : { "perfdash_push_sent_batches ", "perfdash_push_queued_bytes ",
                 "perfdash_push_dropped_batches_buffer_full ", "perfdash_push_dropped_batches_rejected ",
                 "perfdash_push_dropped_batches_shutdown ", "perfdash_push_retries " })
            QVERIFY2(body.contains(QByteArray(QByteArray("\n") + name)), name);
        QProcess promtool;
        promtool.start(u"promtool"_s, { u"check"_s, u"metrics"_s });
        if (!promtool.waitForStarted(10000))
            QSKIP("promtool is missing: tools/dev/install-deps.sh installs prometheus");
        promtool.write(body);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(30000));
        const QByteArray said = promtool.readAllStandardOutput() + promtool.readAllStandardError();
        QVERIFY2(promtool.exitCode() == 0, said.constData());
        QCOMPARE(collector.stop(), 0);
    }

    void aWrongUrlIsRejectedAndLoggedOnce()
    {
        VictoriaMetricsProcess vm;
        QVERIFY(vm.start());
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(startPushing(collector, vm.url() % u"/api/v1/import/nowhere"_s));
        QVector<double> values { 1, 2, 3 };
        sendTimer(collector, "wrong.lat", values);
        QTRY_VERIFY_WITH_TIMEOUT(stat(collector, u"push.dropped_batches.rejected"_s) >= 3, 20000);
        const auto stats = statsOf(collector);
        QCOMPARE(stats.value(u"push.failures"_s), u"0"_s); // an answer, not a failure: no retry
        QCOMPARE(stats.value(u"push.retries"_s), u"0"_s);
        QCOMPARE(stats.value(u"push.state"_s), u"failing"_s);
        QVERIFY2(stats.value(u"push.last_error"_s).startsWith(u'4'), qPrintable(stats.value(u"push.last_error"_s)));
        QCOMPARE(collector.stop(), 0);
        const QByteArray err = collector.process.readAllStandardError();
        QCOMPARE(err.count("refused: 4"), 1);
        QVERIFY2(
            err.contains(QByteArray("perfdashd: push to " + vm.url().toUtf8() + "/api/v1/import/nowhere refused: 4")),
            err.constData());
    }
};

QTEST_GUILESS_MAIN(TestFleetPushE2e)
#include "tst_fleet_push_e2e.moc"
