// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/axisticks.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <array>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::AxisTicks {

namespace {
constexpr qint64 second = 1000;
constexpr qint64 minute = 60 * second;
constexpr qint64 hour = 60 * minute;
constexpr qint64 day = 24 * hour;
constexpr qint64 month = 30 * day; // stands for a calendar month in timeTicks
constexpr qint64 year = 365 * day;

// Floor and ceiling of value / step that forgive the last bit of rounding (0.3 / 0.1 = 2.9999999999999996).
double stepsBelow(double value, double step)
{
    return std::floor(value / step + 1e-9);
}
double stepsAbove(double value, double step)
{
    return std::ceil(value / step - 1e-9);
}

QDateTime at(qint64 ms, const QTimeZone &zone)
{
    return QDateTime::fromMSecsSinceEpoch(ms, zone);
}

// The date is written when the range leaves today; the year when it leaves this year.
struct DateNeeds {
    bool date = false;
    bool year = false;
};
DateNeeds dateNeeds(qint64 fromMs, qint64 toMs, qint64 nowMs, const QTimeZone &zone)
{
    const QDate from = at(fromMs, zone).date(), to = at(toMs, zone).date(), now = at(nowMs, zone).date();
    return { from != to || to != now, from.year() != to.year() || to.year() != now.year() };
}
} // namespace

QVector<double> Values::ticks() const
{
    QVector<double> out;
    const double n = std::round((last - first) / step);
    const double base = std::round(first / step);
    for (double k = 0; k <= n; ++k)
        out.push_back((base + k) * step);
    return out;
}

Values niceValues(double low, double high, int maxTicks)
{
    maxTicks = std::max(1, maxTicks);
    if (!std::isfinite(low) || !std::isfinite(high) || high < low)
        return {};
    if (high == low) // one value: a unit around it, from 0 when it is 0
        high = low + (low == 0 ? 1 : std::abs(low) * 0.1);
    const double raw = (high - low) / maxTicks;
    double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    Values v;
    for (int i = 0;; i = (i + 1) % 3) {
        static constexpr std::array<double, 3> mantissas { 1, 2, 5 };
        v.step = mantissas[size_t(i)] * magnitude;
        if (i == 2)
            magnitude *= 10;
        if (v.step < raw * (1 - 1e-9))
            continue;
        v.first = stepsBelow(low, v.step) * v.step;
        v.last = stepsAbove(high, v.step) * v.step;
        // Rounding the ends outwards can add an interval; then the next step.
        if (std::round((v.last - v.first) / v.step) <= maxTicks)
            break;
    }
    v.decimals = std::max(0, int(-std::floor(std::log10(v.step) + 1e-9)));
    return v;
}

QString valueLabel(double value, int decimals)
{
    // -0.0 and a residue like 1e-17 both read as 0.
    if (std::abs(value) < 0.5 * std::pow(10.0, -decimals))
        value = 0;
    QLocale locale;
    locale.setNumberOptions(locale.numberOptions() | QLocale::OmitGroupSeparator);
    return locale.toString(value, 'f', decimals);
}

qint64 timeStepMs(qint64 spanMs, int maxTicks)
{
    static constexpr std::array<qint64, 29> steps { second, 2 * second, 5 * second, 10 * second, 15 * second,
        30 * second, minute, 2 * minute, 5 * minute, 10 * minute, 15 * minute, 30 * minute, hour, 2 * hour, 3 * hour,
        6 * hour, 12 * hour, day, 2 * day, 7 * day, 14 * day, month, 3 * month, 6 * month, year, 2 * year, 5 * year,
        10 * year, 20 * year };
    maxTicks = std::max(1, maxTicks);
    for (qint64 step : steps) {
        if (spanMs / step <= maxTicks)
            return step;
    }
    return steps.back();
}

QVector<qint64> timeTicks(qint64 fromMs, qint64 toMs, qint64 stepMs, const QTimeZone &zone)
{
    QVector<qint64> out;
    if (stepMs <= 0 || toMs < fromMs)
        return out;
    if (stepMs < day) {
        // Every step under a day divides one, so aligning the local time to it gives round clock times. The offset
        // is the one at the start: a daylight-saving change inside the range shifts hour ticks by an hour.
        const qint64 offset = qint64(zone.offsetFromUtc(at(fromMs, zone))) * second;
        const qint64 local = fromMs + offset;
        qint64 t = (local / stepMs + (local % stepMs > 0 ? 1 : 0)) * stepMs - offset;
        for (; t <= toMs; t += stepMs)
            out.push_back(t);
        return out;
    }
    // Days, months and years on the local calendar: midnights, firsts of months, new years.
    const QDate first = at(fromMs, zone).date();
    const QDate last = at(toMs, zone).date();
    const auto add = [&](QDate date) {
        const qint64 t = QDateTime(date, QTime(0, 0), zone).toMSecsSinceEpoch();
        if (t >= fromMs && t <= toMs)
            out.push_back(t);
    };
    if (stepMs < month) {
        const qint64 days = stepMs / day; // 1, 2, 7 (Mondays: Julian day 0 was one), 14
        QDate d = first.addDays((days - first.toJulianDay() % days) % days);
        for (; d <= last; d = d.addDays(days))
            add(d);
    } else if (stepMs < year) {
        const int months = int(stepMs / month); // 1, 3, 6: from January
        QDate d(first.year(), 1, 1);
        while (d.addMonths(months) <= first)
            d = d.addMonths(months);
        for (; d <= last; d = d.addMonths(months))
            add(d);
    } else {
        const int years = int(stepMs / year);
        QDate d(first.year() - first.year() % years, 1, 1);
        for (; d <= last; d = d.addYears(years))
            add(d);
    }
    return out;
}

QStringList timeLabels(
    const QVector<qint64> &ticks, qint64 fromMs, qint64 toMs, qint64 stepMs, qint64 nowMs, const QTimeZone &zone)
{
    const DateNeeds needs = dateNeeds(fromMs, toMs, nowMs, zone);
    const QString date = needs.year ? u"yyyy-MM-dd"_s : u"MM-dd"_s;
    QStringList out;
    if (stepMs >= day) {
        const QString format = stepMs >= year ? u"yyyy"_s : stepMs >= month ? u"yyyy-MM"_s : date;
        for (qint64 t : ticks)
            out << at(t, zone).toString(format);
        return out;
    }
    const QString time = stepMs < minute ? u"HH:mm:ss"_s : u"HH:mm"_s;
    const bool everyDate = needs.date && toMs - fromMs > day;
    QDate previous;
    for (qint64 t : ticks) {
        const QDateTime when = at(t, zone);
        const bool withDate = needs.date && (everyDate || !previous.isValid() || when.date() != previous);
        out << when.toString(withDate ? date % u' ' % time : time);
        previous = when.date();
    }
    return out;
}

QString timeText(qint64 timeMs, qint64 fromMs, qint64 toMs, qint64 nowMs, const QTimeZone &zone)
{
    const DateNeeds needs = dateNeeds(fromMs, toMs, nowMs, zone);
    const QString time = toMs - fromMs > 2 * day ? u"HH:mm"_s : u"HH:mm:ss"_s;
    const QString format = needs.year ? u"yyyy-MM-dd "_s % time : needs.date ? u"MM-dd "_s % time : time;
    return at(timeMs, zone).toString(format);
}

} // namespace perfdash::AxisTicks
