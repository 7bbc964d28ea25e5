// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/referenceperiod.h"

#include <QCoreApplication>
#include <QDateTime>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
ReferencePeriod previous(qint64 nowSecond, qint64 step, bool quarter)
{
    const qint64 to = nowSecond / step * step;
    return { to - step, to, quarter };
}
} // namespace

ReferencePeriod ReferencePeriod::previousHour(qint64 nowSecond)
{
    return previous(nowSecond, 3600, false);
}

ReferencePeriod ReferencePeriod::previousQuarter(qint64 nowSecond)
{
    return previous(nowSecond, 900, true);
}

QString ReferencePeriod::label() const
{
    if (!quarter)
        return QCoreApplication::translate("ReferencePeriod", "prev. hour");
    return QDateTime::fromSecsSinceEpoch(from).toString(u"HH:mm"_s) % u'–'
        % QDateTime::fromSecsSinceEpoch(to).toString(u"HH:mm"_s);
}

} // namespace perfdash
