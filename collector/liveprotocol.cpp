// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/liveprotocol.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::LiveProtocol {

namespace {

QJsonValue number(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

double numberOf(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

QByteArray line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

QByteArray encodeHello(const Hello &hello)
{
    return line(QJsonObject {
            { u"type"_s, u"hello"_s },
            { u"protocol"_s, QLatin1StringView(name) },
            { u"version"_s, hello.version },
            { u"collector"_s, hello.collectorVersion },
            { u"udp"_s, hello.udp },
            { u"db"_s, hello.db },
            { u"pid"_s, hello.pid },
    });
}

QByteArray encodeFrame(const LiveFrame &frame, const QJsonObject &collectorStats)
{
    QJsonArray series;
    for (const auto &s : frame.series) {
        QJsonObject o {
            { u"key"_s, s.key },
            { u"kind"_s, metricKindName(s.kind) },
            { u"count"_s, s.count },
            { u"rate"_s, number(s.rate) },
            { u"sum"_s, number(s.sum) },
            { u"min"_s, number(s.min) },
            { u"max"_s, number(s.max) },
        };
        if (s.kind == MetricKind::Gauge)
            o.insert(u"last"_s, number(s.last));
        if (s.hasQuantiles()) {
            o.insert(u"p50"_s, number(s.p50));
            o.insert(u"p90"_s, number(s.p90));
            o.insert(u"p95"_s, number(s.p95));
            o.insert(u"p99"_s, number(s.p99));
            o.insert(u"p999"_s, number(s.p999));
            o.insert(u"qerr"_s, number(s.quantileError));
        }
        if (s.kind == MetricKind::Set)
            o.insert(u"unique"_s, s.uniqueCount);
        series.append(o);
    }
    QJsonObject o { { u"type"_s, u"frame"_s }, { u"second"_s, frame.second }, { u"series"_s, series } };
    if (frame.provisional)
        o.insert(u"provisional"_s, true);
    if (!collectorStats.isEmpty())
        o.insert(u"collector"_s, collectorStats);
    return line(o);
}

MessageType decode(QByteArrayView text, Hello *hello, LiveFrame *frame, QJsonObject *other)
{
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(text.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return MessageType::Invalid;
    const QJsonObject o = doc.object();
    const QString type = o.value(u"type"_s).toString();
    if (type == u"hello"_s) {
        if (o.value(u"protocol"_s).toString() != QLatin1StringView(name))
            return MessageType::Invalid;
        if (hello) {
            hello->version = o.value(u"version"_s).toInt();
            hello->collectorVersion = o.value(u"collector"_s).toString();
            hello->udp = o.value(u"udp"_s).toString();
            hello->db = o.value(u"db"_s).toString();
            hello->pid = o.value(u"pid"_s).toInteger();
        }
        return MessageType::Hello;
    }
    if (type == u"frame"_s) {
        if (frame) {
            frame->second = o.value(u"second"_s).toInteger();
            frame->provisional = o.value(u"provisional"_s).toBool(false);
            frame->series.clear();
            const QJsonArray series = o.value(u"series"_s).toArray();
            frame->series.reserve(series.size());
            for (const auto &value : series) {
                const QJsonObject so = value.toObject();
                SeriesStats s;
                s.key = so.value(u"key"_s).toString();
                const auto kind = metricKindFromName(so.value(u"kind"_s).toString());
                if (s.key.isEmpty() || !kind)
                    continue;
                s.kind = *kind;
                s.count = so.value(u"count"_s).toInteger();
                s.rate = numberOf(so, "rate"_L1);
                s.sum = numberOf(so, "sum"_L1);
                s.min = numberOf(so, "min"_L1);
                s.max = numberOf(so, "max"_L1);
                s.last = numberOf(so, "last"_L1);
                s.p50 = numberOf(so, "p50"_L1);
                s.p90 = numberOf(so, "p90"_L1);
                s.p95 = numberOf(so, "p95"_L1);
                s.p99 = numberOf(so, "p99"_L1);
                s.p999 = numberOf(so, "p999"_L1);
                s.quantileError = numberOf(so, "qerr"_L1);
                s.uniqueCount = so.value(u"unique"_s).toInteger();
                frame->series.push_back(std::move(s));
            }
        }
        if (other)
            *other = o.value(u"collector"_s).toObject();
        return MessageType::Frame;
    }
    if (type == u"response"_s) {
        if (other)
            *other = o;
        return MessageType::Response;
    }
    return MessageType::Invalid;
}

} // namespace perfdash::LiveProtocol
