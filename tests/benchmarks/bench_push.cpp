// SPDX-License-Identifier: GPL-3.0-or-later
// The cost of `perfdashd --push` on the collector thread (issue 16): PromEncoder::add() of one second's final frame and
// takePush() for 1,000 and 10,000 timer series of about 50 buckets each; bytes per push, ms per encode. The first push
// carries a zero for every bucket (twice the lines); later ones only the cumulative state of what changed.
// Each timing is the median of 5 runs.
// Usage: bench_push [values per series per second, default 200]
#include "benchtiming.h"
#include "fleet/promencoder.h"
#include "models/quantilesketch.h"

#include <QString>

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <random>

using namespace perfdash;
using namespace perfdash::bench;

namespace {

// One second of n timer series, each with `values` latencies log-uniform over 100..270 ms: about 50 sketch buckets.
LiveFrame second(int n, int values, qint64 at, std::mt19937_64 &rng)
{
    std::uniform_real_distribution<double> exponent(std::log(100.0), std::log(270.0));
    LiveFrame frame;
    frame.second = at;
    frame.series.reserve(n);
    for (int i = 0; i < n; ++i) {
        QuantileSketch sketch;
        for (int v = 0; v < values; ++v)
            sketch.add(std::exp(exponent(rng)));
        SeriesStats s;
        s.key = QStringLiteral("api.latency|model:m%1,route:r%2").arg(i % 100).arg(i / 100);
        s.kind = MetricKind::Timer;
        s.count = qint64(sketch.count());
        s.sum = sketch.sum();
        s.min = sketch.min();
        s.max = sketch.max();
        s.sketch = sketch.serialize();
        frame.series.push_back(std::move(s));
    }
    return frame;
}

void report(const std::string &what, double value, const char *unit)
{
    std::cout << std::left << std::setw(56) << what << std::right << std::fixed << std::setprecision(2) << std::setw(12)
              << value << ' ' << unit << '\n';
}

} // namespace

int main(int argc, char **argv)
{
    const int values = argc > 1 ? std::atoi(argv[1]) : 200;
    for (const int n : { 1000, 10000 }) {
        std::mt19937_64 rng(42);
        // Frames made beforehand: what is timed is the encoder, not the sketches' making.
        std::vector<LiveFrame> frames;
        for (int s = 0; s < kRuns * 2 + 2; ++s)
            frames.push_back(second(n, values, 1000 + s, rng));
        std::size_t next = 0;
        qint64 firstBytes = 0, steadyBytes = 0, lines = 0;
        int buckets = 0;
        const double first = medianSeconds([&]() {
            PromEncoder encoder({ { "host", QStringLiteral("bench") } });
            encoder.add(frames[0]);
            const QByteArray text = encoder.takePush(1001000);
            firstBytes = text.size();
        });
        PromEncoder encoder({ { "host", QStringLiteral("bench") } });
        encoder.add(frames[0]);
        encoder.takePush(1001000);
        QByteArray text;
        const double add = medianSeconds([&]() { encoder.add(frames[1 + next % (frames.size() - 1)]); },
            [&]() {
                ++next;
                encoder.takePush(1001000 + qint64(next) * 1000); // each run folds one fresh second
            });
        const double steady = medianSeconds([&]() { text = encoder.takePush(2000000 + qint64(next) * 1000); },
            [&]() { encoder.add(frames[1 + ++next % (frames.size() - 1)]); });
        steadyBytes = text.size();
        lines = text.count('\n');
        buckets = int(text.count("_bucket{")) / n;
        const std::string label = std::to_string(n) + " series";
        std::cout << label << ", " << values << " values/s each, ~" << buckets << " buckets per series:\n";
        report("  add() of one second's final frame", add * 1000, "ms");
        report("  takePush(), steady (every series changed)", steady * 1000, "ms");
        report("  bytes per steady push", double(steadyBytes) / 1024, "KiB");
        report("  lines per steady push", double(lines), "lines");
        report("  first add()+takePush() (zeros for every bucket)", first * 1000, "ms");
        report("  bytes of the first push", double(firstBytes) / 1024, "KiB");
    }
    return 0;
}
