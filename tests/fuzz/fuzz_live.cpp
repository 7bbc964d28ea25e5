// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for what a live.sock client decodes from the collector (collector/liveprotocol.h and
// liveprotocol2.h). The input is one connection: split on '\n', every line goes to one Decoder, as LiveClient reads
// them, and to the version 1 decode. A decoded hello, frame or alerts message is encoded again and must decode to the
// same values, compared on the fields its encoder writes (docs/protocol.md); a difference traps.
#include "collector/liveprotocol2.h"

#include <QJsonDocument>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace perfdash;
using namespace perfdash::LiveProtocol;

namespace {

void check(bool promise)
{
    if (!promise)
        __builtin_trap();
}

bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

QByteArrayView withoutNewline(const QByteArray &line)
{
    return QByteArrayView(line).chopped(line.endsWith('\n') ? 1 : 0);
}

void checkSameQuality(const QVector<QualityStats> &a, const QVector<QualityStats> &b)
{
    check(a.size() == b.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        const QualityStats &x = a[i];
        const QualityStats &y = b[i];
        check(x.key == y.key && x.binary == y.binary && x.classes == y.classes && x.regression == y.regression);
        check(same(x.accuracy, y.accuracy) && same(x.precision, y.precision) && same(x.recall, y.recall));
        check(same(x.f1, y.f1) && same(x.macroF1, y.macroF1) && same(x.aucRoc, y.aucRoc));
        check(same(x.aucErrorBound, y.aucErrorBound) && same(x.rmse, y.rmse) && same(x.mae, y.mae));
        check(same(x.mape, y.mape) && x.zeroTruths == y.zeroTruths && x.blob == y.blob);
    }
}

// Version 1's series fields: `last` for gauges, quantiles for timers and distributions, `unique` for sets only.
void checkSameFrame1(const LiveFrame &a, const LiveFrame &b)
{
    check(a.second == b.second && a.provisional == b.provisional && a.series.size() == b.series.size());
    for (qsizetype i = 0; i < a.series.size(); ++i) {
        const SeriesStats &x = a.series[i];
        const SeriesStats &y = b.series[i];
        check(x.key == y.key && x.kind == y.kind && x.count == y.count && same(x.rate, y.rate));
        check(same(x.sum, y.sum) && same(x.min, y.min) && same(x.max, y.max) && x.sketch == y.sketch);
        if (x.kind == MetricKind::Gauge)
            check(same(x.last, y.last));
        if (x.hasQuantiles()) {
            check(same(x.p50, y.p50) && same(x.p90, y.p90) && same(x.p95, y.p95) && same(x.p99, y.p99));
            check(same(x.p999, y.p999) && same(x.quantileError, y.quantileError));
        }
        if (x.kind == MetricKind::Set)
            check(x.uniqueCount == y.uniqueCount);
    }
    checkSameQuality(a.quality, b.quality);
}

// Version 2's full rows carry every field but the rate, which the decoder derives from the count or sum.
void checkSameFrame2(const LiveFrame &a, const LiveFrame &b)
{
    check(a.second == b.second && a.provisional == b.provisional && a.series.size() == b.series.size());
    for (qsizetype i = 0; i < a.series.size(); ++i) {
        const SeriesStats &x = a.series[i];
        const SeriesStats &y = b.series[i];
        check(x.key == y.key && x.kind == y.kind && x.count == y.count && same(x.rate, y.rate) && !y.brief);
        check(same(x.sum, y.sum) && same(x.min, y.min) && same(x.max, y.max) && same(x.last, y.last));
        check(same(x.p50, y.p50) && same(x.p90, y.p90) && same(x.p95, y.p95) && same(x.p99, y.p99));
        check(same(x.p999, y.p999) && same(x.quantileError, y.quantileError));
        check(x.uniqueCount == y.uniqueCount && x.sketch == y.sketch);
    }
    checkSameQuality(a.quality, b.quality);
}

void roundTripHello(const Hello &hello)
{
    Hello again;
    check(decode(withoutNewline(encodeHello(hello)), &again, nullptr, nullptr) == MessageType::Hello);
    check(again.version == hello.version && again.collectorVersion == hello.collectorVersion);
    check(again.udp == hello.udp && again.db == hello.db && again.rules == hello.rules && again.pid == hello.pid);
    check(again.versions == hello.versions);
}

void roundTripFrame1(const LiveFrame &frame)
{
    QSet<QString> withSketch;
    for (const SeriesStats &s : frame.series) {
        if (!s.sketch.isEmpty())
            withSketch.insert(s.key);
    }
    const QByteArray line = withSketches(encodeFrame(frame), frame, withSketch);
    LiveFrame again;
    check(decode(withoutNewline(line), nullptr, &again, nullptr) == MessageType::Frame);
    checkSameFrame1(frame, again);
}

void roundTripAlerts(const QJsonObject &message)
{
    const QVector<AlertEvent> events = alertEventsOf(message);
    QJsonObject again;
    check(decode(withoutNewline(encodeAlerts(events)), nullptr, nullptr, &again) == MessageType::Alerts);
    const QVector<AlertEvent> decoded = alertEventsOf(again);
    check(decoded.size() == events.size());
    for (qsizetype i = 0; i < events.size(); ++i) {
        const AlertEvent &x = events[i];
        const AlertEvent &y = decoded[i];
        check(x.time == y.time && x.ruleId == y.ruleId && x.ruleName == y.ruleName && x.instance == y.instance);
        check(x.severity == y.severity && x.state == y.state && x.message == y.message && x.labels == y.labels);
        check(same(x.value, y.value) && same(x.threshold, y.threshold));
    }
}

// A version 2 frame's full rows, numbered afresh and subscribed to whole, through a new connection's Decoder.
void roundTripFrame2(const LiveFrame &decoded)
{
    LiveFrame frame = decoded;
    frame.series.removeIf([](const SeriesStats &s) { return s.brief; });
    NameTable names;
    const QVector<quint32> ids = names.number(frame);
    Subscription subscription;
    subscription.others = false;
    QSet<QString> followed;
    for (const SeriesStats &s : std::as_const(frame.series)) {
        subscription.keys.insert(s.key);
        if (!s.sketch.isEmpty())
            followed.insert(s.key);
    }
    const QByteArray quality = frame.quality.isEmpty()
        ? QByteArray()
        : QJsonDocument(encodeQuality(frame.quality)).toJson(QJsonDocument::Compact);
    Decoder decoder;
    check(decoder.decode(withoutNewline(names.encodeNames(0)), nullptr, nullptr, nullptr) == MessageType::Names);
    const QByteArray line = encodeFrame2(frame, ids, subscription, followed, quality, {});
    LiveFrame again;
    check(decoder.decode(withoutNewline(line), nullptr, &again, nullptr) == MessageType::Frame);
    check(decoder.unknownIds() == 0 && !decoder.namesBroken());
    checkSameFrame2(frame, again);
}

bool isVersion2Frame(QByteArrayView line)
{
    QJsonObject o;
    return parseLine(line, &o) && o.value(QLatin1StringView("type")).toString() == QLatin1StringView("frame")
        && o.value(QLatin1StringView("version")).toInt(1) == version2;
}

void readLine(QByteArrayView line, Decoder &decoder)
{
    Hello hello;
    LiveFrame frame;
    QJsonObject other;
    switch (decode(line, &hello, &frame, &other)) {
    case MessageType::Hello:
        roundTripHello(hello);
        break;
    case MessageType::Frame:
        roundTripFrame1(frame);
        break;
    case MessageType::Alerts:
        roundTripAlerts(other);
        break;
    case MessageType::Invalid:
    case MessageType::Response:
    case MessageType::Names:
        break;
    }
    const quint64 unknownBefore = decoder.unknownIds();
    const qsizetype namesBefore = decoder.namesKnown();
    const MessageType type = decoder.decode(line, &hello, &frame, &other);
    check(decoder.unknownIds() >= unknownBefore);
    if (type == MessageType::Names)
        check(decoder.namesKnown() >= namesBefore);
    else
        check(decoder.namesKnown() == namesBefore);
    if (type == MessageType::Frame && isVersion2Frame(line))
        roundTripFrame2(frame);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Decoder decoder; // one connection per input
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    qsizetype start = 0;
    while (start < input.size()) {
        const auto *newline
            = static_cast<const char *>(std::memchr(input.data() + start, '\n', size_t(input.size() - start)));
        const qsizetype end = newline ? newline - input.data() : input.size();
        readLine(input.sliced(start, end - start), decoder);
        start = end + 1;
    }
    return 0;
}
