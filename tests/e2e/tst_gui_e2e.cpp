// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's composition end to end, offscreen: it starts or finds a real collector, follows it across restarts,
// and charts what arrives over real UDP.
#include "app/gui/guisession.h"
#include "collectorprocess.h"
#include "models/seriesstore.h"
#include "storage/historyreader.h"
#include "widgets/mainwindow.h"
#include "widgets/timeserieschart.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {
GuiSession::Options optionsFor(const QString &root, bool spawn)
{
    GuiSession::Options o;
    o.runtimeDir = QDir(root).filePath(u"run"_s);
    o.dbPath = QDir(root).filePath(u"perfdash.db"_s);
    o.udp = u"127.0.0.1:0"_s;
    o.binDir = qEnvironmentVariable("PERFDASH_BIN_DIR");
    o.spawnCollector = spawn;
    return o;
}

void sendTimers(quint16 port, const QByteArray &name, int n)
{
    QUdpSocket udp;
    QByteArray datagram;
    for (int i = 1; i <= n; ++i)
        datagram += name + ':' + QByteArray::number(i) + "|ms|#model:m1\n";
    udp.writeDatagram(datagram, QHostAddress::LocalHost, port);
}
} // namespace

class TestGuiE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); } // keep the user's settings untouched
    void startsACollectorAndChartsALiveFrame()
    {
        QTemporaryDir dir;
        GuiSession session(optionsFor(dir.path(), true));
        session.window()->show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(!session.collectorUdp().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->connectionText().contains(u"Connected"_s), 5000);
        const quint16 port = quint16(session.collectorUdp().section(u':', -1).toUInt());
        sendTimers(port, "gui.latency", 50);
        const QString key = u"gui.latency|model:m1"_s;
        QTRY_VERIFY_WITH_TIMEOUT(!session.store()->points(key).isEmpty(), 8000);
        QTRY_COMPARE_WITH_TIMEOUT(session.window()->selectedKey(), key, 2000);
        session.window()->refreshNow();
        QVERIFY(session.window()->latencyChart()->drawnPointCount(2) >= 1);
        QCOMPARE(session.store()->points(key).constLast().stats.count, 50);
    }

    void reconnectsAfterARestartAndReloadsHistory()
    {
        QTemporaryDir dir;
        auto collector = std::make_unique<CollectorProcess>(dir.path());
        QVERIFY(collector->start());
        sendTimers(collector->udpPort, "before.restart", 10);
        {
            // Wait until the collector has stored that second (after its grace period).
            HistoryReader reader(collector->dbPath);
            QSignalSpy ready(&reader, &HistorySource::rangeReady);
            quint64 generation = 0;
            bool stored = false;
            QDeadlineTimer deadline(15000);
            while (!stored && !deadline.hasExpired()) {
                const qint64 now = QDateTime::currentSecsSinceEpoch();
                reader.requestRange(now - 60, now, ++generation);
                QVERIFY(ready.wait(5000));
                stored = !ready.takeLast().at(1).value<QVector<LiveFrame>>().isEmpty();
                if (!stored)
                    QTest::qWait(200);
            }
            QVERIFY2(stored, "the collector never stored the second");
        }
        GuiSession session(optionsFor(dir.path(), false));
        QSignalSpy history(&session, &GuiSession::historyLoaded);
        session.window()->show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(history.size() >= 1, 8000);
        QVERIFY(!session.store()->points(u"before.restart|model:m1"_s).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->connectionText().contains(u"Connected"_s), 5000);

        QCOMPARE(collector->stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->connectionText().contains(u"unreachable"_s), 3000);
        collector = std::make_unique<CollectorProcess>(dir.path());
        QVERIFY(collector->start());
        QElapsedTimer reconnect;
        reconnect.start();
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->connectionText().contains(u"Connected"_s), 5000);
        qInfo("reconnected %lld ms after the new collector was ready", qint64(reconnect.elapsed()));
        sendTimers(collector->udpPort, "after.restart", 10);
        QTRY_VERIFY_WITH_TIMEOUT(!session.store()->points(u"after.restart|model:m1"_s).isEmpty(), 8000);
    }
};

QTEST_MAIN(TestGuiE2E)
#include "tst_gui_e2e.moc"
