// SPDX-License-Identifier: GPL-3.0-or-later
// Desktop notifications of alerts on a private session bus (a real dbus-daemon) with a test notification service:
// what Notify carries, the resolution in place, the actions, the rate limits, silences, and the fallback when no
// service answers.
#include "app/gui/alertnotifier.h"
#include "privatesessionbus.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMetaType>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 t0 = 1795464000; // 2026-11-23T20:00:00Z

AlertEvent alertEvent(qint64 time, const QString &rule, const QString &model, const QString &state,
    const QString &severity = u"critical"_s)
{
    AlertEvent e;
    e.time = time;
    e.ruleId = rule;
    e.ruleName = rule;
    e.instance = u"model:"_s % model;
    e.severity = severity;
    e.state = state;
    e.value = 143;
    e.threshold = 100;
    e.message = u"latency_p95 of "_s % model % u" is 143 ms, above 100 ms over 15m"_s;
    return e;
}

} // namespace

class TestAlertNotifier : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        // A bus of our own: nothing on the user's desktop pops up, and no other service answers.
        QString error;
        m_address = test::startPrivateSessionBus(&m_daemon, m_dir.path(), &error);
        QVERIFY2(!m_address.isEmpty(), qPrintable(error));
    }

    void cleanupTestCase()
    {
        m_daemon.terminate();
        QVERIFY(m_daemon.waitForFinished(10000));
    }

    void cleanup()
    {
        if (m_server) {
            QDBusConnection bus = QDBusConnection(u"server"_s);
            bus.unregisterService(u"org.freedesktop.Notifications"_s);
            bus.unregisterObject(u"/org/freedesktop/Notifications"_s);
            m_server.reset();
        }
    }

    void firingCriticalAndItsResolutionInPlace()
    {
        startServer();
        AlertListModel model;
        AlertNotifier notifier(connection(), &model);
        notifier.setClock([]() { return t0; });
        QTRY_COMPARE_WITH_TIMEOUT(notifier.delivery(), AlertNotifier::Delivery::Desktop, 10000);
        model.addEvents({ alertEvent(t0, u"latency-high"_s, u"resnet50"_s, u"firing"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, 10000);
        const auto &fired = m_server->calls[0];
        QCOMPARE(fired.app, u"perfdash"_s);
        QCOMPARE(fired.replacesId, 0u);
        QCOMPARE(fired.summary, u"Critical: latency-high on resnet50"_s);
        QCOMPARE(fired.body, u"latency_p95 of resnet50 is 143 ms, above 100 ms over 15m"_s);
        QCOMPARE(fired.actions, (QStringList { u"open"_s, u"Open"_s, u"silence-1h"_s, u"Silence 1 h"_s }));
        QCOMPARE(fired.hints.value(u"urgency"_s).metaType().id(), int(QMetaType::UChar)); // a byte, as specified
        QCOMPARE(fired.hints.value(u"urgency"_s).toInt(), 2);
        // Resolved at once, before or after Notify's answer came back: the same notification, updated.
        model.addEvents({ alertEvent(t0 + 60, u"latency-high"_s, u"resnet50"_s, u"resolved"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 2, 10000);
        QCOMPARE(m_server->calls[1].replacesId, m_server->calls[0].id);
        QVERIFY(m_server->calls[1].summary.startsWith(u"Resolved: latency-high on resnet50"_s));
    }

    void urgencyFollowsSeverity_data()
    {
        QTest::addColumn<QString>("severity");
        QTest::addColumn<int>("urgency");
        QTest::addColumn<QString>("word");
        QTest::newRow("critical") << u"critical"_s << 2 << u"Critical"_s;
        QTest::newRow("warning") << u"warning"_s << 1 << u"Warning"_s;
        QTest::newRow("info") << u"info"_s << 0 << u"Info"_s;
    }
    void urgencyFollowsSeverity()
    {
        QFETCH(QString, severity);
        QFETCH(int, urgency);
        QFETCH(QString, word);
        startServer();
        AlertListModel model;
        AlertNotifier notifier(connection(), &model);
        model.addEvents({ alertEvent(t0, u"r"_s, u"m"_s, u"firing"_s, severity) });
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, 10000);
        QCOMPARE(m_server->calls[0].hints.value(u"urgency"_s).toInt(), urgency);
        QCOMPARE(m_server->calls[0].summary, word % u": r on m"_s);
    }

    void actionsSilenceAndOpen()
    {
        startServer();
        AlertListModel model;
        AlertNotifier notifier(connection(), &model);
        notifier.setClock([]() { return t0 + 5; });
        QSignalSpy open(&notifier, &AlertNotifier::openRequested);
        model.addEvents({ alertEvent(t0, u"latency-high"_s, u"resnet50"_s, u"firing"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, 10000);
        const QString key = AlertListModel::keyOf(u"latency-high"_s, u"model:resnet50"_s);
        const uint id = m_server->calls[0].id;
        Q_EMIT m_server->ActionInvoked(id, u"open"_s);
        QTRY_COMPARE_WITH_TIMEOUT(open.size(), 1, 10000);
        QCOMPARE(open[0][0].toString(), u"resnet50"_s);
        QVERIFY(!model.isSilenced(key, t0 + 5));
        Q_EMIT m_server->ActionInvoked(id, u"silence-1h"_s);
        QTRY_VERIFY_WITH_TIMEOUT(model.isSilenced(key, t0 + 5), 10000);
        QCOMPARE(model.silences().constFirst().until, t0 + 5 + 3600);
        // Another application's notification is none of ours.
        Q_EMIT m_server->ActionInvoked(id + 100, u"open"_s);
        Q_EMIT m_server->ActionInvoked(id, u"open"_s); // the sync point: in order after the other one
        QTRY_COMPARE_WITH_TIMEOUT(open.size(), 2, 10000);
    }

    void silencedAndAcknowledgedAreNotNotified()
    {
        startServer();
        AlertListModel model;
        AlertNotifier notifier(connection(), &model);
        notifier.setClock([]() { return t0; });
        model.addEvents({ alertEvent(t0, u"quiet"_s, u"m1"_s, u"pending"_s) });
        QVERIFY(
            model.silence(AlertListModel::keyOf(u"quiet"_s, u"model:m1"_s), AlertListModel::SilenceFor::OneHour, t0));
        model.addEvents({ alertEvent(t0 + 1, u"quiet"_s, u"m1"_s, u"firing"_s) });
        model.addEvents({ alertEvent(t0 + 2, u"loud"_s, u"m2"_s, u"firing"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, 10000);
        QCOMPARE(m_server->calls[0].summary, u"Critical: loud on m2"_s); // calls go out in order: quiet never did
        // Acknowledged while firing: its next firing (the same one, sent again after a collector restart) is not
        // notified; a new alert is.
        QVERIFY(model.acknowledge(AlertListModel::keyOf(u"loud"_s, u"model:m2"_s)));
        model.addEvents({ alertEvent(t0 + 3, u"loud"_s, u"m2"_s, u"firing"_s) });
        model.addEvents({ alertEvent(t0 + 4, u"third"_s, u"m3"_s, u"firing"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 2, 10000);
        QCOMPARE(m_server->calls[1].summary, u"Critical: third on m3"_s);
    }

    void rateLimits()
    {
        startServer();
        AlertListModel model;
        AlertNotifier notifier(connection(), &model);
        notifier.setClock([]() { return t0; });
        notifier.setLimits({ 300, 5, 200 });
        QVector<AlertEvent> burst;
        for (int i = 0; i < 8; ++i)
            burst << alertEvent(t0, u"rule-%1"_s.arg(i), u"m"_s, u"firing"_s, i == 7 ? u"critical"_s : u"warning"_s);
        model.addEvents(burst);
        // Five at once, the other three in one summary once the delay has passed.
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 6, 10000);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(m_server->calls[i].summary, u"Warning: rule-%1 on m"_s.arg(i));
        QCOMPARE(m_server->calls[5].summary, u"3 more alerts"_s);
        QVERIFY(m_server->calls[5].body.contains(u"Critical: rule-7 on m"_s));
        QCOMPARE(m_server->calls[5].hints.value(u"urgency"_s).toInt(), 2); // the most severe held back
        QCOMPARE(notifier.suppressedCount(), 0);
        // rule-0 resolves (in place, not limited) and fires again within 5 minutes: held back, summarised.
        model.addEvents({ alertEvent(t0 + 10, u"rule-0"_s, u"m"_s, u"resolved"_s) });
        model.addEvents({ alertEvent(t0 + 20, u"rule-0"_s, u"m"_s, u"firing"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 8, 10000);
        QCOMPARE(m_server->calls[6].replacesId, m_server->calls[0].id);
        QCOMPARE(m_server->calls[7].summary, u"1 more alert"_s);
    }

    void fallbackWithoutService()
    {
        // The bus is there, but no notification service on it.
        AlertListModel model;
        AlertNotifier notifier(connection(), &model);
        QSignalSpy shown(&notifier, &AlertNotifier::fallbackShown);
        QTRY_VERIFY_WITH_TIMEOUT(notifier.delivery() == AlertNotifier::Delivery::Tray
                || notifier.delivery() == AlertNotifier::Delivery::PanelOnly,
            10000);
        QVERIFY(notifier.deliveryReason().contains(u"org.freedesktop.Notifications"_s));
        model.addEvents({ alertEvent(t0, u"latency-high"_s, u"resnet50"_s, u"firing"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 10000);
        QCOMPARE(shown[0][0].toString(), u"Critical: latency-high on resnet50"_s);
        // A service that appears later is used from then on.
        startServer();
        QTRY_COMPARE_WITH_TIMEOUT(notifier.delivery(), AlertNotifier::Delivery::Desktop, 10000);
        model.addEvents({ alertEvent(t0 + 1, u"other"_s, u"resnet50"_s, u"firing"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, 10000);
    }

    void fallbackWithoutBus()
    {
        AlertListModel model;
        const QDBusConnection none
            = QDBusConnection::connectToBus(u"unix:path=/nonexistent/perfdash-bus"_s, u"nobus"_s);
        QVERIFY(!none.isConnected());
        AlertNotifier notifier(none, &model);
        QVERIFY(notifier.delivery() == AlertNotifier::Delivery::Tray
            || notifier.delivery() == AlertNotifier::Delivery::PanelOnly);
        QVERIFY(notifier.deliveryReason().contains(u"bus"_s));
        QSignalSpy shown(&notifier, &AlertNotifier::fallbackShown);
        model.addEvents({ alertEvent(t0, u"latency-high"_s, u"resnet50"_s, u"firing"_s) });
        QCOMPARE(shown.size(), 1); // nothing to wait for: no bus, no call
        QDBusConnection::disconnectFromBus(u"nobus"_s);
    }

private:
    void startServer()
    {
        QDBusConnection bus = QDBusConnection::connectToBus(m_address, u"server"_s);
        QVERIFY(bus.isConnected());
        m_server = std::make_unique<test::TestNotificationServer>();
        QVERIFY(bus.registerObject(u"/org/freedesktop/Notifications"_s, m_server.get(),
            QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals));
        QVERIFY(bus.registerService(u"org.freedesktop.Notifications"_s));
    }
    // A connection of its own per notifier, as the session bus is the GUI's.
    QDBusConnection connection()
    {
        const QString name = u"notifier-%1"_s.arg(++m_connections);
        QDBusConnection bus = QDBusConnection::connectToBus(m_address, name);
        return bus;
    }

    QTemporaryDir m_dir;
    QProcess m_daemon;
    QString m_address;
    std::unique_ptr<test::TestNotificationServer> m_server;
    int m_connections = 0;
};

QTEST_MAIN(TestAlertNotifier)
#include "tst_alertnotifier.moc"
