// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPointF>
#include <QVector>

namespace perfdash {

// Reduces points sorted by x to at most ~2 per pixel column over [x0, x1]: for every column with points it keeps the
// minimum and the maximum in their time order, so spikes survive. NaN y values are gaps and are dropped.
// Points outside [x0, x1] are dropped, except the nearest one on each side so lines reach the plot's edges.
QVector<QPointF> decimateMinMax(const QVector<QPointF> &points, double x0, double x1, int columns);

} // namespace perfdash
