// SPDX-License-Identifier: GPL-3.0-or-later
// What trends cost (models/trend.h): 100 models × 6 KPIs over 30 days of hourly buckets (720 points each) on one
// thread and through fitAll, then one fit of 720, 1,440 and 10,080 points (a week of minutes). Series mix drifts,
// AR(1) noise, a daily cycle and steps, seeded. Median of five runs and the range; prints one line per case.
#include "benchtiming.h"
#include "models/trend.h"

#include <QtGlobal>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

using namespace perfdash;

namespace {

QVector<Trend::Sample> makeSeries(int points, qint64 step, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0, 1);
    const double level = 10 + seed % 90, drift = (int(seed % 5) - 2) * 0.01 * level; // per day
    const double amplitude = seed % 3 == 0 ? 0.2 * level : 0, phi = seed % 2 ? 0.6 : 0;
    const int stepAt = seed % 7 == 0 ? points / 2 : points;
    double e = 0;
    QVector<Trend::Sample> out;
    out.reserve(points);
    for (int i = 0; i < points; ++i) {
        const double days = double(i) * double(step) / 86400.0;
        e = phi * e + std::sqrt(1 - phi * phi) * 0.03 * level * normal(rng);
        const double v
            = level + drift * days + amplitude * std::sin(2 * M_PI * days) + e + (i >= stepAt ? 0.3 * level : 0);
        out.push_back({ 1'800'000'000 + i * step, v });
    }
    return out;
}

struct Timing {
    double median = 0, low = 0, high = 0;
};

Timing timed(const std::function<void()> &run)
{
    std::vector<double> seconds;
    for (int i = 0; i < bench::kRuns; ++i) {
        const auto start = std::chrono::steady_clock::now();
        run();
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    return { seconds[size_t(bench::kRuns / 2)], seconds.front(), seconds.back() };
}

} // namespace

int main()
{
    std::printf("threads available: %u\n", std::thread::hardware_concurrency());
    std::printf("case                                            median      range\n");
    QVector<QVector<Trend::Sample>> all;
    QVector<Trend::Better> better;
    for (std::uint32_t s = 0; s < 600; ++s) {
        all.push_back(makeSeries(720, 3600, s));
        better.push_back(s % 6 == 0 ? Trend::Better::Higher : Trend::Better::Lower);
    }
    size_t sink = 0;
    const Timing one = timed([&]() {
        for (qsizetype i = 0; i < all.size(); ++i) {
            const Trend::Fit f = Trend::fit(all[i], better[i]);
            const Trend::Breach b = Trend::projectBreach(f, f.level * 1.5, f.until);
            sink += size_t(f.n) + size_t(b.projected) + size_t(Trend::cone(f, f.until + 30 * 86400).size());
        }
    });
    std::printf("600 series x 720 points, one thread   %9.1f ms  %6.1f-%.1f ms\n", one.median * 1e3, one.low * 1e3,
        one.high * 1e3);
    const Timing pooled = timed([&]() { sink += size_t(Trend::fitAll(all, better).size()); });
    std::printf("600 series x 720 points, fitAll       %9.1f ms  %6.1f-%.1f ms\n", pooled.median * 1e3,
        pooled.low * 1e3, pooled.high * 1e3);
    int shifts = 0, trends = 0;
    for (const Trend::Fit &f : Trend::fitAll(all, better)) {
        shifts += f.levelShift;
        trends += f.label != QLatin1String("stable");
    }
    std::printf("  (of the 600: %d level shifts, %d not stable)\n", shifts, trends);

    for (const auto &[points, step] : { std::pair { 720, 3600 }, std::pair { 1440, 60 }, std::pair { 10080, 60 } }) {
        const QVector<Trend::Sample> s = makeSeries(points, step, 1);
        const Timing t = timed([&]() { sink += size_t(Trend::fit(s, Trend::Better::Lower).n); });
        std::printf("one fit, %5d points                  %9.3f ms  %6.3f-%.3f ms\n", points, t.median * 1e3,
            t.low * 1e3, t.high * 1e3);
    }
    if (sink == 0)
        std::printf("(nothing)\n");
    return 0;
}
