// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: two hosts' pushes, as perfdashd --push sends them (fleet/promencoder.h), imported into a real
// VictoriaMetrics. Host a times model m1 at 1..50 ms, host b at 51..100 ms, 50 requests a second each; host b also
// runs model m2. So m1's fleet p95 is that of 1..100 (95 ms), never the mean of the hosts' own (about 72 ms).

#include "fleet/promencoder.h"
#include "models/coverage.h"
#include "victoriametricsprocess.h"

#include <QDateTime>

namespace perfdash::test {

inline SeriesStats fleetTimer(const QString &key, double from, double to)
{
    QuantileSketch sketch;
    for (double v = from; v <= to; v += 1)
        sketch.add(v);
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Timer;
    s.count = qint64(sketch.count());
    s.rate = double(s.count);
    s.sum = sketch.sum();
    s.min = sketch.min();
    s.max = sketch.max();
    s.p50 = sketch.quantile(0.5);
    s.p95 = sketch.quantile(0.95);
    s.p99 = sketch.quantile(0.99);
    s.sketch = sketch.serialize();
    return s;
}

inline SeriesStats fleetCounter(const QString &key, double n)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Counter;
    s.count = qint64(n);
    s.rate = n;
    s.sum = n;
    return s;
}

inline SeriesStats fleetGauge(const QString &key, double value)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Gauge;
    s.count = 1;
    s.rate = 1;
    s.sum = value;
    s.min = value;
    s.max = value;
    s.last = value;
    return s;
}

// Pushes of 10 s each for `seconds` before the last 10 s boundary (each half a second before its bucket ends, as a
// collector's push lands anywhere in it), host a and host b. False when the server refused an import.
inline bool importTwoHosts(VictoriaMetricsProcess &vm, qint64 seconds = 600)
{
    const qint64 end = QDateTime::currentSecsSinceEpoch() / 10 * 10;
    for (const QString &host : { QStringLiteral("a"), QStringLiteral("b") }) {
        PromEncoder encoder({ { QByteArrayLiteral("host"), host } });
        const bool b = host == QStringLiteral("b");
        for (qint64 t = end - seconds; t < end; t += 10) {
            for (qint64 second = t; second < t + 10; ++second) {
                LiveFrame frame;
                frame.second = second;
                frame.series = {
                    fleetTimer(QStringLiteral("inference.latency|model:m1"), b ? 51 : 1, b ? 100 : 50),
                    fleetCounter(QStringLiteral("inference.requests|model:m1,status:ok"), 50),
                    fleetGauge(QStringLiteral("inference.queue_depth|model:m1"), b ? 7 : 3),
                    fleetGauge(Coverage::heartbeatKey(), 12),
                };
                if (b) {
                    frame.series << fleetTimer(QStringLiteral("inference.latency|model:m2"), 200, 260)
                                 << fleetCounter(QStringLiteral("inference.requests|model:m2,status:ok"), 61);
                }
                encoder.add(frame);
            }
            const QByteArray push = encoder.takePush((t + 10) * 1000 - 500);
            if (vm.post(QStringLiteral("/api/v1/import/prometheus"), push).first / 100 != 2)
                return false;
        }
    }
    return vm.flush();
}

} // namespace perfdash::test
