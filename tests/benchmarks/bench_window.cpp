// SPDX-License-Identifier: GPL-3.0-or-later
// Aggregation costs: Aggregator::add per timer value, closing a second, 1 s -> 1 min -> 1 h rollups, window queries.
// Each measurement runs 5 times; the median is printed. Usage: bench_window
#include "benchtiming.h"
#include "models/aggregator.h"
#include "models/windowaggregate.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace perfdash;
using Tier = WindowAggregate::Tier;

using namespace perfdash::bench;

namespace {

constexpr qint64 kStart = 1'699'999'200; // a whole hour, unix seconds

void report(const std::string &what, double value, const char *unit)
{
    std::cout << std::left << std::setw(60) << what << std::right << std::fixed << std::setprecision(2) << std::setw(12)
              << value << ' ' << unit << '\n';
}

volatile double g_sink; // keeps results alive

SeriesSummary secondOf(const std::vector<double> &values)
{
    SeriesSummary s(MetricKind::Timer);
    for (double v : values)
        s.addValue(v);
    return s;
}

} // namespace

int main()
{
    std::cout << "aggregation and windows, median of " << kRuns << " runs\n";
    const QString key = QStringLiteral("api.latency|model:m1,op:infer");

    // add(): 1000 values per second into one series, the second closed as the collector would.
    constexpr size_t kValues = 2'000'000;
    const std::vector<double> values = lognormal(kValues, 1);
    const double addSeconds = medianSeconds([&] {
        Aggregator agg;
        for (size_t i = 0; i < kValues; ++i) {
            const qint64 ts = kStart * 1000 + qint64(i); // 1000 values per second
            agg.add(key, MetricKind::Timer, values[i], ts);
            if (i % 1000 == 999)
                g_sink = double(agg.closeDue(ts + 2001).size());
        }
    });
    report("Aggregator::add, timer, one series (closes included)", addSeconds * 1e9 / double(kValues), "ns/value");

    // The same over 1000 series, round robin: one hash lookup per value on a bigger table.
    std::vector<QString> keys;
    for (int k = 0; k < 1000; ++k)
        keys.push_back(key + QString::number(k));
    const double manySeconds = medianSeconds([&] {
        Aggregator agg;
        for (size_t i = 0; i < kValues; ++i) {
            const qint64 ts = kStart * 1000 + qint64(i / 1000); // 1000 values per series per second
            agg.add(keys[i % 1000], MetricKind::Timer, values[i], ts);
        }
        g_sink = double(agg.closeAll().size());
    });
    report("Aggregator::add, timer, 1000 series (closes included)", manySeconds * 1e9 / double(kValues), "ns/value");

    const double summarySeconds = medianSeconds([&] {
        SeriesSummary s(MetricKind::Timer);
        for (double v : values)
            s.addValue(v);
        g_sink = s.sum();
    });
    report(
        "  of which SeriesSummary::addValue (sketch + exact sum)", summarySeconds * 1e9 / double(kValues), "ns/value");
    const double sketchSeconds = medianSeconds([&] {
        QuantileSketch s;
        for (double v : values)
            s.add(v);
        g_sink = s.sum();
    });
    report("  of which QuantileSketch::add", sketchSeconds * 1e9 / double(kValues), "ns/value");

    // Closing one second of 1000 timer series (~100 values each): stats, quantiles, sketch blobs.
    {
        std::vector<double> closes;
        for (int run = 0; run < kRuns; ++run) {
            Aggregator agg;
            for (size_t i = 0; i < 100'000; ++i)
                agg.add(keys[i % 1000], MetricKind::Timer, values[i], kStart * 1000 + 500);
            const auto start = std::chrono::steady_clock::now();
            g_sink = double(agg.closeAll().front().series.size());
            closes.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        std::sort(closes.begin(), closes.end());
        report("close one second, 1000 timer series x 100 values", closes[kRuns / 2] * 1e3, "ms");
    }

    // Rollups: 60 one-second summaries of ~1000 values into a minute; 60 minutes into an hour.
    std::mt19937_64 rng(2);
    std::uniform_int_distribution<int> perSecond(900, 1100);
    std::map<qint64, SeriesSummary> seconds;
    for (int s = 0; s < 60; ++s)
        seconds.emplace(kStart + s, secondOf(lognormal(size_t(perSecond(rng)), 100 + std::uint64_t(s))));
    constexpr int kReps = 2000;
    const double minuteSeconds = medianSeconds([&] {
        for (int rep = 0; rep < kReps; ++rep)
            g_sink = WindowAggregate::rollup(seconds, kStart, 60, MetricKind::Timer, 0.01).count();
    });
    report("rollup 60 one-second summaries (~1000 values each) -> 1 min", minuteSeconds * 1e6 / kReps, "us");

    std::map<qint64, SeriesSummary> minutes;
    const SeriesSummary oneMinute = WindowAggregate::rollup(seconds, kStart, 60, MetricKind::Timer, 0.01);
    for (int m = 0; m < 60; ++m)
        minutes.emplace(kStart + 60 * m, oneMinute);
    const double hourSeconds = medianSeconds([&] {
        for (int rep = 0; rep < kReps; ++rep)
            g_sink = WindowAggregate::rollup(minutes, kStart, 3600, MetricKind::Timer, 0.01).count();
    });
    report("rollup 60 one-minute summaries -> 1 h", hourSeconds * 1e6 / kReps, "us");

    // Window queries over 2 h of 1 s summaries (100 values each), rolled up into minutes and hours.
    WindowAggregate series(MetricKind::Timer);
    const std::vector<double> pool = lognormal(100 * 7200, 5);
    for (int s = 0; s < 7200; ++s)
        series.insert(Tier::Second, kStart + s,
            secondOf(std::vector<double>(pool.begin() + 100 * s, pool.begin() + 100 * (s + 1))));
    for (qint64 m = kStart; m < kStart + 7200; m += 60)
        series.rollUp(Tier::Minute, m);
    series.rollUp(Tier::Hour, kStart);
    series.rollUp(Tier::Hour, kStart + 3600);

    const auto timeQuery = [&](const std::string &what, qint64 from, qint64 to, qint64 step) {
        constexpr int kQueryReps = 50;
        size_t windows = 0;
        const double q = medianSeconds([&] {
            for (int rep = 0; rep < kQueryReps; ++rep) {
                const auto result = series.query(from, to, step);
                windows = size_t(result.size());
                g_sink = result.back().p99.value;
            }
        });
        report(what + " (" + std::to_string(windows) + " windows)", q * 1e6 / kQueryReps, "us");
    };
    timeQuery("window: last 1 h, unaligned edges (1 s + 1 min tiers)", kStart + 3599, kStart + 7199, 3600);
    timeQuery("window: 2 h from the hour tier", kStart, kStart + 7200, 7200);
    timeQuery("window: 1 min from the seconds (60 merges)", kStart + 30, kStart + 90, 60);
    timeQuery("query: 2 h at 1 min steps", kStart, kStart + 7200, 60);
    timeQuery("query: 10 min at 1 s steps", kStart, kStart + 600, 1);
    return 0;
}
