// SPDX-License-Identifier: GPL-3.0-or-later
// LiveClient against a real collector (CollectorService in this process): followed sketches arrive in its frames,
// and only in its frames, again after the collector is replaced.
#include "collector/collectorservice.h"
#include "collector/liveclient.h"
#include "models/seriessummary.h"

#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <cmath>
#include <memory>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
const QString timerKey = u"lat|model:m1"_s;

std::unique_ptr<CollectorService> startCollector(const QString &runtimeDir)
{
    CollectorConfig config;
    config.udpPort = 0;
    config.runtimeDir = runtimeDir;
    config.unixDatagram = false;
    config.sampler.intervalMs = 0;
    auto collector = std::make_unique<CollectorService>(config);
    QString error;
    if (!collector->start(&error)) {
        qWarning("%s", qUtf8Printable(error));
        return nullptr;
    }
    return collector;
}
} // namespace

class TestLiveClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followedSketchesArriveAndSurviveAReconnect()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString runtimeDir = dir.filePath(u"rt"_s);
        auto collector = startCollector(runtimeDir);
        QVERIFY(collector);

        LiveClient client(collector->livePath());
        client.followSketches({ timerKey }); // before the connection: sent once the hello arrives
        QCOMPARE(client.followedSketches(), QStringList { timerKey });

        // Each frame the client gets triggers the next burst of timer values, so every second has some.
        QUdpSocket udp;
        const auto sendBurst = [&]() {
            QByteArray datagram;
            for (int i = 1; i <= 40; ++i)
                datagram += "lat:" + QByteArray::number(i) + "|ms|#model:m1\n";
            const QString address = collector->udpAddress();
            udp.writeDatagram(datagram, QHostAddress::LocalHost, quint16(address.section(u':', -1).toUInt()));
        };
        QList<LiveFrame> withSketch;
        QList<bool> timerHadSketch; // per frame with the timer, in arrival order
        connect(&client, &LiveSource::frameReceived, this, [&](const LiveFrame &frame) {
            for (const auto &s : frame.series) {
                if (s.key != timerKey)
                    continue;
                timerHadSketch.push_back(!s.sketch.isEmpty());
                if (!s.sketch.isEmpty())
                    withSketch.push_back(frame);
            }
            if (collector)
                sendBurst();
        });
        client.start();

        // A subscriber that follows nothing, on the same collector.
        QLocalSocket plain;
        QList<QByteArray> plainLines;
        connect(&plain, &QLocalSocket::readyRead, this, [&]() {
            while (plain.canReadLine())
                plainLines.push_back(plain.readLine());
        });
        plain.connectToServer(collector->livePath());
        sendBurst();

        QTRY_VERIFY_WITH_TIMEOUT(withSketch.size() >= 2, 15000);
        for (const LiveFrame &frame : std::as_const(withSketch)) {
            const auto it = std::find_if(
                frame.series.cbegin(), frame.series.cend(), [](const SeriesStats &s) { return s.key == timerKey; });
            const auto summary = SeriesSummary::fromStats(*it, frame.second * 1000 + 999);
            QVERIFY2(summary, "the sketch must rebuild the second's summary");
            QCOMPARE(qint64(summary->samples()), it->count);
            QCOMPARE(summary->sketch()->quantile(0.95), it->p95);
        }
        QVERIFY(withSketch.constFirst().provisional); // they come with the first, provisional frame of a second
        // The plain subscriber saw the same timer, never a sketch.
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(plainLines.cbegin(), plainLines.cend(),
                                     [](const QByteArray &l) { return l.contains("\"lat|model:m1\""); }),
            5000);
        for (const QByteArray &line : std::as_const(plainLines))
            QVERIFY2(!line.contains("sketches"), line.constData());

        // The collector goes away and another takes its place: the client follows again by itself.
        QSignalSpy states(&client, &LiveSource::stateChanged);
        collector.reset();
        QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty(), 5000);
        withSketch.clear();
        collector = startCollector(runtimeDir);
        QVERIFY(collector);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(states.cbegin(), states.cend(),
                                     [](const QList<QVariant> &args) {
                                         return args.at(0).value<LiveSource::State>() == LiveSource::State::Connected;
                                     }),
            10000);
        sendBurst();
        QTRY_VERIFY_WITH_TIMEOUT(withSketch.size() >= 1, 15000);

        // Following nothing stops them.
        client.followSketches({});
        const qsizetype before = timerHadSketch.size();
        QTRY_VERIFY_WITH_TIMEOUT(timerHadSketch.size() >= before + 3, 15000);
        // The request travels while frames do: the first frame after it may still have one, the later ones not.
        QVERIFY(!timerHadSketch.constLast());
        QVERIFY(!timerHadSketch.at(timerHadSketch.size() - 2));
        collector.reset(); // no more bursts from the frame handler
    }

    void subscribedSeriesComeWholeAndTheRestBriefAgainAfterAReconnect()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString runtimeDir = dir.filePath(u"rt"_s);
        auto collector = startCollector(runtimeDir);
        QVERIFY(collector);
        LiveClient client(collector->livePath());
        client.subscribe({ timerKey }); // before the connection: sent once a version 2 hello arrives

        QUdpSocket udp;
        const auto sendBurst = [&]() {
            QByteArray datagram;
            for (int i = 1; i <= 40; ++i)
                datagram += "lat:" + QByteArray::number(i) + "|ms|#model:m1\nlat:" + QByteArray::number(2 * i)
                    + "|ms|#model:m2\n";
            const QString address = collector->udpAddress();
            udp.writeDatagram(datagram, QHostAddress::LocalHost, quint16(address.section(u':', -1).toUInt()));
        };
        // Per frame that has both models: whether m1 came whole and m2 brief.
        QList<bool> split;
        connect(&client, &LiveSource::frameReceived, this, [&](const LiveFrame &frame) {
            const SeriesStats *m1 = nullptr, *m2 = nullptr;
            for (const auto &s : frame.series) {
                if (s.key == timerKey)
                    m1 = &s;
                else if (s.key == u"lat|model:m2"_s)
                    m2 = &s;
            }
            if (m1 && m2) {
                split.push_back(std::isfinite(m1->p95) && m1->count == 40 && std::isnan(m2->p95) && m2->count == 40
                    && m2->kind == MetricKind::Timer);
            }
            if (collector)
                sendBurst();
        });
        client.start();
        sendBurst();
        // The first frame with a series has it whole, to every subscriber; after that m2 comes brief.
        QTRY_VERIFY_WITH_TIMEOUT(split.size() >= 3, 15000);
        QVERIFY2(!split.constFirst(), "a new series comes whole");
        QVERIFY2(std::all_of(split.cbegin() + 1, split.cend(), [](bool b) { return b; }), "m1 whole, m2 brief");
        QCOMPARE(collector->statsSnapshot().value(u"subscribers_v2"_s).toInt(), 1);

        QSignalSpy states(&client, &LiveSource::stateChanged);
        collector.reset();
        QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty(), 5000);
        split.clear();
        collector = startCollector(runtimeDir);
        QVERIFY(collector);
        sendBurst();
        QTRY_VERIFY_WITH_TIMEOUT(split.size() >= 3, 15000);
        QVERIFY(split.constLast());
        collector.reset();
    }
};

QTEST_GUILESS_MAIN(TestLiveClient)
#include "tst_liveclient.moc"
