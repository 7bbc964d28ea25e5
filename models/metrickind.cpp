// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/metrickind.h"

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

QString metricKindName(MetricKind kind)
{
    switch (kind) {
    case MetricKind::Counter:
        return u"counter"_s;
    case MetricKind::Gauge:
        return u"gauge"_s;
    case MetricKind::Timer:
        return u"timer"_s;
    case MetricKind::Distribution:
        return u"distribution"_s;
    case MetricKind::Set:
        return u"set"_s;
    }
    return u"counter"_s;
}

std::optional<MetricKind> metricKindFromName(QStringView name)
{
    for (auto kind :
        { MetricKind::Counter, MetricKind::Gauge, MetricKind::Timer, MetricKind::Distribution, MetricKind::Set }) {
        if (name == metricKindName(kind))
            return kind;
    }
    return std::nullopt;
}

} // namespace perfdash
