// SPDX-License-Identifier: GPL-3.0-or-later
// The cost of live.sock frames with and without followed sketches: the provisional snapshot (Aggregator::publishDue),
// the one encoding of a frame (LiveProtocol::encodeFrame), and a follower's line (LiveProtocol::withSketches).
// Then version 1 against version 2 (subscriptions) at 10,000 series, with a binary encoding of version 2's content
// beside them (QDataStream, not in the protocol): bytes per frame, encode on the collector, decode on the client.
// Each measurement runs 5 times; the median is printed. Usage: bench_live
#include "benchtiming.h"
#include "collector/liveprotocol.h"
#include "collector/liveprotocol2.h"
#include "models/aggregator.h"
#include "models/seriessummary.h"

#include <QDataStream>
#include <QIODevice>
#include <QJsonDocument>

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

// Version 2's content as binary: per full row the id, count and ten doubles; per brief row the id and count.
QByteArray encodeBinary(const LiveFrame &frame, const QVector<quint32> &ids, const QSet<QString> &full)
{
    QByteArray out;
    QDataStream stream(&out, QIODevice::WriteOnly);
    stream << qint64(frame.second) << bool(frame.provisional);
    qint32 fullRows = 0;
    for (const auto &s : frame.series)
        fullRows += full.contains(s.key) ? 1 : 0;
    stream << fullRows;
    for (qsizetype i = 0; i < frame.series.size(); ++i) {
        const SeriesStats &s = frame.series[i];
        if (full.contains(s.key))
            stream << ids[i] << qint64(s.count) << s.sum << s.min << s.max << s.last << s.p50 << s.p90 << s.p95 << s.p99
                   << s.p999 << s.quantileError;
    }
    stream << qint32(frame.series.size() - fullRows);
    for (qsizetype i = 0; i < frame.series.size(); ++i) {
        if (!full.contains(frame.series[i].key))
            stream << ids[i] << qint64(frame.series[i].count);
    }
    return out;
}

LiveFrame decodeBinary(const QByteArray &bytes, const QVector<QPair<QString, MetricKind>> &names)
{
    QDataStream stream(bytes);
    LiveFrame frame;
    qint64 second = 0;
    qint32 n = 0;
    stream >> second >> frame.provisional >> n;
    frame.second = second;
    frame.series.reserve(n);
    for (qint32 i = 0; i < n; ++i) {
        quint32 id = 0;
        qint64 count = 0;
        SeriesStats s;
        stream >> id >> count >> s.sum >> s.min >> s.max >> s.last >> s.p50 >> s.p90 >> s.p95 >> s.p99 >> s.p999
            >> s.quantileError;
        s.key = names[id].first;
        s.kind = names[id].second;
        s.count = count;
        frame.series.push_back(std::move(s));
    }
    stream >> n;
    for (qint32 i = 0; i < n; ++i) {
        quint32 id = 0;
        qint64 count = 0;
        stream >> id >> count;
        SeriesStats &s = frame.series.emplace_back();
        s.key = names[id].first;
        s.kind = names[id].second;
        s.count = count;
    }
    return frame;
}

void versions(int seriesCount, int subscribedCount)
{
    std::cout << '\n'
              << seriesCount << " series (half timers with 5 values each, half counters), " << subscribedCount
              << " subscribed (version 2)\n";
    LiveFrame frame { 1'700'000'000, {} };
    for (int i = 0; i < seriesCount; ++i) {
        SeriesSummary summary(i % 2 ? MetricKind::Timer : MetricKind::Counter);
        for (int v = 1; v <= 5; ++v)
            i % 2 ? summary.addValue(v * 1.7 + i * 0.01) : summary.addCounter(v);
        frame.series.push_back(
            summary.toStats(QStringLiteral("inference.step.latency|model:m%1,step:s%2").arg(i / 20).arg(i % 20), 1.0));
    }
    frame.provisional = true;
    LiveProtocol::Subscription subscription;
    for (int i = 0; i < subscribedCount; ++i)
        subscription.keys.insert(frame.series[i * (seriesCount / subscribedCount) + i % 2].key); // timers and counters
    const QJsonObject stats { { QStringLiteral("lines_accepted"), 123456789 } };

    QByteArray v1;
    const double encode1 = medianSeconds([&] { v1 = LiveProtocol::encodeFrame(frame, stats); });
    LiveFrame back;
    const double decode1 = medianSeconds([&] { LiveProtocol::decode(v1, nullptr, &back, nullptr); });
    report("version 1: encodeFrame", encode1 * 1e3, "ms");
    report("version 1: decode", decode1 * 1e3, "ms");
    report("version 1: frame line", double(v1.size()), "bytes");

    LiveProtocol::NameTable names;
    QVector<quint32> ids = names.number(frame);
    const QByteArray collector = QJsonDocument(stats).toJson(QJsonDocument::Compact);
    QByteArray v2;
    const double encode2 = medianSeconds([&] {
        ids = names.number(frame); // every frame looks its series up
        v2 = LiveProtocol::encodeFrame2(frame, ids, subscription, {}, {}, collector);
    });
    LiveProtocol::Decoder decoder;
    decoder.decode(names.encodeNames(0), nullptr, nullptr, nullptr);
    const double decode2 = medianSeconds([&] { decoder.decode(v2, nullptr, &back, nullptr); });
    report("version 2: number + encodeFrame2", encode2 * 1e3, "ms");
    report("version 2: decode", decode2 * 1e3, "ms");
    report("version 2: frame line", double(v2.size()), "bytes");
    report("version 2: names, once per subscriber", double(names.encodeNames(0).size()), "bytes");
    g_sink = back.series.size();

    QVector<QPair<QString, MetricKind>> table;
    for (const auto &s : frame.series)
        table.push_back({ s.key, s.kind });
    QByteArray binary;
    const double encodeB = medianSeconds([&] {
        ids = names.number(frame);
        binary = encodeBinary(frame, ids, subscription.keys);
    });
    const double decodeB = medianSeconds([&] { back = decodeBinary(binary, table); });
    report("binary (QDataStream, measured only): encode", encodeB * 1e3, "ms");
    report("binary: decode", decodeB * 1e3, "ms");
    report("binary: frame", double(binary.size()), "bytes");
    g_sink = back.series.size();
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
    versions(10000, 100);
    versions(10000, 550);
    versions(100000, 550);
    return 0;
}
