// SPDX-License-Identifier: GPL-3.0-or-later
// Live protocol version 2: names, full and brief rows, subscriptions (docs/protocol.md, "Version 2").
#include "collector/liveprotocol2.h"
#include "models/seriessummary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

LiveFrame sampleFrame()
{
    SeriesSummary timer(MetricKind::Timer), gauge(MetricKind::Gauge), counter(MetricKind::Counter),
        set(MetricKind::Set), fraction(MetricKind::Counter);
    fraction.addCounter(0.3); // a fractional counter: count rounds to 0, its rate is 0.3
    for (int i = 1; i <= 150; ++i)
        timer.addValue(0.1 * i + 1.0 / 3.0);
    gauge.addGauge(2.5, 1795464916100);
    gauge.addGauge(-7.125, 1795464916900);
    counter.addCounter(3, 0.25); // a sampled counter: count is rate-scaled, 12
    set.addSetMember(SeriesSummary::hashMember("a"));
    set.addSetMember(SeriesSummary::hashMember("b"));
    LiveFrame frame { 1795464916,
        { timer.toStats(u"lat|model:m1"_s, 1.0, true), gauge.toStats(u"queue|model:m1"_s, 1.0),
            counter.toStats(u"requests|model:m1,status:ok"_s, 1.0), set.toStats(u"users"_s, 1.0),
            fraction.toStats(u"cost|model:m1"_s, 1.0), fraction.toStats(u"cost|model:m2"_s, 1.0) } };
    frame.provisional = true;
    QualityStats quality;
    quality.key = u"prediction.quality|model:m1"_s;
    quality.binary = 4;
    quality.accuracy = 0.75;
    quality.blob = "xyz";
    frame.quality = { quality };
    return frame;
}

bool sameNumber(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

QJsonObject json(const QByteArray &line)
{
    return QJsonDocument::fromJson(line).object();
}

} // namespace

class TestLiveProtocol2 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fullRowsKeepEveryStatisticAndBriefRowsTheCount()
    {
        const LiveFrame frame = sampleFrame();
        LiveProtocol::NameTable names;
        const QVector<quint32> ids = names.number(frame);
        QCOMPARE(ids, (QVector<quint32> { 0, 1, 2, 3, 4, 5 }));
        LiveProtocol::Subscription subscription;
        subscription.keys = { u"queue|model:m1"_s, u"users"_s, u"cost|model:m1"_s, u"not.in.frame"_s };
        const QSet<QString> followed { u"lat|model:m1"_s }; // followed: in full with its sketch
        const QByteArray quality
            = QJsonDocument(LiveProtocol::encodeQuality(frame.quality)).toJson(QJsonDocument::Compact);
        const QByteArray line = LiveProtocol::encodeFrame2(frame, ids, subscription, followed, quality, R"({"x":1})");
        QVERIFY(line.endsWith("}\n"));
        QCOMPARE(line.count('\n'), 1);
        QVERIFY2(!line.contains("requests|model"), "keys travel in names messages only");

        LiveProtocol::Decoder decoder;
        LiveFrame back;
        QJsonObject collector;
        // A frame before its names gives no rows, and says so.
        QCOMPARE(decoder.decode(line, nullptr, &back, &collector), LiveProtocol::MessageType::Frame);
        QVERIFY(back.series.isEmpty());
        QCOMPARE(decoder.unknownIds(), 6u);
        decoder.reset();
        QCOMPARE(decoder.decode(names.encodeNames(0), nullptr, nullptr, nullptr), LiveProtocol::MessageType::Names);
        QCOMPARE(decoder.namesKnown(), 6);
        QCOMPARE(decoder.decode(line, nullptr, &back, &collector), LiveProtocol::MessageType::Frame);
        QCOMPARE(collector.value(u"x"_s).toInt(), 1);
        QCOMPARE(back.second, frame.second);
        QVERIFY(back.provisional);
        QCOMPARE(back.series.size(), 6);
        QCOMPARE(back.quality.size(), 1);
        QCOMPARE(back.quality[0].key, frame.quality[0].key);
        QCOMPARE(back.quality[0].blob, frame.quality[0].blob);

        QHash<QString, SeriesStats> got;
        for (const SeriesStats &s : std::as_const(back.series))
            got.insert(s.key, s);
        for (const SeriesStats &sent : frame.series) {
            QVERIFY2(got.contains(sent.key), qPrintable(sent.key));
            const SeriesStats &s = got[sent.key];
            QCOMPARE(s.kind, sent.kind);
            QCOMPARE(s.count, sent.count);
            QCOMPARE(s.rate, sent.rate);
            if (sent.key == u"requests|model:m1,status:ok"_s || sent.key == u"cost|model:m2"_s) {
                // Brief: a counter's unrounded count (its sum, and the rate it is in a one-second bucket), nothing
                // else.
                QVERIFY(s.brief);
                QCOMPARE(s.sum, sent.sum);
                QVERIFY(std::isnan(s.min) && std::isnan(s.max) && std::isnan(s.p95));
                continue;
            }
            QVERIFY(!s.brief);
            for (const auto &[a, b] : { std::pair { s.sum, sent.sum }, { s.min, sent.min }, { s.max, sent.max },
                     { s.last, sent.last }, { s.p50, sent.p50 }, { s.p90, sent.p90 }, { s.p95, sent.p95 },
                     { s.p99, sent.p99 }, { s.p999, sent.p999 }, { s.quantileError, sent.quantileError } })
                QVERIFY2(sameNumber(a, b), qPrintable(u"%1: %2 against %3"_s.arg(sent.key).arg(a).arg(b)));
            QCOMPARE(s.uniqueCount, sent.uniqueCount);
            QCOMPARE(s.sketch.isEmpty(), !followed.contains(sent.key));
        }
        QCOMPARE(got[u"requests|model:m1,status:ok"_s].count, 12);
        QCOMPARE(got[u"cost|model:m1"_s].rate, 0.3);
        QCOMPARE(got[u"cost|model:m2"_s].rate, 0.3);
        const SeriesStats &timer = got[u"lat|model:m1"_s];
        QCOMPARE(timer.sketch, frame.series[0].sketch);
        const auto summary = SeriesSummary::fromStats(timer, frame.second * 1000 + 999);
        QVERIFY(summary);
        QCOMPARE(summary->sketch()->quantile(0.95), frame.series[0].p95);
    }

    void namesContinueFromWhatWasSent()
    {
        LiveProtocol::NameTable names;
        SeriesStats a, b;
        a.key = u"a"_s;
        b.key = u"b"_s;
        b.kind = MetricKind::Timer;
        names.number(LiveFrame { 1, { a, b } });
        LiveProtocol::Decoder decoder;
        QCOMPARE(decoder.decode(names.encodeNames(0), nullptr, nullptr, nullptr), LiveProtocol::MessageType::Names);
        // The same keys keep their ids; a new key and a key sent as another kind are numbered on.
        SeriesStats aGauge = a, c = a;
        aGauge.kind = MetricKind::Gauge;
        c.key = u"c"_s;
        const QVector<quint32> ids = names.number(LiveFrame { 2, { b, c, aGauge } });
        QCOMPARE(ids, (QVector<quint32> { 1, 2, 3 }));
        QCOMPARE(names.size(), 4);
        const QByteArray more = names.encodeNames(2);
        QCOMPARE(json(more).value(u"first"_s).toInt(), 2);
        QCOMPARE(json(more).value(u"names"_s).toArray().size(), 2);
        // Names that skip some are refused: the decoder keeps what it had.
        QCOMPARE(decoder.decode(names.encodeNames(3), nullptr, nullptr, nullptr), LiveProtocol::MessageType::Invalid);
        QCOMPARE(decoder.namesKnown(), 2);
        QVERIFY(decoder.namesBroken()); // the client starts the connection again
        QCOMPARE(decoder.decode(more, nullptr, nullptr, nullptr), LiveProtocol::MessageType::Names);
        QCOMPARE(decoder.namesKnown(), 4);

        LiveProtocol::Subscription everything;
        everything.keys = { u"a"_s, u"b"_s, u"c"_s };
        LiveFrame back;
        QCOMPARE(
            decoder.decode(LiveProtocol::encodeFrame2(LiveFrame { 2, { b, c, aGauge } }, ids, everything, {}, {}, {}),
                nullptr, &back, nullptr),
            LiveProtocol::MessageType::Frame);
        QCOMPARE(back.series.size(), 3);
        QCOMPARE(back.series[2].key, u"a"_s);
        QCOMPARE(back.series[2].kind, MetricKind::Gauge);
        QCOMPARE(back.series[2].rate, 0.0); // gauges have no rate
        QCOMPARE(decoder.unknownIds(), 0u);
    }

    void aBriefTimerHasNoMeaningfulQuantile()
    {
        SeriesSummary timer(MetricKind::Timer);
        for (int i = 0; i < 200; ++i)
            timer.addValue(i);
        const LiveFrame frame { 9, { timer.toStats(u"lat"_s, 1.0) } };
        LiveProtocol::NameTable names;
        const QVector<quint32> ids = names.number(frame);
        LiveProtocol::Decoder decoder;
        decoder.decode(names.encodeNames(0), nullptr, nullptr, nullptr);
        LiveFrame back;
        decoder.decode(LiveProtocol::encodeFrame2(frame, ids, {}, {}, {}, {}), nullptr, &back, nullptr);
        QCOMPARE(back.series.size(), 1);
        QCOMPARE(back.series[0].count, 200);
        QVERIFY(frame.series[0].isMeaningful(0.95));
        QVERIFY(!back.series[0].isMeaningful(0.5)); // n is there, the quantiles are not
    }

    void aKeyFlippingKindsKeepsTwoIds()
    {
        LiveProtocol::NameTable names;
        SeriesStats counter, gauge;
        counter.key = gauge.key = u"x"_s;
        gauge.kind = MetricKind::Gauge;
        for (int i = 0; i < 10; ++i)
            QCOMPARE(names.number(LiveFrame { i, { i % 2 ? gauge : counter } }), QVector<quint32> { quint32(i % 2) });
        QCOMPARE(names.size(), 2);
    }

    void othersNoneLeavesTheRestOut()
    {
        LiveProtocol::NameTable names;
        SeriesStats a, b;
        a.key = u"a"_s;
        b.key = u"b"_s;
        const LiveFrame frame { 5, { a, b } };
        const QVector<quint32> ids = names.number(frame);
        LiveProtocol::Subscription onlyA;
        onlyA.keys = { u"a"_s };
        onlyA.others = false;
        const QJsonObject o = json(LiveProtocol::encodeFrame2(frame, ids, onlyA, {}, {}, {}));
        QCOMPARE(o.value(u"full"_s).toArray().size(), 1);
        QVERIFY(!o.contains(u"brief"_s));
        onlyA.others = true;
        QCOMPARE(json(LiveProtocol::encodeFrame2(frame, ids, onlyA, {}, {}, {})).value(u"brief"_s).toArray(),
            (QJsonArray { 1, 0 }));
    }

    void subscribeRequests_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::addColumn<int>("keys");
        QTest::newRow("keys") << LiveProtocol::encodeSubscribe(1, { u"a"_s, u"b"_s, u"a"_s }) << QString() << 2;
        QTest::newRow("none") << LiveProtocol::encodeSubscribe(1, {}, false) << QString() << 0;
        QTest::newRow("no keys") << QByteArray(R"({"type":"request","id":1,"method":"subscribe"})")
                                 << u"needs \"keys\""_s << 0;
        QTest::newRow("a number") << QByteArray(R"({"type":"request","id":1,"method":"subscribe","keys":[1]})")
                                  << u"non-empty string"_s << 0;
        QTest::newRow("others") << QByteArray(R"({"type":"request","method":"subscribe","keys":[],"others":"all"})")
                                << u"\"others\""_s << 0;
        QTest::newRow("version 3") << QByteArray(R"({"type":"request","method":"subscribe","version":3,"keys":[]})")
                                   << u"version 2"_s << 0;
        QStringList many;
        for (qsizetype i = 0; i <= LiveProtocol::maxSubscribedKeys; ++i)
            many << u"k%1"_s.arg(i);
        QTest::newRow("too many") << LiveProtocol::encodeSubscribe(1, many)
                                  << QString::number(LiveProtocol::maxSubscribedKeys) << 0;
    }
    void subscribeRequests()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, error);
        QFETCH(int, keys);
        QVERIFY(request.size() <= LiveProtocol::maxRequestBytes);
        QString why;
        const auto subscription = LiveProtocol::subscriptionOf(json(request), &why);
        QCOMPARE(subscription.has_value(), error.isEmpty());
        if (subscription)
            QCOMPARE(subscription->keys.size(), keys);
        else
            QVERIFY2(why.contains(error), qPrintable(why));
    }

    void helloNamesTheVersions()
    {
        LiveProtocol::Hello hello;
        hello.version = LiveProtocol::version;
        LiveProtocol::Hello back;
        QCOMPARE(LiveProtocol::decode(LiveProtocol::encodeHello(hello), &back, nullptr, nullptr),
            LiveProtocol::MessageType::Hello);
        QCOMPARE(back.versions, (QList<int> { 1, 2 }));
        // A collector from before version 2 sent no list: it speaks its version alone.
        QCOMPARE(
            LiveProtocol::decode(R"({"type":"hello","protocol":"perfdash-live","version":1})", &back, nullptr, nullptr),
            LiveProtocol::MessageType::Hello);
        QCOMPARE(back.versions, QList<int> { 1 });
    }

    void aBriefRowIsAFractionOfAVersion1Series()
    {
        // 10,000 series, 100 of them subscribed: what a dashboard showing one model of 500 asks for.
        LiveFrame frame { 1795464916, {} };
        for (int i = 0; i < 10000; ++i) {
            SeriesSummary summary(i % 2 ? MetricKind::Timer : MetricKind::Counter);
            for (int v = 1; v <= 5; ++v)
                i % 2 ? summary.addValue(v * 1.7 + i) : summary.addCounter(v);
            frame.series.push_back(
                summary.toStats(u"inference.latency|model:m%1,step:s%2"_s.arg(i / 20).arg(i % 20), 1.0));
        }
        LiveProtocol::NameTable names;
        const QVector<quint32> ids = names.number(frame);
        LiveProtocol::Subscription subscription;
        for (int i = 0; i < 100; ++i)
            subscription.keys.insert(frame.series[i].key);
        const qsizetype v1 = LiveProtocol::encodeFrame(frame).size();
        const qsizetype v2 = LiveProtocol::encodeFrame2(frame, ids, subscription, {}, {}, {}).size();
        qInfo("version 1: %lld bytes, version 2: %lld bytes, names once: %lld bytes", qlonglong(v1), qlonglong(v2),
            qlonglong(names.encodeNames(0).size()));
        QVERIFY2(v2 * 10 < v1, qPrintable(u"%1 against %2"_s.arg(v2).arg(v1)));
    }
};

QTEST_GUILESS_MAIN(TestLiveProtocol2)
#include "tst_liveprotocol2.moc"
