// SPDX-License-Identifier: GPL-3.0-or-later
// LivePublisher over a real live.sock: what each subscriber gets after its follow requests.
#include "collector/livepublisher.h"
#include "collector/liveprotocol2.h"
#include "models/seriessummary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

// One subscriber's end of the socket, read line by line as the event loop delivers them.
class Subscriber {
public:
    explicit Subscriber(const QString &path)
    {
        m_socket.connectToServer(path);
        QObject::connect(&m_socket, &QLocalSocket::readyRead, [this]() {
            while (m_socket.canReadLine())
                m_lines.push_back(m_socket.readLine());
        });
    }
    bool waitForLines(qsizetype n)
    {
        return QTest::qWaitFor([&]() { return m_lines.size() >= n; }, 5000);
    }
    QByteArray take() { return m_lines.isEmpty() ? QByteArray() : m_lines.takeFirst(); }
    void send(const QByteArray &line)
    {
        m_socket.write(line);
        m_socket.flush();
    }
    QLocalSocket &socket() { return m_socket; }

private:
    QLocalSocket m_socket;
    QList<QByteArray> m_lines;
};

LiveFrame frameAt(qint64 second, bool provisional)
{
    SeriesSummary timer(MetricKind::Timer), other(MetricKind::Timer), counter(MetricKind::Counter);
    for (int i = 1; i <= 50; ++i) {
        timer.addValue(double(i) + double(second));
        other.addValue(double(i) * 2);
    }
    counter.addCounter(3);
    LiveFrame frame { second,
        { timer.toStats(u"lat|model:m1"_s, 1), other.toStats(u"other.lat"_s, 1),
            counter.toStats(u"requests|model:m1"_s, 1) } };
    frame.provisional = provisional;
    return frame;
}

QJsonObject json(const QByteArray &line)
{
    return QJsonDocument::fromJson(line).object();
}

} // namespace

class TestLivePublisher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followGivesSketchesToThatSubscriberOnly()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LivePublisher publisher;
        QString error;
        LiveProtocol::Hello hello { LiveProtocol::version, u"test"_s, u"127.0.0.1:0"_s, u"/tmp/x.db"_s, {}, 1 };
        QVERIFY2(publisher.listen(dir.filePath(u"live.sock"_s), hello, &error), qPrintable(error));

        Subscriber follower(publisher.path()), plain(publisher.path());
        QVERIFY(follower.waitForLines(1));
        QVERIFY(plain.waitForLines(1));
        QCOMPARE(json(follower.take()).value(u"type"_s).toString(), u"hello"_s);
        QCOMPARE(json(plain.take()).value(u"type"_s).toString(), u"hello"_s);
        QTRY_COMPARE(publisher.subscriberCount(), 2);

        // Before any follow request, everyone gets the one encoding of the frame.
        const LiveFrame first = frameAt(100, true);
        publisher.publish(first);
        QVERIFY(follower.waitForLines(1));
        QVERIFY(plain.waitForLines(1));
        const QByteArray expected = LiveProtocol::encodeFrame(first);
        QCOMPARE(follower.take(), expected);
        QCOMPARE(plain.take(), expected);

        follower.send(LiveProtocol::encodeFollow(7, { u"lat|model:m1"_s, u"requests|model:m1"_s }));
        QVERIFY(follower.waitForLines(1));
        const QJsonObject ack = json(follower.take());
        QCOMPARE(ack.value(u"type"_s).toString(), u"response"_s);
        QCOMPARE(ack.value(u"id"_s).toInt(), 7);
        QCOMPARE(ack.value(u"result"_s).toObject().value(u"following"_s).toInt(), 2);
        QCOMPARE(publisher.followedKeys(), (QSet<QString> { u"lat|model:m1"_s, u"requests|model:m1"_s }));

        // Provisional and final frames alike carry the followed timer's sketch, for the follower only.
        for (const bool provisional : { true, false }) {
            const LiveFrame frame = frameAt(101, provisional);
            publisher.publish(frame);
            QVERIFY(follower.waitForLines(1));
            QVERIFY(plain.waitForLines(1));
            QCOMPARE(plain.take(), LiveProtocol::encodeFrame(frame));
            LiveFrame got;
            QCOMPARE(LiveProtocol::decode(follower.take(), nullptr, &got, nullptr), LiveProtocol::MessageType::Frame);
            QCOMPARE(got.provisional, provisional);
            QCOMPARE(got.series.size(), 3);
            QCOMPARE(got.series[0].key, u"lat|model:m1"_s);
            QCOMPARE(got.series[0].sketch, frame.series[0].sketch);
            QVERIFY(got.series[1].sketch.isEmpty()); // not followed
            QVERIFY(got.series[2].sketch.isEmpty()); // followed, but a counter has no sketch
            const auto summary = SeriesSummary::fromStats(got.series[0], 101999);
            QVERIFY(summary);
            QCOMPARE(summary->sketch()->quantile(0.95), frame.series[0].p95);
        }

        // Too many keys: refused, and the previous set stays.
        QStringList tooMany;
        for (int i = 0; i <= LiveProtocol::maxFollowedKeys; ++i)
            tooMany << u"k%1"_s.arg(i);
        follower.send(LiveProtocol::encodeFollow(8, tooMany));
        QVERIFY(follower.waitForLines(1));
        const QJsonObject refused = json(follower.take());
        QCOMPARE(refused.value(u"id"_s).toInt(), 8);
        QVERIFY(refused.value(u"error"_s).toString().contains(QString::number(LiveProtocol::maxFollowedKeys)));
        QVERIFY(!refused.contains(u"result"_s));
        publisher.publish(frameAt(102, true));
        QVERIFY(follower.waitForLines(1));
        QVERIFY(json(follower.take()).contains(u"sketches"_s));
        QVERIFY(plain.waitForLines(1));
        QVERIFY(!json(plain.take()).contains(u"sketches"_s));

        // A new list replaces the old one.
        follower.send(LiveProtocol::encodeFollow(9, { u"other.lat"_s }));
        QVERIFY(follower.waitForLines(1));
        QCOMPARE(json(follower.take()).value(u"result"_s).toObject().value(u"following"_s).toInt(), 1);
        QCOMPARE(publisher.followedKeys(), QSet<QString> { u"other.lat"_s });
        publisher.publish(frameAt(103, true));
        QVERIFY(follower.waitForLines(1));
        QCOMPARE(json(follower.take()).value(u"sketches"_s).toObject().keys(), QStringList { u"other.lat"_s });

        // An empty list stops it: the follower gets the common line again.
        follower.send(LiveProtocol::encodeFollow(10, {}));
        QVERIFY(follower.waitForLines(1));
        QCOMPARE(json(follower.take()).value(u"result"_s).toObject().value(u"following"_s).toInt(), 0);
        QVERIFY(publisher.followedKeys().isEmpty());
        const LiveFrame last = frameAt(104, true);
        publisher.publish(last);
        QVERIFY(follower.waitForLines(1));
        QCOMPARE(follower.take(), LiveProtocol::encodeFrame(last));
    }

    void version2SubscribersGetNamesOnceAndShareOneEncoding()
    {
        QTemporaryDir dir;
        LivePublisher publisher;
        QString error;
        QVERIFY(publisher.listen(dir.filePath(u"live.sock"_s), LiveProtocol::Hello {}, &error));
        Subscriber v1(publisher.path()), a(publisher.path()), b(publisher.path()), c(publisher.path());
        for (Subscriber *s : { &v1, &a, &b, &c }) {
            QVERIFY(s->waitForLines(1));
            QCOMPARE(json(s->take()).value(u"versions"_s).toArray(), (QJsonArray { 1, 2 }));
        }
        QTRY_COMPARE(publisher.subscriberCount(), 4);
        // a and b ask for the same series, c for another; v1 asks for nothing and stays on version 1.
        a.send(LiveProtocol::encodeSubscribe(1, { u"lat|model:m1"_s }));
        b.send(LiveProtocol::encodeSubscribe(1, { u"lat|model:m1"_s }));
        c.send(LiveProtocol::encodeSubscribe(1, { u"other.lat"_s }, false));
        for (Subscriber *s : { &a, &b, &c }) {
            QVERIFY(s->waitForLines(1));
            const QJsonObject ack = json(s->take());
            QCOMPARE(ack.value(u"result"_s).toObject().value(u"version"_s).toInt(), 2);
            QCOMPARE(ack.value(u"result"_s).toObject().value(u"full"_s).toInt(), 1);
        }
        QTRY_COMPARE(publisher.version2Subscribers(), 3);

        const LiveFrame first = frameAt(100, true);
        publisher.publish(first);
        QCOMPARE(publisher.lastVersion2Encodings(), 2);
        QVERIFY(v1.waitForLines(1));
        QCOMPARE(v1.take(), LiveProtocol::encodeFrame(first));
        QVERIFY(a.waitForLines(2));
        QVERIFY(b.waitForLines(2));
        QVERIFY(c.waitForLines(2));
        const QByteArray names = a.take();
        QCOMPARE(json(names).value(u"type"_s).toString(), u"names"_s);
        QCOMPARE(json(names).value(u"names"_s).toArray().size(), 3);
        QCOMPARE(b.take(), names);
        QCOMPARE(c.take(), names);
        const QByteArray frameA = a.take();
        QCOMPARE(b.take(), frameA); // one encoding for both
        const QJsonObject fa = json(frameA);
        // Every series is new in the first frame: whole to everyone this once.
        QCOMPARE(fa.value(u"full"_s).toArray().size(), 3);
        QCOMPARE(fa.value(u"brief"_s).toArray().size(), 0);
        const QJsonObject fc = json(c.take());
        QCOMPARE(fc.value(u"full"_s).toArray().size(), 3);
        QVERIFY(!fc.contains(u"brief"_s));

        // A decoder on a's lines gets the frame back: the subscribed timer whole, the others' counts.
        LiveProtocol::Decoder decoder;
        LiveFrame got;
        QCOMPARE(decoder.decode(names, nullptr, nullptr, nullptr), LiveProtocol::MessageType::Names);
        QCOMPARE(decoder.decode(frameA, nullptr, &got, nullptr), LiveProtocol::MessageType::Frame);
        QCOMPARE(got.series.size(), 3);
        QCOMPARE(got.series[0].key, u"lat|model:m1"_s);
        QCOMPARE(got.series[0].p95, first.series[0].p95);
        QCOMPARE(got.series[1].p95, first.series[1].p95); // new: whole this once

        // A new series: only its name goes out, once, before the frame that has it.
        LiveFrame second = frameAt(101, true);
        SeriesStats extra;
        extra.key = u"new.counter"_s;
        extra.count = 2;
        extra.sum = 2; // a counter's count is its sum
        second.series.push_back(extra);
        publisher.publish(second);
        QVERIFY(a.waitForLines(2));
        const QJsonObject more = json(a.take());
        QCOMPARE(more.value(u"type"_s).toString(), u"names"_s);
        QCOMPARE(more.value(u"first"_s).toInt(), 3);
        QCOMPARE(decoder.decode(QJsonDocument(more).toJson(QJsonDocument::Compact), nullptr, nullptr, nullptr),
            LiveProtocol::MessageType::Names);
        QCOMPARE(decoder.decode(a.take(), nullptr, &got, nullptr), LiveProtocol::MessageType::Frame);
        QHash<QString, SeriesStats> byKey; // full rows come first, then the brief ones
        for (const SeriesStats &s : std::as_const(got.series))
            byKey.insert(s.key, s);
        QCOMPARE(byKey.size(), 4);
        QCOMPARE(byKey[u"new.counter"_s].count, 2);
        QVERIFY(!byKey[u"new.counter"_s].brief); // whole the first time, to everyone
        QCOMPARE(byKey[u"lat|model:m1"_s].p95, second.series[0].p95); // subscribed
        const SeriesStats &other = byKey[second.series[1].key];
        QVERIFY(other.brief); // neither: its count alone
        QVERIFY(std::isnan(other.p95));
        QCOMPARE(other.count, second.series[1].count);
        QCOMPARE(decoder.unknownIds(), 0u);

        // A refused subscription leaves the previous one.
        QStringList tooMany;
        for (qsizetype i = 0; i <= LiveProtocol::maxSubscribedKeys; ++i)
            tooMany << u"k%1"_s.arg(i);
        a.send(LiveProtocol::encodeSubscribe(2, tooMany));
        QVERIFY(a.waitForLines(1));
        QVERIFY(json(a.take()).contains(u"error"_s));
        publisher.publish(frameAt(102, true));
        QVERIFY(a.waitForLines(1));
        QCOMPARE(json(a.take()).value(u"full"_s).toArray().size(), 1);
        QCOMPARE(publisher.lastVersion2Encodings(), 2);
    }

    void aLeavingFollowerLeavesNoFollows()
    {
        QTemporaryDir dir;
        LivePublisher publisher;
        QString error;
        QVERIFY(publisher.listen(dir.filePath(u"live.sock"_s), LiveProtocol::Hello {}, &error));
        auto follower = std::make_unique<Subscriber>(publisher.path());
        QVERIFY(follower->waitForLines(1));
        follower->send(LiveProtocol::encodeFollow(1, { u"lat|model:m1"_s }));
        QTRY_COMPARE(publisher.followedKeys().size(), 1);
        follower->socket().disconnectFromServer();
        QTRY_COMPARE(publisher.subscriberCount(), 0);
        QVERIFY(publisher.followedKeys().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLivePublisher)
#include "tst_livepublisher.moc"
