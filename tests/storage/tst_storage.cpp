// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/database.h"
#include "storage/historyreader.h"
#include "storage/storagewriter.h"

#include "models/quantilesketch.h"
#include "storage/historyquery.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kHour0 = 1795464000; // 2026-11-23T20:00:00Z

SeriesStats timerSecond()
{
    SeriesStats t;
    t.key = u"roll.latency|model:m1"_s;
    t.kind = MetricKind::Timer;
    t.count = 10;
    t.rate = 10;
    t.sum = 300;
    t.min = 10;
    t.max = 50;
    // Ten values: p90, p95 and p99 are all the value at rank 8 (quantiles are "lower" ones, rank floor(q * (n - 1))).
    t.p50 = 30;
    t.p90 = 45;
    t.p95 = 45;
    t.p99 = 45;
    return t;
}

SeriesStats counterSecond()
{
    SeriesStats c;
    c.key = u"roll.requests"_s;
    c.kind = MetricKind::Counter;
    c.count = 5;
    c.rate = 5;
    c.sum = 5;
    c.min = c.max = 1;
    return c;
}

// Tick i of a run from t0 as perfdashd posts it: the provisional frame of second t0 + i and, from the third tick on,
// the final frame of t0 + i - 2, whose grace period is over.
QVector<LiveFrame> tickAsPosted(qint64 t0, int i)
{
    QVector<LiveFrame> tick;
    tick.push_back(LiveFrame { t0 + i, { timerSecond(), counterSecond() } });
    tick.back().provisional = true;
    if (i >= 2)
        tick.push_back(LiveFrame { t0 + i - 2, { timerSecond(), counterSecond() } });
    return tick;
}

QVector<LiveFrame> seconds(qint64 from, qint64 count)
{
    QVector<LiveFrame> frames;
    for (qint64 s = from; s < from + count; ++s)
        frames.push_back(LiveFrame { s, { timerSecond(), counterSecond() } });
    return frames;
}

StorageOptions quiet()
{
    StorageOptions o;
    o.flushIntervalMs = 3600LL * 1000;
    o.flushOnPost = false;
    o.retentionIntervalMs = 3600LL * 1000;
    return o;
}

// Opens `path` read-only for the lifetime of the object and answers window queries by key.
class Reader {
public:
    explicit Reader(const QString &path)
        : m_name(u"reader-"_s % QString::number(++s_count))
    {
        m_ok = Database::openReadOnly(m_name, path).ok;
    }
    ~Reader() { Database::close(m_name); }
    bool ok() const { return m_ok; }
    SeriesWindow window(const QString &key, qint64 from, qint64 to, qint64 step)
    {
        HistoryQuery query(m_name);
        QVector<SeriesInfo> list;
        SeriesWindow w;
        if (!query.seriesList(&list, nullptr))
            return w;
        for (const auto &info : list) {
            if (info.key == key)
                query.window(info, from, to, step, &w, nullptr);
        }
        return w;
    }
    qint64 scalar(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
    }

private:
    static inline int s_count = 0;
    QString m_name;
    bool m_ok = false;
};

bool near(double got, double expected, double relative)
{
    return std::fabs(got - expected) <= relative * std::fabs(expected);
}
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

// A timer second as the aggregator makes it: exact count, sum, min and max, quantiles and the serialized sketch.
SeriesStats sketchedSecond(const QString &key, const std::vector<double> &values)
{
    QuantileSketch sketch;
    SeriesStats t;
    t.key = key;
    t.kind = MetricKind::Timer;
    for (double v : values) {
        sketch.add(v);
        t.sum += v;
        t.min = std::isnan(t.min) ? v : std::min(t.min, v);
        t.max = std::isnan(t.max) ? v : std::max(t.max, v);
    }
    t.count = qint64(values.size());
    t.rate = double(t.count);
    t.p50 = sketch.quantile(0.5);
    t.p90 = sketch.quantile(0.9);
    t.p95 = sketch.quantile(0.95);
    t.p99 = sketch.quantile(0.99);
    t.p999 = sketch.quantile(0.999);
    t.quantileError = sketch.relativeAccuracy();
    t.sketch = sketch.serialize();
    return t;
}

double exactQuantile(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    return values[size_t(std::floor(q * double(values.size() - 1)))];
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

        // Only the series asked for (what the GUI shows), from chunks and open rows alike.
        reader.requestRange(1000, 2000, 8, { u"queue"_s, u"no.such.series"_s });
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 5000);
        const auto only = ready[1][1].value<QVector<LiveFrame>>();
        QCOMPARE(only.size(), 3);
        for (const LiveFrame &f : only) {
            QCOMPARE(f.series.size(), 1);
            QCOMPARE(f.series[0].key, u"queue"_s);
        }
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

    void rollupsAreMergedInMemoryIntoMinutesAndHours()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"roll.db"_s);
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
            storage.post(seconds(kHour0, 2 * 3600 + 60)); // two hours and one minute
            QVERIFY(storage.flush());
        }
        Reader reader(path);
        QVERIFY(reader.ok());
        const qint64 end = kHour0 + 3LL * 3600;
        const auto s1 = reader.window(u"roll.latency|model:m1"_s, kHour0, end, 1);
        QCOMPARE(s1.tier, StorageTier::Second);
        QCOMPARE(s1.points.size(), 2 * 3600 + 60);
        const auto m1 = reader.window(u"roll.latency|model:m1"_s, kHour0, end, 60);
        QCOMPARE(m1.tier, StorageTier::Minute);
        QCOMPARE(m1.points.size(), 121);
        for (const auto &p : m1.points) {
            QCOMPARE(p.point.count, 600);
            QCOMPARE(p.point.sum, 18000.0);
            QCOMPARE(p.point.min, 10.0);
            QCOMPARE(p.point.max, 50.0);
            QCOMPARE(p.rate(), 10.0);
            QVERIFY2(near(p.point.q[0], 30.0, 0.05), qPrintable(QString::number(p.point.q[0])));
            // p99 of the minute: a tenth of its values are the seconds' maximum, 50.
            QVERIFY2(near(p.point.q[3], 50.0, 0.05), qPrintable(QString::number(p.point.q[3])));
        }
        const auto five = reader.window(u"roll.latency|model:m1"_s, kHour0, end, 300);
        QCOMPARE(five.tier, StorageTier::Minute);
        QCOMPARE(five.points.size(), 25);
        QCOMPARE(five.points[0].point.count, 3000);
        QVERIFY(near(five.points[0].point.q[0], 30.0, 0.05)); // merged minute sketches
        const auto h1 = reader.window(u"roll.latency|model:m1"_s, kHour0, end, 3600);
        QCOMPARE(h1.tier, StorageTier::Hour);
        QCOMPARE(h1.points.size(), 3);
        QCOMPARE(h1.points[0].point.count, 36000);
        QCOMPARE(h1.points[2].point.count, 600);
        QVERIFY(near(h1.points[0].point.q[1], 45.0, 0.05));
        const auto d1 = reader.window(u"roll.latency|model:m1"_s, kHour0 - 86400, end + 86400, 86400);
        qint64 total = 0;
        for (const auto &p : d1.points)
            total += p.point.count;
        QCOMPARE(total, qint64(72600));
        QVERIFY(near(d1.points.last().point.q[0], 30.0, 0.05)); // merged hour sketches
        const auto c1 = reader.window(u"roll.requests"_s, kHour0, end, 3600);
        QCOMPARE(c1.points.size(), 3);
        QCOMPARE(c1.points[0].point.count, 5 * 3600);
        QVERIFY(std::isnan(c1.points[0].point.q[0])); // counters have no quantiles
        // One chunk row per series per chunk span (1 s tier 60 s, 1 min tier 1 h, 1 h tier 1 d); the last of each is
        // open. Sketches: timers only, the open bucket's with its open chunk.
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM chunk_1s"_s), 2 * 120);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM chunk_1m"_s), 2 * 2);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM chunk_1h"_s), 0);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM open_chunks"_s), 2 * 3);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM sketch_1m"_s), 120);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM sketch_1h"_s), 2);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM open_chunks WHERE sketch IS NOT NULL"_s), 2);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM chunk_1s WHERE hex(substr(data, 2, 1)) = '01'"_s),
            reader.scalar(u"SELECT COUNT(*) FROM chunk_1s"_s)); // closed chunks are deflated
    }

    void aRestartContinuesTheOpenChunkAndBucket()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"resume.db"_s);
        for (int run = 0; run < 3; ++run) {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
            storage.post(seconds(kHour0 + 20LL * run, 20));
        } // each run ends inside the same minute, hour and chunks
        Reader reader(path);
        QCOMPARE(reader.window(u"roll.latency|model:m1"_s, kHour0, kHour0 + 60, 1).points.size(), 60);
        const auto m = reader.window(u"roll.latency|model:m1"_s, kHour0, kHour0 + 60, 60);
        QCOMPARE(m.points.size(), 1);
        QCOMPARE(m.points[0].point.count, 600);
        const auto h = reader.window(u"roll.requests"_s, kHour0, kHour0 + 3600, 3600);
        QCOMPARE(h.points.size(), 1);
        QCOMPARE(h.points[0].point.count, 300);
        // The merged sketch continued too: its count is every second's.
        QVERIFY(near(m.points[0].point.q[0], 30.0, 0.05));
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM chunk_1s"_s), 0);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM open_chunks WHERE tier = 0"_s), 2);
    }

    // The rollups keep their open chunks' closed buckets encoded between writes, and the open bucket as a row. Runs
    // stopped and started again at odd points (mid-minute, just past the hour, mid-day chunk), or cut off as kill -9
    // leaves them (the files copied after a live flush, and carried on from the copy), with live flushes between,
    // store the same minute and hour rows as one run straight through, across the close of a 1 min chunk (each
    // hour) and of a 1 h chunk (midnight). So do two runs whose producer changes the quantiles' accuracy mid-chunk.
    void rollupRowsAreTheSameAcrossRestartsAndLiveFlushes()
    {
        QTemporaryDir dir;
        const qint64 from = kHour0 + 3000; // 20:50 UTC
        const int total = 4 * 3600; // to 00:50: the day's 1 h chunk closes at midnight
        const auto second = [](qint64 t, double accuracy) {
            SeriesStats timer = timerSecond();
            timer.count = 5 + t % 11;
            timer.rate = double(timer.count);
            timer.min = 5 + double(t % 3);
            timer.max = 60 + double(t % 17);
            timer.p50 = 20 + double(t % 13) / 4;
            timer.p90 = timer.p95 = 40 + double(t % 7);
            timer.p99 = timer.max - 1;
            timer.sum = double(timer.count) * (timer.p50 + 0.125);
            timer.quantileError = accuracy;
            SeriesStats counter = counterSecond();
            counter.count = 1 + t % 7;
            counter.sum = double(counter.count);
            SeriesStats gauge;
            gauge.key = u"queue"_s;
            gauge.kind = MetricKind::Gauge;
            gauge.count = 1;
            gauge.sum = gauge.min = gauge.max = gauge.last = double((t * 37) % 101) / 10;
            return LiveFrame { t, { timer, counter, gauge } };
        };
        struct Run {
            QList<int> restarts; // the writer stopped (a full flush) and started again before second i
            QList<int> crashes; // a live flush after second i, the files copied; the run carries on from the copy
            int accuracyChange = -1; // from second i the timer's quantiles are kept at 2 % instead of 1 %
        };
        int copies = 0;
        // The file the run ends in, or nothing when the writer failed.
        const auto write = [&](const QString &name, const Run &run) -> QString {
            QString path = dir.filePath(name);
            auto storage = std::make_unique<StorageThread>(path, quiet());
            if (!storage->start().ok)
                return {};
            for (int i = 0; i < total; ++i) {
                if (run.restarts.contains(i)) {
                    storage = std::make_unique<StorageThread>(path, quiet());
                    if (!storage->start().ok)
                        return {};
                }
                const double accuracy = run.accuracyChange >= 0 && i >= run.accuracyChange ? 0.02 : 0.01;
                storage->post({ second(from + i, accuracy) });
                const bool crash = run.crashes.contains(i);
                if ((i % 7 == 6 || crash) && !storage->flush(FlushScope::Live))
                    return {};
                if (crash) {
                    const QString copy = dir.filePath(u"copy"_s + QString::number(++copies) + u".db"_s);
                    for (const auto &suffix : { u""_s, u"-wal"_s }) {
                        if (QFile::exists(path + suffix) && !QFile::copy(path + suffix, copy + suffix))
                            return {};
                    }
                    storage.reset();
                    path = copy;
                    storage = std::make_unique<StorageThread>(path, quiet());
                    if (!storage->start().ok)
                        return {};
                }
            }
            return storage->flush() ? path : QString();
        };
        const auto compareRollups = [&](const QString &one, const QString &other) {
            Reader a(one);
            Reader b(other);
            QCOMPARE(a.scalar(u"SELECT COUNT(*) FROM chunk_1m"_s), 3 * 4); // 20:00, 21:00, 22:00 and 23:00 closed
            QCOMPARE(a.scalar(u"SELECT COUNT(*) FROM chunk_1h"_s), 3); // the day to midnight
            for (const auto &sql : { u"SELECT COUNT(*) FROM chunk_1m"_s, u"SELECT COUNT(*) FROM chunk_1h"_s,
                     u"SELECT COUNT(*) FROM sketch_1m"_s, u"SELECT COUNT(*) FROM sketch_1h"_s })
                QCOMPARE(b.scalar(sql), a.scalar(sql));
            for (const auto &key : { u"roll.latency|model:m1"_s, u"roll.requests"_s, u"queue"_s }) {
                for (qint64 step : { 60, 3600 }) {
                    const auto wa = a.window(key, kHour0, from + total, step);
                    const auto wb = b.window(key, kHour0, from + total, step);
                    QCOMPARE(wa.points.size(), int(step == 60 ? total / 60 : 5));
                    QCOMPARE(wb.points.size(), wa.points.size());
                    for (int i = 0; i < wa.points.size(); ++i) {
                        const StoredPoint &x = wa.points[i].point;
                        const StoredPoint &y = wb.points[i].point;
                        const QByteArray where = other.toUtf8() + ": " + key.toUtf8() + " step "
                            + QByteArray::number(step) + " row " + QByteArray::number(i) + ", counts "
                            + QByteArray::number(x.count) + " and " + QByteArray::number(y.count);
                        QVERIFY2(x.time == y.time && x.count == y.count && x.min == y.min && x.max == y.max,
                            where.constData());
                        QVERIFY2(near(y.sum, x.sum, 1e-12), where.constData());
                        QVERIFY2(std::isnan(x.last) ? std::isnan(y.last) : x.last == y.last, where.constData());
                        for (int q = 0; q < StoredPoint::kQuantiles; ++q)
                            QVERIFY2(std::isnan(x.q[size_t(q)]) ? std::isnan(y.q[size_t(q)])
                                                                : near(y.q[size_t(q)], x.q[size_t(q)], 1e-9),
                                where.constData());
                    }
                }
            }
            // Every second counted once.
            qint64 counted = 0;
            for (const auto &p : b.window(u"roll.requests"_s, kHour0, from + total, 86400).points)
                counted += p.point.count;
            qint64 expected = 0;
            for (int i = 0; i < total; ++i)
                expected += 1 + (from + i) % 7;
            QCOMPARE(counted, expected);
        };
        const QString straight = write(u"straight.db"_s, { {}, {}, -1 });
        QVERIFY(!straight.isEmpty());
        const QString restarted
            = write(u"restarted.db"_s, { { 17 * 60 + 13, 600 + 3, 600 + 3600 + 1, 3 * 3600 + 1234 }, {}, -1 });
        QVERIFY(!restarted.isEmpty());
        compareRollups(straight, restarted);
        if (QTest::currentTestFailed())
            return;
        // Cut off 6 s and 13 s into a new hour (the 1 min chunk just closed), mid-minute, and 6 s past midnight.
        const QString crashed = write(u"crashed.db"_s, { {}, { 1000, 600 + 6, 600 + 13, 3 * 3600 + 600 + 6 }, -1 });
        QVERIFY(!crashed.isEmpty());
        compareRollups(straight, crashed);
        if (QTest::currentTestFailed())
            return;
        const QString changed = write(u"changed.db"_s, { {}, {}, 1500 });
        const QString changedRestarted = write(u"changed-restarted.db"_s, { { 2000 }, {}, 1500 });
        QVERIFY(!changed.isEmpty() && !changedRestarted.isEmpty());
        compareRollups(changed, changedRestarted);
    }

    void lateAndRepeatedSecondsAreCountedNotStoredTwice()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"late.db"_s);
        StorageThread storage(path, quiet());
        QVERIFY(storage.start().ok);
        storage.post(seconds(kHour0 + 10, 2));
        storage.post(seconds(kHour0 + 11, 1)); // repeated
        storage.post(seconds(kHour0 + 5, 1)); // late
        QVERIFY(storage.flush());
        QCOMPARE(storage.counters().lateValues.load(), quint64(4));
        QCOMPARE(storage.counters().valuesWritten.load(), quint64(4));
        Reader reader(path);
        QCOMPARE(reader.window(u"roll.requests"_s, kHour0, kHour0 + 60, 60).points.value(0).point.count, 10);
    }

    void provisionalSecondsAreStoredAndReplacedByTheirFinalFrames()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"provisional.db"_s);
        StorageThread storage(path, quiet());
        QVERIFY(storage.start().ok);
        const auto frame = [](qint64 second, qint64 count, bool provisional) {
            SeriesStats c = counterSecond();
            c.count = count;
            c.sum = double(count);
            LiveFrame f { second, { c } };
            f.provisional = provisional;
            return f;
        };
        const qint64 t = kHour0 + 58; // the provisional seconds reach into the next 1 s chunk
        const auto counts = [&](qint64 from, qint64 to) {
            Reader reader(path);
            QList<qint64> out;
            for (const auto &p : reader.window(u"roll.requests"_s, from, to, 1).points)
                out.push_back(p.point.count);
            return out;
        };
        // As perfdashd posts them: each tick the provisional frame of the second that just ended and the final
        // frame of the one whose grace period is over.
        storage.post({ frame(t, 3, true) });
        QVERIFY(storage.flush(FlushScope::Live));
        QCOMPARE(counts(t, t + 10), (QList<qint64> { 3 }));
        storage.post({ frame(t + 1, 3, true) });
        QVERIFY(storage.flush(FlushScope::Live));
        storage.post({ frame(t + 2, 3, true), frame(t, 5, false) });
        QVERIFY(storage.flush(FlushScope::Live));
        QCOMPARE(counts(t, t + 10), (QList<qint64> { 5, 3, 3 }));
        QCOMPARE(counts(t + 2, t + 3), (QList<qint64> { 3 })); // found from the chunk the tail follows
        {
            // The GUI's history (HistoryReader::requestRange) sees them too.
            QVERIFY(Database::openReadOnly(u"frames"_s, path).ok);
            QVector<LiveFrame> frames;
            QVERIFY(HistoryQuery(u"frames"_s).secondsAsFrames(t, t + 10, &frames, nullptr));
            Database::close(u"frames"_s);
            QCOMPARE(frames.size(), 3);
            QCOMPARE(frames[2].second, t + 2);
            QCOMPARE(frames[2].series.value(0).count, 3);
        }
        // The final frame replaces the provisional row, whether it changed it or not.
        storage.post({ frame(t + 1, 4, false), frame(t + 2, 3, false) });
        QVERIFY(storage.flush(FlushScope::Live));
        QCOMPARE(counts(t, t + 10), (QList<qint64> { 5, 4, 3 }));
        QVERIFY(storage.flush());
        Reader reader(path);
        qint64 minuteTotal = 0;
        for (const auto &p : reader.window(u"roll.requests"_s, kHour0, kHour0 + 3600, 60).points)
            minuteTotal += p.point.count;
        QCOMPARE(minuteTotal, qint64(12)); // finals only: nothing counted twice
        QCOMPARE(storage.counters().valuesWritten.load(), quint64(3));
        QCOMPARE(storage.counters().provisionalValues.load(), quint64(3));
        QCOMPARE(storage.counters().lateValues.load(), quint64(0));
    }

    void provisionalSecondsAndRollupsSurviveACrash()
    {
        // A copy of the files between two flushes is what kill -9 leaves: the last commit and nothing after it.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"live.db"_s);
        const QString crashed = dir.filePath(u"crashed.db"_s);
        StorageOptions options = quiet();
        options.rollupWriteIntervalS = 10;
        const qint64 t0 = kHour0 + 40;
        const int finals = 25; // t0 .. t0 + 24 final, crossing a minute and a 1 s chunk
        {
            StorageThread storage(path, options);
            QVERIFY(storage.start().ok);
            for (int i = 0; i < finals + 2; ++i) {
                storage.post(tickAsPosted(t0, i));
                QVERIFY(storage.flush(FlushScope::Live));
            }
            for (const auto &suffix : { u""_s, u"-wal"_s })
                QVERIFY(QFile::copy(path + suffix, crashed + suffix));
        }
        {
            Reader reader(crashed);
            QCOMPARE(reader.window(u"roll.requests"_s, t0, t0 + 100, 1).points.size(), finals + 2);
            // The rollup rows on disk lag by up to 10 s of data; reads fill the gap from the 1 s tier, provisional
            // seconds included, so every step reads every stored second.
            const qint64 through = reader.scalar(u"SELECT max(through) FROM open_chunks WHERE tier = 1"_s);
            QVERIFY2(through < t0 + finals - 1 && through >= t0 + finals - 11, qPrintable(QString::number(through)));
            for (qint64 step : { 60, 3600, 86400 }) {
                qint64 total = 0;
                for (const auto &p : reader.window(u"roll.requests"_s, t0, t0 + 100, step).points)
                    total += p.point.count;
                QCOMPARE(total, qint64(5 * (finals + 2)));
            }
        }
        {
            // The restart folds the seconds the rollup rows had not seen into them, provisional ones included.
            StorageThread storage(crashed, options);
            QVERIFY(storage.start().ok);
            storage.post({ LiveFrame { t0 + finals + 5, { timerSecond(), counterSecond() } } });
        }
        Reader reader(crashed);
        const auto seconds = reader.window(u"roll.latency|model:m1"_s, t0, t0 + 100, 1);
        QCOMPARE(seconds.points.size(), finals + 3);
        for (const auto &key : { u"roll.requests"_s, u"roll.latency|model:m1"_s }) {
            const qint64 perSecond = key == u"roll.requests"_s ? 5 : 10;
            for (qint64 step : { 60, 3600 }) {
                qint64 total = 0;
                for (const auto &p : reader.window(key, kHour0, kHour0 + 3600, step).points)
                    total += p.point.count;
                QCOMPARE(total, perSecond * (finals + 3));
            }
        }
        const auto m = reader.window(u"roll.latency|model:m1"_s, t0, t0 + 100, 60);
        QCOMPARE(m.points.size(), 2);
        QVERIFY(near(m.points[1].point.q[0], 30.0, 0.05)); // approximated seconds merge into the same curve
        QCOMPARE(m.points[1].point.max, 50.0);
    }

    void everyStepReadsEveryStoredSecondWhileRollupsLag()
    {
        // As perfdashd writes: each tick the provisional frame of the second that just ended and the final frame of the
        // one whose grace period (2 s) is over, live flushes only (rollup rows written every 10 s of data, staggered).
        // Read 2 s after the last value, every step holds every value: the rollup tiers' unrolled 1 s tail is merged.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"tail.db"_s);
        StorageOptions options = quiet();
        options.rollupWriteIntervalS = 10;
        StorageThread storage(path, options);
        QVERIFY(storage.start().ok);
        const QString key = u"tail.latency|model:m1"_s;
        std::mt19937 rng(7);
        std::lognormal_distribution<double> latency(3.0, 0.6);
        std::vector<double> all;
        std::map<qint64, std::vector<double>> perSecond;
        const qint64 t0 = kHour0 + 3600 - 47; // crosses a minute, an hour and a 1 s chunk
        const int n = 95;
        for (int i = 0; i < n + 2; ++i) {
            QVector<LiveFrame> tick;
            if (i < n) {
                std::vector<double> values(size_t(20 + i % 13));
                for (double &v : values)
                    v = std::round(latency(rng) * 1000.0) / 1000.0;
                perSecond[t0 + i] = values;
                all.insert(all.end(), values.begin(), values.end());
                LiveFrame provisional { t0 + i, { sketchedSecond(key, values), counterSecond() } };
                provisional.provisional = true;
                tick.push_back(provisional);
            }
            if (i >= 2 && i - 2 < n - 2) // the last two seconds stay provisional: their grace period is not over
                tick.push_back(
                    LiveFrame { t0 + i - 2, { sketchedSecond(key, perSecond[t0 + i - 2]), counterSecond() } });
            storage.post(tick);
            QVERIFY(storage.flush(FlushScope::Live));
        }
        const double sum = std::accumulate(all.begin(), all.end(), 0.0);
        const double lo = *std::min_element(all.begin(), all.end());
        const double hi = *std::max_element(all.begin(), all.end());
        struct Read {
            qint64 count = 0;
            double sum = 0;
            double min = std::nan("");
            double max = std::nan("");
        };
        const auto readAll = [&](const QString &k, qint64 step) {
            Reader reader(path);
            Read r;
            for (const auto &p : reader.window(k, kHour0 - 86400, kHour0 + 2LL * 86400, step).points) {
                r.count += p.point.count;
                r.sum += p.point.sum;
                r.min = std::isnan(r.min) ? p.point.min : std::min(r.min, p.point.min);
                r.max = std::isnan(r.max) ? p.point.max : std::max(r.max, p.point.max);
            }
            return r;
        };
        {
            Reader reader(path);
            QVERIFY2(reader.scalar(u"SELECT min(through) FROM open_chunks WHERE tier > 0"_s) < t0 + n - 3,
                "the rollup rows on disk trail the 1 s tier (else this test tests nothing)");
        }
        for (qint64 step : { 1, 60, 300, 3600, 86400 }) {
            const Read r = readAll(key, step);
            QCOMPARE(r.count, qint64(all.size()));
            QVERIFY2(std::fabs(r.sum - sum) <= 1e-9 * sum,
                qPrintable(u"step %1: sum %2 vs %3"_s.arg(step).arg(r.sum).arg(sum)));
            QCOMPARE(r.min, lo);
            QCOMPARE(r.max, hi);
            QCOMPARE(readAll(u"roll.requests"_s, step).count, qint64(5 * n));
        }
        // Quantiles of the buckets holding tail seconds: sketch of the rolled-up seconds plus an approximation of the
        // tail seconds from their stored quantiles. Compared with the exact quantiles of the bucket's values, and
        // with what the same buckets read once every rollup row is written (one merged sketch each).
        const auto worstErrors = [&](double tolerance) {
            QMap<QString, double> worst;
            for (qint64 step : { 60, 3600, 86400 }) {
                Reader reader(path);
                const auto w = reader.window(key, kHour0 - 86400, kHour0 + 2LL * 86400, step);
                for (const auto &p : w.points) {
                    std::vector<double> values;
                    for (const auto &[second, v] : perSecond) {
                        if (floorTo(second, step) == p.point.time)
                            values.insert(values.end(), v.begin(), v.end());
                    }
                    if (qint64(values.size()) != p.point.count)
                        qFatal("step %lld: %lld values read, %zu sent", step, p.point.count, values.size());
                    for (int i = 0; i < 4; ++i) {
                        const double level = StoredPoint::kQuantileLevels[size_t(i)];
                        const double exact = exactQuantile(values, level);
                        const double error = std::fabs(p.point.q[size_t(i)] - exact) / exact;
                        const QString name = u"%1 s p%2"_s.arg(step).arg(level * 100);
                        worst[name] = std::max(worst.value(name), error);
                        if (error > tolerance)
                            qWarning("%s: %g vs %g", qPrintable(name), p.point.q[size_t(i)], exact);
                    }
                }
            }
            QStringList report;
            double max = 0;
            for (auto it = worst.cbegin(); it != worst.cend(); ++it) {
                report << u"%1 %2%"_s.arg(it.key()).arg(it.value() * 100, 0, 'f', 2);
                max = std::max(max, it.value());
            }
            qInfo("worst relative quantile errors: %s", qPrintable(report.join(u", "_s)));
            return max;
        };
        // docs/storage.md: the sketch's 1%, plus what the approximated tail seconds (a quarter of the last minute
        // here) can shift the rank; measured within 1.2% for this data.
        QVERIFY(worstErrors(0.02) <= 0.02);
        QVERIFY(storage.flush()); // every rollup row written: the buckets are merged sketches only
        QVERIFY(worstErrors(0.02) <= 0.02);
        // The GUI's seconds (HistoryQuery::secondsAsFrames) hold every second too.
        QVERIFY(Database::openReadOnly(u"tail-frames"_s, path).ok);
        QVector<LiveFrame> frames;
        QVERIFY(HistoryQuery(u"tail-frames"_s).secondsAsFrames(t0, t0 + n + 10, &frames, nullptr));
        Database::close(u"tail-frames"_s);
        QCOMPARE(frames.size(), n);
    }

    void recentSecondsAreReadBeforeTheirOpenRowHoldsThem()
    {
        // docs/storage.md, "Recent seconds": between two rewrites of a series' open 1 s row (every 10 s of data here),
        // its new seconds go to one recent_1s block per flush. Readers see every second anyway, provisional ones
        // included; a copy taken between two flushes (what kill -9 leaves) is continued by the next writer; a clean
        // stop leaves no block behind; blocks no open row needs any more are deleted as the writer goes.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"recent.db"_s);
        const QString crashed = dir.filePath(u"crashed.db"_s);
        StorageOptions options = quiet();
        options.rollupWriteIntervalS = 10;
        const qint64 t0 = kHour0 + 3;
        const int finals = 33;
        const auto countsOf = [](const QString &file, qint64 from, qint64 to) {
            Reader reader(file);
            QList<qint64> out;
            for (const auto &p : reader.window(u"roll.requests"_s, from, to, 1).points)
                out.push_back(p.point.count);
            return out;
        };
        const auto expected = [&](int n, int provisional) {
            QList<qint64> out(n, 5);
            for (int i = 0; i < provisional; ++i)
                out.push_back(5);
            return out;
        };
        qint64 maxBlocks = 0;
        {
            StorageThread storage(path, options);
            QVERIFY(storage.start().ok);
            for (int i = 0; i < finals + 2; ++i) {
                storage.post(tickAsPosted(t0, i));
                QVERIFY(storage.flush(FlushScope::Live));
                Reader reader(path);
                maxBlocks = std::max(maxBlocks, reader.scalar(u"SELECT count(*) FROM recent_1s"_s));
                // Every final second and the newest provisional ones, in both read paths.
                QCOMPARE(countsOf(path, t0, t0 + 100), expected(std::max(0, i - 1), std::min(i + 1, 2)));
            }
            {
                Reader reader(path);
                QVERIFY2(reader.scalar(u"SELECT count(*) FROM recent_1s"_s) > 0, "no block written");
                QVERIFY(Database::openReadOnly(u"recent-frames"_s, path).ok);
                QVector<LiveFrame> frames;
                QVERIFY(HistoryQuery(u"recent-frames"_s).secondsAsFrames(t0, t0 + 100, &frames, nullptr));
                Database::close(u"recent-frames"_s);
                QCOMPARE(frames.size(), finals + 2);
                for (const LiveFrame &f : frames)
                    QCOMPARE(f.series.size(), 2);
            }
            for (const auto &suffix : { u""_s, u"-wal"_s })
                QVERIFY(QFile::copy(path + suffix, crashed + suffix));
        }
        // Each series' open row is rewritten at least every 10 s of data, so about 10 blocks are ever needed.
        QVERIFY2(maxBlocks >= 1 && maxBlocks <= 11, qPrintable(QString::number(maxBlocks)));
        {
            Reader reader(path);
            QCOMPARE(reader.scalar(u"SELECT count(*) FROM recent_1s"_s), 0);
        }
        QCOMPARE(countsOf(path, t0, t0 + 100), expected(finals, 2));
        {
            // Only a provisional second since the last open-row write: it goes to a block (no rollup changed), and a
            // clean stop still folds it into the open row.
            StorageThread storage(path, options);
            QVERIFY(storage.start().ok);
            storage.post({ LiveFrame { t0 + finals, { timerSecond(), counterSecond() } } });
            QVERIFY(storage.flush(FlushScope::Live));
            LiveFrame provisional { t0 + finals + 3, { timerSecond(), counterSecond() } };
            provisional.provisional = true;
            storage.post({ provisional });
            QVERIFY(storage.flush(FlushScope::Live));
            Reader reader(path);
            QVERIFY(reader.scalar(u"SELECT count(*) FROM recent_1s"_s) >= 1);
        }
        {
            Reader reader(path);
            QCOMPARE(reader.scalar(u"SELECT count(*) FROM recent_1s"_s), 0);
        }
        {
            // The next writer folds the blocks into the open rows, then goes on where the last one stopped.
            QCOMPARE(countsOf(crashed, t0, t0 + 100), expected(finals, 2));
            StorageThread storage(crashed, options);
            QVERIFY(storage.start().ok);
            {
                Reader reader(crashed);
                QCOMPARE(reader.scalar(u"SELECT count(*) FROM recent_1s"_s), 0);
            }
            QCOMPARE(countsOf(crashed, t0, t0 + 100), expected(finals, 2));
            for (int i = finals + 2; i < finals + 15; ++i) {
                storage.post({ LiveFrame { t0 + i, { timerSecond(), counterSecond() } } });
                QVERIFY(storage.flush(FlushScope::Live));
            }
            QCOMPARE(countsOf(crashed, t0, t0 + 100), expected(finals + 15, 0));
        }
        QCOMPARE(countsOf(crashed, t0, t0 + 100), expected(finals + 15, 0));
        Reader reader(crashed);
        qint64 minuteTotal = 0;
        for (const auto &p : reader.window(u"roll.requests"_s, kHour0, kHour0 + 3600, 60).points)
            minuteTotal += p.point.count;
        QCOMPARE(minuteTotal, qint64(5 * (finals + 15)));
    }

    void retentionDeletesExpiredChunksInBatches()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"retention.db"_s);
        StorageOptions options = quiet();
        options.retention.second = 3600;
        options.retention.minute = 2LL * 3600;
        options.retentionBatch = 50;
        options.clock = []() { return kHour0 + 4LL * 3600; };
        StorageThread storage(path, options);
        QVERIFY(storage.start().ok);
        storage.post(seconds(kHour0, 4LL * 3600));
        QVERIFY(storage.flush());
        QList<int> batches;
        for (int i = 0; i < 100; ++i) {
            int deleted = 0;
            QMetaObject::invokeMethod(
                storage.writer(), [&]() { deleted = storage.writer()->runRetention(); }, Qt::BlockingQueuedConnection);
            batches.push_back(deleted);
            if (deleted == 0)
                break;
        }
        QVERIFY(batches.size() > 3);
        QVERIFY(std::all_of(batches.begin(), batches.end(), [](int d) { return d <= 5 * 50; }));
        Reader reader(path);
        // 1 s: the last hour, whole chunks only; 1 min: the last two hours; 1 h: everything.
        QCOMPARE(reader.scalar(u"SELECT MIN(start) FROM chunk_1s"_s), kHour0 + 3LL * 3600);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM chunk_1s"_s), 2 * 59); // and the open one
        QCOMPARE(reader.scalar(u"SELECT MIN(start) FROM sketch_1m"_s), kHour0 + 2LL * 3600);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM open_chunks WHERE tier = 2"_s), 2);
        QCOMPARE(reader.window(u"roll.requests"_s, kHour0, kHour0 + 4LL * 3600, 3600).points.size(), 4);
        QCOMPARE(
            storage.counters().retentionDeleted.load(), quint64(std::accumulate(batches.begin(), batches.end(), 0)));
    }

    // Work records older than their retention go in batches, oldest first, a run with its steps (seed 003's
    // cleanup_old_metrics(days=90)); a retention of 0 keeps them forever.
    void retentionDeletesExpiredWorkRecordsInBatches()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"work-retention.db"_s);
        constexpr qint64 kDay = 86400;
        const qint64 now = kHour0 + 200 * kDay;
        StorageOptions options = quiet();
        options.workRetention.operations = 90 * kDay;
        options.workRetention.runs = 30 * kDay;
        options.workRetention.apiCalls = 7 * kDay;
        options.workRetention.notifications = 0; // forever
        options.retentionBatch = 50;
        options.clock = [now]() { return now; };
        StorageThread storage(path, options);
        QVERIFY(storage.start().ok);
        WorkRecordBatch work;
        for (int day = 0; day < 200; ++day) { // one of each a day, from 200 days ago to yesterday
            const qint64 t = now - (200 - day) * kDay;
            OperationRecord op;
            op.timeMs = t * 1000;
            op.name = u"import"_s;
            work.operations.push_back(op);
            RunRecord run;
            run.workflow = u"train"_s;
            run.start = double(t);
            run.end = double(t + 10);
            run.steps = { { u"load"_s, double(t), 4 }, { u"fit"_s, double(t + 4), 6 } };
            work.runs.push_back(run);
            ApiCallRecord call;
            call.timeMs = t * 1000;
            call.endpoint = u"/v1/charge"_s;
            work.apiCalls.push_back(call);
            NotificationRecord note;
            note.timeMs = t * 1000;
            note.channel = u"email"_s;
            work.notifications.push_back(note);
        }
        storage.postWorkRecords(work);
        QVERIFY(storage.flush());
        QList<int> batches;
        for (int i = 0; i < 100; ++i) {
            int deleted = 0;
            QMetaObject::invokeMethod(
                storage.writer(), [&]() { deleted = storage.writer()->runRetention(); }, Qt::BlockingQueuedConnection);
            batches.push_back(deleted);
            if (deleted == 0)
                break;
        }
        QVERIFY(batches.size() > 3); // 110 + 170 (+ 340 steps) + 193 rows to go, at most 50 a table a pass
        QVERIFY(std::all_of(batches.begin(), batches.end(), [](int d) { return d <= 4 * 50; }));
        Reader reader(path);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM operations"_s), 90);
        QCOMPARE(reader.scalar(u"SELECT MIN(time) FROM operations"_s), now - 90 * kDay);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM runs"_s), 30);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM steps"_s), 60);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM steps WHERE run_id NOT IN (SELECT id FROM runs)"_s), 0);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM api_calls"_s), 7);
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM notifications"_s), 200);
        QCOMPARE(storage.counters().retentionDeleted.load(), quint64(110 + 170 + 2 * 170 + 193));
    }

    // A range of runs with many samples: the newest runs bring theirs up to the read's budget, the rest only their
    // size.
    void runSamplesAreReadUpToABudget()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"telemetry.db"_s);
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
            // 1,000,000 bytes of samples a run: 16 fit the 16 MiB budget, the 17th does not.
            const QByteArray sample = "{\"ts\":1796547600,\"blob\":\"" + QByteArray(150, 'x') + "\"}";
            QByteArray samples = "[";
            while (samples.size() + sample.size() + 2 < 1000000)
                samples += (samples.size() > 1 ? "," : "") + sample;
            samples += QByteArray(1000000 - 1 - samples.size(), ' ') + "]";
            QCOMPARE(samples.size(), 1000000);
            WorkRecordBatch work;
            for (int i = 0; i < 20; ++i) {
                RunRecord run;
                run.workflow = u"train"_s;
                run.start = double(kHour0 + i);
                run.end = double(kHour0 + i + 1);
                run.telemetry = samples;
                work.runs.push_back(run);
            }
            storage.postWorkRecords(work);
            QVERIFY(storage.flush());
        }
        QVERIFY(Database::openReadOnly(u"budget"_s, path).ok);
        {
            HistoryQuery query(u"budget"_s);
            QVector<RunRecord> runs;
            QString error;
            QVERIFY2(query.runs(kHour0, kHour0 + 3600, 100, &runs, &error), qPrintable(error));
            QCOMPARE(runs.size(), 20);
            for (int i = 0; i < 20; ++i) {
                QCOMPARE(runs[i].start, double(kHour0 + 19 - i)); // newest first
                QCOMPARE(runs[i].telemetryBytes, qint64(1000000));
                QCOMPARE(runs[i].telemetry.size(), i < 16 ? 1000000 : 0);
            }
        }
        Database::close(u"budget"_s);
    }

    void version1RowsBecomeChunks()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"v1.db"_s);
        {
            auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v1"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(
                q.exec(u"CREATE TABLE series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL,"
                       " first_seen INTEGER NOT NULL)"_s));
            QVERIFY(
                q.exec(u"CREATE TABLE stats_1s (series_id INTEGER NOT NULL REFERENCES series(id), ts INTEGER NOT NULL,"
                       " count INTEGER NOT NULL, rate REAL, sum REAL, min REAL, max REAL, last REAL, p50 REAL,"
                       " p90 REAL, p95 REAL, p99 REAL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID"_s));
            QVERIFY(q.exec(u"CREATE INDEX stats_1s_ts ON stats_1s(ts)"_s));
            QVERIFY(q.exec(u"INSERT INTO series VALUES (1, 'old.timer', 2, %1)"_s.arg(kHour0)));
            for (int i = 0; i < 90; ++i)
                QVERIFY(q.exec(
                    u"INSERT INTO stats_1s VALUES (1, %1, 4, 4, 40, 5, 15, NULL, 10, 15, 15, 15)"_s.arg(kHour0 + i)));
            QVERIFY(q.exec(u"PRAGMA user_version = 1"_s));
        }
        QSqlDatabase::removeDatabase(u"v1"_s);
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
        }
        Reader reader(path);
        QCOMPARE(reader.scalar(u"PRAGMA user_version"_s), qint64(Database::latestSchemaVersion));
        QCOMPARE(reader.scalar(u"SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%stats_1s%'"_s), 0);
        const auto s = reader.window(u"old.timer"_s, kHour0, kHour0 + 3600, 1);
        QCOMPARE(s.points.size(), 90);
        QCOMPARE(s.points[0].point.min, 5.0);
        QCOMPARE(s.points[0].point.q[3], 15.0); // p99 == max stays exact
        const auto m = reader.window(u"old.timer"_s, kHour0, kHour0 + 3600, 60);
        QCOMPARE(m.points.size(), 2);
        QCOMPARE(m.points[0].point.count, 240);
    }

    void operationsCutLongErrorsAndServeTheStandardQueriesFromIndexes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"ops.db"_s);
        QVERIFY(Database::openWritable(u"ops"_s, path).ok);
        {
            QSqlQuery q(QSqlDatabase::database(u"ops"_s));
            QVERIFY(
                q.prepare(u"INSERT INTO operations(guid, time, op_code, tenant, operation_name, target,"
                          " items_processed, elapsed_s, items_per_s, memory_mb, file_size_mb, cache_hits, api_calls,"
                          " success, error_message, error_category) VALUES (?, ?, 'OP1', 'pkg', 'predict', 'm1',"
                          " 100, 2.5, 40, 512, 3.5, 7, 2, ?, ?, ?)"_s));
            q.addBindValue(u"guid-1"_s);
            q.addBindValue(kHour0);
            q.addBindValue(0);
            q.addBindValue(QString(6000, u'x'));
            q.addBindValue(u"timeout"_s);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            QVERIFY(q.exec(u"SELECT length(error_message), substr(error_message, -11) FROM operations"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), 4997);
            QCOMPARE(q.value(1).toString(), u"[truncated]"_s);
            const auto plan = [&q](const QString &sql) {
                QString out;
                if (q.exec(u"EXPLAIN QUERY PLAN "_s % sql))
                    while (q.next())
                        out += q.value(3).toString() % u'\n';
                return out;
            };
            QVERIFY2(plan(u"SELECT guid, operation_name, elapsed_s FROM operations WHERE time >= 0"
                          " ORDER BY elapsed_s DESC LIMIT 20"_s)
                         .contains(u"SEARCH operations USING INDEX operations_time"_s),
                "slowest operations over 7 days: a range on time, never a full scan");
            QVERIFY2(plan(u"SELECT time / 86400, avg(memory_mb) FROM operations WHERE time >= 0 GROUP BY 1"_s)
                         .contains(u"COVERING INDEX operations_time_memory"_s),
                "memory trend over 30 days");
            QVERIFY2(plan(u"SELECT operation_name, op_code, avg(success = 0) AS error_rate FROM operations"
                          " WHERE time >= 0 GROUP BY operation_name, op_code HAVING error_rate > 0.01"_s)
                         .contains(u"operations_name_module_time_success"_s),
                "error rate by operation and module");
        }
        Database::close(u"ops"_s);
    }

    void readerAnswersEveryRequestWithItsGeneration()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"reader.db"_s);
        {
            StorageThread storage(path, quiet());
            QVERIFY(storage.start().ok);
            storage.post(seconds(kHour0, 120));
        }
        HistoryReader reader(path);
        QSignalSpy series(&reader, &HistoryReader::seriesReady);
        QSignalSpy windows(&reader, &HistoryReader::windowReady);
        QSignalSpy records(&reader, &HistoryReader::runsReady);
        reader.requestSeries(11);
        reader.requestWindow({ u"roll.requests"_s }, kHour0, kHour0 + 3600, 60, 12);
        reader.requestRuns(0, kHour0 * 2, 10, 13);
        QTRY_COMPARE_WITH_TIMEOUT(records.size(), 1, 5000);
        QCOMPARE(series.size(), 1);
        QCOMPARE(series[0][0].value<quint64>(), quint64(11));
        QCOMPARE(series[0][1].value<QVector<SeriesInfo>>().size(), 2);
        QCOMPARE(windows.size(), 1);
        QCOMPARE(windows[0][0].value<quint64>(), quint64(12));
        const auto w = windows[0][1].value<QVector<SeriesWindow>>();
        QCOMPARE(w.size(), 1);
        QCOMPARE(w[0].points.size(), 2);
        QCOMPARE(w[0].points[0].point.count, 300);
        QCOMPARE(records[0][0].value<quint64>(), quint64(13));
        QVERIFY(records[0][1].value<QVector<RunRecord>>().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
