// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/duration.h"

#include <charconv>
#include <limits>

namespace perfdash::Duration {

std::optional<qint64> parse(const QString &text)
{
    const QByteArray latin = text.trimmed().toLatin1();
    if (latin.size() < 2)
        return std::nullopt;
    qint64 n = 0;
    const char *end = latin.constData() + latin.size() - 1;
    const auto [ptr, ec] = std::from_chars(latin.constData(), end, n);
    if (ec != std::errc() || ptr != end || n <= 0)
        return std::nullopt;
    qint64 unit = 0;
    switch (*end) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    case 'w':
        unit = 7 * 86400;
        break;
    default:
        return std::nullopt;
    }
    if (n > std::numeric_limits<qint64>::max() / unit / 1000)
        return std::nullopt;
    return n * unit;
}

QString format(qint64 seconds)
{
    if (seconds <= 0)
        return QStringLiteral("0s");
    static constexpr struct {
        qint64 unit;
        char letter;
    } units[] = { { 7 * 86400, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' } };
    for (const auto &u : units) {
        if (seconds % u.unit == 0)
            return QString::number(seconds / u.unit) + QLatin1Char(u.letter);
    }
    return QString::number(seconds) + QLatin1Char('s');
}

} // namespace perfdash::Duration
