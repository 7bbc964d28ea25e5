// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace perfdash {

// The statistics a series keeps per second depend on its kind.
enum class MetricKind : quint8 {
    Counter = 0,
    Gauge = 1,
    Timer = 2,
    Distribution = 3,
    Set = 4,
};

QString metricKindName(MetricKind kind);
std::optional<MetricKind> metricKindFromName(QStringView name);

} // namespace perfdash
