// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/alertnotifier.h"

#include <QApplication>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QDateTime>
#include <QStyle>
#include <QSystemTrayIcon>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
const QString service = u"org.freedesktop.Notifications"_s;
const QString path = u"/org/freedesktop/Notifications"_s;
const QString interface = u"org.freedesktop.Notifications"_s;
constexpr int summaryLines = 5; // of the held-back alerts, named in the summary's body

QString severityWord(const QString &severity)
{
    return severity == u"critical"_s ? AlertNotifier::tr("Critical")
        : severity == u"warning"_s   ? AlertNotifier::tr("Warning")
                                     : AlertNotifier::tr("Info");
}

// "latency-high on resnet50": the rule and what it watches.
QString subject(const AlertEvent &e)
{
    const QString model = e.model();
    const QString rule = e.ruleName.isEmpty() ? e.ruleId : e.ruleName;
    return AlertNotifier::tr("%1 on %2").arg(rule, model.isEmpty() ? e.instance : model);
}
} // namespace

AlertNotifier::AlertNotifier(const QDBusConnection &bus, AlertListModel *model, QObject *parent)
    : QObject(parent)
    , m_bus(bus)
    , m_model(model)
    , m_summaryTimer(this)
{
    m_clock = []() { return QDateTime::currentSecsSinceEpoch(); };
    m_summaryTimer.setSingleShot(true);
    connect(&m_summaryTimer, &QTimer::timeout, this, &AlertNotifier::sendSummary);
    connect(model, &AlertListModel::eventsAdded, this, &AlertNotifier::onEventsAdded);
    if (!m_bus.isConnected()) {
        setDelivery(fallbackDelivery(), tr("no D-Bus session bus"));
        return;
    }
    // A service that starts or stops later is followed without asking again.
    auto *watcher = new QDBusServiceWatcher(
        service, m_bus, QDBusServiceWatcher::WatchForRegistration | QDBusServiceWatcher::WatchForUnregistration, this);
    connect(watcher, &QDBusServiceWatcher::serviceRegistered, this,
        [this]() { onProbed(true, tr("%1 registered").arg(service)); });
    connect(watcher, &QDBusServiceWatcher::serviceUnregistered, this,
        [this]() { onProbed(false, tr("%1 went away").arg(service)); });
    m_bus.connect(service, path, interface, u"ActionInvoked"_s, this, SLOT(onActionInvoked(uint, QString)));
    m_bus.connect(service, path, interface, u"NotificationClosed"_s, this, SLOT(onNotificationClosed(uint, uint)));
    probe();
}

AlertNotifier::~AlertNotifier() = default;

void AlertNotifier::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

AlertNotifier::Delivery AlertNotifier::fallbackDelivery() const
{
    return QSystemTrayIcon::isSystemTrayAvailable() ? Delivery::Tray : Delivery::PanelOnly;
}

void AlertNotifier::setDelivery(Delivery delivery, const QString &reason)
{
    if (delivery == m_delivery && reason == m_reason)
        return;
    m_delivery = delivery;
    m_reason = reason;
    Q_EMIT deliveryChanged(delivery, reason);
}

// ---- is there a notification service?

void AlertNotifier::probe()
{
    if (m_probing)
        return;
    m_probing = true;
    const auto call = [this](const QString &method, const QVariantList &args) {
        QDBusMessage m = QDBusMessage::createMethodCall(
            u"org.freedesktop.DBus"_s, u"/org/freedesktop/DBus"_s, u"org.freedesktop.DBus"_s, method);
        m.setArguments(args);
        return new QDBusPendingCallWatcher(m_bus.asyncCall(m), this);
    };
    auto *owner = call(u"NameHasOwner"_s, { service });
    connect(owner, &QDBusPendingCallWatcher::finished, this, [this, call](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<bool> reply = *w;
        if (reply.isError()) {
            onProbed(false, reply.error().message());
            return;
        }
        if (reply.value()) {
            onProbed(true, tr("%1 answers").arg(service));
            return;
        }
        // Not running, but the bus may start it on the first call (D-Bus activation).
        auto *activatable = call(u"ListActivatableNames"_s, {});
        connect(activatable, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *a) {
            a->deleteLater();
            const QDBusPendingReply<QStringList> names = *a;
            const bool can = !names.isError() && names.value().contains(service);
            onProbed(can, can ? tr("%1 can be started").arg(service) : tr("no %1 on the session bus").arg(service));
        });
    });
}

void AlertNotifier::onProbed(bool available, const QString &reason)
{
    m_probing = false;
    setDelivery(available ? Delivery::Desktop : fallbackDelivery(), reason);
    const QVector<Note> queued = std::exchange(m_queued, {});
    for (const Note &note : queued)
        send(note);
}

// ---- transitions

void AlertNotifier::onEventsAdded(const QVector<AlertEvent> &events)
{
    if (!m_model)
        return;
    const qint64 now = m_clock();
    for (const AlertEvent &e : events) {
        const QString key = AlertListModel::keyOf(e.ruleId, e.instance);
        if (e.state == u"resolved"_s) {
            // Only an alert that was notified is notified again, in place; silences do not hide good news.
            if (!m_ids.contains(key) && !m_inFlight.contains(key) && !m_lastNew.contains(key))
                continue;
            Note note;
            note.key = key;
            note.model = e.model();
            note.summary = tr("Resolved: %1").arg(subject(e));
            note.body = e.message;
            note.actions = QStringList { u"open"_s, tr("Open") };
            note.urgency = 0;
            note.resolution = true;
            send(note);
            continue;
        }
        if (e.state != u"firing"_s || !m_model->isNotifiable(key, now))
            continue;
        // At most one new notification per alert per perAlertSeconds, and perMinute in all.
        while (!m_recent.empty() && m_recent.front() <= now - 60)
            m_recent.pop_front();
        const auto last = m_lastNew.constFind(key);
        if ((last != m_lastNew.constEnd() && now - *last < m_limits.perAlertSeconds)
            || int(m_recent.size()) >= m_limits.perMinute) {
            suppress(e);
            continue;
        }
        m_recent.push_back(now);
        m_lastNew.insert(key, now);
        m_models.insert(key, e.model());
        Note note;
        note.key = key;
        note.model = e.model();
        note.summary = severityWord(e.severity) % u": "_s % subject(e);
        note.body = e.message;
        note.actions = QStringList { u"open"_s, tr("Open"), u"silence-1h"_s, tr("Silence 1 h") };
        note.urgency = AlertListModel::severityRank(e.severity);
        send(note);
    }
}

void AlertNotifier::suppress(const AlertEvent &e)
{
    ++m_suppressed;
    m_suppressedUrgency = std::max(m_suppressedUrgency, AlertListModel::severityRank(e.severity));
    if (m_suppressedLines.size() < summaryLines)
        m_suppressedLines << severityWord(e.severity) % u": "_s % subject(e);
    if (!m_summaryTimer.isActive())
        m_summaryTimer.start(m_limits.summaryDelayMs);
}

void AlertNotifier::sendSummary()
{
    if (m_suppressed == 0)
        return;
    Note note;
    // Spelled out: "%n … (s)" reads as "(s)" without a translation loaded.
    note.summary = m_suppressed == 1 ? tr("1 more alert") : tr("%1 more alerts").arg(m_suppressed);
    note.body = m_suppressedLines.join(u'\n');
    if (m_suppressed > m_suppressedLines.size())
        note.body
            += u'\n' % tr("…and %n more in the alerts panel", nullptr, m_suppressed - int(m_suppressedLines.size()));
    note.urgency = m_suppressedUrgency;
    m_suppressed = 0;
    m_suppressedUrgency = 0;
    m_suppressedLines.clear();
    send(note);
}

void AlertNotifier::send(const Note &note)
{
    if (m_delivery == Delivery::Unknown || m_probing) {
        m_queued.push_back(note);
        if (m_delivery == Delivery::Unknown && m_bus.isConnected())
            probe();
        return;
    }
    if (m_delivery != Delivery::Desktop) {
        fallback(note);
        return;
    }
    if (note.resolution) {
        if (m_inFlight.contains(note.key)) {
            m_waiting.insert(note.key, note); // sent once the firing notification's id is known
            return;
        }
        const auto id = m_ids.constFind(note.key);
        if (id == m_ids.constEnd())
            return; // closed by the user meanwhile: the panel shows the resolution
        sendDesktop(note, *id);
        return;
    }
    sendDesktop(note, note.key.isEmpty() ? 0 : m_ids.value(note.key, 0));
}

void AlertNotifier::sendDesktop(const Note &note, uint replacesId)
{
    QDBusMessage m = QDBusMessage::createMethodCall(service, path, interface, u"Notify"_s);
    QVariantMap hints;
    hints.insert(u"urgency"_s, QVariant::fromValue(uchar(note.urgency))); // a byte, as the spec says
    hints.insert(u"desktop-entry"_s, u"perfdash"_s);
    m.setArguments({ u"perfdash"_s, replacesId, QString(), note.summary, note.body, note.actions, hints, -1 });
    if (!note.key.isEmpty())
        m_inFlight.insert(note.key, true);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(m), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, note](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        m_inFlight.remove(note.key);
        if (reply.isError()) {
            setDelivery(fallbackDelivery(), reply.error().message());
            fallback(note);
            if (const auto waiting = m_waiting.take(note.key); !waiting.key.isEmpty())
                fallback(waiting);
            return;
        }
        if (note.key.isEmpty())
            return;
        const uint id = reply.value();
        if (const uint old = m_ids.value(note.key, 0); old != 0 && old != id)
            m_keys.remove(old);
        m_ids.insert(note.key, id);
        m_keys.insert(id, note.key);
        if (m_waiting.contains(note.key))
            sendDesktop(m_waiting.take(note.key), id);
    });
}

void AlertNotifier::fallback(const Note &note)
{
    if (fallbackDelivery() == Delivery::Tray) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(this);
            const QIcon icon = QApplication::windowIcon();
            m_tray->setIcon(icon.isNull() ? QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning) : icon);
            m_tray->setToolTip(u"perfdash"_s);
            connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this]() {
                if (!m_trayModel.isEmpty())
                    Q_EMIT openRequested(m_trayModel);
            });
            m_tray->show();
        }
        m_trayModel = note.model;
        m_tray->showMessage(note.summary, note.body,
            note.urgency >= 2       ? QSystemTrayIcon::Critical
                : note.urgency == 1 ? QSystemTrayIcon::Warning
                                    : QSystemTrayIcon::Information);
    }
    Q_EMIT fallbackShown(note.summary, note.body);
}

// ---- what the user did with a notification

void AlertNotifier::onActionInvoked(uint id, const QString &action)
{
    const auto key = m_keys.constFind(id);
    if (key == m_keys.constEnd())
        return; // another application's notification, or one we forgot
    if (action == u"open"_s || action == u"default"_s) {
        const QString model = m_models.value(*key);
        if (!model.isEmpty())
            Q_EMIT openRequested(model);
    } else if (action == u"silence-1h"_s && m_model) {
        m_model->silence(*key, AlertListModel::SilenceFor::OneHour, m_clock());
    }
}

void AlertNotifier::onNotificationClosed(uint id, uint reason)
{
    Q_UNUSED(reason);
    const auto key = m_keys.constFind(id);
    if (key == m_keys.constEnd())
        return;
    // Closed: a resolution later is a new notification no one asked for; the panel shows it.
    m_ids.remove(*key);
    m_keys.erase(key);
}

} // namespace perfdash
