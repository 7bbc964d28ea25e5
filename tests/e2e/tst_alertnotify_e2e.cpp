// SPDX-License-Identifier: GPL-3.0-or-later
// From traffic to a desktop notification: a real perfdashd evaluating a rules file, a real perfdash (offscreen)
// subscribed to it, and a notification service on a private D-Bus session bus that this test starts. Failing traffic
// makes the collector fire; the GUI notifies with critical urgency and its two actions; healthy traffic resolves the
// alert and the GUI updates the same notification in place.
#include "../app/privatesessionbus.h"
#include "collectorprocess.h"

#include <QDBusConnection>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

class TstAlertNotifyE2e : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        m_address = startPrivateSessionBus(&m_daemon, m_dir.path(), &error);
        QVERIFY2(!m_address.isEmpty(), qPrintable(error));
        QDBusConnection bus = QDBusConnection::connectToBus(m_address, u"server"_s);
        QVERIFY(bus.isConnected());
        QVERIFY(bus.registerObject(u"/org/freedesktop/Notifications"_s, &m_server,
            QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals));
        QVERIFY(bus.registerService(u"org.freedesktop.Notifications"_s));
    }

    void cleanupTestCase()
    {
        QDBusConnection::disconnectFromBus(u"server"_s);
        m_daemon.terminate();
        m_daemon.waitForFinished(10000);
    }

    void firingNotifiesAndResolutionUpdatesInPlace()
    {
        // The rules file where the GUI looks for it too ($XDG_CONFIG_HOME/perfdash/rules.json).
        const QString config = m_dir.filePath(u"config"_s);
        QVERIFY(QDir().mkpath(config + u"/perfdash"_s));
        QSaveFile rules(config + u"/perfdash/rules.json"_s);
        QVERIFY(rules.open(QIODevice::WriteOnly));
        rules.write(QJsonDocument(
            QJsonObject { { u"model_id"_s, u"m1"_s },
                { u"alert_rules"_s,
                    QJsonArray { QJsonObject { { u"id"_s, u"errors"_s }, { u"metric"_s, u"error_rate"_s },
                        { u"condition"_s, u"above"_s }, { u"threshold"_s, 0.05 }, { u"window"_s, u"5s"_s },
                        { u"for"_s, u"2s"_s }, { u"severity"_s, u"critical"_s } } } } })
                        .toJson());
        QVERIFY(rules.commit());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"PERF_MONITORING_INTERVAL"_s, u"1"_s);
        env.insert(u"XDG_CONFIG_HOME"_s, config);
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, m_address);
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);

        CollectorProcess collector(m_dir.path());
        collector.process.setProcessEnvironment(env);
        QVERIFY(collector.start({ u"--grace-ms"_s, u"200"_s, u"--no-sampling"_s }));
        QProcess gui;
        gui.setProcessEnvironment(env);
        gui.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        gui.start(binary(u"perfdash"_s), { u"--runtime-dir"_s, collector.runtimeDir, u"--no-spawn"_s });
        QVERIFY(gui.waitForStarted(10000));

        int errors = 0;
        QTimer traffic;
        traffic.setInterval(50);
        QObject::connect(&traffic, &QTimer::timeout, [&]() {
            for (int i = 0; i < 20; ++i)
                collector.send("api.requests:1|c|#model:m1,status:"_ba + (i < errors ? "error" : "ok"));
        });
        traffic.start();
        // The GUI is subscribed once the collector counts a subscriber.
        QTRY_VERIFY_WITH_TIMEOUT(statsOf(collector).value(u"subscribers"_s).toInt() >= 1, 30000);
        errors = 4; // 20 %

        QTRY_VERIFY_WITH_TIMEOUT(!m_server.calls.isEmpty(), 60000);
        const TestNotificationServer::Call firing = m_server.calls.constFirst();
        QCOMPARE(firing.app, u"perfdash"_s);
        QVERIFY2(firing.summary.contains(u"errors"_s), qPrintable(firing.summary));
        QVERIFY2(firing.summary.contains(u"m1"_s), qPrintable(firing.summary));
        QCOMPARE(firing.hints.value(u"urgency"_s).value<uchar>(), uchar(2));
        QVERIFY(firing.actions.contains(u"open"_s));
        QVERIFY(firing.actions.contains(u"silence-1h"_s));
        QVERIFY2(firing.body.contains(u"error_rate of m1"_s), qPrintable(firing.body));

        errors = 0;
        // The resolution replaces the firing notification (same id), not a new one.
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(m_server.calls.cbegin(), m_server.calls.cend(),
                                     [&](const auto &c) { return c.replacesId == firing.id; }),
            60000);
        gui.terminate();
        QVERIFY(gui.waitForFinished(15000));
        QCOMPARE(collector.stop(), 0);
    }

private:
    QTemporaryDir m_dir;
    QProcess m_daemon;
    QString m_address;
    TestNotificationServer m_server;
};

QTEST_MAIN(TstAlertNotifyE2e)
#include "tst_alertnotify_e2e.moc"
