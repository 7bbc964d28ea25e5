// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace perfdash {

// A DogStatsD service check (`_sc|name|status|...`) as parsed by StatsdParser. Plain value type: it may cross threads.
struct StatsdServiceCheck {
    enum class Status : quint8 { Ok = 0, Warning = 1, Critical = 2, Unknown = 3 };

    QString name;
    QString host; // h:
    QString message; // m: runs to the end of the line, `|` included
    QStringList tags; // sorted bytewise (UTF-8), distinct
    qint64 timestamp = 0; // d: in unix seconds, 0 when absent or unusable (the arrival time applies)
    Status status = Status::Ok;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::StatsdServiceCheck)
