// SPDX-License-Identifier: GPL-3.0-or-later
// The export command line: times, steps and retention specs (the whole command runs in tests/e2e/tst_storage_e2e).
#include "app/collectordaemon.h"
#include "app/exportcommand.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

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
        QTest::newRow("-7d") << u"-7d"_s << now - 7 * 86400;
        QTest::newRow("-2w") << u"-2w"_s << now - 14 * 86400;
        QTest::newRow("ISO Z") << u"2026-11-23T20:00:00Z"_s << now - 2700;
        QTest::newRow("ISO offset") << u"2026-11-23T21:00:00+01:00"_s << now - 2700;
        QTest::newRow("ISO without offset is UTC") << u"2026-11-23T20:00:00"_s << now - 2700;
        QTest::newRow("ISO milliseconds") << u"2026-11-23T20:00:00.500Z"_s << now - 2700;
        QTest::newRow("date") << u"2026-11-23"_s << now - 20 * 3600 - 2700;
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
    }
};

QTEST_GUILESS_MAIN(TestExportCommand)
#include "tst_exportcommand.moc"
