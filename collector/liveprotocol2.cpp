// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/liveprotocol2.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <charconv>
#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::LiveProtocol {

namespace {

// A full row's fields after the id, in order; a row ends after its last field with a value (docs/protocol.md).
enum Field { Count = 1, Sum, Min, Max, Last, P50, P90, P95, P99, P999, Qerr, Unique, Sketch, FieldCount };

void appendInteger(QByteArray &out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

// The shortest text that reads back as the same double; null for NaN and infinities.
void appendNumber(QByteArray &out, double value)
{
    if (!std::isfinite(value)) {
        out.append("null");
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

void appendFullRow(QByteArray &out, quint32 id, const SeriesStats &s, bool withSketch)
{
    const double numbers[] = { s.sum, s.min, s.max, s.last, s.p50, s.p90, s.p95, s.p99, s.p999, s.quantileError };
    int end = Count + 1; // id and count always
    if (withSketch && !s.sketch.isEmpty())
        end = FieldCount;
    else if (s.uniqueCount != 0)
        end = Unique + 1;
    else {
        for (int f = Qerr; f >= Sum; --f) {
            if (std::isfinite(numbers[f - Sum])) {
                end = f + 1;
                break;
            }
        }
    }
    out.append('[');
    appendInteger(out, id);
    out.append(',');
    appendInteger(out, s.count);
    for (int f = Sum; f < end; ++f) {
        out.append(',');
        if (f <= Qerr)
            appendNumber(out, numbers[f - Sum]);
        else if (f == Unique)
            appendInteger(out, s.uniqueCount);
        else
            out.append('"').append(s.sketch.toBase64()).append('"');
    }
    out.append(']');
}

double numberAt(const QJsonArray &row, int i)
{
    const QJsonValue v = row.at(i);
    return v.isDouble() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

QByteArray encodeSubscribe(qint64 id, const QStringList &keys, bool others)
{
    return QJsonDocument(QJsonObject {
                             { u"type"_s, u"request"_s },
                             { u"id"_s, id },
                             { u"method"_s, u"subscribe"_s },
                             { u"version"_s, version2 },
                             { u"keys"_s, QJsonArray::fromStringList(keys) },
                             { u"others"_s, others ? u"brief"_s : u"none"_s },
                         })
               .toJson(QJsonDocument::Compact)
        + '\n';
}

std::optional<Subscription> subscriptionOf(const QJsonObject &request, QString *error)
{
    if (request.value(u"version"_s).toInt(version2) != version2) {
        *error = u"subscribe: this collector speaks version 2"_s;
        return std::nullopt;
    }
    const QJsonValue keys = request.value(u"keys"_s);
    if (!keys.isArray()) {
        *error = u"subscribe needs \"keys\", a list of series keys"_s;
        return std::nullopt;
    }
    const QString others = request.value(u"others"_s).toString(u"brief"_s);
    if (others != u"brief"_s && others != u"none"_s) {
        *error = u"subscribe: \"others\" is \"brief\" or \"none\""_s;
        return std::nullopt;
    }
    const QJsonArray array = keys.toArray();
    if (array.size() > maxSubscribedKeys) {
        *error = u"subscribe: at most %1 keys"_s.arg(maxSubscribedKeys);
        return std::nullopt;
    }
    Subscription subscription;
    subscription.others = others == u"brief"_s;
    subscription.keys.reserve(array.size());
    for (const auto &key : array) {
        if (!key.isString() || key.toString().isEmpty()) {
            *error = u"subscribe: every key must be a non-empty string"_s;
            return std::nullopt;
        }
        subscription.keys.insert(key.toString());
    }
    return subscription;
}

QVector<quint32> NameTable::number(const LiveFrame &frame)
{
    QVector<quint32> ids;
    ids.reserve(frame.series.size());
    for (const SeriesStats &s : frame.series) {
        // A key sent as another kind is another series to a subscriber, with an id of its own, kept like any other.
        auto &byKey = m_ids[size_t(s.kind) % m_ids.size()];
        auto it = byKey.find(s.key);
        if (it == byKey.end()) {
            it = byKey.insert(s.key, quint32(m_names.size()));
            m_names.push_back({ s.key, s.kind });
        }
        ids.push_back(*it);
    }
    return ids;
}

QByteArray NameTable::encodeNames(qsizetype from) const
{
    QJsonArray names;
    for (qsizetype i = from; i < m_names.size(); ++i)
        names.append(QJsonArray { m_names[i].key, metricKindName(m_names[i].kind) });
    return QJsonDocument(QJsonObject { { u"type"_s, u"names"_s }, { u"first"_s, qint64(from) }, { u"names"_s, names } })
               .toJson(QJsonDocument::Compact)
        + '\n';
}

QByteArray encodeFrame2(const LiveFrame &frame, const QVector<quint32> &ids, const Subscription &subscription,
    const QSet<QString> &followed, const QByteArray &quality, const QByteArray &collector, quint32 newFrom)
{
    Q_ASSERT(ids.size() == frame.series.size());
    QByteArray out;
    out.reserve(64 + frame.series.size() * (subscription.others ? 12 : 0) + subscription.keys.size() * 96
        + quality.size() + collector.size());
    out.append(R"({"type":"frame","version":2,"second":)");
    appendInteger(out, frame.second);
    if (frame.provisional)
        out.append(R"(,"provisional":true)");
    QByteArray brief;
    if (subscription.others)
        brief.reserve(frame.series.size() * 12);
    out.append(R"(,"full":[)");
    bool firstFull = true;
    for (qsizetype i = 0; i < frame.series.size(); ++i) {
        const SeriesStats &s = frame.series[i];
        const bool follows = !followed.isEmpty() && followed.contains(s.key);
        if (follows || ids[i] >= newFrom || subscription.keys.contains(s.key)) {
            if (!firstFull)
                out.append(',');
            firstFull = false;
            appendFullRow(out, ids[i], s, follows);
        } else if (subscription.others) {
            if (!brief.isEmpty())
                brief.append(',');
            appendInteger(brief, ids[i]);
            brief.append(',');
            // A counter's count unrounded (its sum: sampled and fractional increments), any other kind's count.
            if (s.kind == MetricKind::Counter && std::isfinite(s.sum))
                appendNumber(brief, s.sum);
            else
                appendInteger(brief, s.count);
        }
    }
    out.append(']');
    if (subscription.others)
        out.append(R"(,"brief":[)").append(brief).append(']');
    if (!quality.isEmpty())
        out.append(R"(,"quality":)").append(quality);
    if (!collector.isEmpty())
        out.append(R"(,"collector":)").append(collector);
    out.append("}\n");
    return out;
}

void Decoder::reset()
{
    m_names.clear();
    m_namesBroken = false;
}

MessageType Decoder::decode(QByteArrayView line, Hello *hello, LiveFrame *frame, QJsonObject *other)
{
    QJsonObject o;
    if (!parseLine(line, &o))
        return MessageType::Invalid;
    const QString type = o.value(u"type"_s).toString();
    if (type == u"names"_s)
        return addNames(o) ? MessageType::Names : MessageType::Invalid;
    if (type == u"frame"_s && o.value(u"version"_s).toInt(1) == version2) {
        if (frame)
            decodeFrame2(o, frame);
        if (other)
            *other = o.value(u"collector"_s).toObject();
        return MessageType::Frame;
    }
    return decodeObject(o, hello, frame, other);
}

bool Decoder::addNames(const QJsonObject &message)
{
    // Names come in order: a message that does not continue from what is known means a lost message.
    if (message.value(u"first"_s).toInteger(-1) != m_names.size()) {
        m_namesBroken = true;
        return false;
    }
    const QJsonArray names = message.value(u"names"_s).toArray();
    m_names.reserve(m_names.size() + names.size());
    for (const auto &value : names) {
        const QJsonArray pair = value.toArray();
        const auto kind = metricKindFromName(pair.at(1).toString());
        // A name that cannot be read still takes its id, so the ids after it stay right.
        m_names.push_back({ pair.at(0).toString(), kind.value_or(MetricKind::Counter) });
        if (!kind)
            m_names.back().key.clear();
    }
    return true;
}

void Decoder::decodeFrame2(const QJsonObject &message, LiveFrame *frame)
{
    frame->second = message.value(u"second"_s).toInteger();
    frame->provisional = message.value(u"provisional"_s).toBool(false);
    frame->series.clear();
    const QJsonArray full = message.value(u"full"_s).toArray();
    const QJsonArray brief = message.value(u"brief"_s).toArray();
    frame->series.reserve(full.size() + brief.size() / 2);
    const auto named = [this](const QJsonValue &id) -> const Name * {
        const qint64 i = id.toInteger(-1);
        if (i < 0 || i >= m_names.size() || m_names[i].key.isEmpty()) {
            ++m_unknownIds;
            return nullptr;
        }
        return &m_names[i];
    };
    // The rate of a one-second bucket is its count, a counter's unrounded (its sum); gauges have none. It does not
    // travel.
    const auto startRow = [frame](const Name &name, double count) -> SeriesStats & {
        SeriesStats &s = frame->series.emplace_back();
        s.key = name.key;
        s.kind = name.kind;
        s.count = std::isfinite(count) ? qint64(std::llround(count)) : 0;
        s.rate = name.kind == MetricKind::Gauge || !std::isfinite(count) ? 0.0 : count;
        return s;
    };
    for (const auto &value : full) {
        const QJsonArray row = value.toArray();
        const Name *name = named(row.at(0));
        if (!name)
            continue;
        const double sum = numberAt(row, Sum);
        SeriesStats &s = startRow(
            *name, name->kind == MetricKind::Counter && std::isfinite(sum) ? sum : double(row.at(Count).toInteger()));
        s.count = row.at(Count).toInteger();
        s.sum = sum;
        s.min = numberAt(row, Min);
        s.max = numberAt(row, Max);
        s.last = numberAt(row, Last);
        s.p50 = numberAt(row, P50);
        s.p90 = numberAt(row, P90);
        s.p95 = numberAt(row, P95);
        s.p99 = numberAt(row, P99);
        s.p999 = numberAt(row, P999);
        s.quantileError = numberAt(row, Qerr);
        s.uniqueCount = row.at(Unique).toInteger();
        if (row.size() > Sketch)
            s.sketch = QByteArray::fromBase64(row.at(Sketch).toString().toLatin1());
    }
    for (qsizetype i = 0; i + 1 < brief.size(); i += 2) {
        const Name *name = named(brief.at(i));
        if (!name)
            continue;
        const double count = numberAt(brief, int(i + 1));
        SeriesStats &s = startRow(*name, count);
        s.brief = true;
        s.sum = name->kind == MetricKind::Counter && std::isfinite(count) ? count
                                                                          : std::numeric_limits<double>::quiet_NaN();
    }
    frame->quality = decodeQuality(message.value(u"quality"_s).toArray());
}

} // namespace perfdash::LiveProtocol
