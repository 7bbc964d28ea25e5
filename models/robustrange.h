// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QVector>

namespace perfdash {

// The top of a value axis that starts at 0, decided by the bulk of the values rather than by a lone outlier: the
// 99th percentile (the lower order statistic, so one spike among any number of points is not it) with 10 % headroom,
// raised to every value within twice that percentile (with 5 % headroom). Values above the top are outliers: the chart
// marks them at its edge instead of rescaling (a 375 ms spike over 40 ms lines). A steady ramp or a step keeps its
// highest value in range, and values that are mostly 0 (an error rate) keep their rare peaks. Pure; any thread.
struct RobustRange {
    static constexpr double kQuantile = 0.99;
    static constexpr double kHeadroom = 1.1;
    static constexpr double kKeptHeadroom = 1.05; // over the highest value kept
    static constexpr double kOutlierFactor = 2.0; // a value more than this times the percentile is an outlier

    double top = 0; // 0 when there are no finite values
    int outliers = 0; // values above top

    // values: any order; NaN and infinities are ignored.
    static RobustRange of(QVector<double> values);
};

} // namespace perfdash
