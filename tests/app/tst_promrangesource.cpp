// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard's RangeSource over a Prometheus-compatible server: what a server does not hold (markers, operations,
// baselines) is answered at once with the caller's generation, and a reader's failure reaches the caller under the
// generation it asked with. The buckets themselves are checked against a real VictoriaMetrics in tst_fleetgui_e2e.
#include "app/gui/promrangesource.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestPromRangeSource : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void answersWhatAServerDoesNotHold()
    {
        PromReader reader(QUrl(u"http://127.0.0.1:9"_s));
        PromRangeSource source(&reader);
        QSignalSpy markers(&source, &RangeSource::markersReady);
        QSignalSpy operations(&source, &RangeSource::operationsFailed);
        QSignalSpy failed(&source, &RangeSource::failed);
        QSignalSpy runs(&source, &RangeSource::runsReady);
        source.requestMarkers(0, 100, 7);
        source.requestOperations(0, 100, 8);
        source.requestOutlook(u"m1"_s, 9);
        source.requestRuns(0, 100, 10);
        QCOMPARE(markers.size(), 0); // answered after the request returns, as every answer is
        QTRY_COMPARE(markers.size(), 1);
        QCOMPARE(markers[0][0].toULongLong(), 7u);
        QVERIFY(markers[0][1].value<QVector<TimeMarker>>().isEmpty());
        QTRY_COMPARE(operations.size(), 1);
        QCOMPARE(operations[0][0].toULongLong(), 8u);
        QVERIFY(operations[0][1].toString().contains(u"fleet source"_s));
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed[0][0].toULongLong(), 9u);
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0][0].toULongLong(), 10u);
    }

    void aReadersFailureKeepsItsGeneration()
    {
        QTcpServer probe; // a port nobody listens on once it is closed
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const QUrl url(u"http://127.0.0.1:%1"_s.arg(probe.serverPort()));
        probe.close();
        PromReader reader(url);
        PromRangeSource source(&reader);
        QSignalSpy failed(&source, &RangeSource::failed);
        QSignalSpy ready(&source, &RangeSource::bucketsReady);
        source.requestBuckets({ u"inference.latency|model:m1"_s }, 1000, 1600, 60, 41);
        source.requestBuckets({ u"inference.latency|model:m1"_s }, 1000, 1600, 60, 42);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 10000);
        QList<quint64> generations { failed[0][0].toULongLong(), failed[1][0].toULongLong() };
        std::sort(generations.begin(), generations.end());
        QCOMPARE(generations, (QList<quint64> { 41, 42 }));
        QVERIFY(!failed[0][1].toString().isEmpty());
        QCOMPARE(ready.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestPromRangeSource)
#include "tst_promrangesource.moc"
