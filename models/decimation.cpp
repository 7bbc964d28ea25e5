// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/decimation.h"

#include <algorithm>
#include <cmath>

namespace perfdash {

QVector<QPointF> decimateMinMax(const QVector<QPointF> &points, double x0, double x1, int columns)
{
    QVector<QPointF> out;
    if (points.isEmpty() || columns <= 0 || !(x1 > x0))
        return out;
    const auto byX = [](const QPointF &p, double x) { return p.x() < x; };
    auto first = std::lower_bound(points.cbegin(), points.cend(), x0, byX);
    auto last = std::lower_bound(first, points.cend(), x1, byX);
    if (first != points.cbegin())
        --first;
    if (last != points.cend())
        ++last;
    const auto count = last - first;
    if (count <= 2 * columns) {
        out.reserve(count);
        std::copy_if(first, last, std::back_inserter(out), [](const QPointF &p) { return !std::isnan(p.y()); });
        return out;
    }
    out.reserve(2 * columns + 2);
    const double scale = double(columns) / (x1 - x0);
    long column = std::numeric_limits<long>::min();
    QPointF lo, hi;
    bool open = false;
    const auto flush = [&]() {
        if (!open)
            return;
        if (lo.x() <= hi.x()) {
            out.push_back(lo);
            if (hi != lo)
                out.push_back(hi);
        } else {
            out.push_back(hi);
            out.push_back(lo);
        }
    };
    for (auto it = first; it != last; ++it) {
        if (std::isnan(it->y()))
            continue;
        const long c = long(std::floor((it->x() - x0) * scale));
        if (!open || c != column) {
            flush();
            column = c;
            lo = hi = *it;
            open = true;
            continue;
        }
        if (it->y() < lo.y())
            lo = *it;
        if (it->y() > hi.y())
            hi = *it;
    }
    flush();
    return out;
}

} // namespace perfdash
