// SPDX-License-Identifier: GPL-3.0-or-later
// perfdashd's sampler and push options (the samplers run in tests/e2e/tst_samplers_e2e, the push in
// tests/e2e/tst_fleet_push_e2e).
#include "app/collectordaemon.h"
#include "app/pushdriver.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestCollectorDaemon : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sampleInterval_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected"); // -1: rejected
        QTest::newRow("1s") << u"1s"_s << qint64(1000);
        QTest::newRow("500ms") << u"500ms"_s << qint64(500);
        QTest::newRow("2.5s") << u"2.5s"_s << qint64(2500);
        QTest::newRow("bare seconds") << u"2"_s << qint64(2000);
        QTest::newRow("1m") << u"1m"_s << qint64(60000);
        QTest::newRow("off") << u"off"_s << qint64(0);
        QTest::newRow("0") << u"0"_s << qint64(0);
        QTest::newRow("100ms is the floor") << u"100ms"_s << qint64(100);
        QTest::newRow("too often") << u"99ms"_s << qint64(-1);
        QTest::newRow("too rare") << u"2h"_s << qint64(-1);
        QTest::newRow("over an hour") << u"61m"_s << qint64(-1);
        QTest::newRow("negative") << u"-1s"_s << qint64(-1);
        QTest::newRow("comma") << u"1,5s"_s << qint64(-1);
        QTest::newRow("word") << u"fast"_s << qint64(-1);
        QTest::newRow("empty") << QString() << qint64(-1);
    }
    void sampleInterval()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        const auto parsed = CollectorDaemon::parseSampleInterval(text);
        QCOMPARE(parsed.value_or(-1), expected);
    }

    void samplerArguments()
    {
        CollectorDaemon::Options options;
        QString error;
        QVERIFY2(CollectorDaemon::parseArguments(
                     { u"--watch-pid"_s, u"42"_s, u"--watch-pid=43"_s, u"--sample-interval"_s, u"250ms"_s }, &options,
                     &error),
            qPrintable(error));
        QCOMPARE(options.watchPids, (QVector<qint64> { 42, 43 }));
        QCOMPARE(options.sampleIntervalMs, 250);

        CollectorDaemon::Options defaults;
        QVERIFY(CollectorDaemon::parseArguments({}, &defaults, &error));
        QCOMPARE(defaults.sampleIntervalMs, 1000);
        QVERIFY(defaults.watchPids.isEmpty());

        CollectorDaemon::Options off;
        QVERIFY(CollectorDaemon::parseArguments({ u"--no-sampling"_s }, &off, &error));
        QCOMPARE(off.sampleIntervalMs, 0);

        QVERIFY(!CollectorDaemon::parseArguments({ u"--watch-pid"_s, u"-5"_s }, &off, &error));
        QVERIFY(error.contains(u"--watch-pid"_s));
        QVERIFY(!CollectorDaemon::parseArguments({ u"--watch-pid"_s, u"99999999999"_s }, &off, &error));
        QVERIFY(!CollectorDaemon::parseArguments({ u"--sample-interval"_s, u"10ms"_s }, &off, &error));
        QVERIFY(error.contains(u"--sample-interval"_s));
    }

    void pushArguments()
    {
        CollectorDaemon::Options options;
        QString error;
        QVERIFY2(CollectorDaemon::parseArguments(
                     { u"--push"_s, u"http://127.0.0.1:8428"_s, u"--push-interval"_s, u"1m"_s, u"--push-label"_s,
                         u"host=gpu-01"_s, u"--push-label"_s, u"team=vision"_s, u"--push-buffer"_s, u"8MiB"_s },
                     &options, &error),
            qPrintable(error));
        QCOMPARE(options.pushUrl, u"http://127.0.0.1:8428/api/v1/import/prometheus"_s);
        QCOMPARE(options.pushIntervalMs, 60000);
        QCOMPARE(options.pushBufferBytes, 8LL * 1024 * 1024);
        // host=NAME replaces the machine's name, in its place; other labels follow.
        const PromSchema::Labels expected { { "host", u"gpu-01"_s }, { "team", u"vision"_s } };
        QCOMPARE(options.fleetLabels, expected);

        CollectorDaemon::Options defaults;
        QVERIFY(CollectorDaemon::parseArguments({}, &defaults, &error));
        QVERIFY(defaults.pushUrl.isEmpty());
        QCOMPARE(defaults.pushIntervalMs, 10000);
        QCOMPARE(defaults.fleetLabels.size(), 1);
        QCOMPARE(defaults.fleetLabels.constFirst().first, QByteArray("host"));

        for (const QStringList &bad : { QStringList { u"--push"_s, u"127.0.0.1:8428"_s },
                 QStringList { u"--push"_s, u"http://x"_s, u"--push-interval"_s, u"500ms"_s },
                 QStringList { u"--push"_s, u"http://x"_s, u"--push-interval"_s, u"2h"_s },
                 QStringList { u"--push-label"_s, u"host"_s }, QStringList { u"--push-label"_s, u"job=a"_s },
                 QStringList { u"--push-label"_s, u"a-b=c"_s }, QStringList { u"--push-label"_s, u"vmrange=c"_s },
                 QStringList { u"--push-buffer"_s, u"12"_s } }) {
            CollectorDaemon::Options out;
            QVERIFY2(!CollectorDaemon::parseArguments(bad, &out, &error), qPrintable(bad.join(u' ')));
            QVERIFY2(error.contains(bad.constFirst() == u"--push"_s && bad.size() == 2 ? bad.constFirst()
                                                                                       : bad.at(bad.size() - 2)),
                qPrintable(error));
        }
    }

    void pushSplitsLargePushesBetweenLines()
    {
        const QByteArray text = "aaaa 1\nbb 2\ncccccccccccc 3\nd 4\n";
        const QVector<QByteArray> parts = PushDriver::split(text, 8);
        QCOMPARE(parts, (QVector<QByteArray> { "aaaa 1\n", "bb 2\n", "cccccccccccc 3\n", "d 4\n" }));
        QCOMPARE(PushDriver::split(text, 1000), QVector<QByteArray> { text });
        QCOMPARE(PushDriver::split(text, 12), (QVector<QByteArray> { "aaaa 1\nbb 2\n", "cccccccccccc 3\n", "d 4\n" }));
        QVERIFY(PushDriver::split(QByteArray(), 8).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCollectorDaemon)
#include "tst_collectordaemon.moc"
