// SPDX-License-Identifier: GPL-3.0-or-later
// Telemetry: the members a sample writes (types, limits, reserved names), the built-in sample types, a run's list
// bounded at 1024 and thinned evenly ("drop every second, then keep every 2^k-th"), and a sampler's feed with the
// registration of the thread that started it.
#include "perfdash/telemetry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <limits>
#include <string>
#include <thread>

using namespace perfdash::client;
using namespace Qt::Literals::StringLiterals;

namespace {
struct NoTelemetry { };

// "{\"i\":7}" as the index the test gave it.
std::string indexed(uint64_t i)
{
    return "{\"i\":" + std::to_string(i) + "}";
}
uint64_t indexOf(const std::string &entry)
{
    return std::stoull(entry.substr(5));
}
} // namespace

class TestTelemetry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writerMembers()
    {
        TelemetryWriter w;
        w.add("rss_mb", 812.5);
        w.add("threads", 18);
        w.add("big", uint64_t(1) << 60);
        w.add("ratio", 0.1f);
        w.add("ok", true);
        w.add("phase", "fit\n2");
        w.add("nan", std::nan(""));
        w.addNull("none");
        w.add("ts", 1.0); // the entry's own names are left out
        w.add("timestamp", "x");
        QCOMPARE(w.members(),
            std::string(R"("rss_mb":812.5,"threads":18,"big":1152921504606846976,"ratio":0.1,"ok":true,)"
                        R"("phase":"fit\n2","nan":null,"none":null)"));
        QCOMPARE(w.leftOut(), size_t(2));
        // Numbers and booleans (as 0/1) are what series send; text, null and non-finite values are not.
        const std::vector<std::pair<std::string, double>> numbers { { "rss_mb", 812.5 }, { "threads", 18.0 },
            { "big", double(uint64_t(1) << 60) }, { "ratio", double(0.1f) }, { "ok", 1.0 } };
        QCOMPARE(w.numbers(), numbers);
        QCOMPARE(w.entry(1657100000.25, "2022-07-06T10:33:20.250+01:00"),
            R"({"timestamp":"2022-07-06T10:33:20.250+01:00","ts":1657100000.25,)" + w.members() + "}");
        QCOMPARE(TelemetryWriter().entry(1, "t"), std::string(R"({"timestamp":"t","ts":1})"));
    }

    // The collector reads doubles: a long double beyond their range is null and no series, as a NaN is, and one
    // below the smallest subnormal is 0 (its text would be bad_value).
    void writerKeepsNumbersWithinDoubleRange()
    {
        TelemetryWriter w;
        w.add("huge", 1e400L);
        w.add("tiny", 1e-400L);
        w.add("half", 0.5L);
        w.add("inf", -std::numeric_limits<double>::infinity());
        QCOMPARE(w.members(), std::string(R"("huge":null,"tiny":0,"half":0.5,"inf":null)"));
        const std::vector<std::pair<std::string, double>> numbers { { "tiny", 0.0 }, { "half", 0.5 } };
        QCOMPARE(w.numbers(), numbers);
    }

    void writerLimits()
    {
        TelemetryWriter w;
        for (int i = 0; i < 70; ++i)
            w.add("m" + std::to_string(i), i);
        QCOMPARE(w.numbers().size(), TelemetryWriter::kMaxMembers); // 62 + ts + timestamp = 64 a sample
        QCOMPARE(w.leftOut(), size_t(70 - 62));
        TelemetryWriter text;
        text.add("long", std::string(300, 'a'));
        text.add("cut", "x" + std::string(150, '\xE9') + std::string(150, '\xE9')); // invalid bytes repaired, cut
        const QJsonObject o = QJsonDocument::fromJson("{" + QByteArray::fromStdString(text.members()) + "}").object();
        QCOMPARE(o.value(u"long"_s).toString(), QString(200, u'a'));
        QVERIFY(o.value(u"cut"_s).toString().toUtf8().size() <= 200);
        QVERIFY(o.value(u"cut"_s).toString().startsWith(u"x\uFFFD"_s));
    }

    void builtInSampleTypes()
    {
        static_assert(hasTelemetry<int>);
        static_assert(hasTelemetry<double>);
        static_assert(hasTelemetry<std::map<std::string, double>>);
        static_assert(!hasTelemetry<NoTelemetry>);
        static_assert(!hasTelemetry<std::string>);
        TelemetryWriter number;
        toTelemetry(0.25, number);
        QCOMPARE(number.members(), std::string(R"("value":0.25)"));
        TelemetryWriter map;
        toTelemetry(std::map<std::string, double> { { "loss", 0.5 }, { "acc", 0.75 } }, map);
        QCOMPARE(map.members(), std::string(R"("acc":0.75,"loss":0.5)"));
    }

    void listKeepsEverythingUpToTheLimit()
    {
        TelemetryList list;
        for (uint64_t i = 0; i < 1024; ++i)
            list.offer(indexed(i));
        const TelemetryList::Taken taken = list.take();
        QCOMPARE(taken.entries.size(), size_t(1024));
        QCOMPARE(taken.dropped, uint64_t(0));
        QCOMPARE(indexOf(taken.entries.back()), uint64_t(1023));
    }

    void listThinsEvenly_data()
    {
        QTest::addColumn<uint64_t>("offered");
        QTest::addColumn<uint64_t>("stride"); // every stride-th sample is kept, from the first
        // Full at 1024: every second goes (512 left), and the 1025th is kept (its index 1024 is even).
        QTest::newRow("1025") << uint64_t(1025) << uint64_t(2);
        QTest::newRow("2048") << uint64_t(2048) << uint64_t(2);
        // Full again at index 2048: every fourth from then on.
        QTest::newRow("3000") << uint64_t(3000) << uint64_t(4);
        QTest::newRow("100000") << uint64_t(100000) << uint64_t(128);
    }
    void listThinsEvenly()
    {
        QFETCH(uint64_t, offered);
        QFETCH(uint64_t, stride);
        TelemetryList list;
        for (uint64_t i = 0; i < offered; ++i)
            list.offer(indexed(i));
        const TelemetryList::Taken taken = list.take();
        QVERIFY(taken.entries.size() <= TelemetryList::kMaxEntries);
        QCOMPARE(taken.entries.size(), size_t((offered - 1) / stride + 1));
        QCOMPARE(taken.entries.size() + taken.dropped, offered);
        for (size_t k = 0; k < taken.entries.size(); ++k)
            QCOMPARE(indexOf(taken.entries[k]), k * stride);
        list.offer(indexed(offered)); // closed: taken no more
        QVERIFY(list.take().entries.empty());
    }

    void fitIntoThinsToTheBudget()
    {
        std::vector<std::string> entries;
        for (uint64_t i = 0; i < 8; ++i)
            entries.push_back(indexed(i)); // 7 bytes each
        uint64_t dropped = 3;
        TelemetryList::fitInto(2 + 4 * 7 + 3, entries, dropped);
        QCOMPARE(entries.size(), size_t(4));
        QCOMPARE(indexOf(entries[1]), uint64_t(2));
        QCOMPARE(dropped, uint64_t(7));
        TelemetryList::fitInto(5, entries, dropped); // not even one fits
        QVERIFY(entries.empty());
        QCOMPARE(dropped, uint64_t(11));
    }

    void feedDeliversToOpenLists()
    {
        TelemetryFeed feed;
        auto a = std::make_shared<TelemetryList>();
        auto b = std::make_shared<TelemetryList>();
        QVERIFY(!feed.hasSubscribers());
        feed.subscribe(a);
        feed.subscribe(a); // once is enough
        feed.subscribe(b);
        feed.deliver("{\"n\":1}");
        b->take(); // b's run finished
        feed.deliver("{\"n\":2}");
        a.reset(); // a's run is gone
        feed.deliver("{\"n\":3}");
        QVERIFY(!feed.hasSubscribers());
        auto c = std::make_shared<TelemetryList>();
        feed.subscribe(c);
        feed.deliver("{\"n\":4}");
        QCOMPARE(c->take().entries, std::vector<std::string> { "{\"n\":4}" });
    }

    void feedsRunOnTheThreadThatStartedThem()
    {
        auto here = std::make_shared<TelemetryFeed>();
        auto elsewhere = std::make_shared<TelemetryFeed>();
        QVERIFY(TelemetryFeed::runningOnThisThread().empty());
        TelemetryFeed::markStarted(here);
        TelemetryFeed::markStarted(here); // started again: still one
        std::thread([&] { TelemetryFeed::markStarted(elsewhere); }).join();
        QCOMPARE(TelemetryFeed::runningOnThisThread(), std::vector<std::shared_ptr<TelemetryFeed>> { here });
        here->markStopped();
        QVERIFY(TelemetryFeed::runningOnThisThread().empty());
        TelemetryFeed::markStarted(elsewhere); // restarted here: no longer the other thread's
        QCOMPARE(TelemetryFeed::runningOnThisThread(), std::vector<std::shared_ptr<TelemetryFeed>> { elsewhere });
        elsewhere.reset();
        QVERIFY(TelemetryFeed::runningOnThisThread().empty());
    }
};

QTEST_GUILESS_MAIN(TestTelemetry)
#include "tst_telemetry.moc"
