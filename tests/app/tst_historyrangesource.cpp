// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's history over storage: buckets with rates per covered second (an injected clock), markers from typed rows,
// and request ids per kind of answer, on databases written by the real writer.
#include "app/gui/historyrangesource.h"
#include "storage/alertstore.h"
#include "storage/database.h"
#include "storage/storagewriter.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kHour0 = 1795464000; // 2026-11-23T20:00:00Z

StorageOptions quiet()
{
    StorageOptions o;
    o.flushIntervalMs = 3600LL * 1000;
    o.flushOnPost = false;
    o.retentionIntervalMs = 3600LL * 1000;
    return o;
}

LiveFrame second(qint64 s)
{
    SeriesStats requests;
    requests.key = u"svc.requests"_s;
    requests.kind = MetricKind::Counter;
    requests.count = 100;
    requests.sum = 100;
    SeriesStats heartbeat;
    heartbeat.key = Coverage::heartbeatKey();
    heartbeat.kind = MetricKind::Gauge;
    heartbeat.count = 1;
    heartbeat.sum = heartbeat.min = heartbeat.max = heartbeat.last = 2;
    return LiveFrame { s, { requests, heartbeat } };
}

} // namespace

class TestHistoryRangeSource : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void partialBucketsRateOverTheirCoveredSeconds_data()
    {
        QTest::addColumn<qint64>("step");
        QTest::newRow("1 h buckets (a 6 h range)") << qint64(3600);
        QTest::newRow("1 d buckets (a 7 d range)") << qint64(86400);
        QTest::newRow("1 min buckets") << qint64(60);
    }
    void partialBucketsRateOverTheirCoveredSeconds()
    {
        QFETCH(qint64, step);
        // A steady 100 req/s service watched for 24 min: the last bucket is partial (before: 40/s at 1 h, 1.67/s at
        // 1 d, since the count was divided by the whole step).
        QTemporaryDir dir;
        const QString path = dir.filePath(u"h.db"_s);
        const qint64 now = kHour0 + 1440;
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
            QVector<LiveFrame> frames;
            for (qint64 s = kHour0; s < now; ++s)
                frames.push_back(second(s));
            storage.post(frames);
        }
        HistoryReader reader(path);
        reader.setClock([now]() { return now; });
        HistoryRangeSource source(&reader);
        QSignalSpy ready(&source, &RangeSource::bucketsReady);
        source.requestBuckets({ u"svc.requests"_s }, now - 7LL * 86400, now, step, 42);
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 5000);
        QCOMPARE(ready[0][0].value<quint64>(), quint64(42));
        const auto series = ready[0][1].value<QVector<RangeSeries>>();
        QCOMPARE(series.size(), 1);
        QVERIFY(!series[0].points.isEmpty());
        qint64 total = 0;
        for (const SeriesPoint &p : series[0].points) {
            total += p.stats.count;
            QCOMPARE(p.stats.rate, 100.0);
        }
        QCOMPARE(total, qint64(144000));
    }

    void markersComeFromTypedRows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"m.db"_s);
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
            TimelineEvent deploy;
            deploy.timeMs = (kHour0 + 10) * 1000;
            deploy.kind = u"event"_s;
            deploy.title = u"deploy"_s;
            deploy.text = u"v2"_s;
            deploy.alertType = u"error"_s;
            TimelineEvent check;
            check.timeMs = (kHour0 + 5) * 1000;
            check.kind = u"service_check"_s;
            check.title = u"db.up"_s;
            check.status = 2;
            storage.postEvents({ deploy, check });
            RunRecord run;
            run.workflow = u"inference"_s;
            run.start = double(kHour0 + 20);
            run.end = double(kHour0 + 21) + 0.5;
            run.executionS = 1.5;
            run.success = false;
            storage.postWorkRecords({ {}, { run } });
        }
        HistoryReader reader(path);
        HistoryRangeSource source(&reader);
        QSignalSpy ready(&source, &RangeSource::markersReady);
        source.requestMarkers(kHour0, kHour0 + 3600, 9);
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 5000);
        QCOMPARE(ready[0][0].value<quint64>(), quint64(9));
        const auto markers = ready[0][1].value<QVector<TimeMarker>>();
        QCOMPARE(markers.size(), 3);
        QCOMPARE(markers[0].kind, TimeMarker::Kind::ServiceCheck);
        QCOMPARE(markers[0].timeMs, (kHour0 + 5) * 1000);
        QVERIFY(markers[0].failure); // critical
        QVERIFY(markers[0].title.contains(u"db.up"_s) && markers[0].title.contains(u"critical"_s));
        QCOMPARE(markers[1].kind, TimeMarker::Kind::Event);
        QCOMPARE(markers[1].title, u"deploy"_s);
        QCOMPARE(markers[1].detail, u"v2"_s);
        QVERIFY(markers[1].failure);
        QCOMPARE(markers[2].kind, TimeMarker::Kind::Run);
        QCOMPARE(markers[2].timeMs, (kHour0 + 20) * 1000);
        QCOMPARE(markers[2].endMs, (kHour0 + 21) * 1000 + 500);
        QVERIFY(markers[2].failure);
        QCOMPARE(markers[2].detail, u"1.50 seconds"_s);
    }

    void runsWithTheirStepsForTheRunsView()
    {
        // requestRuns answers the runs of the range, newest first, with their steps, on the runs list's own signal;
        // markers asked at the same time share the reader's runs request ids and still get theirs.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"r.db"_s);
        const QStringList names = { u"load_data"_s, u"load_model"_s, u"preprocess"_s, u"predict"_s, u"postprocess"_s };
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
            QVector<RunRecord> runs;
            for (int i = 0; i < 3; ++i) {
                RunRecord run;
                run.workflow = u"inference"_s;
                run.start = double(kHour0 + 100LL * i);
                double at = run.start;
                for (int s = 0; s < 5; ++s) {
                    run.steps.push_back({ names[s], at, 0.25 * (s + 1) });
                    at += 0.25 * (s + 1);
                }
                run.end = at;
                run.executionS = at - run.start;
                run.success = i != 1;
                if (i == 2)
                    run.tags = QStringList { u"model:m1"_s, u"served_by:gpu0"_s };
                runs.push_back(run);
            }
            storage.postWorkRecords({ {}, runs });
        }
        HistoryReader reader(path);
        HistoryRangeSource source(&reader);
        QSignalSpy ready(&source, &RangeSource::runsReady);
        QSignalSpy markers(&source, &RangeSource::markersReady);
        source.requestMarkers(kHour0, kHour0 + 3600, 3);
        source.requestRuns(kHour0 + 50, kHour0 + 3600, 4);
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(markers.size(), 1, 5000);
        QCOMPARE(markers[0][1].value<QVector<TimeMarker>>().size(), 3);
        QCOMPARE(ready[0][0].value<quint64>(), quint64(4));
        const auto runs = ready[0][1].value<QVector<RunRecord>>();
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].start, double(kHour0 + 200));
        QCOMPARE(runs[1].start, double(kHour0 + 100));
        QVERIFY(!runs[1].success);
        QCOMPARE(runs[0].workflow, u"inference"_s);
        QCOMPARE(runs[0].executionS, 3.75);
        QCOMPARE(runs[0].steps.size(), 5);
        for (int s = 0; s < 5; ++s) {
            QCOMPARE(runs[0].steps[s].name, names[s]);
            QCOMPARE(runs[0].steps[s].elapsedS, 0.25 * (s + 1));
        }
        QCOMPARE(runs[0].steps[3].start, double(kHour0 + 200) + 1.5);
        QCOMPARE(runs[0].tags, (QStringList { u"model:m1"_s, u"served_by:gpu0"_s })); // schema 8
        QVERIFY(runs[1].tags.isEmpty());
    }

    void alertsOfARangeWithThoseStillActive()
    {
        // The alerts panel's past alerts: transitions of the range, and the newest earlier one of every alert still
        // active when it begins (its firing began before the range: it is still listed as firing).
        QTemporaryDir dir;
        const QString path = dir.filePath(u"a.db"_s);
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
        }
        const auto alert = [](qint64 time, const QString &rule, const QString &state) {
            AlertEvent e;
            e.time = time;
            e.ruleId = rule;
            e.ruleName = rule;
            e.instance = u"model:m1"_s;
            e.severity = u"critical"_s;
            e.state = state;
            e.value = 150;
            e.message = rule % u' ' % state;
            return e;
        };
        {
            const auto opened = Database::openWritable(u"tst-alerts"_s, path);
            QVERIFY2(opened.ok, qPrintable(opened.error));
            QSqlDatabase db = QSqlDatabase::database(u"tst-alerts"_s);
            QString error;
            QVERIFY2(AlertStore::append(db,
                         { alert(kHour0 - 7200, u"old"_s, u"firing"_s), alert(kHour0 - 7000, u"old"_s, u"resolved"_s),
                             alert(kHour0 - 600, u"long"_s, u"firing"_s), alert(kHour0 + 60, u"new"_s, u"firing"_s),
                             alert(kHour0 + 120, u"new"_s, u"resolved"_s) },
                         &error),
                qPrintable(error));
        }
        Database::close(u"tst-alerts"_s);
        HistoryReader reader(path);
        HistoryRangeSource source(&reader);
        QSignalSpy ready(&source, &RangeSource::alertsReady);
        source.requestAlerts(kHour0, kHour0 + 3600, 4);
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 5000);
        QCOMPARE(ready[0][0].value<quint64>(), quint64(4));
        const auto events = ready[0][1].value<QVector<AlertEvent>>();
        QStringList seen;
        for (const AlertEvent &e : events)
            seen << e.message;
        QCOMPARE(seen, (QStringList { u"long firing"_s, u"new firing"_s, u"new resolved"_s }));
        // A database without the table (or file) fails on its own signal.
        HistoryReader missing(dir.filePath(u"missing.db"_s));
        HistoryRangeSource none(&missing);
        QSignalSpy failed(&none, &RangeSource::alertsFailed);
        none.requestAlerts(kHour0, kHour0 + 3600, 5);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QCOMPARE(failed[0][0].value<quint64>(), quint64(5));
    }

    void operationsComeFromStoredRows()
    {
        // The operations view's rows: those of the range, newest first, every field as the writer stored it.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"o.db"_s);
        const auto operation = [](qint64 second, const QString &name, bool success) {
            OperationRecord op;
            op.timeMs = second * 1000;
            op.opCode = u"importer"_s;
            op.name = name;
            op.items = 300;
            op.elapsedS = 0.5;
            op.itemsPerS = 600;
            op.memoryMb = 120.5;
            op.success = success;
            if (!success) {
                op.error = u"timeout after 3 retries"_s;
                op.errorCategory = u"network"_s;
            }
            return op;
        };
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
            storage.postWorkRecords(
                { { operation(kHour0 - 10, u"before"_s, true), operation(kHour0 + 10, u"first"_s, true),
                    operation(kHour0 + 20, u"second"_s, false), operation(kHour0 + 3600, u"after"_s, true) } });
        }
        HistoryReader reader(path);
        HistoryRangeSource source(&reader);
        QSignalSpy ready(&source, &RangeSource::operationsReady);
        source.requestOperations(kHour0, kHour0 + 3600, 11);
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 5000);
        QCOMPARE(ready[0][0].value<quint64>(), quint64(11));
        const auto ops = ready[0][1].value<QVector<OperationRecord>>();
        QCOMPARE(ops.size(), 2);
        QCOMPARE(ops[0].name, u"second"_s);
        QCOMPARE(ops[0].timeMs, (kHour0 + 20) * 1000);
        QCOMPARE(ops[0].opCode, u"importer"_s);
        QCOMPARE(ops[0].items, std::optional<qint64>(300));
        QCOMPARE(ops[0].elapsedS, 0.5);
        QCOMPARE(ops[0].itemsPerS, 600.0);
        QCOMPARE(ops[0].memoryMb, 120.5);
        QVERIFY(!ops[0].success);
        QCOMPARE(ops[0].error, u"timeout after 3 retries"_s);
        QCOMPARE(ops[0].errorCategory, u"network"_s);
        QCOMPARE(ops[1].name, u"first"_s);
        QVERIFY(ops[1].success);
        // A database without the table (or file) fails on its own signal, with the caller's generation.
        HistoryReader missing(dir.filePath(u"missing.db"_s));
        HistoryRangeSource none(&missing);
        QSignalSpy failed(&none, &RangeSource::operationsFailed);
        none.requestOperations(kHour0, kHour0 + 3600, 12);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QCOMPARE(failed[0][0].value<quint64>(), quint64(12));
    }

    void answersOfOneKindAreNeverTakenForAnothers()
    {
        // The GUI's session asks the same reader for its last hour (HistorySource::requestRange) with its own
        // generations; the range source numbers bucket requests from 1 too. A failure of one is not the other's.
        QTemporaryDir dir;
        HistoryReader reader(dir.filePath(u"missing.db"_s));
        HistoryRangeSource source(&reader);
        QSignalSpy rangeFailed(&reader, &HistorySource::failed);
        QSignalSpy bucketsFailed(&source, &RangeSource::failed);
        QSignalSpy markers(&source, &RangeSource::markersReady);
        reader.requestRange(0, 10, 1);
        source.requestBuckets({ u"x"_s }, 0, 10, 1, 7);
        source.requestMarkers(0, 10, 8);
        QTRY_COMPARE_WITH_TIMEOUT(markers.size(), 1, 5000); // markers are a nicety: failed halves count as none
        QCOMPARE(markers[0][0].value<quint64>(), quint64(8));
        QTRY_COMPARE_WITH_TIMEOUT(bucketsFailed.size(), 1, 5000);
        QCOMPARE(bucketsFailed[0][0].value<quint64>(), quint64(7));
        QCOMPARE(rangeFailed.size(), 1);
        QCOMPARE(rangeFailed[0][0].value<quint64>(), quint64(1));
    }
};

QTEST_MAIN(TestHistoryRangeSource)
#include "tst_historyrangesource.moc"
