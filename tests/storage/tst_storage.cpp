// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/database.h"
#include "storage/historyreader.h"
#include "storage/storagewriter.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
LiveFrame sampleFrame(qint64 second)
{
    SeriesStats timer;
    timer.key = u"api.latency|model:m1"_s;
    timer.kind = MetricKind::Timer;
    timer.count = 5;
    timer.rate = 5;
    timer.sum = 150;
    timer.min = 10;
    timer.max = 50;
    timer.p50 = 30;
    timer.p90 = 40;
    timer.p95 = 40;
    timer.p99 = 40;
    SeriesStats gauge;
    gauge.key = u"queue"_s;
    gauge.kind = MetricKind::Gauge;
    gauge.count = 1;
    gauge.sum = gauge.min = gauge.max = gauge.last = 7;
    return LiveFrame { second, { timer, gauge } };
}
} // namespace

class TestStorage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void migratesAFreshFileToTheLatestVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"sub/perfdash.db"_s);
        const auto result = Database::openWritable(u"t1"_s, path);
        QVERIFY2(result.ok, qPrintable(result.error));
        {
            auto db = QSqlDatabase::database(u"t1"_s);
            QCOMPARE(Database::schemaVersion(db), Database::latestSchemaVersion);
            QSqlQuery q(db);
            QVERIFY(q.exec(u"PRAGMA journal_mode"_s) && q.next());
            QCOMPARE(q.value(0).toString(), u"wal"_s);
        }
        Database::close(u"t1"_s);
        // Opening again is a no-op migration.
        const auto again = Database::openWritable(u"t2"_s, path);
        QVERIFY2(again.ok, qPrintable(again.error));
        QVERIFY(again.notice.isEmpty());
        Database::close(u"t2"_s);
    }

    void writerAndReaderRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"perfdash.db"_s);
        {
            StorageThread storage(path);
            const auto opened = storage.start();
            QVERIFY2(opened.ok, qPrintable(opened.error));
            storage.post({ sampleFrame(1000), sampleFrame(1001) });
            storage.post({ sampleFrame(1002) });
        } // destruction writes what is queued
        HistoryReader reader(path);
        QSignalSpy ready(&reader, &HistorySource::rangeReady);
        reader.requestRange(1001, 2000, 7);
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 5000);
        QCOMPARE(ready[0][0].value<quint64>(), quint64(7));
        const auto frames = ready[0][1].value<QVector<LiveFrame>>();
        QCOMPARE(frames.size(), 2);
        QCOMPARE(frames[0].second, 1001);
        QCOMPARE(frames[0].series.size(), 2);
        const SeriesStats &t = frames[0].series[0].key == u"queue"_s ? frames[0].series[1] : frames[0].series[0];
        QCOMPARE(t.key, u"api.latency|model:m1"_s);
        QCOMPARE(t.kind, MetricKind::Timer);
        QCOMPARE(t.count, 5);
        // Quantiles are stored as the sketch's bucket (1%); a quantile equal to min or max stays exact.
        QVERIFY2(std::abs(t.p50 - 30.0) <= 0.01 * 30.0, qPrintable(QString::number(t.p50)));
        QVERIFY2(std::abs(t.p99 - 40.0) <= 0.01 * 40.0, qPrintable(QString::number(t.p99)));
        QVERIFY(std::isnan(t.last));
    }

    void readerReportsAMissingFile()
    {
        QTemporaryDir dir;
        HistoryReader reader(dir.filePath(u"nothing.db"_s));
        QSignalSpy failed(&reader, &HistorySource::failed);
        reader.requestRange(0, 10, 1);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QVERIFY(!QFile::exists(dir.filePath(u"nothing.db"_s)));
    }

    void readOnlyConnectionCannotWrite()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"perfdash.db"_s);
        QVERIFY(Database::openWritable(u"w"_s, path).ok);
        QVERIFY(Database::openReadOnly(u"r"_s, path).ok);
        {
            QSqlQuery q(QSqlDatabase::database(u"r"_s));
            QVERIFY(!q.exec(u"INSERT INTO series(key, kind, first_seen) VALUES ('x', 0, 0)"_s));
        }
        Database::close(u"r"_s);
        Database::close(u"w"_s);
    }

    void corruptFileIsMovedAside()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"perfdash.db"_s);
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(8192, 'x'));
        }
        const auto result = Database::openWritable(u"c"_s, path);
        QVERIFY2(result.ok, qPrintable(result.error));
        QVERIFY(result.notice.contains(u"corrupt"_s));
        Database::close(u"c"_s);
        const auto moved = QDir(dir.path()).entryList({ u"perfdash.db.corrupt-*"_s });
        QCOMPARE(moved.size(), 1);
        QFile kept(dir.filePath(moved[0]));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), QByteArray(8192, 'x')); // the user's bytes are kept, not destroyed
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
