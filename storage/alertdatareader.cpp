// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/alertdatareader.h"

namespace perfdash::AlertDataReader {

qint64 stepFor(const QVector<AlertRule> &rules, qint64 interval)
{
    if (interval % 60 != 0)
        return 1;
    for (const AlertRule &r : rules) {
        if (r.window % 60 != 0)
            return 1;
    }
    return 60;
}

bool read(const HistoryQuery &, const QVector<SeriesInfo> &, const QVector<AlertRule> &, qint64, qint64, qint64,
    qint64, AlertData *, QString *error)
{
    *error = QStringLiteral("in progress");
    return false;
}

bool replay(const QString &, const QVector<AlertRule> &, qint64, qint64, qint64, bool, ReplayResult *, QString *error)
{
    *error = QStringLiteral("in progress");
    return false;
}

} // namespace perfdash::AlertDataReader
