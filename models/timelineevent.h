// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace perfdash {

// Something that happened at a moment rather than a value per second: a StatsD event or service check, kept on the
// timeline (stored in the events table, drawn as a marker). Plain value type: it crosses threads.
struct TimelineEvent {
    qint64 timeMs = 0;
    QString kind; // "event" or "service_check"
    QString title; // the event's title, or the service check's name
    QString text; // the event's text, or the service check's message
    QString priority; // events: "normal" or "low"
    QString alertType; // events: "info", "error", "warning" or "success"
    int status = -1; // service checks: 0 ok, 1 warning, 2 critical, 3 unknown
    QString source; // host, and the source type when given
    QStringList tags;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::TimelineEvent)
Q_DECLARE_METATYPE(QVector<perfdash::TimelineEvent>)
