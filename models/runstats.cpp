// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/runstats.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

qint64 floorTo(qint64 value, qint64 step)
{
    const qint64 q = value / step;
    return (value % step < 0 ? q - 1 : q) * step;
}

// Step names in the order runs take them: sorted by their start within the run, first seen first.
QStringList stepOrder(const QVector<RunRecord> &runs)
{
    QStringList order;
    QHash<QString, double> firstOffset;
    for (const RunRecord &run : runs) {
        for (const RunRecord::Step &s : run.steps) {
            const double offset = s.start - run.start;
            const auto it = firstOffset.find(s.name);
            if (it == firstOffset.end()) {
                firstOffset.insert(s.name, offset);
                order.push_back(s.name);
            } else {
                *it = std::min(*it, offset);
            }
        }
    }
    std::stable_sort(order.begin(), order.end(),
        [&](const QString &a, const QString &b) { return firstOffset.value(a) < firstOffset.value(b); });
    return order;
}

} // namespace

double RunStats::quantile(QVector<double> values, double q)
{
    if (values.isEmpty())
        return 0;
    const auto k = qsizetype(std::floor(std::clamp(q, 0.0, 1.0) * double(values.size() - 1)));
    std::nth_element(values.begin(), values.begin() + k, values.end());
    return values[k];
}

qint64 RunStats::bucketSecondsFor(qint64 spanSeconds, int maxBuckets)
{
    static constexpr std::array<qint64, 16> kSteps
        = { 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 7LL * 86400 };
    for (qint64 step : kSteps) {
        if (spanSeconds <= step * std::max(1, maxBuckets))
            return step;
    }
    return kSteps.back();
}

RunStats RunStats::compute(const QVector<RunRecord> &runs, qint64 fromSecond, qint64 toSecond, qint64 bucketSeconds)
{
    RunStats out;
    out.bucketSeconds = std::max<qint64>(1, bucketSeconds);
    const qint64 first = floorTo(fromSecond, out.bucketSeconds);
    const qint64 count = toSecond > first ? (toSecond - first + out.bucketSeconds - 1) / out.bucketSeconds : 0;
    QVector<RunRecord> inRange;
    for (const RunRecord &run : runs) {
        if (run.start >= double(fromSecond) && run.start < double(toSecond))
            inRange.push_back(run);
    }
    out.steps = stepOrder(inRange);
    const qsizetype stepCount = out.steps.size();
    // Per bucket: the runs' durations and, per step, their elapsed times.
    QVector<QVector<double>> durations(count);
    QVector<QVector<QVector<double>>> elapsed(count, QVector<QVector<double>>(stepCount));
    out.buckets.resize(count);
    for (qint64 i = 0; i < count; ++i)
        out.buckets[i].start = first + i * out.bucketSeconds;
    for (const RunRecord &run : std::as_const(inRange)) {
        const qint64 i = (qint64(std::floor(run.start)) - first) / out.bucketSeconds;
        if (i < 0 || i >= count)
            continue;
        RunBucket &b = out.buckets[i];
        ++b.runs;
        if (!run.success)
            ++b.failed;
        if (std::isfinite(run.executionS))
            durations[i].push_back(run.executionS);
        for (const RunRecord::Step &s : run.steps) {
            if (std::isfinite(s.elapsedS)) // a stored step without elapsed_s
                elapsed[i][out.steps.indexOf(s.name)].push_back(s.elapsedS);
        }
    }
    for (qint64 i = 0; i < count; ++i) {
        RunBucket &b = out.buckets[i];
        b.durationP50 = quantile(durations[i], 0.5);
        b.durationP95 = quantile(durations[i], 0.95);
        b.stepP50.resize(stepCount);
        b.stepP95.resize(stepCount);
        for (qsizetype s = 0; s < stepCount; ++s) {
            b.stepP50[s] = quantile(elapsed[i][s], 0.5);
            b.stepP95[s] = quantile(elapsed[i][s], 0.95);
        }
    }
    return out;
}

QVector<SourceRef> sourcesOfRun(const RunRecord &run)
{
    return sourcesOf(u"run.duration|"_s + run.tags.join(u','));
}

QVector<RunStepShare> runBreakdown(const RunRecord &run)
{
    QVector<RunStepShare> out;
    out.reserve(run.steps.size());
    const double total = std::isfinite(run.executionS) && run.executionS > 0 ? run.executionS : 0;
    for (const RunRecord::Step &s : run.steps)
        out.push_back({ s.name, s.start - run.start, s.elapsedS, total > 0 ? s.elapsedS / total : 0, s.success });
    std::stable_sort(
        out.begin(), out.end(), [](const RunStepShare &a, const RunStepShare &b) { return a.offsetS < b.offsetS; });
    return out;
}

} // namespace perfdash
