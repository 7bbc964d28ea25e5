// SPDX-License-Identifier: GPL-3.0-or-later
// Quantile sketch budgets (DESIGN.md, Budgets): insert <= 8 ns, 60 one-second sketches merged in <= 0.5 ms.
// Each measurement runs 5 times; the median is printed. Usage: bench_sketch [inserts, default 10000000]
#include "benchtiming.h"
#include "models/quantilesketch.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <random>
#include <string>
#include <vector>

using perfdash::QuantileSketch;

using namespace perfdash::bench;

namespace {


void report(const char *what, double value, const char *unit)
{
    std::cout << std::left << std::setw(52) << what << std::right << std::fixed << std::setprecision(2)
              << std::setw(12) << value << ' ' << unit << '\n';
}

volatile double g_sink; // keeps results alive

} // namespace

int main(int argc, char **argv)
{
    const size_t inserts = argc > 1 ? size_t(std::strtoull(argv[1], nullptr, 10)) : 10'000'000;
    std::cout << "quantile sketch, alpha " << QuantileSketch::kDefaultRelativeAccuracy << ", median of " << kRuns
              << " runs\n";

    // Insert: a pre-generated array, so the generator is not timed.
    const std::vector<double> values = lognormal(inserts, 1);
    const double insertSeconds = medianSeconds([&] {
        QuantileSketch sketch;
        for (double v : values)
            sketch.add(v);
        g_sink = sketch.quantile(0.99);
    });
    report("insert, lognormal values", insertSeconds * 1e9 / double(inserts), "ns/value");

    // For comparison: the index alone, computed with std::log.
    const double gamma = 1.01 / 0.99;
    const double multiplier = 1.0 / std::log(gamma);
    const double stdLogSeconds = medianSeconds([&] {
        long long sum = 0;
        for (double v : values)
            sum += (long long)std::ceil(std::log(v) * multiplier);
        g_sink = double(sum);
    });
    report("  reference: ceil(std::log(v) * m) alone", stdLogSeconds * 1e9 / double(inserts), "ns/value");

    // Merge: 60 one-second sketches of ~1000 values into a minute, as the rollup does.
    std::vector<QuantileSketch> seconds;
    std::mt19937_64 rng(2);
    std::uniform_int_distribution<int> perSecond(900, 1100);
    for (int s = 0; s < 60; ++s) {
        QuantileSketch sketch;
        for (double v : lognormal(size_t(perSecond(rng)), 100 + std::uint64_t(s)))
            sketch.add(v);
        seconds.push_back(sketch);
    }
    constexpr int kMergeReps = 2000;
    const double mergeSeconds = medianSeconds([&] {
        for (int rep = 0; rep < kMergeReps; ++rep) {
            QuantileSketch minute;
            for (const QuantileSketch &s : seconds)
                minute.merge(s);
            g_sink = double(minute.count());
        }
    });
    report("merge 60 one-second sketches (~1000 values each)", mergeSeconds * 1e6 / kMergeReps, "us");

    // Serialization of one second and of the merged minute.
    QuantileSketch minute;
    for (const QuantileSketch &s : seconds)
        minute.merge(s);
    for (const auto &[name, sketch] : { std::pair<std::string, const QuantileSketch *> { "1 s", &seconds.front() },
                                        std::pair<std::string, const QuantileSketch *> { "60 s", &minute } }) {
        const QByteArray blob = sketch->serialize();
        report(("serialized size, " + name + " (" + std::to_string(sketch->count()) + " values)").c_str(),
               double(blob.size()), "bytes");
        constexpr int kReps = 20000;
        const double ser = medianSeconds([&] {
            for (int rep = 0; rep < kReps; ++rep)
                g_sink = double(sketch->serialize().size());
        });
        report(("  serialize, " + name).c_str(), ser * 1e9 / kReps, "ns");
        const double de = medianSeconds([&] {
            for (int rep = 0; rep < kReps; ++rep)
                g_sink = double(QuantileSketch::deserialize(blob)->count());
        });
        report(("  deserialize, " + name).c_str(), de * 1e9 / kReps, "ns");
    }
    return 0;
}
