// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/robustrange.h"

#include <algorithm>
#include <cmath>

namespace perfdash {

RobustRange RobustRange::of(QVector<double> values)
{
    values.erase(
        std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
    RobustRange r;
    if (values.isEmpty())
        return r;
    std::sort(values.begin(), values.end());
    // The lower order statistic: with fewer than 100 values it is the second largest, so one spike never sets it.
    const double q = values[qsizetype(std::floor(kQuantile * double(values.size() - 1)))];
    // Mostly zeros (an error rate): every rare value is the thing to see, none is an outlier.
    if (q <= 0) {
        r.top = std::max(0.0, values.last() * kKeptHeadroom);
        return r;
    }
    const double limit = q * kOutlierFactor;
    const auto kept = std::upper_bound(values.cbegin(), values.cend(), limit);
    const double keptMax = kept == values.cbegin() ? 0 : *(kept - 1);
    r.top = std::max({ q * kHeadroom, keptMax * kKeptHeadroom, 0.0 });
    r.outliers = int(values.cend() - std::upper_bound(values.cbegin(), values.cend(), r.top));
    return r;
}

} // namespace perfdash
