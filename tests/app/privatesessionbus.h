// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: a private D-Bus session bus (a real dbus-daemon in a temporary folder) and a notification service
// on it that records what perfdash sends (Desktop Notifications spec 1.2), so tests see real D-Bus calls and nothing
// pops up on anyone's desktop.

#include <QFile>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QVariantMap>
#include <QVector>

namespace perfdash::test {

// Starts `dbus-daemon --session` listening in `folder`; returns its address ("unix:path=…"), or empty with *error.
inline QString startPrivateSessionBus(QProcess *daemon, const QString &folder, QString *error)
{
    const QString config = folder + QStringLiteral("/session.conf");
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write ") + config;
        return {};
    }
    file.write(QByteArrayLiteral("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                                 " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                                 "<busconfig><type>session</type><listen>unix:dir=")
        + QFile::encodeName(folder)
        + QByteArrayLiteral("</listen><auth>EXTERNAL</auth>"
                            "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
                            "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n"));
    file.close();
    daemon->start(QStringLiteral("dbus-daemon"),
        { QStringLiteral("--config-file=") + config, QStringLiteral("--nofork"), QStringLiteral("--print-address=1") });
    if (!daemon->waitForStarted(10000)) {
        *error = QStringLiteral("dbus-daemon does not start (tools/dev/install-deps.sh installs it)");
        return {};
    }
    // The address is its first line: the bus is ready once it is printed.
    while (!daemon->canReadLine() && daemon->waitForReadyRead(10000)) {
    }
    const QString address = QString::fromUtf8(daemon->readLine()).trimmed();
    if (address.isEmpty())
        *error = QStringLiteral("dbus-daemon printed no address");
    return address;
}

// What a desktop's notification server does, as far as perfdash uses it (Desktop Notifications spec 1.2).
class TestNotificationServer : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call {
        QString app;
        uint replacesId = 0;
        QString summary;
        QString body;
        QStringList actions;
        QVariantMap hints;
        int timeout = 0;
        uint id = 0; // what Notify answered
    };
    QVector<Call> calls;

public Q_SLOTS:
    uint Notify(const QString &app, uint replacesId, const QString &icon, const QString &summary, const QString &body,
        const QStringList &actions, const QVariantMap &hints, int timeout)
    {
        Q_UNUSED(icon);
        const uint id = replacesId != 0 ? replacesId : ++m_next;
        calls.push_back({ app, replacesId, summary, body, actions, hints, timeout, id });
        return id;
    }
    void CloseNotification(uint id) { Q_EMIT NotificationClosed(id, 3); }
    QStringList GetCapabilities() { return { QStringLiteral("actions"), QStringLiteral("body") }; }
    QString GetServerInformation(QString &vendor, QString &version, QString &specVersion)
    {
        vendor = QStringLiteral("perfdash tests");
        version = QStringLiteral("1");
        specVersion = QStringLiteral("1.2");
        return QStringLiteral("test-notifications");
    }

Q_SIGNALS:
    void ActionInvoked(uint id, const QString &actionKey);
    void NotificationClosed(uint id, uint reason);

private:
    uint m_next = 0;
};

} // namespace perfdash::test
