// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/liveprotocol.h"
#include "models/alertrule.h"
#include "models/seriessummary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestLiveProtocol : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void helloRoundTrip()
    {
        LiveProtocol::Hello hello { LiveProtocol::version, u"0.1.0"_s, u"127.0.0.1:8125"_s, u"/tmp/p.db"_s,
            u"/tmp/rules.json"_s, 42 };
        const QByteArray line = LiveProtocol::encodeHello(hello);
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        LiveProtocol::Hello back;
        QCOMPARE(LiveProtocol::decode(line, &back, nullptr, nullptr), LiveProtocol::MessageType::Hello);
        QCOMPARE(back.version, 1);
        QCOMPARE(back.udp, hello.udp);
        QCOMPARE(back.db, hello.db);
        QCOMPARE(back.rules, hello.rules);
        QCOMPARE(back.pid, 42);
    }
    void alertsRoundTrip()
    {
        AlertEvent e;
        e.time = 1796433821;
        e.ruleId = u"errors"_s;
        e.ruleName = u"Errors"_s;
        e.instance = u"model:m1"_s;
        e.severity = u"critical"_s;
        e.state = u"firing"_s;
        e.value = 0.135;
        e.threshold = 0.05;
        e.message = u"error_rate of m1 is 13.50 %, above 5.00 % over 5s"_s;
        e.labels.insert(u"team"_s, u"ml"_s);
        AlertEvent noValue = e;
        noValue.state = u"resolved"_s;
        noValue.value = AlertRule::nan;
        const QByteArray line = LiveProtocol::encodeAlerts({ e, noValue });
        QCOMPARE(line.count('\n'), 1);
        QJsonObject other;
        QCOMPARE(LiveProtocol::decode(line, nullptr, nullptr, &other), LiveProtocol::MessageType::Alerts);
        const QVector<AlertEvent> back = LiveProtocol::alertEventsOf(other);
        QCOMPARE(back.size(), 2);
        QCOMPARE(back[0], e);
        QCOMPARE(back[0].labels, e.labels);
        QCOMPARE(back[0].message, e.message);
        QVERIFY(std::isnan(back[1].value));
        QCOMPARE(back[1].state, u"resolved"_s);
    }
    void frameRoundTripKeepsNumbersAndGaps()
    {
        SeriesStats t;
        t.key = u"lat|model:m1"_s;
        t.kind = MetricKind::Timer;
        t.count = 3;
        t.rate = 3;
        t.sum = 0.1 + 0.2;
        t.min = 1e-6;
        t.max = 3600000.5;
        t.p50 = 0.30000000000000004;
        t.p90 = t.p95 = t.p99 = t.p999 = 3600000.5;
        t.quantileError = 0.01;
        t.sketch = QByteArray("not on the wire");
        SeriesStats g;
        g.key = u"q"_s;
        g.kind = MetricKind::Gauge;
        g.count = 1;
        g.last = -2.5;
        const QByteArray line
            = LiveProtocol::encodeFrame(LiveFrame { 1700000000, { t, g } }, QJsonObject { { u"lines_accepted"_s, 9 } });
        LiveFrame back;
        QJsonObject stats;
        QCOMPARE(LiveProtocol::decode(line, nullptr, &back, &stats), LiveProtocol::MessageType::Frame);
        QCOMPARE(back.second, 1700000000);
        QCOMPARE(back.series.size(), 2);
        QCOMPARE(back.series[0].sum, t.sum);
        QCOMPARE(back.series[0].min, 1e-6);
        QCOMPARE(back.series[0].p50, 0.30000000000000004);
        QCOMPARE(back.series[0].p99, 3600000.5);
        QCOMPARE(back.series[0].p999, 3600000.5);
        QCOMPARE(back.series[0].quantileError, 0.01);
        QVERIFY(back.series[0].sketch.isEmpty());
        QVERIFY(!back.provisional);
        QVERIFY(std::isnan(back.series[1].p999));
        QVERIFY(std::isnan(back.series[1].quantileError));
        QCOMPARE(back.series[1].last, -2.5);
        QVERIFY(std::isnan(back.series[1].p50));
        QVERIFY(std::isnan(back.series[1].min));
        QCOMPARE(stats.value(u"lines_accepted"_s).toInt(), 9);
    }
    void qualityRoundTrips()
    {
        QualityMetrics m;
        m.addBinary(0.9, true);
        m.addBinary(0.2, true);
        m.addRegression(3, 4);
        LiveFrame frame { 1700000002, {} };
        frame.quality.push_back(QualityStats::from(u"prediction.quality|model:m1"_s, m, true));
        LiveFrame back;
        QCOMPARE(LiveProtocol::decode(LiveProtocol::encodeFrame(frame), nullptr, &back, nullptr),
            LiveProtocol::MessageType::Frame);
        QCOMPARE(back.quality.size(), 1);
        const QualityStats &q = back.quality[0];
        QCOMPARE(q.key, u"prediction.quality|model:m1"_s);
        QCOMPARE(q.binary, quint64(2));
        QCOMPARE(q.regression, quint64(1));
        QCOMPARE(q.accuracy, 0.5);
        QCOMPARE(q.recall, 0.5);
        QVERIFY(std::isnan(q.aucRoc)); // no negatives
        QCOMPARE(q.mae, 1.0);
        QCOMPARE(q.blob, m.serialize());
    }

    void setsAndProvisionalFrames()
    {
        SeriesStats users;
        users.key = u"users"_s;
        users.kind = MetricKind::Set;
        users.count = 5;
        users.uniqueCount = 3;
        LiveFrame frame { 1700000001, { users } };
        frame.provisional = true;
        const QByteArray line = LiveProtocol::encodeFrame(frame);
        QVERIFY(line.contains("\"provisional\":true"));
        QVERIFY(!line.contains("p999"));
        LiveFrame back;
        QCOMPARE(LiveProtocol::decode(line, nullptr, &back, nullptr), LiveProtocol::MessageType::Frame);
        QVERIFY(back.provisional);
        QCOMPARE(back.series.value(0).uniqueCount, 3);
        // A final frame says nothing about it, and an old client's frame decodes as final.
        frame.provisional = false;
        QVERIFY(!LiveProtocol::encodeFrame(frame).contains("provisional"));
    }

    void followedSketchesRoundTripAndMerge()
    {
        // Ten seconds of a long-tailed timer, one frame each, with a gauge and an unfollowed timer beside it.
        QRandomGenerator rng(7);
        SeriesSummary all(MetricKind::Timer);
        SeriesSummary mergedBack(MetricKind::Timer);
        const QSet<QString> follow { u"lat|model:m1"_s, u"queue"_s, u"absent"_s };
        for (qint64 second = 0; second < 10; ++second) {
            SeriesSummary timer(MetricKind::Timer), other(MetricKind::Timer), gauge(MetricKind::Gauge);
            for (int i = 0; i < 37; ++i) {
                const double v = std::exp(3.0 + 1.5 * rng.generateDouble()) * (rng.bounded(20) == 0 ? 10 : 1);
                timer.addValue(v);
                all.addValue(v);
                other.addValue(v / 2);
            }
            gauge.addGauge(4, 1000 * second);
            LiveFrame frame { 1700000000 + second,
                { timer.toStats(u"lat|model:m1"_s, 1), other.toStats(u"other"_s, 1), gauge.toStats(u"queue"_s, 1) } };
            frame.provisional = second % 2 == 0;
            const QByteArray plain = LiveProtocol::encodeFrame(frame, QJsonObject { { u"subscribers"_s, 2 } });
            QVERIFY(!plain.contains("sketches"));
            QCOMPARE(LiveProtocol::withSketches(plain, frame, {}), plain); // no follows: the same bytes
            QCOMPARE(LiveProtocol::withSketches(plain, frame, { u"nothing here"_s }), plain);
            const QByteArray line = LiveProtocol::withSketches(plain, frame, follow);
            QVERIFY(line.endsWith("}\n"));
            QCOMPARE(line.count('\n'), 1);
            const QJsonObject json = QJsonDocument::fromJson(line).object();
            QCOMPARE(json.value(u"sketches"_s).toObject().keys(), QStringList { u"lat|model:m1"_s });

            LiveFrame back;
            QJsonObject stats;
            QCOMPARE(LiveProtocol::decode(line, nullptr, &back, &stats), LiveProtocol::MessageType::Frame);
            QCOMPARE(stats.value(u"subscribers"_s).toInt(), 2);
            QCOMPARE(back.provisional, frame.provisional);
            QCOMPARE(back.series.size(), 3);
            QCOMPARE(back.series[0].key, u"lat|model:m1"_s);
            QCOMPARE(back.series[0].sketch, frame.series[0].sketch);
            QVERIFY(back.series[1].sketch.isEmpty()); // not followed
            QVERIFY(back.series[2].sketch.isEmpty()); // a gauge has none
            // Without the splice, the same line decodes to the same numbers and no sketch.
            LiveFrame plainBack;
            QCOMPARE(LiveProtocol::decode(plain, nullptr, &plainBack, nullptr), LiveProtocol::MessageType::Frame);
            QVERIFY(plainBack.series[0].sketch.isEmpty());
            QCOMPARE(plainBack.series[0].p95, back.series[0].p95);

            const auto summary = SeriesSummary::fromStats(back.series[0], 1000 * second + 999);
            QVERIFY(summary);
            QVERIFY(mergedBack.merge(*summary));
        }
        // The ten decoded seconds merge to what one sketch of every value says.
        QCOMPARE(mergedBack.samples(), quint64(370));
        for (const double q : { 0.5, 0.9, 0.95, 0.99, 0.999 })
            QCOMPARE(mergedBack.sketch()->quantile(q), all.sketch()->quantile(q));
        QCOMPARE(mergedBack.sketch()->serialize(), all.sketch()->serialize());
    }

    void followRequests_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<int>("keys"); // -1: refused
        QStringList many;
        for (int i = 0; i <= LiveProtocol::maxFollowedKeys; ++i)
            many << u"k%1"_s.arg(i);
        QTest::newRow("two") << LiveProtocol::encodeFollow(1, { u"a|x:1"_s, u"b"_s }) << 2;
        QTest::newRow("duplicates count once") << LiveProtocol::encodeFollow(2, { u"a"_s, u"a"_s }) << 1;
        QTest::newRow("empty stops") << LiveProtocol::encodeFollow(3, {}) << 0;
        QTest::newRow("at the bound") << LiveProtocol::encodeFollow(4, many.mid(1))
                                      << int(LiveProtocol::maxFollowedKeys);
        QTest::newRow("over the bound") << LiveProtocol::encodeFollow(5, many) << -1;
        QTest::newRow("no keys") << QByteArray(R"({"type":"request","id":6,"method":"follow"})") << -1;
        QTest::newRow("not strings") << QByteArray(R"({"type":"request","id":7,"method":"follow","keys":[1]})") << -1;
        QTest::newRow("empty key") << QByteArray(R"({"type":"request","id":8,"method":"follow","keys":[""]})") << -1;
    }
    void followRequests()
    {
        QFETCH(QByteArray, line);
        QFETCH(int, keys);
        QVERIFY(line.count('\n') <= 1);
        const QJsonObject request = QJsonDocument::fromJson(line).object();
        QCOMPARE(request.value(u"method"_s).toString(), u"follow"_s);
        QString error;
        const auto got = LiveProtocol::followedKeys(request, &error);
        QCOMPARE(got.has_value(), keys >= 0);
        if (got)
            QCOMPARE(got->size(), keys);
        else
            QVERIFY(!error.isEmpty());
    }

    void rejectsGarbage_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("not json") << QByteArray("hello\n");
        QTest::newRow("array") << QByteArray("[1,2]\n");
        QTest::newRow("no type") << QByteArray("{\"x\":1}\n");
        QTest::newRow("foreign hello") << QByteArray("{\"type\":\"hello\",\"protocol\":\"other\"}\n");
    }
    void rejectsGarbage()
    {
        QFETCH(QByteArray, line);
        LiveFrame frame;
        LiveProtocol::Hello hello;
        QCOMPARE(LiveProtocol::decode(line, &hello, &frame, nullptr), LiveProtocol::MessageType::Invalid);
    }
};

QTEST_GUILESS_MAIN(TestLiveProtocol)
#include "tst_liveprotocol.moc"
