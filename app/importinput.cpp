// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/importinput.h"

#include "models/coverage.h"

namespace perfdash {

std::optional<ImportSeries> heartbeatOf(const ImportInput &input)
{
    std::map<qint64, qint64> seriesPerBucket;
    for (const ImportSeries &s : input.series) {
        if (s.key == Coverage::heartbeatKey())
            return std::nullopt; // the input brings its own
        for (const StoredPoint &p : s.rows)
            ++seriesPerBucket[p.time];
    }
    if (input.covered.empty())
        return std::nullopt;
    ImportSeries heartbeat;
    heartbeat.key = Coverage::heartbeatKey();
    heartbeat.kind = MetricKind::Gauge;
    heartbeat.step = input.step;
    heartbeat.counted = false;
    for (const auto &[time, seconds] : input.covered) {
        if (seconds <= 0)
            continue;
        StoredPoint p;
        p.time = time;
        p.count = seconds; // one sample per covered second, as the collector's own heartbeat
        p.min = p.max = p.last = double(seriesPerBucket[time]);
        p.sum = p.last * double(seconds);
        heartbeat.rows.push_back(p);
    }
    return heartbeat;
}

} // namespace perfdash
