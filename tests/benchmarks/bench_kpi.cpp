// SPDX-License-Identifier: GPL-3.0-or-later
// What the dashboard's figures cost per frame (models/kpi.h): the p95/p99 lines merged backwards until n is enough,
// the headline p95 over the last 10 s widened until n >= 200, and every tile's figure, on an hour of live seconds of
// which the newest 600 carry sketches (what SeriesStore keeps). Median of five runs; prints one line per case.
#include "benchtiming.h"
#include "models/kpi.h"

#include <cstdio>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

QVector<SeriesPoint> latencyHour(int valuesPerSecond, qint64 t0)
{
    QVector<SeriesPoint> points;
    const auto values = bench::lognormal(size_t(valuesPerSecond) * 3600, 7);
    for (qint64 s = 0; s < 3600; ++s) {
        QuantileSketch sketch;
        for (int i = 0; i < valuesPerSecond; ++i)
            sketch.add(values[size_t(s * valuesPerSecond + i)]);
        SeriesPoint p;
        p.second = t0 + s;
        SeriesStats &st = p.stats;
        st.key = u"api.latency|model:m"_s;
        st.kind = MetricKind::Timer;
        st.count = valuesPerSecond;
        st.p50 = sketch.quantile(0.5);
        st.p95 = sketch.quantile(0.95);
        st.p99 = sketch.quantile(0.99);
        st.quantileError = 0.01;
        if (s >= 3000)
            st.sketch = sketch.serialize();
        points.push_back(std::move(p));
    }
    return points;
}

} // namespace

int main()
{
    const qint64 t0 = 1'800'000'000;
    std::printf("case                                   median ms\n");
    for (int rate : { 10, 100, 1000 }) {
        const QVector<SeriesPoint> points = latencyHour(rate, t0);
        QVector<SeriesPoint> requests;
        for (const SeriesPoint &p : points) {
            SeriesPoint c = p;
            c.stats.kind = MetricKind::Counter;
            c.stats.sketch.clear();
            c.stats.key = u"api.requests|model:m,status:ok"_s;
            requests.push_back(c);
        }
        const Kpi::PointLookup lookup = [&](const QString &key) -> const QVector<SeriesPoint> & {
            static const QVector<SeriesPoint> empty;
            return key.startsWith(u"api.latency"_s) ? points : key.startsWith(u"api.requests"_s) ? requests : empty;
        };
        const SourceRoles roles = resolveRoles({ u"api.latency|model:m"_s, u"api.requests|model:m,status:ok"_s },
            { { u"api.latency|model:m"_s, MetricKind::Timer },
                { u"api.requests|model:m,status:ok"_s, MetricKind::Counter } });
        const qint64 to = t0 + 3600;
        size_t sink = 0;
        const double lines = bench::medianSeconds([&]() {
            sink += size_t(Kpi::rollingQuantile(points, 0.95, t0, to, Kpi::kRecentSeconds).size());
            sink += size_t(Kpi::rollingQuantile(points, 0.99, t0, to, Kpi::kRecentSeconds).size());
        });
        const double tiles = bench::medianSeconds([&]() {
            const Coverage coverage = Coverage::passed(to - 10, to, 1, to);
            const Kpi::Figures f = Kpi::figures(lookup, roles, coverage, to - 10, to);
            const Kpi::Latency l = Kpi::headlineLatency(points, to);
            sink += size_t(f.latency.n + l.n);
        });
        std::printf("p95+p99 lines, 3600 s, %4d values/s   %8.3f\n", rate, lines * 1e3);
        std::printf("tiles + headline,       %4d values/s   %8.3f\n", rate, tiles * 1e3);
        if (sink == 0)
            std::printf("(nothing)\n");
    }
    return 0;
}
