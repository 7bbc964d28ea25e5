// SPDX-License-Identifier: GPL-3.0-or-later
// `perfdashd import`, in-process on real SQLite files: the export round trip at 1 min and 1 h, OpenMetrics input, bad
// lines, overlap with stored buckets and retention (the process itself and make-history.py run in tests/e2e).
#include "app/exportcommand.h"
#include "app/importcommand.h"
#include "models/quantilesketch.h"
#include "storage/csvwriter.h"
#include "storage/database.h"
#include "storage/historyquery.h"
#include "storage/storagewriter.h"

#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <charconv>
#include <cmath>
#include <map>
#include <random>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kHour0 = 1795464000; // 2026-11-23T20:00:00Z

QString iso(qint64 t)
{
    return QString::fromLatin1(CsvWriter::isoTime(t));
}

struct Run {
    int exitCode = -1;
    QString err;
};

Run importFile(const QString &db, const QString &input, qint64 now, const QStringList &extra = {})
{
    QString outText, errText;
    QTextStream out(&outText), err(&errText);
    Run r;
    r.exitCode = runImportCommand(QStringList { u"--db"_s, db } + extra + QStringList { input }, out, err, now);
    err.flush();
    r.err = errText;
    return r;
}

// Rows of an export, keyed "time series" -> column -> text.
using Table = QMap<QString, QMap<QByteArray, QByteArray>>;

Table exportTable(const QString &db, const QString &series, qint64 from, qint64 to, const QString &step, qint64 now,
    QByteArray *raw = nullptr)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"out.csv"_s);
    QString outText, errText;
    QTextStream out(&outText), err(&errText);
    if (runExportCommand({ u"--db"_s, db, u"--series"_s, series, u"--from"_s, iso(from), u"--to"_s, iso(to),
                             u"--step"_s, step, u"--raw"_s, u"-o"_s, path },
            out, err, now)
        != 0)
        return {};
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    const QByteArray data = file.readAll();
    if (raw)
        *raw = data;
    Table table;
    const QList<QByteArray> lines = data.split('\n');
    const QList<QByteArray> header = lines.value(0).trimmed().split(',');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> f = lines[i].trimmed().split(',');
        if (f.size() != header.size())
            continue;
        QMap<QByteArray, QByteArray> row;
        for (qsizetype c = 0; c < f.size(); ++c)
            row.insert(header[c], f[c]);
        table.insert(QString::fromLatin1(f[0] + ' ' + f[1]), row);
    }
    return table;
}

double toDouble(const QByteArray &text)
{
    double v = std::nan("");
    std::from_chars(text.constData(), text.constData() + text.size(), v);
    return v;
}

StorageOptions quiet()
{
    StorageOptions o;
    o.flushIntervalMs = 3600 * 1000;
    o.flushOnPost = false;
    o.retentionIntervalMs = 3600 * 1000;
    return o;
}

// `hours` of one timer (lognormal, a real sketch a second), a counter and a gauge, written by the real writer.
void writeHistory(const QString &db, qint64 from, int hours)
{
    StorageThread storage(db, quiet());
    QVERIFY(storage.start().ok);
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> latency(3.0, 0.5);
    std::uniform_int_distribution<int> perSecond(5, 30);
    for (int h = 0; h < hours; ++h) {
        QVector<LiveFrame> frames;
        for (qint64 s = 0; s < 3600; ++s) {
            const qint64 second = from + h * 3600 + s;
            LiveFrame frame { second, {} };
            QuantileSketch sketch;
            SeriesStats t;
            t.key = u"svc.latency|model:m1"_s;
            t.kind = MetricKind::Timer;
            const int n = perSecond(rng);
            double sum = 0;
            for (int i = 0; i < n; ++i) {
                const double v = std::round(latency(rng) * 1000) / 1000;
                sketch.add(v);
                sum += v;
            }
            t.count = n;
            t.sum = sum;
            t.min = sketch.min();
            t.max = sketch.max();
            t.p50 = sketch.quantile(0.5);
            t.p90 = sketch.quantile(0.9);
            t.p95 = sketch.quantile(0.95);
            t.p99 = sketch.quantile(0.99);
            t.p999 = sketch.quantile(0.999);
            t.quantileError = sketch.relativeAccuracy();
            t.sketch = sketch.serialize();
            frame.series.push_back(t);
            SeriesStats c;
            c.key = u"svc.requests|model:m1"_s;
            c.kind = MetricKind::Counter;
            c.count = n;
            c.sum = n;
            c.min = c.max = 1;
            frame.series.push_back(c);
            SeriesStats g;
            g.key = u"svc.queue|model:m1"_s;
            g.kind = MetricKind::Gauge;
            g.count = 1;
            g.sum = g.min = g.max = g.last = double(s % 17);
            frame.series.push_back(g);
            frames.push_back(frame);
        }
        storage.post(frames);
        QVERIFY(storage.flush());
    }
}

qint64 rowsOf(const QString &db, const QString &sql)
{
    const QString name = u"tst-import-count"_s;
    qint64 n = -1;
    if (!Database::openReadOnly(name, db).ok)
        return -1;
    {
        QSqlQuery q(QSqlDatabase::database(name));
        if (q.exec(sql) && q.next())
            n = q.value(0).toLongLong();
    }
    Database::close(name);
    return n;
}

void writeText(const QString &path, const QByteArray &text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

} // namespace

class TestImportCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exportImportExportKeepsTheNumbers()
    {
        QTemporaryDir dir;
        const QString source = dir.filePath(u"source.db"_s);
        const qint64 now = kHour0 + 3 * 3600 + 120;
        writeHistory(source, kHour0, 3);
        if (QTest::currentTestFailed())
            return;
        const QString csv = dir.filePath(u"history.csv"_s);
        const QStringList names { u"svc.latency"_s, u"svc.requests"_s, u"svc.queue"_s };
        const auto both = [&](const QString &db, const QString &step, QByteArray *raw) {
            Table all;
            for (const QString &name : names) {
                QByteArray one;
                const Table t = exportTable(db, name, kHour0, kHour0 + 3 * 3600, step, now, &one);
                for (auto it = t.begin(); it != t.end(); ++it)
                    all.insert(it.key(), it.value());
                if (raw)
                    *raw += raw->isEmpty() ? one : one.mid(one.indexOf('\n') + 1); // one header
            }
            return all;
        };
        QByteArray raw;
        QCOMPARE(both(source, u"1m"_s, &raw).size(), 3 * 3 * 60);
        writeText(csv, raw);
        const QString target = dir.filePath(u"target.db"_s);
        const Run run = importFile(target, csv, now);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(u"3 series (3 new), 540 rows at 1 min"_s), qPrintable(run.err));

        for (const QString &step : { u"1m"_s, u"1h"_s }) {
            const Table before = both(source, step, nullptr);
            const Table after = both(target, step, nullptr);
            QCOMPARE(after.keys(), before.keys());
            double worst = 0;
            std::map<QByteArray, double> worstOf; // per quantile, for docs/storage.md
            for (auto it = before.begin(); it != before.end(); ++it) {
                const auto &b = it.value();
                const auto &a = after.value(it.key());
                for (const char *exact : { "count", "rate", "seconds", "complete", "kind" })
                    QCOMPARE(a.value(exact), b.value(exact));
                for (const char *close : { "min", "max", "mean" }) {
                    const double x = toDouble(b.value(close)), y = toDouble(a.value(close));
                    QVERIFY2(std::isnan(x) ? std::isnan(y) : std::fabs(x - y) <= 1e-9 * std::fabs(x),
                        qPrintable(it.key() % u' ' % QLatin1StringView(close)));
                }
                for (const char *q : { "p50", "p90", "p95", "p99" }) {
                    const double x = toDouble(b.value(q)), y = toDouble(a.value(q));
                    if (std::isnan(x)) {
                        QVERIFY(std::isnan(y));
                        continue;
                    }
                    worst = std::max(worst, std::fabs(x - y) / x);
                    worstOf[q] = std::max(worstOf[q], std::fabs(x - y) / x);
                }
            }
            qInfo(
                "%s: worst relative quantile error after the round trip %.4f (p50 %.4f, p90 %.4f, p95 %.4f, p99 %.4f)",
                qPrintable(step), worst, worstOf["p50"], worstOf["p90"], worstOf["p95"], worstOf["p99"]);
            // 1 min: the stored quantiles themselves (quantized twice to the same sketch bucket). 1 h: merged from
            // sketches synthesized from each minute's min, p50..p99, max (docs/storage.md, Import: within 5%).
            QVERIFY2(worst <= (step == u"1m"_s ? 1e-9 : 0.05), qPrintable(QString::number(worst)));
        }
        // The registry knows them, with their kinds.
        QCOMPARE(rowsOf(target, u"SELECT count(*) FROM series WHERE key LIKE 'svc.%'"_s), qint64(3));
        QCOMPARE(
            rowsOf(target, u"SELECT kind FROM series WHERE key = 'svc.latency|model:m1'"_s), qint64(MetricKind::Timer));
        QCOMPARE(rowsOf(target, u"SELECT count(*) FROM sketch_1h"_s), qint64(3));
    }

    void openMetrics()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath(u"scrape.om"_s);
        const qint64 t0 = kHour0;
        QByteArray text = "# TYPE req counter\n"
                          "# TYPE temp gauge\n"
                          "# TYPE lat summary\n"
                          "# TYPE size histogram\n";
        const auto at = [&](int s) { return QByteArray::number(t0 + s); };
        // Counter: 100 -> 130 -> 160 in minute 0, reset to 5 in minute 1, then 25: increments 60 and 25.
        text += "req_total{job=\"api\"} 100 " + at(0) + "\n";
        text += "req_total{job=\"api\"} 130 " + at(20) + "\n";
        text += "req_total{job=\"api\"} 160 " + at(40) + "\n";
        text += "req_total{job=\"api\"} 5 " + at(60) + "\n";
        text += "req_total{job=\"api\"} 25 " + at(80) + "\n";
        // Gauge, milliseconds as Prometheus writes them.
        text += "temp 20 " + QByteArray::number((t0 + 10) * 1000) + "\n";
        text += "temp 30 " + QByteArray::number((t0 + 50) * 1000) + "\n";
        // Summary: two scrapes in minute 1 after a baseline in minute 0.
        for (int s : { 0, 70 }) {
            const bool base = s == 0;
            text += "lat{quantile=\"0.5\"} " + QByteArray(base ? "9" : "10") + ' ' + at(s) + "\n";
            text += "lat{quantile=\"0.9\"} " + QByteArray(base ? "18" : "20") + ' ' + at(s) + "\n";
            text += "lat{quantile=\"0.99\"} " + QByteArray(base ? "27" : "30") + ' ' + at(s) + "\n";
            text += "lat_sum " + QByteArray(base ? "1000" : "2100") + ' ' + at(s) + "\n";
            text += "lat_count " + QByteArray(base ? "100" : "200") + ' ' + at(s) + "\n";
        }
        // Histogram: in minute 1, 100 values: 50 in (0, 1], 40 in (1, 2], 10 in (2, 4].
        for (int s : { 0, 90 }) {
            const bool base = s == 0;
            text += "size_bucket{le=\"1\"} " + QByteArray(base ? "0" : "50") + ' ' + at(s) + "\n";
            text += "size_bucket{le=\"2\"} " + QByteArray(base ? "0" : "90") + ' ' + at(s) + "\n";
            text += "size_bucket{le=\"4\"} " + QByteArray(base ? "0" : "100") + ' ' + at(s) + "\n";
            text += "size_bucket{le=\"+Inf\"} " + QByteArray(base ? "0" : "100") + ' ' + at(s) + "\n";
            text += "size_sum " + QByteArray(base ? "0" : "120") + ' ' + at(s) + "\n";
            text += "size_count " + QByteArray(base ? "0" : "100") + ' ' + at(s) + "\n";
        }
        text += "# EOF\n";
        writeText(input, text);
        const QString db = dir.filePath(u"om.db"_s);
        const qint64 now = t0 + 3600;
        const Run run = importFile(db, input, now, { u"--rename"_s, u"req=api.requests"_s });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        const Table req = exportTable(db, u"api.requests"_s, t0, t0 + 120, u"1m"_s, now);
        QCOMPARE(req.value(iso(t0) % u" api.requests{job=api}"_s).value("count"), QByteArray("60"));
        QCOMPARE(req.value(iso(t0 + 60) % u" api.requests{job=api}"_s).value("count"), QByteArray("25"));
        QCOMPARE(req.value(iso(t0 + 60) % u" api.requests{job=api}"_s).value("kind"), QByteArray("counter"));
        const Table temp = exportTable(db, u"temp"_s, t0, t0 + 60, u"1m"_s, now);
        const auto g = temp.value(iso(t0) % u" temp"_s);
        QCOMPARE(g.value("count"), QByteArray("2"));
        QCOMPARE(g.value("mean"), QByteArray("25"));
        QCOMPARE(g.value("max"), QByteArray("30"));
        const Table lat = exportTable(db, u"lat"_s, t0, t0 + 120, u"1m"_s, now);
        const auto s = lat.value(iso(t0 + 60) % u" lat"_s);
        QCOMPARE(s.value("count"), QByteArray("100"));
        QCOMPARE(s.value("mean"), QByteArray("11"));
        QVERIFY(std::fabs(toDouble(s.value("p50")) - 10) <= 0.1);
        QVERIFY(std::fabs(toDouble(s.value("p99")) - 30) <= 0.3);
        QCOMPARE(s.value("kind"), QByteArray("timer"));
        const Table size = exportTable(db, u"size"_s, t0, t0 + 120, u"1m"_s, now);
        const auto h = size.value(iso(t0 + 60) % u" size"_s);
        QCOMPARE(h.value("count"), QByteArray("100"));
        QCOMPARE(h.value("min"), QByteArray("0"));
        QCOMPARE(h.value("max"), QByteArray("4"));
        QVERIFY2(std::fabs(toDouble(h.value("p50")) - 1.0) <= 0.01, h.value("p50").constData()); // 50 of 100 at le=1
        QVERIFY2(std::fabs(toDouble(h.value("p90")) - 2.0) <= 0.02, h.value("p90").constData());
        QVERIFY2(std::fabs(toDouble(h.value("p95")) - 3.0) <= 0.03, h.value("p95").constData()); // halfway in (2, 4]
        // The hour tier has the rolled-up buckets.
        const Table hour = exportTable(db, u"api.requests"_s, t0, t0 + 3600, u"1h"_s, now);
        QCOMPARE(hour.value(iso(t0) % u" api.requests{job=api}"_s).value("count"), QByteArray("85"));
    }

    void badLinesAbortWithNothingWritten()
    {
        QTemporaryDir dir;
        const QString csv = dir.filePath(u"bad.csv"_s);
        writeText(csv,
            "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\r\n"
            "2026-11-23T20:00:00Z,q,3,,1,2,1.5,,,,,60,1,gauge\r\n"
            "2026-11-23T20:01:00Z,q,abc,,1,2,1.5,,,,,60,1,gauge\r\n"
            "2026-11-23T20:02:00Z,q,3,,1,2,x,,,,,60,1,gauge\r\n"
            "yesterday,q,3,,1,2,1.5,,,,,60,1,gauge\r\n"
            "2026-11-23T20:03:00Z,q,3,,1,2,1.5,,,,,60,1,gauge\r\n");
        const QString db = dir.filePath(u"bad.db"_s);
        const Run run = importFile(db, csv, kHour0 + 3600);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"line 3: count is not a number"_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"line 4: mean is not a number"_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"line 5: time \"yesterday\" is not an ISO 8601 time"_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"nothing was imported"_s), qPrintable(run.err));
        QCOMPARE(rowsOf(db, u"SELECT count(*) FROM series"_s), qint64(0));
        QCOMPARE(rowsOf(db, u"SELECT count(*) FROM chunk_1m"_s), qint64(0));

        const Run skip = importFile(db, csv, kHour0 + 3600, { u"--skip-bad"_s });
        QVERIFY2(skip.exitCode == 0, qPrintable(skip.err));
        QVERIFY2(skip.err.contains(u"line 3: count is not a number"_s), qPrintable(skip.err));
        QVERIFY2(skip.err.contains(u"2 rows at 1 min"_s), qPrintable(skip.err));
        QVERIFY2(skip.err.contains(u"3 bad lines"_s), qPrintable(skip.err));
    }

    void storedBucketsAreKept()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"overlap.db"_s);
        const QByteArray header = "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\r\n";
        QByteArray first = header, second = header;
        for (int m = 0; m < 10; ++m)
            first += iso(kHour0 + 60 * m).toLatin1() + ",q,1,,5,5,5,,,,,60,1,gauge\r\n";
        for (int m = 5; m < 15; ++m)
            second += iso(kHour0 + 60 * m).toLatin1() + ",q,1,,7,7,7,,,,,60,1,gauge\r\n";
        writeText(dir.filePath(u"a.csv"_s), first);
        writeText(dir.filePath(u"b.csv"_s), second);
        const qint64 now = kHour0 + 3600;
        QCOMPARE(importFile(db, dir.filePath(u"a.csv"_s), now).exitCode, 0);
        const Run run = importFile(db, dir.filePath(u"b.csv"_s), now);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        // Minutes 5..9 (and their hour, which the database holds already) are kept; 10..14 come in.
        QVERIFY2(run.err.contains(u"skipped: 6 already stored"_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"chunk_1m q 2026-11-23T20:05:00Z (already stored)"_s), qPrintable(run.err));
        const Table t = exportTable(db, u"q"_s, kHour0, kHour0 + 900, u"1m"_s, now);
        QCOMPARE(t.size(), 15);
        QCOMPARE(t.value(iso(kHour0 + 300) % u" q"_s).value("mean"), QByteArray("5"));
        QCOMPARE(t.value(iso(kHour0 + 600) % u" q"_s).value("mean"), QByteArray("7"));

        const Run replace = importFile(db, dir.filePath(u"b.csv"_s), now, { u"--replace"_s });
        QVERIFY2(replace.exitCode == 0, qPrintable(replace.err));
        QCOMPARE(exportTable(db, u"q"_s, kHour0, kHour0 + 900, u"1m"_s, now)
                     .value(iso(kHour0 + 300) % u" q"_s)
                     .value("mean"),
            QByteArray("7"));
    }

    void collectorsOpenChunkIsNotTouched()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"live.db"_s);
        {
            StorageThread storage(db, quiet());
            QVERIFY(storage.start().ok);
            SeriesStats g;
            g.key = u"q"_s;
            g.kind = MetricKind::Gauge;
            g.count = 1;
            g.sum = g.min = g.max = g.last = 1;
            storage.post({ LiveFrame { kHour0 + 1800, { g } } });
            QVERIFY(storage.flush());
        }
        QByteArray csv = "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\r\n";
        csv += iso(kHour0 - 60).toLatin1() + ",q,1,,5,5,5,,,,,60,1,gauge\r\n";
        csv += iso(kHour0 + 60).toLatin1() + ",q,1,,5,5,5,,,,,60,1,gauge\r\n";
        writeText(dir.filePath(u"q.csv"_s), csv);
        const Run run = importFile(db, dir.filePath(u"q.csv"_s), kHour0 + 3600);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        // 20:01 is in the span of the collector's open 1 min and 1 h rows; 19:59 is in its open 1 h row only.
        QVERIFY2(run.err.contains(u"buckets written: 1 s 0, 1 min 1, 1 h 0"_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"3 in open chunks"_s), qPrintable(run.err));
    }

    void aCollectorClosingAChunkMergesIntoTheImportedOne()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"merge.db"_s);
        QByteArray csv = "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\r\n";
        for (int m = 0; m < 10; ++m)
            csv += iso(kHour0 + 60 * m).toLatin1() + ",q,1,,5,5,5,,,,,60,1,gauge\r\n";
        writeText(dir.filePath(u"q.csv"_s), csv);
        const qint64 now = kHour0 + 2 * 3600;
        QCOMPARE(importFile(db, dir.filePath(u"q.csv"_s), now).exitCode, 0);
        {
            // A collector then writes q in the same hour (its minute chunk has the imported one's span) and goes on
            // into the next hour, which closes that chunk.
            StorageThread storage(db, quiet());
            QVERIFY(storage.start().ok);
            SeriesStats g;
            g.key = u"q"_s;
            g.kind = MetricKind::Gauge;
            g.count = 1;
            g.sum = g.min = g.max = g.last = 9;
            storage.post({ LiveFrame { kHour0 + 1800, { g } }, LiveFrame { kHour0 + 3605, { g } } });
            QVERIFY(storage.flush());
        }
        const Table t = exportTable(db, u"q"_s, kHour0, kHour0 + 3600, u"1m"_s, now);
        QCOMPARE(t.size(), 11); // the ten imported minutes and the collector's one
        QCOMPARE(t.value(iso(kHour0) % u" q"_s).value("mean"), QByteArray("5"));
        QCOMPARE(t.value(iso(kHour0 + 1800) % u" q"_s).value("mean"), QByteArray("9"));
        QCOMPARE(
            rowsOf(db,
                u"SELECT count(*) FROM chunk_1m WHERE start = %1 AND series_id = (SELECT id FROM series WHERE key = 'q')"_s
                    .arg(kHour0)),
            qint64(1));
    }

    void aSeriesStoredWithAnotherKindAbortsTheImport()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"kind.db"_s);
        const QByteArray header = "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\r\n";
        writeText(dir.filePath(u"gauge.csv"_s), header + iso(kHour0).toLatin1() + ",q,1,,5,5,5,,,,,60,1,gauge\r\n");
        writeText(dir.filePath(u"counter.csv"_s),
            header + iso(kHour0 + 60).toLatin1() + ",other,1,1,1,1,,,,,,60,1,counter\r\n" + iso(kHour0 + 60).toLatin1()
                + ",q,1,1,1,1,,,,,,60,1,counter\r\n");
        const qint64 now = kHour0 + 3600;
        QCOMPARE(importFile(db, dir.filePath(u"gauge.csv"_s), now).exitCode, 0);
        const Run run = importFile(db, dir.filePath(u"counter.csv"_s), now);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(
            run.err.contains(u"series q is stored as a gauge; the input has it as a counter"_s), qPrintable(run.err));
        // One transaction: the series before it in the file is not there either.
        QCOMPARE(rowsOf(db, u"SELECT count(*) FROM series WHERE key = 'other'"_s), qint64(0));
        // Without a kind column the stored kind wins over the inference.
        writeText(dir.filePath(u"nokind.csv"_s),
            "time,series,count,rate,min,max,mean\r\n" + iso(kHour0 + 120).toLatin1() + ",q,1,1,1,1,\r\n");
        const Run inferred = importFile(db, dir.filePath(u"nokind.csv"_s), now);
        QVERIFY2(inferred.exitCode == 0, qPrintable(inferred.err));
    }

    void retentionKeepsOldRowsOutOfTheSecondTier()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"retention.db"_s);
        QByteArray csv = "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\r\n";
        // 1 s rows: 60 of them three days ago, 60 an hour ago.
        const qint64 now = kHour0 + 3 * 86400;
        for (qint64 base : { kHour0, now - 3600 }) {
            for (int s = 0; s < 60; ++s)
                csv += iso(base + s).toLatin1() + ",hits,2,2,1,1,,,,,,1,1,counter\r\n";
        }
        writeText(dir.filePath(u"s.csv"_s), csv);
        const Run run = importFile(db, dir.filePath(u"s.csv"_s), now);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(u"rows at 1 s"_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"buckets written: 1 s 60, 1 min 2, 1 h 2"_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"60 past retention"_s), qPrintable(run.err));
        const Table old = exportTable(db, u"hits"_s, kHour0, kHour0 + 60, u"1s"_s, now);
        QVERIFY(old.isEmpty());
        const Table oldMinute = exportTable(db, u"hits"_s, kHour0, kHour0 + 60, u"1m"_s, now);
        QCOMPARE(oldMinute.value(iso(kHour0) % u" hits"_s).value("count"), QByteArray("120"));
        const Table recent = exportTable(db, u"hits"_s, now - 3600, now - 3540, u"1s"_s, now);
        QCOMPARE(recent.size(), 60);
    }
};

QTEST_GUILESS_MAIN(TestImportCommand)
#include "tst_importcommand.moc"
