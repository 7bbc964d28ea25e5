// SPDX-License-Identifier: GPL-3.0-or-later
// What `/metrics` costs (collector/metricsexporter.h) against issue 14's budget: render for 1,000 models, each with a
// latency timer (a sketch per second), ok and failed request counters and an accuracy gauge, after 60 s of final
// seconds were ingested. Also what one second's ingest costs the collector thread. Median of five runs and the range.
#include "benchtiming.h"
#include "collector/metricsexporter.h"
#include "models/quantilesketch.h"

#include <QJsonObject>

#include <chrono>
#include <cstdio>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

LiveFrame frameOf(qint64 second, int models, std::mt19937_64 &rng)
{
    std::lognormal_distribution<double> latency(3.0, 0.5);
    LiveFrame f;
    f.second = second;
    for (int m = 0; m < models; ++m) {
        const QString model = u"model-%1"_s.arg(m);
        QuantileSketch sketch;
        for (int i = 0; i < 20; ++i)
            sketch.add(latency(rng));
        SeriesStats t;
        t.key = u"api.latency|model:"_s % model;
        t.kind = MetricKind::Timer;
        t.count = 20;
        t.sum = sketch.sum();
        t.sketch = sketch.serialize();
        SeriesStats ok;
        ok.key = u"api.requests|model:"_s % model % u",status:ok"_s;
        ok.count = 19;
        SeriesStats bad;
        bad.key = u"api.requests|model:"_s % model % u",status:error"_s;
        bad.count = 1;
        SeriesStats accuracy;
        accuracy.key = u"prediction.accuracy|model:"_s % model;
        accuracy.kind = MetricKind::Gauge;
        accuracy.count = 10;
        accuracy.sum = 9;
        accuracy.last = 0.9;
        f.series << t << ok << bad << accuracy;
    }
    return f;
}

} // namespace

int main()
{
    constexpr int models = 1000;
    std::mt19937_64 rng(11);
    QVector<LiveFrame> frames;
    for (qint64 s = 0; s < 61; ++s)
        frames.append(frameOf(1'800'000'000 + s, models, rng));
    const QJsonObject stats { { u"uptime_s"_s, 61 }, { u"lines_accepted"_s, 1220000 } };
    MetricsExporter exporter;
    std::vector<double> ingest;
    for (qsizetype s = 0; s < 60; ++s) {
        const auto start = std::chrono::steady_clock::now();
        exporter.ingest({ frames[s] }, stats);
        ingest.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ingest.begin(), ingest.end());
    std::size_t bytes = 0;
    const double render = bench::medianSeconds([&]() { bytes = exporter.render().size(); });
    std::vector<double> all;
    for (int i = 0; i < bench::kRuns; ++i) {
        const auto start = std::chrono::steady_clock::now();
        bytes = exporter.render().size();
        all.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(all.begin(), all.end());
    std::printf("/metrics for %d models: render median %.1f ms (range %.1f-%.1f ms), %zu bytes; budget 100 ms\n",
        models, render * 1e3, all.front() * 1e3, all.back() * 1e3, bytes);
    std::printf("ingest of one final second (%d models, 4 series each): median %.2f ms (range %.2f-%.2f ms)\n", models,
        ingest[ingest.size() / 2] * 1e3, ingest.front() * 1e3, ingest.back() * 1e3);
    return 0;
}
