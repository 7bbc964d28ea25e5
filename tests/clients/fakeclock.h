// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: a clock the test moves by hand, for the SDK's timing code (perfdash::client::Clock).

#include "perfdash/clock.h"

namespace perfdash::test {

struct FakeClock {
    static constexpr double kWallStart = 1657100000.0;
    static constexpr double kSteadyStart = 100.0;
    static inline double wall = kWallStart;
    static inline double steady = kSteadyStart;

    static void reset()
    {
        wall = kWallStart;
        steady = kSteadyStart;
    }
    static void advance(double seconds)
    {
        wall += seconds;
        steady += seconds;
    }
    static client::Clock clock()
    {
        client::Clock c;
        c.wallSeconds = [] { return wall; };
        c.monotonicSeconds = [] { return steady; };
        return c;
    }
};

} // namespace perfdash::test
