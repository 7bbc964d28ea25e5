// SPDX-License-Identifier: GPL-3.0-or-later
// The export command: times, steps and retention specs; rates per covered second and complete reads, run in-process
// on databases written by the real writer with an injected clock (the whole process runs in tests/e2e).
#include "app/collectordaemon.h"
#include "app/exportcommand.h"
#include "models/coverage.h"
#include "storage/csvwriter.h"
#include "storage/storagewriter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <charconv>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kHour0 = 1795464000; // 2026-11-23T20:00:00Z

SeriesStats counter(const QString &key, qint64 count)
{
    SeriesStats c;
    c.key = key;
    c.kind = MetricKind::Counter;
    c.count = count;
    c.rate = double(count);
    c.sum = double(count);
    return c;
}

// The collector's heartbeat: one sample a second while it runs.
SeriesStats heartbeat()
{
    SeriesStats g;
    g.key = Coverage::heartbeatKey();
    g.kind = MetricKind::Gauge;
    g.count = 1;
    g.sum = g.min = g.max = g.last = 3;
    return g;
}

StorageOptions quiet()
{
    StorageOptions o;
    o.flushIntervalMs = 3600LL * 1000;
    o.flushOnPost = false;
    o.retentionIntervalMs = 3600LL * 1000;
    return o;
}

// Writes the frames to a new database through the real writer, as the collector would have.
bool writeHistory(const QString &db, const QVector<LiveFrame> &frames)
{
    StorageThread storage(db, quiet());
    if (!storage.start().ok)
        return false;
    storage.post(frames);
    return storage.flush();
}

struct Csv {
    int exitCode = -1;
    QString err;
    QList<QByteArray> header;
    QList<QMap<QByteArray, QByteArray>> rows;

    double number(int row, const char *column) const
    {
        const QByteArray text = rows.value(row).value(column);
        double v = std::nan("");
        std::from_chars(text.constData(), text.constData() + text.size(), v);
        return v;
    }
    qint64 total(const char *column = "count") const
    {
        qint64 sum = 0;
        for (const auto &r : rows)
            sum += r.value(column).toLongLong();
        return sum;
    }
};

Csv exportCsv(const QString &db, const QString &series, qint64 from, qint64 to, const QString &step, qint64 now)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"out.csv"_s);
    QString outText;
    QString errText;
    QTextStream out(&outText);
    QTextStream err(&errText);
    Csv csv;
    const auto iso = [](qint64 t) { return QString::fromLatin1(CsvWriter::isoTime(t)); };
    csv.exitCode = runExportCommand({ u"--db"_s, db, u"--series"_s, series, u"--from"_s, iso(from), u"--to"_s, iso(to),
                                        u"--step"_s, step, u"--raw"_s, u"-o"_s, path },
        out, err, now);
    err.flush();
    csv.err = errText;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return csv;
    const QList<QByteArray> lines = file.readAll().split('\n');
    csv.header = lines.value(0).trimmed().split(',');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> fields = lines[i].trimmed().split(',');
        if (fields.size() != csv.header.size())
            continue;
        QMap<QByteArray, QByteArray> row;
        for (qsizetype f = 0; f < fields.size(); ++f)
            row.insert(csv.header[f], fields[f]);
        csv.rows.push_back(row);
    }
    return csv;
}

} // namespace

class TestExportCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void times_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected"); // -1: rejected
        const qint64 now = 1795466700; // 2026-11-23T20:45:00Z
        QTest::newRow("now") << u"now"_s << now;
        QTest::newRow("-24h") << u"-24h"_s << now - 86400;
        QTest::newRow("-10m") << u"-10m"_s << now - 600;
        QTest::newRow("+1m") << u"+1m"_s << now + 60;
        QTest::newRow("-30s") << u"-30s"_s << now - 30;
        QTest::newRow("-7d") << u"-7d"_s << now - 7LL * 86400;
        QTest::newRow("-2w") << u"-2w"_s << now - 14LL * 86400;
        QTest::newRow("ISO Z") << u"2026-11-23T20:00:00Z"_s << now - 2700;
        QTest::newRow("ISO offset") << u"2026-11-23T21:00:00+01:00"_s << now - 2700;
        QTest::newRow("ISO without offset is UTC") << u"2026-11-23T20:00:00"_s << now - 2700;
        QTest::newRow("ISO milliseconds") << u"2026-11-23T20:00:00.500Z"_s << now - 2700;
        QTest::newRow("date") << u"2026-11-23"_s << now - 20LL * 3600 - 2700;
        QTest::newRow("word") << u"yesterday"_s << qint64(-1);
        QTest::newRow("no unit") << u"-10"_s << qint64(-1);
        QTest::newRow("bad unit") << u"-10y"_s << qint64(-1);
        QTest::newRow("zero") << u"-0h"_s << qint64(-1);
        QTest::newRow("empty") << QString() << qint64(-1);
        QTest::newRow("bad date") << u"2026-13-40"_s << qint64(-1);
    }
    void times()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        QString error;
        const auto t = ExportArguments::parseTime(text, 1795466700, &error);
        if (expected < 0) {
            QVERIFY(!t);
            QVERIFY(!error.isEmpty());
        } else {
            QVERIFY2(t, qPrintable(error));
            QCOMPARE(*t, expected);
        }
    }

    void steps_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("seconds");
        QTest::newRow("1s") << u"1s"_s << qint64(1);
        QTest::newRow("1m") << u"1m"_s << qint64(60);
        QTest::newRow("1h") << u"1h"_s << qint64(3600);
        QTest::newRow("1d") << u"1d"_s << qint64(86400);
        QTest::newRow("5m") << u"5m"_s << qint64(-1);
        QTest::newRow("1w") << u"1w"_s << qint64(-1);
        QTest::newRow("60") << u"60"_s << qint64(-1);
    }
    void steps()
    {
        QFETCH(QString, text);
        QFETCH(qint64, seconds);
        const auto step = ExportArguments::parseStep(text);
        QCOMPARE(step.value_or(-1), seconds);
    }

    void retention()
    {
        Retention r;
        QVERIFY(CollectorDaemon::parseRetention(u"1s=24h,1h=800d"_s, &r));
        QCOMPARE(r.second, 24 * 3600);
        QCOMPARE(r.minute, 35 * 86400); // untouched
        QCOMPARE(r.hour, 800 * 86400);
        const Retention before = r;
        QVERIFY(!CollectorDaemon::parseRetention(u"1s=24h,5m=1d"_s, &r));
        QVERIFY(!CollectorDaemon::parseRetention(u"1s"_s, &r));
        QVERIFY(!CollectorDaemon::parseRetention(u"1s=forever"_s, &r));
        QCOMPARE(r.second, before.second); // nothing half-applied
        // Work records (issue 19): only where the caller takes them (the collector, not import); 0 keeps forever.
        QVERIFY(!CollectorDaemon::parseRetention(u"ops=30d"_s, &r));
        WorkRetention work;
        QVERIFY(CollectorDaemon::parseRetention(u"1m=10d,ops=30d,runs=0,notifications=12h"_s, &r, &work));
        QCOMPARE(r.minute, 10 * 86400);
        QCOMPARE(work.operations, 30 * 86400);
        QCOMPARE(work.runs, 0);
        QCOMPARE(work.apiCalls, 90 * 86400); // untouched
        QCOMPARE(work.notifications, 12 * 3600);
        const WorkRetention workBefore = work;
        QVERIFY(!CollectorDaemon::parseRetention(u"ops=1d,runs=never"_s, &r, &work));
        QVERIFY(!CollectorDaemon::parseRetention(u"ops=1d,1s=0"_s, &r, &work)); // 0 is for work records only
        QVERIFY(!CollectorDaemon::parseRetention(u"steps=1d"_s, &r, &work));
        QCOMPARE(work.operations, workBefore.operations);
    }

    void ratesAreCountsOverCoveredSeconds_data()
    {
        QTest::addColumn<QString>("step");
        QTest::addColumn<qint64>("from");
        QTest::addColumn<int>("rows");
        QTest::newRow("1h") << u"1h"_s << kHour0 << 1;
        QTest::newRow("1d") << u"1d"_s << kHour0 - 86400 << 1;
        QTest::newRow("1m") << u"1m"_s << kHour0 << 20;
        QTest::newRow("1s") << u"1s"_s << kHour0 << 1170;
    }
    void ratesAreCountsOverCoveredSeconds()
    {
        QFETCH(QString, step);
        QFETCH(qint64, from);
        QFETCH(int, rows);
        // A steady 100 req/s service, watched from kHour0 to 24.5 min past it, with the collector down for 5 min
        // (kHour0 + 600 .. 900): no heartbeat and no data then. The clock stands 30 s into minute 24.
        QTemporaryDir dir;
        const QString db = dir.filePath(u"rates.db"_s);
        const qint64 now = kHour0 + 1470;
        QVector<LiveFrame> frames;
        for (qint64 s = kHour0; s < now; ++s) {
            if (s >= kHour0 + 600 && s < kHour0 + 900)
                continue;
            frames.push_back(LiveFrame { s, { counter(u"svc.requests"_s, 100), heartbeat() } });
        }
        QVERIFY(writeHistory(db, frames));
        const Csv csv = exportCsv(db, u"svc.requests"_s, from, now, step, now);
        QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
        QCOMPARE(csv.header,
            (QList<QByteArray> { "time", "series", "count", "rate", "min", "max", "mean", "p50", "p90", "p95", "p99",
                "seconds", "complete", "kind" }));
        QCOMPARE(csv.rows.size(), rows);
        QCOMPARE(csv.total(), qint64(100 * 1170));
        QCOMPARE(csv.total("seconds"), qint64(1170));
        for (int i = 0; i < csv.rows.size(); ++i)
            QCOMPARE(csv.number(i, "rate"), 100.0); // before: 32.5/s at 1h, 1.35/s at 1d
        // Only the bucket that holds the clock is partial.
        const int last = int(csv.rows.size()) - 1;
        QCOMPARE(csv.rows[last].value("complete"), QByteArray(step == u"1s"_s ? "1" : "0"));
        if (last > 0)
            QCOMPARE(csv.rows[0].value("complete"), QByteArray("1"));
        if (step == u"1m"_s)
            QCOMPARE(csv.rows[last].value("seconds"), QByteArray("30"));
    }

    void aWildcardSelectorExportsEveryMatchingSeries()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"wild.db"_s);
        QVector<LiveFrame> frames;
        for (qint64 s = kHour0; s < kHour0 + 60; ++s)
            frames.push_back(LiveFrame { s,
                { counter(u"api.latency|model:m1"_s, 1), counter(u"api.requests|model:m22"_s, 2),
                    counter(u"api.requests|model:x1"_s, 4), counter(u"db.queries|model:m1"_s, 8),
                    counter(u"api.untagged"_s, 16), heartbeat() } });
        QVERIFY(writeHistory(db, frames));
        const Csv csv = exportCsv(db, u"api.*{model=m*}"_s, kHour0, kHour0 + 3600, u"1h"_s, kHour0 + 60);
        QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
        QCOMPARE(csv.rows.size(), 2);
        QCOMPARE(csv.rows[0].value("series"), QByteArray("api.latency{model=m1}"));
        QCOMPARE(csv.rows[1].value("series"), QByteArray("api.requests{model=m22}"));
        QCOMPARE(csv.total(), qint64((1 + 2) * 60));

        const Csv tagged = exportCsv(db, u"*{model=*}"_s, kHour0, kHour0 + 3600, u"1h"_s, kHour0 + 60);
        QCOMPARE(tagged.total(), qint64((1 + 2 + 4 + 8) * 60));

        const Csv bad = exportCsv(db, u"api.*{mod*=m1}"_s, kHour0, kHour0 + 3600, u"1h"_s, kHour0 + 60);
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(u"bad --series: the tag name \"mod*\" in the selector contains a wildcard"_s),
            qPrintable(bad.err));
    }

    void aDatabaseWithoutAHeartbeatCountsEveryPassedSecond()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"plain.db"_s);
        QVector<LiveFrame> frames;
        for (qint64 s = kHour0; s < kHour0 + 90; ++s)
            frames.push_back(LiveFrame { s, { counter(u"svc.requests"_s, 10) } });
        QVERIFY(writeHistory(db, frames));
        const Csv csv = exportCsv(db, u"svc.requests"_s, kHour0, kHour0 + 3600, u"1h"_s, kHour0 + 90);
        QCOMPARE(csv.exitCode, 0);
        QCOMPARE(csv.rows.size(), 1);
        QCOMPARE(csv.rows[0].value("seconds"), QByteArray("90"));
        QCOMPARE(csv.number(0, "rate"), 10.0);
        QCOMPARE(csv.rows[0].value("complete"), QByteArray("0"));
    }

    void anExportTwoSecondsAfterTheLastValueHoldsEveryValue_data()
    {
        QTest::addColumn<QString>("step");
        QTest::newRow("1s") << u"1s"_s;
        QTest::newRow("1m") << u"1m"_s;
        QTest::newRow("1h") << u"1h"_s;
        QTest::newRow("1d") << u"1d"_s;
    }
    void anExportTwoSecondsAfterTheLastValueHoldsEveryValue()
    {
        QFETCH(QString, step);
        // Written as perfdashd writes (provisional frame of each second, final frame 2 s later, live flushes that
        // write rollup rows every 10 s of data), read while the writer still runs: nothing flushed beyond that.
        QTemporaryDir dir;
        const QString db = dir.filePath(u"live.db"_s);
        StorageOptions options = quiet();
        options.rollupWriteIntervalS = 10;
        StorageThread storage(db, options);
        QVERIFY(storage.start().ok);
        const qint64 t0 = kHour0 + 3600 - 25;
        const int n = 50;
        for (int i = 0; i < n + 2; ++i) {
            QVector<LiveFrame> tick;
            if (i < n) {
                LiveFrame provisional { t0 + i, { counter(u"svc.requests"_s, 1000), heartbeat() } };
                provisional.provisional = true;
                tick.push_back(provisional);
            }
            if (i >= 2 && i < n)
                tick.push_back(LiveFrame { t0 + i - 2, { counter(u"svc.requests"_s, 1000), heartbeat() } });
            storage.post(tick);
            QVERIFY(storage.flush(FlushScope::Live));
        }
        const qint64 now = t0 + n + 2; // 2 s after the last value
        const Csv csv = exportCsv(db, u"svc.requests"_s, now - 86400, now, step, now);
        QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
        QCOMPARE(csv.total(), qint64(1000 * n)); // 50,000 values
    }
};

QTEST_GUILESS_MAIN(TestExportCommand)
#include "tst_exportcommand.moc"
