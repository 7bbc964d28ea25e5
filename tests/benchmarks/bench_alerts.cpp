// SPDX-License-Identifier: GPL-3.0-or-later
// What alert rules cost (models/alertevaluator.h), against issue 13's budgets:
// - one evaluation of 1,000 rules (100 models × 10 KPI rules, windows of 5 min, 15 min and 1 h over 1-minute
//   buckets with sketches, as the collector reads them): CPU time of AlertEngine::evaluate, budget <= 10 ms;
// - replaying one latency_p95 rule over 7 days of 1-minute data (10,080 evaluations): budget <= 200 ms.
// Median of five runs and the range; thread CPU time for the first, wall time for the second.
#include "benchtiming.h"
#include "models/alertevaluator.h"
#include "models/quantilesketch.h"

#include <QtGlobal>

#include <cstdio>
#include <ctime>
#include <random>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kEnd = 1'800'000'000 / 3600 * 3600;

double threadCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

SeriesPoint timerMinute(const QString &key, qint64 second, std::mt19937_64 &rng, double scale)
{
    std::lognormal_distribution<double> latency(std::log(20 * scale), 0.5);
    QuantileSketch sketch;
    for (int i = 0; i < 600; ++i)
        sketch.add(latency(rng));
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Timer;
    s.count = qint64(sketch.count());
    s.sum = sketch.sum();
    s.min = sketch.min();
    s.max = sketch.max();
    s.p50 = sketch.quantile(0.5);
    s.p95 = sketch.quantile(0.95);
    s.p99 = sketch.quantile(0.99);
    s.quantileError = sketch.relativeAccuracy();
    s.sketch = sketch.serialize();
    return { second, s };
}

SeriesPoint counterMinute(const QString &key, qint64 second, double count)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Counter;
    s.count = qint64(count);
    s.sum = count;
    s.rate = count / 60;
    return { second, s };
}

SeriesPoint gaugeMinute(const QString &key, qint64 second, double value)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Gauge;
    s.count = 60;
    s.sum = value * 60;
    s.min = s.max = s.last = value;
    return { second, s };
}

// `models` models with minutes in [from, to): latency, ok and failed requests, process CPU.
AlertData makeData(int models, qint64 from, qint64 to)
{
    AlertData d;
    d.step = 60;
    d.from = from;
    d.to = to;
    std::mt19937_64 rng(7);
    for (int m = 0; m < models; ++m) {
        const QString model = u"model-%1"_s.arg(m);
        const QString latency = u"api.latency|model:"_s % model;
        const QString ok = u"api.requests|model:"_s % model % u",status:ok"_s;
        const QString failed = u"api.requests|model:"_s % model % u",status:error"_s;
        const QString cpu = u"process.cpu_percent|model:"_s % model;
        QHash<QString, MetricKind> kinds { { latency, MetricKind::Timer }, { ok, MetricKind::Counter },
            { failed, MetricKind::Counter }, { cpu, MetricKind::Gauge } };
        for (qint64 t = from; t < to; t += 60) {
            const double slow = (t / 3600) % 24 == 13 ? 4 : 1; // one slow hour a day
            d.points[latency].append(timerMinute(latency, t, rng, slow));
            d.points[ok].append(counterMinute(ok, t, 600 - 6 * slow));
            d.points[failed].append(counterMinute(failed, t, 6 * slow));
            d.points[cpu].append(gaugeMinute(cpu, t, 30 * slow));
        }
        for (auto it = kinds.cbegin(); it != kinds.cend(); ++it)
            d.kinds.insert(it.key(), it.value());
        d.models.insert(model, resolveRoles(kinds.keys(), kinds));
    }
    d.coverage = Coverage::passed(from, to, 60, to);
    return d;
}

AlertRule rule(
    const QString &id, const QString &model, const QString &metric, AlertRule::Condition c, double t, qint64 window)
{
    AlertRule r;
    r.id = id;
    r.model = model;
    r.metric = metric;
    r.condition = c;
    r.threshold = t;
    r.window = window;
    r.forSeconds = 120;
    return r;
}

struct Timing {
    double median = 0, low = 0, high = 0;
};

Timing timed(const std::function<double()> &run)
{
    std::vector<double> seconds;
    for (int i = 0; i < bench::kRuns; ++i)
        seconds.push_back(run());
    std::sort(seconds.begin(), seconds.end());
    return { seconds[size_t(bench::kRuns / 2)], seconds.front(), seconds.back() };
}

} // namespace

int main()
{
    using C = AlertRule::Condition;
    std::printf("case                                                     median      range\n");
    {
        const AlertData data = makeData(100, kEnd - 3600, kEnd);
        QVector<AlertRule> rules;
        for (int m = 0; m < 100; ++m) {
            const QString model = u"model-%1"_s.arg(m);
            const QString id = u"m%1-"_s.arg(m);
            rules << rule(id % u"p50"_s, model, u"latency_p50"_s, C::Above, 80, 300)
                  << rule(id % u"p95"_s, model, u"latency_p95"_s, C::Above, 100, 900)
                  << rule(id % u"p95h"_s, model, u"latency_p95"_s, C::Above, 100, 3600)
                  << rule(id % u"p99"_s, model, u"latency_p99"_s, C::Above, 200, 900)
                  << rule(id % u"err"_s, model, u"error_rate"_s, C::Above, 0.01, 300)
                  << rule(id % u"errh"_s, model, u"error_rate"_s, C::Above, 0.01, 3600)
                  << rule(id % u"tput"_s, model, u"throughput"_s, C::Below, 5, 300)
                  << rule(id % u"tputh"_s, model, u"throughput"_s, C::Below, 5, 3600)
                  << rule(id % u"cpu"_s, model, u"cpu"_s, C::Above, 90, 300)
                  << rule(id % u"cpuh"_s, model, u"cpu"_s, C::Above, 90, 900);
        }
        qint64 transitions = 0;
        const Timing cpu = timed([&]() {
            AlertEngine engine(60);
            engine.setRules(rules, kEnd);
            const AlertData fresh = data; // as the collector reads it each interval: no sketch decoded yet
            const double start = threadCpuSeconds();
            transitions += engine.evaluate(kEnd, fresh).size();
            return threadCpuSeconds() - start;
        });
        std::printf("1,000 rules, one evaluation (CPU)                     %8.2f ms  %.2f-%.2f ms   budget 10 ms\n",
            cpu.median * 1e3, cpu.low * 1e3, cpu.high * 1e3);
        std::printf("   (%lld transitions over the runs)\n", transitions);
    }
    {
        const AlertData week = makeData(1, kEnd - 7 * 86400 - 3600, kEnd);
        const AlertRule p95 = rule(u"p95"_s, u"model-0"_s, u"latency_p95"_s, C::Above, 60, 900);
        int fired = 0;
        const Timing wall = timed([&]() {
            const AlertData fresh = week;
            const auto start = std::chrono::steady_clock::now();
            const auto result = AlertReplay::run({ p95 }, fresh, kEnd - 7 * 86400, kEnd, 60, true);
            fired = int(result.constFirst().firings.size());
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        });
        std::printf("replay one rule, 7 days of 1-min data (10,080 evals)  %8.1f ms  %.1f-%.1f ms   budget 200 ms\n",
            wall.median * 1e3, wall.low * 1e3, wall.high * 1e3);
        std::printf("   (fired %d times: the slow hour of each day)\n", fired);
    }
    return 0;
}
