// SPDX-License-Identifier: GPL-3.0-or-later
// perfdashd --http: the summary route over real HTTP (QNetworkAccessManager) on a real collector whose database holds
// a day of imported demo history. The route's JSON is the one `perfdashd summary` prints for the same window; bad
// parameters get 400 with a sentence, an unknown model 404, other methods 405; a non-loopback address is refused
// unless asked for.
#include "collectorprocess.h"
#include "perfdashdcommand.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QFile>
#include <QUrl>
#include <QTest>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Answer {
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

Answer send(QNetworkAccessManager &net, const QString &url, const QByteArray &verb = "GET")
{
    QNetworkReply *reply = net.sendCustomRequest(QNetworkRequest(QUrl(url)), verb);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(30000); // returns as soon as the answer is in
    Answer a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.body = reply->readAll();
    reply->deleteLater();
    return a;
}

} // namespace

class TstHttpE2e : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void summaryRoute()
    {
        QTemporaryDir dir;
        const qint64 end = QDateTime::currentSecsSinceEpoch() / 3600 * 3600;
        const QString csv = dir.filePath(u"history.csv"_s);
        const QString made = makeHistory(csv, 1, 1, 3, end);
        QVERIFY2(made.isEmpty(), qPrintable(made));
        CollectorProcess collector(dir.path());
        const Exported imported = runPerfdashd({ u"import"_s, u"--db"_s, collector.dbPath, csv });
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        QVERIFY(collector.start({ u"--http"_s, u"127.0.0.1:0"_s, u"--no-sampling"_s }));
        QVERIFY2(collector.httpAddress.startsWith(u"127.0.0.1:"_s), qPrintable(collector.readyLine));
        const QString base = u"http://"_s % collector.httpAddress % u"/api/v1/monitoring/performance/"_s;
        QNetworkAccessManager net;

        // The route's figures are the command's, for the same window.
        const QString endIso = QDateTime::fromSecsSinceEpoch(end - 3600, Qt::UTC).toString(Qt::ISODate);
        const Answer ok = send(net, base % u"resnet50?window=6h&granularity=minute&end="_s % endIso);
        QCOMPARE(ok.status, 200);
        const Exported cli = runPerfdashd({ u"summary"_s, u"--db"_s, collector.dbPath, u"--model"_s, u"resnet50"_s,
            u"--window"_s, u"6h"_s, u"--granularity"_s, u"minute"_s, u"--end"_s, endIso });
        QCOMPARE(cli.exitCode, 0);
        QCOMPARE(ok.json(), QJsonDocument::fromJson(cli.out).object());
        QVERIFY(ok.json().value(u"serving_metrics"_s).toObject().value(u"latency_p95_ms"_s).toDouble() > 0);

        // Bad input, named.
        const Answer badWindow = send(net, base % u"resnet50?window=5x"_s);
        QCOMPARE(badWindow.status, 400);
        QVERIFY2(badWindow.json().value(u"error"_s).toString().startsWith(u"bad window: 5x"_s), badWindow.body);
        const Answer badGranularity = send(net, base % u"resnet50?granularity=week"_s);
        QCOMPARE(badGranularity.status, 400);
        const Answer unknownParameter = send(net, base % u"resnet50?windw=1h"_s);
        QCOMPARE(unknownParameter.status, 400);
        QVERIFY(unknownParameter.json().value(u"error"_s).toString().contains(u"windw"_s));
        const Answer unknownModel = send(net, base % u"nope"_s);
        QCOMPARE(unknownModel.status, 404);
        QVERIFY(unknownModel.json().value(u"error"_s).toString().contains(u"known models: resnet50"_s));
        QCOMPARE(send(net, base % u"resnet50"_s, "POST").status, 405);
        QCOMPARE(send(net, u"http://"_s % collector.httpAddress % u"/nothing"_s).status, 404);
        QCOMPARE(collector.stop(), 0);
    }

    void metricsForPrometheus()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--http"_s, u"127.0.0.1:0"_s, u"--no-sampling"_s }));
        // 100 requests of m1, 10 failed, and 100 latencies of 1..100 ms.
        for (int i = 0; i < 100; ++i) {
            collector.send("api.requests:1|c|#model:m1,status:"_ba + (i % 10 == 0 ? "error" : "ok"));
            collector.send("api.latency:"_ba + QByteArray::number(i + 1) + "|ms|#model:m1");
        }
        QNetworkAccessManager net;
        const QString url = u"http://"_s % collector.httpAddress % u"/metrics"_s;
        QByteArray body;
        QTRY_VERIFY_WITH_TIMEOUT(
            (body = send(net, url).body).contains("ml_model_latency_seconds_count{model_id=\"m1\"} 100\n"), 30000);
        QVERIFY2(body.contains("ml_model_predictions_total{model_id=\"m1\",status=\"ok\"} 90\n"), body);
        QVERIFY(body.contains("ml_model_predictions_total{model_id=\"m1\",status=\"error\"} 10\n"));
        QVERIFY(body.contains("ml_model_errors_total{model_id=\"m1\",error_type=\"error\"} 10\n"));
        QVERIFY(body.contains("ml_model_latency_seconds_sum{model_id=\"m1\"} 5.05\n")); // 5050 ms
        QVERIFY(body.contains("# TYPE ml_model_latency_seconds summary\n"));
        QVERIFY(body.contains("perfdash_uptime_seconds "));
        // The median of 1..100 ms within the sketch's 1 %.
        const qsizetype at = body.indexOf("ml_model_latency_seconds{model_id=\"m1\",quantile=\"0.5\"} ");
        QVERIFY(at >= 0);
        const QByteArray p50 = body.mid(at).split('\n').constFirst().split(' ').constLast();
        QVERIFY2(std::abs(p50.toDouble() - 0.050) <= 0.0011, p50);

        // Prometheus' own linter accepts it (Debian's prometheus package: promtool).
        QProcess promtool;
        promtool.start(u"promtool"_s, { u"check"_s, u"metrics"_s });
        QVERIFY2(promtool.waitForStarted(10000), "promtool is missing: tools/dev/install-deps.sh installs prometheus");
        promtool.write(body);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(30000));
        const QByteArray said = promtool.readAllStandardOutput() + promtool.readAllStandardError();
        QVERIFY2(promtool.exitCode() == 0, said.constData());
        QCOMPARE(collector.stop(), 0);
    }

    void aRealPrometheusScrapesIt()
    {
        // Debian's Prometheus 2.42 on 127.0.0.1 scrapes perfdashd every second and answers a query with what was sent.
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--http"_s, u"127.0.0.1:0"_s, u"--no-sampling"_s }));
        for (int i = 0; i < 100; ++i)
            collector.send("api.requests:1|c|#model:m1,status:"_ba + (i % 4 == 0 ? "error" : "ok"));
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
        prometheus.start(u"prometheus"_s,
            { u"--config.file="_s % config.fileName(), u"--storage.tsdb.path="_s % dir.filePath(u"tsdb"_s),
                u"--web.listen-address=127.0.0.1:%1"_s.arg(port) });
        QVERIFY2(prometheus.waitForStarted(10000), "prometheus is missing: tools/dev/install-deps.sh installs it");
        QNetworkAccessManager net;
        const QString query = u"http://127.0.0.1:%1/api/v1/query?query="_s.arg(port)
            % QString::fromLatin1(
                QUrl::toPercentEncoding(u"ml_model_predictions_total{model_id=\"m1\",status=\"ok\"}"_s));
        QByteArray answer;
        QTRY_VERIFY2_WITH_TIMEOUT((answer = send(net, query).body).contains("\"75\""), answer.constData(), 60000);
        prometheus.terminate();
        QVERIFY(prometheus.waitForFinished(15000));
        QCOMPARE(collector.stop(), 0);
    }

    void remoteAddressesAreRefusedUnlessAskedFor()
    {
        const Exported refused = runPerfdashd({ u"--http"_s, u"0.0.0.0:0"_s, u"--db"_s, u"/nonexistent/x.db"_s });
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(u"not a loopback address"_s), qPrintable(refused.err));
        QVERIFY(refused.err.contains(u"--http-allow-remote"_s));
        const Exported malformed = runPerfdashd({ u"--http"_s, u"localhost"_s });
        QCOMPARE(malformed.exitCode, 2);
        QVERIFY(malformed.err.contains(u"--http wants HOST:PORT"_s));
    }
};

QTEST_GUILESS_MAIN(TstHttpE2e)
#include "tst_http_e2e.moc"
