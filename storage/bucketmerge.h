// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/chunkcodec.h"

#include <optional>

namespace perfdash {

class QuantileSketch;

// How stored buckets combine into coarser ones: the writer's rollups and the reader's merges (coarse steps, the 1 s
// tail that is not rolled up yet) call these, so both add up the same way. Pure functions, any thread.
class BucketMerge {
public:
    // Up to this many values stand for one second whose sketch is not at hand (addApproximation).
    static constexpr int kMaxSyntheticValues = 2000;

    // Adds `p` to `into`: counts and sums add, min and max combine, the last value wins, unique is a lower bound.
    // Quantiles are left alone (they come from sketches).
    static void add(StoredPoint &into, const StoredPoint &p);
    // Feeds `sketch` an approximation of a second whose own sketch is not at hand: up to kMaxSyntheticValues points
    // along the quantile curve known from min, p50..p999 and max, piecewise linear, weighted to count exactly the
    // second's samples. Its distribution agrees with the second's at those knots; between two knots a rank may be off
    // by at most the gap between their levels (0.5 below p50, 0.4 up to p90, 0.05, 0.04, 0.009, 0.001 above).
    static void addApproximation(QuantileSketch &sketch, const StoredPoint &p);
    // Merges the second's own sketch when it has one that merges, else addApproximation.
    static void addSecond(QuantileSketch &sketch, const std::optional<QuantileSketch> &own, const StoredPoint &p);
    // p50..p999 of `sketch` into `row` (nothing when the sketch is empty).
    static void setQuantiles(StoredPoint &row, const QuantileSketch &sketch);
};

} // namespace perfdash
