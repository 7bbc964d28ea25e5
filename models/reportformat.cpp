// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/reportformat.h"

#include <QDateTime>
#include <QStringBuilder>

#include <algorithm>
#include <charconv>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::ReportFormat {

int sketchDigits(double relativeAccuracy)
{
    if (!(relativeAccuracy > 0))
        return kExactDigits;
    // d digits round by at most 0.5 × 10^(1−d) of the value; want that ≤ α / 2.
    const int d = int(std::ceil(1 - std::log10(relativeAccuracy)));
    return std::clamp(d, 1, kExactDigits);
}

double round(double value, int digits)
{
    if (!std::isfinite(value) || value == 0)
        return value;
    const int exponent = int(std::floor(std::log10(std::abs(value)))) - digits + 1;
    // Divide by a power of ten rather than multiply by its inverse, which is not exact (0.0123 stays 0.0123).
    if (exponent < 0) {
        const double scale = std::pow(10.0, -exponent);
        return std::round(value * scale) / scale;
    }
    const double scale = std::pow(10.0, exponent);
    return std::round(value / scale) * scale;
}

QByteArray number(double value, int digits)
{
    if (!std::isfinite(value))
        return {};
    const double r = round(value, digits);
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, r == 0 ? 0.0 : r); // no "-0"
    return QByteArray(buffer, int(result.ptr - buffer));
}

QString column(const QString &base, const QString &unit)
{
    if (unit.isEmpty())
        return base;
    QString suffix;
    if (unit == u"req/s")
        suffix = u"rps"_s;
    else if (unit == u"%")
        suffix = u"percent"_s;
    else
        suffix = unit.toLower().replace(u'/', u"_per_"_s);
    return base % u'_' % suffix;
}

QString timeColumn(const Options &options)
{
    return options.excel ? u"time_utc"_s : u"time"_s;
}

QByteArray time(qint64 unixSeconds, const Options &options)
{
    const QDateTime t = QDateTime::fromSecsSinceEpoch(unixSeconds, Qt::UTC); // ISO form with "Z", not "+00:00"
    return (options.excel ? t.toString(u"yyyy-MM-dd HH:mm:ss"_s) : t.toString(Qt::ISODate)).toLatin1();
}

QByteArray preamble(const Options &options)
{
    return options.excel ? QByteArray("\xEF\xBB\xBF") : QByteArray();
}

} // namespace perfdash::ReportFormat
