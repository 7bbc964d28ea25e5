// SPDX-License-Identifier: GPL-3.0-or-later
// The cost of live.sock frames with and without followed sketches: the provisional snapshot (Aggregator::publishDue),
// the one encoding of a frame (LiveProtocol::encodeFrame), and a follower's line (LiveProtocol::withSketches).
// Each measurement runs 5 times; the median is printed. Usage: bench_live
#include "benchtiming.h"
#include "collector/liveprotocol.h"
#include "models/aggregator.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <string>

using namespace perfdash;
using namespace perfdash::bench;

namespace {

constexpr qint64 kStartMs = 1'700'000'000'000;

void report(const std::string &what, double value, const char *unit)
{
    std::cout << std::left << std::setw(72) << what << std::right << std::fixed << std::setprecision(1) << std::setw(12)
              << value << ' ' << unit << '\n';
}

volatile qsizetype g_sink; // keeps results alive

struct Shape {
    int timers, counters, gauges, valuesPerTimer;
};

QString timerKey(int i)
{
    return QStringLiteral("inference.step.latency|model:m%1,step:s%2").arg(i / 5).arg(i % 5);
}

// One second of a collector's data: timers with valuesPerTimer lognormal values each, counters and gauges.
void fill(Aggregator &agg, const Shape &shape, const std::vector<double> &values)
{
    size_t v = 0;
    for (int i = 0; i < shape.timers; ++i) {
        const Aggregator::SeriesId id = agg.seriesId(timerKey(i));
        for (int j = 0; j < shape.valuesPerTimer; ++j)
            agg.add(id, MetricKind::Timer, values[v++ % values.size()], kStartMs + j % 1000);
    }
    for (int i = 0; i < shape.counters; ++i)
        agg.add(QStringLiteral("inference.requests|model:m%1,status:ok").arg(i), MetricKind::Counter, 7, kStartMs);
    for (int i = 0; i < shape.gauges; ++i)
        agg.add(QStringLiteral("inference.queue_depth|model:m%1").arg(i), MetricKind::Gauge, 3, kStartMs);
}

void run(const Shape &shape, const std::vector<double> &values)
{
    std::cout << '\n'
              << shape.timers << " timers (" << shape.valuesPerTimer << " values/s each), " << shape.counters
              << " counters, " << shape.gauges << " gauges\n";
    const QJsonObject stats { { QStringLiteral("lines_accepted"), 123456789 }, { QStringLiteral("subscribers"), 2 } };
    for (const int wanted : { 0, 16, 256 }) {
        const int follows = std::min(wanted, shape.timers);
        if (wanted > follows)
            continue; // the same as following every timer, measured above or below
        QSet<QString> keys;
        for (int i = 0; i < follows; ++i)
            keys.insert(timerKey(i));
        Aggregator agg;
        LiveFrame frame;
        const double snapshot = medianSeconds([&] { frame = agg.publishDue(kStartMs + 1050, 50, keys).value(0); },
            [&] {
                agg = Aggregator();
                fill(agg, shape, values);
            });
        const std::string label = follows == 0 ? std::string("no follows") : std::to_string(follows) + " followed";
        report("provisional snapshot (publishDue), " + label, snapshot * 1e6, "us");
        QByteArray line;
        const double encode = medianSeconds([&] {
            for (int i = 0; i < 10; ++i)
                line = LiveProtocol::encodeFrame(frame, stats);
        });
        if (follows == 0) {
            report("encodeFrame, once per frame for every subscriber", encode / 10 * 1e6, "us");
            report("frame line", double(line.size()), "bytes");
            continue;
        }
        QByteArray followerLine;
        const double splice = medianSeconds([&] {
            for (int i = 0; i < 10; ++i)
                followerLine = LiveProtocol::withSketches(line, frame, keys);
        });
        report("withSketches, per following subscriber, " + label, splice / 10 * 1e6, "us");
        report("follower's line, " + label, double(followerLine.size()), "bytes");
        report("  of which sketches, per followed timer", double(followerLine.size() - line.size()) / follows, "bytes");
        g_sink = followerLine.size();
    }
}

} // namespace

int main()
{
    std::cout << "live.sock frames, median of " << kRuns << " runs\n";
    const std::vector<double> values = lognormal(1 << 20, 1);
    run({ 50, 50, 20, 100 }, values); // a service or two, the dashboard's usual view
    run({ 256, 256, 100, 100 }, values);
    run({ 500, 500, 200, 100 }, values);
    run({ 500, 500, 200, 1000 }, values);
    return 0;
}
