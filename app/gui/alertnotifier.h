// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertlistmodel.h"

#include <QDBusConnection>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>

class QDBusPendingCallWatcher;
class QSystemTrayIcon;

namespace perfdash {

// Desktop notifications of the model's live alert transitions (AlertListModel::eventsAdded) through
// org.freedesktop.Notifications (Desktop Notifications spec 1.2) on the D-Bus connection it is given: one
// notification per alert, updated in place when the alert resolves (replaces_id), with the actions "open" (the model
// on the dashboard: openRequested) and "silence-1h" (silenced in the model). Silenced and acknowledged alerts are not
// notified. Rate limited: at most one new notification per alert per perAlertSeconds and perMinute in all per
// minute; the rest are counted and, summaryDelayMs after the first of them, summarised in one "N more alerts"
// notification. Without a notification service (no bus, no owner of the name nor an activatable one, a failed call)
// it shows the tray's message when there is a tray, else nothing (the panel lists every alert anyway), and says so
// (delivery). Every D-Bus call is asynchronous. GUI thread only; the model must outlive it.
class AlertNotifier : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertNotifier)
public:
    enum class Delivery { Unknown, Desktop, Tray, PanelOnly };
    Q_ENUM(Delivery)
    struct Limits {
        qint64 perAlertSeconds = 300;
        int perMinute = 5;
        int summaryDelayMs = 60 * 1000;
    };

    AlertNotifier(const QDBusConnection &bus, AlertListModel *model, QObject *parent = nullptr);
    ~AlertNotifier() override;

    // Unix seconds for the rate limits and silences; the wall clock unless set (tests).
    void setClock(std::function<qint64()> clock);
    void setLimits(const Limits &limits) { m_limits = limits; }
    Delivery delivery() const { return m_delivery; }
    QString deliveryReason() const { return m_reason; }
    int suppressedCount() const { return m_suppressed; } // held back since the last summary

    void onEventsAdded(const QVector<perfdash::AlertEvent> &events);

Q_SIGNALS:
    void deliveryChanged(perfdash::AlertNotifier::Delivery delivery, const QString &reason);
    void openRequested(const QString &model);
    // A notification that could not go to the desktop: shown by the tray, or only in the panel.
    void fallbackShown(const QString &summary, const QString &body);

private Q_SLOTS:
    // D-Bus signals of the notification service (string-based connections: QDBusConnection::connect needs them).
    void onActionInvoked(uint id, const QString &action);
    void onNotificationClosed(uint id, uint reason);

private:
    struct Note {
        QString key; // the alert; empty for a summary
        QString model;
        QString summary;
        QString body;
        QStringList actions;
        int urgency = 1;
        bool resolution = false;
    };
    void setDelivery(Delivery delivery, const QString &reason);
    void probe();
    void onProbed(bool available, const QString &reason);
    void send(const Note &note);
    void sendDesktop(const Note &note, uint replacesId);
    void fallback(const Note &note);
    void suppress(const AlertEvent &event);
    void sendSummary();
    Delivery fallbackDelivery() const;

    QDBusConnection m_bus;
    QPointer<AlertListModel> m_model;
    std::function<qint64()> m_clock;
    Limits m_limits;
    Delivery m_delivery = Delivery::Unknown;
    QString m_reason;
    bool m_probing = false;
    QVector<Note> m_queued; // while the service is being looked for
    QHash<QString, uint> m_ids; // alert key -> the notification's id
    QHash<uint, QString> m_keys; // and back
    QHash<QString, QString> m_models; // alert key -> its model, for "open"
    QHash<QString, Note> m_waiting; // resolutions whose firing notification's id has not come back yet
    QHash<QString, bool> m_inFlight; // alert keys whose Notify has not answered
    QHash<QString, qint64> m_lastNew; // alert key -> when its last new notification went out
    std::deque<qint64> m_recent; // times of the new notifications of the last minute
    int m_suppressed = 0;
    int m_suppressedUrgency = 0;
    QStringList m_suppressedLines;
    QTimer m_summaryTimer;
    QSystemTrayIcon *m_tray = nullptr;
    QString m_trayModel; // the model of the tray's last message, for a click on it
};

} // namespace perfdash
