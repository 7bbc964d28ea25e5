// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace perfdash {

// A DogStatsD event (`_e{a,b}:title|text|...`) as parsed by StatsdParser. Plain value type: it may cross threads.
struct StatsdEvent {
    enum class Priority : quint8 { Normal, Low };
    enum class AlertType : quint8 { Info, Error, Warning, Success };

    QString title; // a two-character `\n` already turned into a newline
    QString text; // likewise
    QString host; // h:
    QString aggregationKey; // k:
    QString sourceType; // s:
    QStringList tags; // sorted bytewise (UTF-8), distinct
    qint64 timestamp = 0; // d: in unix seconds, 0 when absent or unusable (the arrival time applies)
    Priority priority = Priority::Normal;
    AlertType alertType = AlertType::Info;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::StatsdEvent)
