// SPDX-License-Identifier: GPL-3.0-or-later
// The CSV writer `perfdashd export` writes with (the selector it reads is tested in tests/models/tst_seriesselector).
#include "storage/csvwriter.h"

#include <QBuffer>
#include <QTest>

#include <clocale>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestCsvWriter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fields_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("encoded");
        QTest::newRow("plain") << u"api.latency"_s << QByteArray("api.latency");
        QTest::newRow("comma") << u"a{b=1,c=2}"_s << QByteArray("\"a{b=1,c=2}\"");
        QTest::newRow("quote") << u"say \"hi\""_s << QByteArray("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << u"a\nb"_s << QByteArray("\"a\nb\"");
        QTest::newRow("carriage return") << u"a\rb"_s << QByteArray("\"a\rb\"");
        QTest::newRow("utf-8") << u"größe"_s
                               << QByteArray("gr\xc3\xb6\xc3\x9f"
                                             "e");
        QTest::newRow("empty") << QString() << QByteArray();
    }
    void fields()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, encoded);
        QCOMPARE(CsvWriter::field(text), encoded);
    }

    void numbers_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("integer") << 42.0 << QByteArray("42");
        QTest::newRow("fraction") << 0.5 << QByteArray("0.5");
        QTest::newRow("shortest round trip") << 0.1 + 0.2 << QByteArray("0.30000000000000004");
        QTest::newRow("negative") << -1.25 << QByteArray("-1.25");
        QTest::newRow("large") << 1e21 << QByteArray("1e+21");
        QTest::newRow("NaN is empty") << std::nan("") << QByteArray();
        QTest::newRow("inf is empty") << std::numeric_limits<double>::infinity() << QByteArray();
    }
    void numbers()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        QCOMPARE(CsvWriter::number(value), text);
    }

    void numbersIgnoreTheCLocale()
    {
        // Qt calls setlocale(LC_ALL, ""); a German LC_NUMERIC must not turn 0.5 into 0,5.
        const char *old = std::setlocale(LC_NUMERIC, nullptr);
        const QByteArray saved = old ? QByteArray(old) : QByteArray("C");
        if (!std::setlocale(LC_NUMERIC, "de_DE.UTF-8"))
            QSKIP("the de_DE.UTF-8 locale is not installed here (the export e2e test generates it)");
        QCOMPARE(CsvWriter::number(1234.5), QByteArray("1234.5"));
        std::setlocale(LC_NUMERIC, saved.constData());
    }

    void isoTimesAreUtc()
    {
        QCOMPARE(CsvWriter::isoTime(0), QByteArray("1970-01-01T00:00:00Z"));
        QCOMPARE(CsvWriter::isoTime(1795466700), QByteArray("2026-11-23T20:45:00Z"));
    }

    void rowsEndWithCrLf()
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        CsvWriter csv(&buffer);
        QVERIFY(csv.writeRow(CsvWriter::exportHeader()));
        WindowPoint w;
        w.step = 60;
        w.point.time = 60;
        w.point.count = 120;
        w.point.sum = 1200;
        w.point.min = 1;
        w.point.max = 30;
        w.point.q = { 9.5, 20, 25, 29, 30 };
        QVERIFY(csv.writeExportRow(u"api.latency{model=m1,status=ok}"_s, MetricKind::Timer, w));
        QCOMPARE(buffer.data(),
            QByteArray(
                "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\r\n"
                "1970-01-01T00:01:00Z,\"api.latency{model=m1,status=ok}\",120,2,1,30,10,9.5,20,25,29,,,timer\r\n"));
        // With its coverage set: the rate is per covered second, and the row says how many and whether all passed.
        buffer.buffer().clear();
        buffer.seek(0);
        w.seconds = 40;
        w.complete = false;
        QVERIFY(csv.writeExportRow(u"api.latency"_s, MetricKind::Timer, w));
        QCOMPARE(
            buffer.data(), QByteArray("1970-01-01T00:01:00Z,api.latency,120,3,1,30,10,9.5,20,25,29,40,0,timer\r\n"));
        buffer.buffer().clear();
        buffer.seek(0);
        w.seconds = 0; // no second of it covered: no rate rather than a division by zero or by the step
        QVERIFY(csv.writeExportRow(u"api.latency"_s, MetricKind::Timer, w));
        QCOMPARE(buffer.data(), QByteArray("1970-01-01T00:01:00Z,api.latency,120,,1,30,10,9.5,20,25,29,0,0,timer\r\n"));
    }

    void counterAndGaugeRowsLeaveMeaninglessCellsEmpty()
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        CsvWriter csv(&buffer);
        WindowPoint w;
        w.step = 1;
        w.point.time = 0;
        w.point.count = 3;
        w.point.sum = 3;
        QVERIFY(csv.writeExportRow(u"hits"_s, MetricKind::Counter, w));
        w.point.min = 2;
        w.point.max = 4;
        w.point.sum = 9;
        QVERIFY(csv.writeExportRow(u"queue"_s, MetricKind::Gauge, w));
        QCOMPARE(buffer.data(),
            QByteArray("1970-01-01T00:00:00Z,hits,3,3,,,,,,,,,,counter\r\n"
                       "1970-01-01T00:00:00Z,queue,3,,2,4,3,,,,,,,gauge\r\n"));
    }
};

QTEST_GUILESS_MAIN(TestCsvWriter)
#include "tst_csvwriter.moc"
