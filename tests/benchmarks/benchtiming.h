// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the benchmarks share: the median of five timed runs, a reproducible lognormal latency sample, and the bytes in
// use on the heap.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <functional>
#include <malloc.h>
#include <random>
#include <vector>

namespace perfdash::bench {

constexpr int kRuns = 5;

// Runs setup (untimed) then run, kRuns times; returns the median of run's wall time in seconds.
inline double medianSeconds(const std::function<void()> &run, const std::function<void()> &setup = {})
{
    std::vector<double> seconds;
    for (int i = 0; i < kRuns; ++i) {
        if (setup)
            setup();
        const auto start = std::chrono::steady_clock::now();
        run();
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[kRuns / 2];
}

// n latencies in ms, lognormal with a median of about 20 ms.
inline std::vector<double> lognormal(size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> latency(3.0, 1.0);
    std::vector<double> values(n);
    for (double &v : values)
        v = latency(rng);
    return values;
}

// Bytes in use on the heap (every arena plus mmapped blocks), from glibc's malloc statistics.
inline size_t heapInUse()
{
    const struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

} // namespace perfdash::bench
