// SPDX-License-Identifier: GPL-3.0-or-later
// The one series registry of both ingest paths: caps in total and per source, idle expiry that gives the
// aggregator's ids back, and StatsD datagrams and NDJSON records counted against the same caps.
#include "collector/ingestcounters.h"
#include "collector/ndjsonrecord.h"
#include "collector/recordrouter.h"
#include "collector/seriesregistry.h"
#include "collector/statsdingest.h"
#include "models/aggregator.h"

#include <QtTest>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;

namespace {
constexpr qint64 kStart = 1'700'000'000; // seconds

SeriesRegistry::Limits limits(qsizetype total, qsizetype perSource, qint64 idle = 600, qint64 sweep = 60)
{
    SeriesRegistry::Limits l;
    l.maxSeries = total;
    l.maxSeriesPerSource = perSource;
    l.idleSeconds = idle;
    l.sweepSeconds = sweep;
    return l;
}

QStringList keysOf(const LiveFrame &frame)
{
    QStringList out;
    for (const auto &s : frame.series)
        out << s.key;
    return out;
}
} // namespace

class TestSeriesRegistry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theTotalCapRefusesNewSeriesOnlyAndCountsThem()
    {
        Aggregator aggregator;
        SeriesRegistry registry(aggregator, limits(3, 100));
        const auto a = registry.admit("a", kStart, 0);
        QVERIFY(a >= 0);
        QVERIFY(registry.admit("b", kStart, 0) >= 0);
        QVERIFY(registry.admit("c", kStart, 0) >= 0);
        QCOMPARE(registry.admit("d", kStart, 0), SeriesRegistry::kRefused);
        QCOMPARE(registry.admit("d", kStart, 7), SeriesRegistry::kRefused);
        QCOMPARE(registry.admit("a", kStart + 1, 0), a); // a known series is never refused
        QCOMPARE(registry.size(), 3);
        QCOMPARE(registry.refused(SeriesRegistry::Refusal::TotalCap), 2u);
        QCOMPARE(registry.refused(SeriesRegistry::Refusal::SourceCap), 0u);
        QCOMPARE(aggregator.seriesCount(), 3);
    }

    void eachSourceHasItsOwnCapAndUnknownSendersOnlyTheTotal()
    {
        Aggregator aggregator;
        SeriesRegistry registry(aggregator, limits(100, 2));
        QVERIFY(registry.admit("p10.a", kStart, 10) >= 0);
        QVERIFY(registry.admit("p10.b", kStart, 10) >= 0);
        QCOMPARE(registry.admit("p10.c", kStart, 10), SeriesRegistry::kRefused);
        QVERIFY(registry.admit("p11.a", kStart, 11) >= 0);
        for (int i = 0; i < 5; ++i)
            QVERIFY(registry.admit(QByteArray(QByteArray("udp.") + QByteArray::number(i)), kStart, 0) >= 0);
        // A known key is never refused; it now counts for p10, which sends it
        // (aSeriesCountsForTheProcessThatSendsItNow).
        QVERIFY(registry.admit("p11.a", kStart, 10) >= 0);
        QCOMPARE(registry.refused(SeriesRegistry::Refusal::SourceCap), 1u);
        QCOMPARE(registry.size(), 8);
        QCOMPARE(registry.sources(), 1);
    }

    void aSeriesCountsForTheProcessThatSendsItNow()
    {
        Aggregator aggregator;
        SeriesRegistry registry(aggregator, limits(100, 2));
        QVERIFY(registry.admit("a", kStart, 10) >= 0);
        QVERIFY(registry.admit("b", kStart, 10) >= 0);
        QCOMPARE(registry.admit("c", kStart, 10), SeriesRegistry::kRefused);
        // Process 10 restarted as 11 and sends its keys again: they move, and 10's room comes back.
        QVERIFY(registry.admit("a", kStart + 1, 11) >= 0);
        QVERIFY(registry.admit("c", kStart + 1, 10) >= 0);
        QCOMPARE(registry.admit("d", kStart + 1, 10), SeriesRegistry::kRefused);
        QVERIFY(registry.admit("e", kStart + 1, 11) >= 0);
        QCOMPARE(registry.admit("f", kStart + 1, 11), SeriesRegistry::kRefused);
        QVERIFY(registry.admit("a", kStart + 2, 0) >= 0); // an unknown sender moves nothing
        QCOMPARE(registry.admit("g", kStart + 2, 11), SeriesRegistry::kRefused);
        QCOMPARE(registry.refused(SeriesRegistry::Refusal::SourceCap), 4u);
    }

    void keysThatDifferOnlyByAByteOrderMarkAreTwoSeries()
    {
        // QString::fromUtf8 drops a leading BOM: both keys would have become "foo", one aggregator id held by two
        // entries, and the first to expire would have released the other's id.
        Aggregator aggregator;
        SeriesRegistry registry(aggregator, limits(100, 100, /*idle*/ 60, /*sweep*/ 10));
        registry.expireIdle(kStart);
        const auto bom = registry.admit("\xEF\xBB\xBF"
                                        "foo",
            kStart, 0);
        const auto plain = registry.admit("foo", kStart, 0);
        QVERIFY(bom != plain);
        QCOMPARE(aggregator.keyOf(bom), QString(QChar(0xFEFF)) + u"foo"_s);
        QCOMPARE(aggregator.keyOf(plain), u"foo"_s);
        QCOMPARE(aggregator.seriesCount(), 2);
        QCOMPARE(registry.admit("foo", kStart + 100, 0), plain);
        registry.expireIdle(kStart + 100);
        QCOMPARE(registry.expired(), 1u);
        QCOMPARE(aggregator.keyOf(plain), u"foo"_s); // still its own
        QCOMPARE(registry.admit("foo", kStart + 101, 0), plain);
    }

    void idleSeriesAreForgottenAndGiveTheirRoomAndIdsBack()
    {
        Aggregator aggregator;
        SeriesRegistry registry(aggregator, limits(2, 100, /*idle*/ 60, /*sweep*/ 30));
        const auto a = registry.admit("a", kStart, 5);
        const auto b = registry.admit("b", kStart, 5);
        aggregator.add(a, MetricKind::Counter, 1, kStart * 1000);
        aggregator.add(b, MetricKind::Gauge, 7, kStart * 1000);
        QCOMPARE(aggregator.closeDue((kStart + 10) * 1000).size(), 1);
        QCOMPARE(registry.admit("c", kStart + 30, 5), SeriesRegistry::kRefused); // at the cap
        QCOMPARE(registry.admit("b", kStart + 30, 5), b); // b stays in use
        registry.expireIdle(kStart + 40); // the first call only starts the sweep clock
        registry.expireIdle(kStart + 65);
        QCOMPARE(registry.expired(), 0u); // a is 65 s idle, but no sweep is due for 30 s after the clock started
        registry.expireIdle(kStart + 60); // a step back in time sweeps nothing either
        QCOMPARE(registry.expired(), 0u);
        registry.expireIdle(kStart + 71);
        QCOMPARE(registry.expired(), 1u);
        QCOMPARE(registry.size(), 1);
        QCOMPARE(aggregator.seriesCount(), 1);
        QCOMPARE(registry.sources(), 1);
        // a's room and id go to the next new series.
        const auto c = registry.admit("c", kStart + 72, 5);
        QCOMPARE(c, a);
        QCOMPARE(aggregator.keyOf(c), u"c"_s);
        // The reused id names c in frames, in key order.
        aggregator.add(u"0first"_s, MetricKind::Counter, 1, (kStart + 72) * 1000);
        aggregator.add(c, MetricKind::Counter, 2, (kStart + 72) * 1000);
        aggregator.add(b, MetricKind::Gauge, 8, (kStart + 72) * 1000);
        const auto frames = aggregator.closeAll();
        QCOMPARE(frames.size(), 1);
        QCOMPARE(keysOf(frames.front()), QStringList({ u"0first"_s, u"b"_s, u"c"_s }));
        QCOMPARE(frames.front().series.at(2).count, qint64(2));
    }

    void aSeriesWithDataInAnOpenSecondStaysUntilThatSecondCloses()
    {
        Aggregator aggregator(Aggregator::Options { 2000, QuantileSketch::kDefaultRelativeAccuracy });
        SeriesRegistry registry(aggregator, limits(10, 10, /*idle*/ 10, /*sweep*/ 1));
        registry.expireIdle(kStart);
        const auto a = registry.admit("a", kStart, 0);
        // Someone else adds to the same key by name, with a timestamp of its own, in a second still open.
        aggregator.add(u"a"_s, MetricKind::Counter, 1, (kStart + 20) * 1000);
        registry.expireIdle(kStart + 20);
        QCOMPARE(registry.expired(), 0u);
        QCOMPARE(registry.admit("a", kStart + 20, 0), a);
        QVERIFY(!aggregator.releaseSeries(a));
        QCOMPARE(aggregator.closeDue((kStart + 23) * 1000).size(), 1);
        registry.expireIdle(kStart + 31);
        QCOMPARE(registry.expired(), 1u);
        QCOMPARE(aggregator.seriesCount(), 0);
        QVERIFY(!aggregator.releaseSeries(a)); // not twice
    }

    void aReleasedGaugeStartsAfreshAndItsQualityIdIsKeptWhileOpen()
    {
        Aggregator aggregator;
        const auto g = aggregator.seriesId(u"g"_s);
        aggregator.add(g, MetricKind::Gauge, 10, kStart * 1000);
        aggregator.closeAll();
        QVERIFY(aggregator.releaseSeries(g));
        const auto again = aggregator.seriesId(u"g"_s);
        aggregator.addGaugeDelta(again, 3, (kStart + 100) * 1000); // no value held any more: a set, not 10 + 3
        const auto frames = aggregator.closeAll();
        QCOMPARE(frames.front().series.front().last, 3.0);

        const auto q = aggregator.seriesId(u"prediction.quality|model:m"_s);
        QVERIFY(aggregator.addBinaryOutcome(q, 0.9, true, (kStart + 200) * 1000));
        QVERIFY(!aggregator.releaseSeries(q));
        aggregator.closeAll();
        QVERIFY(aggregator.releaseSeries(q));
    }

    void framesKeepKeyOrderAfterIdsAreReused()
    {
        Aggregator aggregator;
        QVector<Aggregator::SeriesId> ids;
        for (const auto &key : { u"m1"_s, u"m2"_s, u"m3"_s, u"m4"_s, u"m5"_s })
            ids << aggregator.seriesId(key);
        for (const auto id : ids)
            aggregator.add(id, MetricKind::Counter, 1, kStart * 1000);
        aggregator.closeAll(); // ranks known for all five
        QVERIFY(aggregator.releaseSeries(ids[1]));
        QVERIFY(aggregator.releaseSeries(ids[3]));
        QCOMPARE(aggregator.seriesCount(), 3);
        QCOMPARE(aggregator.seriesId(u"z9"_s), ids[3]); // the last released is the first reused
        QCOMPARE(aggregator.seriesId(u"a0"_s), ids[1]);
        QCOMPARE(aggregator.seriesId(u"m3"_s), ids[2]); // the others keep theirs
        for (const auto id : ids)
            aggregator.add(id, MetricKind::Counter, 1, (kStart + 10) * 1000);
        const auto frames = aggregator.closeAll();
        QCOMPARE(keysOf(frames.front()), QStringList({ u"a0"_s, u"m1"_s, u"m3"_s, u"m5"_s, u"z9"_s }));
    }

    void statsdAndRecordsShareTheCaps()
    {
        Aggregator aggregator;
        IngestCounters counters;
        SeriesRegistry registry(aggregator, limits(4, 3));
        StatsdIngest statsd(aggregator, registry, counters);
        RecordRouter router(aggregator, registry);
        const qint64 nowMs = kStart * 1000;
        statsd.processDatagram("s.one:1|c\ns.two:1|c", nowMs, 42);
        NativeRecord record;
        QVERIFY(!NdjsonRecord::parse(
            R"({"type":"metric","name":"r.one","kind":"counter","value":1})", record, NdjsonRecord::Limits(), nowMs));
        router.route(record, nowMs, 42);
        QCOMPARE(registry.size(), 3);
        // Source 42 is at its cap of 3, on either path.
        QVERIFY(!NdjsonRecord::parse(
            R"({"type":"metric","name":"r.two","kind":"counter","value":1})", record, NdjsonRecord::Limits(), nowMs));
        router.route(record, nowMs, 42);
        statsd.processDatagram("s.three:1|c", nowMs, 42);
        QCOMPARE(registry.refused(SeriesRegistry::Refusal::SourceCap), 2u);
        QCOMPARE(counters.otherRejections.value(u"series_cap"_s), 1u); // the StatsD line
        // Another source takes the last place in total; then the total cap refuses everyone.
        router.route(record, nowMs, 43);
        statsd.processDatagram("s.four:1|c", nowMs, 0);
        QCOMPARE(registry.size(), 4);
        QCOMPARE(registry.refused(SeriesRegistry::Refusal::TotalCap), 1u);
        const auto frames = aggregator.closeAll();
        QCOMPARE(keysOf(frames.front()), QStringList({ u"r.one"_s, u"r.two"_s, u"s.one"_s, u"s.two"_s }));
        const QJsonObject json = registry.statsJson();
        QCOMPARE(json.value(u"live"_s).toInteger(), 4);
        QCOMPARE(json.value(u"samples_refused"_s).toObject().value(u"source_cap"_s).toInteger(), 2);
        QCOMPARE(json.value(u"samples_refused"_s).toObject().value(u"total_cap"_s).toInteger(), 1);
    }

    void aRequestIdTagCannotGrowTheCollectorWithoutBound()
    {
        // 20 minutes of a producer that puts a new request id in a tag every time: what is kept stays bounded by
        // what one idle period brings, and the aggregator's interned keys shrink with the registry.
        Aggregator aggregator;
        IngestCounters counters;
        SeriesRegistry registry(aggregator, limits(100000, 100000, /*idle*/ 60, /*sweep*/ 6));
        StatsdIngest statsd(aggregator, registry, counters);
        qsizetype most = 0;
        for (qint64 s = 0; s < 1200; ++s) {
            const qint64 nowMs = (kStart + s) * 1000;
            for (int i = 0; i < 10; ++i)
                statsd.processDatagram(QByteArray("req.ms:5|ms|#request:" + QByteArray::number(s * 10 + i)), nowMs, 0);
            aggregator.closeDue(nowMs);
            registry.expireIdle(kStart + s);
            most = std::max(most, aggregator.seriesCount());
        }
        QCOMPARE(counters.linesAccepted, 12000u);
        QVERIFY2(most <= 10LL * (60 + 6 + 4), qPrintable(QString::number(most)));
        QVERIFY(registry.expired() >= 12000u - 10 * (60 + 6 + 4));
        QCOMPARE(aggregator.seriesCount(), registry.size());
    }
};

QTEST_GUILESS_MAIN(TestSeriesRegistry)
#include "tst_seriesregistry.moc"
