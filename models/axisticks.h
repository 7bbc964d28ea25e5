// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>
#include <QTimeZone>
#include <QVector>

namespace perfdash {

// Tick positions and labels a person reads at a glance: values at multiples of 1, 2 or 5 times a power of ten, times
// on round boundaries of the clock (1 s … 30 min, 1 h, 6 h, local midnight, the first of a month). Pure; any thread.
namespace AxisTicks {

// Ticks from `first` to `last` (inclusive) every `step`; first <= low and last >= high for the range asked.
struct Values {
    double step = 1;
    double first = 0;
    double last = 1;
    int decimals = 0; // enough to tell the ticks apart: 0 for a step of 1 or more, 1 for 0.5, 2 for 0.05 …
    QVector<double> ticks() const;
};
// At most maxTicks intervals (maxTicks + 1 ticks) covering [low, high]; a 1-2-5 step. An empty or invalid range
// gives 0..1.
Values niceValues(double low, double high, int maxTicks = 5);
// The label of a tick value: `decimals` digits, in the default locale's digits without a group separator.
QString valueLabel(double value, int decimals);

// The round step for about maxTicks ticks over spanMs: 1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6,
// 12 h; 1, 2, 7, 14 days; then months (30, 90 and 180 d stand for 1, 3 and 6 months) and years (365 d).
qint64 timeStepMs(qint64 spanMs, int maxTicks);
// The ticks inside [fromMs, toMs] every stepMs (a step from timeStepMs), on round times of `zone`: hours and days at
// local midnight and whole hours, months on the first.
QVector<qint64> timeTicks(
    qint64 fromMs, qint64 toMs, qint64 stepMs, const QTimeZone &zone = QTimeZone::systemTimeZone());
// Labels for ticks: time of day for steps under a day ("HH:mm:ss" under a minute, else "HH:mm"), with the date on
// the first tick and where the day changes (on every tick when the range covers more than a day), the date alone for
// steps of days, year and month for steps of months. The year is written when the range spans a new year or is not
// in the year of nowMs.
QStringList timeLabels(const QVector<qint64> &ticks, qint64 fromMs, qint64 toMs, qint64 stepMs, qint64 nowMs,
    const QTimeZone &zone = QTimeZone::systemTimeZone());
// A full timestamp for hover text, with the year when it is needed by the same rule.
QString timeText(
    qint64 timeMs, qint64 fromMs, qint64 toMs, qint64 nowMs, const QTimeZone &zone = QTimeZone::systemTimeZone());

} // namespace AxisTicks

} // namespace perfdash
