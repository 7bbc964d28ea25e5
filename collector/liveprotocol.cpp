// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/liveprotocol.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
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
        { u"rules"_s, hello.rules },
        { u"pid"_s, hello.pid },
        { u"versions"_s, QJsonArray::fromVariantList(QVariantList(hello.versions.cbegin(), hello.versions.cend())) },
    });
}

QJsonArray encodeQuality(const QVector<QualityStats> &qualities)
{
    QJsonArray quality;
    for (const auto &q : qualities) {
        quality.append(QJsonObject {
            { u"key"_s, q.key },
            { u"binary"_s, qint64(q.binary) },
            { u"classes"_s, qint64(q.classes) },
            { u"regression"_s, qint64(q.regression) },
            { u"accuracy"_s, number(q.accuracy) },
            { u"precision"_s, number(q.precision) },
            { u"recall"_s, number(q.recall) },
            { u"f1"_s, number(q.f1) },
            { u"macro_f1"_s, number(q.macroF1) },
            { u"auc_roc"_s, number(q.aucRoc) },
            { u"auc_error"_s, number(q.aucErrorBound) },
            { u"rmse"_s, number(q.rmse) },
            { u"mae"_s, number(q.mae) },
            { u"mape"_s, number(q.mape) },
            { u"zero_truths"_s, qint64(q.zeroTruths) },
            { u"blob"_s, QString::fromLatin1(q.blob.toBase64()) },
        });
    }
    return quality;
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
    if (!frame.quality.isEmpty())
        o.insert(u"quality"_s, encodeQuality(frame.quality));
    if (frame.provisional)
        o.insert(u"provisional"_s, true);
    if (!collectorStats.isEmpty())
        o.insert(u"collector"_s, collectorStats);
    return line(o);
}

QByteArray withSketches(const QByteArray &frameLine, const LiveFrame &frame, const QSet<QString> &keys)
{
    if (keys.isEmpty() || !frameLine.endsWith("}\n"))
        return frameLine;
    QJsonObject sketches;
    for (const auto &s : frame.series) {
        if (!s.sketch.isEmpty() && keys.contains(s.key))
            sketches.insert(s.key, QString::fromLatin1(s.sketch.toBase64()));
    }
    if (sketches.isEmpty())
        return frameLine;
    // Spliced into the line encoded once for everyone, instead of encoding the whole frame again per subscriber.
    const QByteArray object = QJsonDocument(sketches).toJson(QJsonDocument::Compact);
    QByteArray out;
    out.reserve(frameLine.size() + object.size() + 16);
    out.append(frameLine.constData(), frameLine.size() - 2).append(",\"sketches\":").append(object).append("}\n");
    return out;
}

QByteArray encodeFollow(qint64 id, const QStringList &keys)
{
    return line(QJsonObject {
        { u"type"_s, u"request"_s },
        { u"id"_s, id },
        { u"method"_s, u"follow"_s },
        { u"keys"_s, QJsonArray::fromStringList(keys) },
    });
}

std::optional<QSet<QString>> followedKeys(const QJsonObject &request, QString *error)
{
    const QJsonValue value = request.value(u"keys"_s);
    if (!value.isArray()) {
        *error = u"follow needs \"keys\", a list of series keys"_s;
        return std::nullopt;
    }
    const QJsonArray array = value.toArray();
    QSet<QString> keys;
    keys.reserve(std::min<qsizetype>(array.size(), maxFollowedKeys));
    for (const auto &key : array) {
        if (!key.isString() || key.toString().isEmpty()) {
            *error = u"follow: every key must be a non-empty string"_s;
            return std::nullopt;
        }
        keys.insert(key.toString());
        if (keys.size() > maxFollowedKeys) {
            *error = u"follow: at most %1 keys"_s.arg(maxFollowedKeys);
            return std::nullopt;
        }
    }
    return keys;
}

QByteArray encodeAlerts(const QVector<AlertEvent> &events)
{
    QJsonArray list;
    for (const AlertEvent &e : events) {
        QJsonObject o { { u"time"_s, e.time }, { u"rule_id"_s, e.ruleId }, { u"rule_name"_s, e.ruleName },
            { u"instance"_s, e.instance }, { u"severity"_s, e.severity }, { u"state"_s, e.state },
            { u"message"_s, e.message } };
        if (std::isfinite(e.value))
            o.insert(u"value"_s, e.value);
        if (std::isfinite(e.threshold))
            o.insert(u"threshold"_s, e.threshold);
        if (!e.labels.isEmpty()) {
            QJsonObject labels;
            for (auto it = e.labels.constBegin(); it != e.labels.constEnd(); ++it)
                labels.insert(it.key(), it.value());
            o.insert(u"labels"_s, labels);
        }
        list.append(o);
    }
    return QJsonDocument(QJsonObject { { u"type"_s, u"alerts"_s }, { u"events"_s, list } })
               .toJson(QJsonDocument::Compact)
        + '\n';
}

QVector<AlertEvent> alertEventsOf(const QJsonObject &message)
{
    QVector<AlertEvent> out;
    for (const auto &value : message.value(u"events"_s).toArray()) {
        const QJsonObject o = value.toObject();
        AlertEvent e;
        e.time = o.value(u"time"_s).toInteger();
        e.ruleId = o.value(u"rule_id"_s).toString();
        e.ruleName = o.value(u"rule_name"_s).toString();
        e.instance = o.value(u"instance"_s).toString();
        e.severity = o.value(u"severity"_s).toString();
        e.state = o.value(u"state"_s).toString();
        e.message = o.value(u"message"_s).toString();
        e.value = numberOf(o, "value"_L1);
        e.threshold = numberOf(o, "threshold"_L1);
        const QJsonObject labels = o.value(u"labels"_s).toObject();
        for (auto it = labels.constBegin(); it != labels.constEnd(); ++it)
            e.labels.insert(it.key(), it.value().toString());
        if (e.ruleId.isEmpty() || e.state.isEmpty())
            continue;
        out.append(e);
    }
    return out;
}

QVector<QualityStats> decodeQuality(const QJsonArray &array)
{
    QVector<QualityStats> out;
    for (const auto &value : array) {
        const QJsonObject qo = value.toObject();
        QualityStats q;
        q.key = qo.value(u"key"_s).toString();
        if (q.key.isEmpty())
            continue;
        q.binary = quint64(std::max<qint64>(0, qo.value(u"binary"_s).toInteger()));
        q.classes = quint64(std::max<qint64>(0, qo.value(u"classes"_s).toInteger()));
        q.regression = quint64(std::max<qint64>(0, qo.value(u"regression"_s).toInteger()));
        q.accuracy = numberOf(qo, "accuracy"_L1);
        q.precision = numberOf(qo, "precision"_L1);
        q.recall = numberOf(qo, "recall"_L1);
        q.f1 = numberOf(qo, "f1"_L1);
        q.macroF1 = numberOf(qo, "macro_f1"_L1);
        q.aucRoc = numberOf(qo, "auc_roc"_L1);
        q.aucErrorBound = numberOf(qo, "auc_error"_L1);
        q.rmse = numberOf(qo, "rmse"_L1);
        q.mae = numberOf(qo, "mae"_L1);
        q.mape = numberOf(qo, "mape"_L1);
        q.zeroTruths = quint64(std::max<qint64>(0, qo.value(u"zero_truths"_s).toInteger()));
        q.blob = QByteArray::fromBase64(qo.value(u"blob"_s).toString().toLatin1());
        out.push_back(std::move(q));
    }
    return out;
}

bool parseLine(QByteArrayView text, QJsonObject *object)
{
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(text.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return false;
    *object = doc.object();
    return true;
}

MessageType decode(QByteArrayView text, Hello *hello, LiveFrame *frame, QJsonObject *other)
{
    QJsonObject o;
    return parseLine(text, &o) ? decodeObject(o, hello, frame, other) : MessageType::Invalid;
}

MessageType decodeObject(const QJsonObject &o, Hello *hello, LiveFrame *frame, QJsonObject *other)
{
    const QString type = o.value(u"type"_s).toString();
    if (type == u"hello"_s) {
        if (o.value(u"protocol"_s).toString() != QLatin1StringView(name))
            return MessageType::Invalid;
        if (hello) {
            hello->version = o.value(u"version"_s).toInt();
            hello->collectorVersion = o.value(u"collector"_s).toString();
            hello->udp = o.value(u"udp"_s).toString();
            hello->db = o.value(u"db"_s).toString();
            hello->rules = o.value(u"rules"_s).toString();
            hello->pid = o.value(u"pid"_s).toInteger();
            hello->versions.clear();
            for (const auto &v : o.value(u"versions"_s).toArray()) {
                if (v.toInt() > 0)
                    hello->versions << v.toInt();
            }
            if (hello->versions.isEmpty())
                hello->versions << hello->version; // a collector from before version 2 speaks only its own
        }
        return MessageType::Hello;
    }
    if (type == u"frame"_s) {
        if (frame) {
            frame->second = o.value(u"second"_s).toInteger();
            frame->provisional = o.value(u"provisional"_s).toBool(false);
            frame->series.clear();
            const QJsonObject sketches = o.value(u"sketches"_s).toObject();
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
                if (!sketches.isEmpty()) {
                    if (const QJsonValue sketch = sketches.value(s.key); sketch.isString())
                        s.sketch = QByteArray::fromBase64(sketch.toString().toLatin1());
                }
                frame->series.push_back(std::move(s));
            }
            frame->quality = decodeQuality(o.value(u"quality"_s).toArray());
        }
        if (other)
            *other = o.value(u"collector"_s).toObject();
        return MessageType::Frame;
    }
    if (type == u"alerts"_s) {
        if (other)
            *other = o;
        return MessageType::Alerts;
    }
    if (type == u"response"_s) {
        if (other)
            *other = o;
        return MessageType::Response;
    }
    return MessageType::Invalid;
}

} // namespace perfdash::LiveProtocol
