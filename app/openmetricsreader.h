// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/importinput.h"

class QIODevice;

namespace perfdash {

// Reads Prometheus / OpenMetrics text exposition whose samples carry timestamps (seconds, or milliseconds when above
// 1e11 as Prometheus writes them) into buckets of options.step (default 1 min), as docs/storage.md "Import" describes:
// - counter (`name_total` or `name`): cumulative values become the increment per bucket (a value below the previous
//   one is a reset: the increment is the new value); count = the increment rounded, sum = the increment;
// - gauge and untyped: each sample is one value (count, sum, min, max, last);
// - summary: count and sum are the increments of `_count` and `_sum`; p50/p90/p95/p99/p999 are the bucket's last
//   `quantile` samples, min and max quantile 0 and 1 when given, else the lowest and highest quantile;
// - histogram: the increments of the `le` buckets give count, sum, quantiles (interpolated within a bucket, as
//   Prometheus' histogram_quantile does) and min/max (the edges of the outermost non-empty buckets).
// Summaries and histograms become timers. Labels become tags; the family name is the series name unless
// options.renames maps it. One thread; reads the device to its end.
class OpenMetricsReader {
public:
    static ImportInput read(QIODevice *device, const ImportReadOptions &options);
};

} // namespace perfdash
