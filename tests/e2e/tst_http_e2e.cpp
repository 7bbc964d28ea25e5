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
#include <QTemporaryDir>
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
