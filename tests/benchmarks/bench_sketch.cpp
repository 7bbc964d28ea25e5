// SPDX-License-Identifier: GPL-3.0-or-later
// Quantile sketch budgets (DESIGN.md, Budgets; issue 4): insert <= 8 ns, 60 one-second sketches merged in <= 0.5 ms,
// quantile extraction in microseconds, a serialized one-second sketch <= 1 KB at 100k values/s; memory per live
// series; and, in the same run, the error and cost of exact quantiles (std::sort, std::nth_element) on the same data.
// Each timing runs 5 times; the median is printed. Sizes are the median (and max) over 5 seeds.
// Usage: bench_sketch [inserts, default 10000000]
#include "benchtiming.h"
#include "models/aggregator.h"
#include "models/quantilesketch.h"
#include "models/seriessummary.h"

#include <QString>

#include <algorithm>
#include <chrono>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

using perfdash::Aggregator;
using perfdash::MetricKind;
using perfdash::QuantileSketch;
using perfdash::SeriesSummary;

using namespace perfdash::bench;

namespace {

void report(const char *what, double value, const char *unit)
{
    std::cout << std::left << std::setw(52) << what << std::right << std::fixed << std::setprecision(2) << std::setw(12)
              << value << ' ' << unit << '\n';
}

volatile double g_sink; // keeps results alive

constexpr std::array<double, 5> kLevels { 0.5, 0.9, 0.95, 0.99, 0.999 };

// n latencies in ms, log-uniform from 1 us to 1 h: the widest spread a timer is expected to cover.
std::vector<double> wideSpread(size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> exponent(std::log(1e-3), std::log(3.6e6));
    std::vector<double> values(n);
    for (double &v : values)
        v = std::exp(exponent(rng));
    return values;
}

using Generator = std::vector<double> (*)(size_t, std::uint64_t);

QuantileSketch sketchOf(const std::vector<double> &values)
{
    QuantileSketch sketch;
    for (double v : values)
        sketch.add(v);
    return sketch;
}

// The exact quantile as the sketch defines it: rank floor(q * (n - 1)) of the sorted values.
double exactQuantile(const std::vector<double> &sorted, double q)
{
    return sorted[size_t(q * double(sorted.size() - 1))];
}

// Largest relative error of the sketch over kLevels against the exact quantiles of the same values.
double maxRelativeError(const QuantileSketch &sketch, std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    double worst = 0;
    for (double q : kLevels) {
        const double exact = exactQuantile(values, q);
        worst = std::max(worst, std::fabs(sketch.quantile(q) - exact) / exact);
    }
    return worst;
}

std::string loadAverage()
{
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

std::string label(const char *prefix, size_t n, const char *suffix = "")
{
    return std::string(prefix) + std::to_string(n) + suffix;
}

} // namespace

int main(int argc, char **argv)
{
    const size_t inserts = argc > 1 ? size_t(std::strtoull(argv[1], nullptr, 10)) : 10'000'000;
    std::cout << "quantile sketch, alpha " << QuantileSketch::kDefaultRelativeAccuracy << ", median of " << kRuns
              << " runs\n";
    std::cout << "load average at start: " << loadAverage() << '\n';

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

    // Serialized size of one second at 100 .. 100k values/s: median and max over 5 seeds (5 different seconds).
    const std::array<size_t, 4> rates { 100, 1000, 10000, 100000 };
    const std::array<std::pair<const char *, Generator>, 2> shapes { { { "lognormal", lognormal },
        { "1 us-1 h", wideSpread } } };
    std::cout << "\nserialized one-second sketch (budget <= 1024 bytes at 100k/s), median / max of 5 seeds\n";
    for (const auto &[shape, generate] : shapes) {
        for (size_t rate : rates) {
            std::vector<qsizetype> sizes;
            for (std::uint64_t seed = 0; seed < std::uint64_t(kRuns); ++seed)
                sizes.push_back(sketchOf(generate(rate, 1000 + seed)).serialize().size());
            std::sort(sizes.begin(), sizes.end());
            report(label("size, ", rate, "/s ").append(shape).c_str(), double(sizes[kRuns / 2]), "bytes");
            report("  max of 5", double(sizes.back()), "bytes");
        }
    }

    // Quantile extraction: p50, p90, p95, p99 and p999 (five quantile() calls) from filled sketches.
    std::cout << "\nquantile extraction, p50/p90/p95/p99/p999 together\n";
    {
        const QuantileSketch second1k = sketchOf(lognormal(1000, 7));
        const QuantileSketch second100k = sketchOf(lognormal(100000, 8));
        const QuantileSketch wide100k = sketchOf(wideSpread(100000, 9));
        const std::array<std::pair<const char *, const QuantileSketch *>, 4> filled { {
            { "extract 5 quantiles, 1 s lognormal 1k values", &second1k },
            { "extract 5 quantiles, 1 s lognormal 100k values", &second100k },
            { "extract 5 quantiles, 1 s 1 us-1 h 100k values", &wide100k },
            { "extract 5 quantiles, 60 s merged (above)", &minute },
        } };
        constexpr int kReps = 100000;
        for (const auto &[name, sketch] : filled) {
            const double t = medianSeconds([&, sketch = sketch] {
                double acc = 0;
                for (int rep = 0; rep < kReps; ++rep) {
                    for (double q : kLevels)
                        acc += sketch->quantile(q);
                }
                g_sink = acc;
            });
            report(name, t * 1e6 / kReps, "us");
        }
    }

    // Memory: glibc's bytes in use around building N of them, divided by N (allocator overhead included).
    std::cout << "\nmemory (mallinfo2 around N objects; sizeof QuantileSketch " << sizeof(QuantileSketch)
              << ", SeriesSummary " << sizeof(SeriesSummary) << ")\n";
    {
        const std::array<std::pair<size_t, size_t>, 4> perRate { { { 100, 10000 }, { 1000, 10000 }, { 10000, 1000 },
            { 100000, 200 } } };
        for (const auto &[rate, n] : perRate) {
            {
                const size_t before = heapInUse();
                std::vector<QuantileSketch> sketches;
                sketches.reserve(n);
                for (size_t i = 0; i < n; ++i) {
                    sketches.emplace_back();
                    for (size_t j = 0; j < rate; ++j)
                        sketches.back().add(values[(i * rate + j) % values.size()]);
                }
                report(label("sketch with one second at ", rate, "/s").c_str(),
                    double(heapInUse() - before) / double(n), "bytes");
            }
            {
                const size_t before = heapInUse();
                std::vector<SeriesSummary> summaries;
                summaries.reserve(n);
                for (size_t i = 0; i < n; ++i) {
                    summaries.emplace_back(MetricKind::Timer);
                    for (size_t j = 0; j < rate; ++j)
                        summaries.back().addValue(values[(i * rate + j) % values.size()]);
                }
                report(label("SeriesSummary (timer), one second at ", rate, "/s").c_str(),
                    double(heapInUse() - before) / double(n), "bytes");
            }
        }

        // The aggregator as the collector runs it: N timer series, each fed every second, closeDue() at the end of
        // each second, so the grace period keeps ~3 seconds open. Measured after the 6th second, before closing it.
        for (const auto &[rate, n] :
            { std::pair<size_t, size_t> { 1, 100000 }, { 10, 10000 }, { 100, 10000 }, { 1000, 2000 } }) {
            const size_t before = heapInUse();
            auto aggregator = std::make_unique<Aggregator>();
            std::vector<Aggregator::SeriesId> ids;
            for (size_t i = 0; i < n; ++i)
                ids.push_back(aggregator->seriesId(QString::fromLatin1("bench.latency|model:m%1,op:infer").arg(i)));
            const qint64 start = 1'700'000'000'000;
            size_t next = 0;
            qint64 open = 0;
            for (int second = 0; second < 6; ++second) {
                const qint64 t0 = start + second * 1000;
                for (size_t i = 0; i < n; ++i) {
                    for (size_t j = 0; j < rate; ++j)
                        aggregator->add(
                            ids[i], MetricKind::Timer, values[next++ % values.size()], t0 + qint64(j * 1000 / rate));
                }
                g_sink = double(aggregator->closeDue(t0 + 999).size());
                open = aggregator->openBuckets();
            }
            const double perSeries = double(heapInUse() - before) / double(n);
            report(label("aggregator, per timer series at ", rate, "/s").c_str(), perSeries, "bytes");
            report(label("  open seconds per series: ", size_t(open)).c_str(), perSeries / double(open),
                "bytes/series-second");
        }
    }

    // Exact quantiles of the same data: copy + std::sort, or copy + std::nth_element per level, against filling a
    // sketch and extracting the same five quantiles. Error is the largest relative error over p50..p999.
    std::cout << "\nsketch against exact, lognormal data (error: max over p50..p999, both shapes)\n";
    for (size_t n : { size_t(100), size_t(1000), size_t(10000), size_t(100000), size_t(1000000) }) {
        // A fresh sample for every repetition: sorting the same array again and again lets the branch predictor
        // learn its comparisons (it made std::sort of 1000 values look ~10x faster here).
        const int reps = int(std::max<size_t>(1, 2'000'000 / n));
        const std::vector<double> pool = lognormal(n * size_t(reps), 500 + n);
        const std::vector<double> data(pool.begin(), pool.begin() + std::ptrdiff_t(n));
        const std::vector<double> wide = wideSpread(n, 600 + n);
        const auto sample = [&](int rep) { return pool.begin() + std::ptrdiff_t(size_t(rep) * n); };
        std::vector<double> scratch(n);
        const double sketchTime = medianSeconds([&] {
            double acc = 0;
            for (int rep = 0; rep < reps; ++rep) {
                QuantileSketch sketch;
                for (auto it = sample(rep), end = it + std::ptrdiff_t(n); it != end; ++it)
                    sketch.add(*it);
                for (double q : kLevels)
                    acc += sketch.quantile(q);
            }
            g_sink = acc;
        });
        const double sortTime = medianSeconds([&] {
            double acc = 0;
            for (int rep = 0; rep < reps; ++rep) {
                std::copy(sample(rep), sample(rep) + std::ptrdiff_t(n), scratch.begin());
                std::sort(scratch.begin(), scratch.end());
                for (double q : kLevels)
                    acc += exactQuantile(scratch, q);
            }
            g_sink = acc;
        });
        const double selectTime = medianSeconds([&] {
            double acc = 0;
            for (int rep = 0; rep < reps; ++rep) {
                std::copy(sample(rep), sample(rep) + std::ptrdiff_t(n), scratch.begin());
                auto from = scratch.begin();
                for (double q : kLevels) { // increasing ranks: each selection only searches above the previous
                    const auto nth = scratch.begin() + std::ptrdiff_t(q * double(n - 1));
                    std::nth_element(from, nth, scratch.end());
                    acc += *nth;
                    from = nth;
                }
            }
            g_sink = acc;
        });
        const QuantileSketch sketch = sketchOf(data);
        const double errLog = maxRelativeError(sketch, data);
        const double errWide = maxRelativeError(sketchOf(wide), wide);
        const std::string n_ = std::to_string(n);
        report(("n = " + n_ + ": sketch fill + 5 quantiles").c_str(), sketchTime * 1e6 / reps, "us");
        report(("n = " + n_ + ": copy + std::sort + 5 lookups").c_str(), sortTime * 1e6 / reps, "us");
        report(("n = " + n_ + ": copy + 5 x std::nth_element").c_str(), selectTime * 1e6 / reps, "us");
        report(("n = " + n_ + ": sketch max rel. error, lognormal").c_str(), errLog * 100, "%");
        report(("n = " + n_ + ": sketch max rel. error, 1 us-1 h").c_str(), errWide * 100, "%");
        report(("n = " + n_ + ": exact needs (8 B/value)").c_str(), double(n * sizeof(double)), "bytes");
        report(("n = " + n_ + ": sketch serialized").c_str(), double(sketch.serialize().size()), "bytes");
    }

    std::cout << "load average at end: " << loadAverage() << '\n';
    return 0;
}
