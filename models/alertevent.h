// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMap>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <limits>

namespace perfdash {

// A transition of one alert: a row of alert_events, a line on live.sock, a notification.
struct AlertEvent {
    qint64 time = 0; // the evaluation time (Unix seconds)
    QString ruleId;
    QString ruleName;
    QString instance; // "model:NAME", or the series key of a series rule
    QString severity; // info, warning, critical
    QString state; // pending, firing, resolved, inactive (AlertState::stateName)
    double value = std::numeric_limits<double>::quiet_NaN(); // the figure at that time, in the rule's unit
    double threshold = std::numeric_limits<double>::quiet_NaN();
    QString message; // "latency_p95 of resnet50 is 143 ms, above 100 ms over 15m"
    QMap<QString, QString> labels;

    QString model() const; // the instance's model, empty when it has none
    bool operator==(const AlertEvent &o) const;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::AlertEvent)
