// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/promencoder.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace perfdash {

namespace {

QByteArray block(const QByteArray &labels, const QByteArray &more = {})
{
    if (labels.isEmpty())
        return '{' + more.mid(1) + '}';
    return '{' + labels + more + '}';
}

void line(QByteArray *out, const QByteArray &name, const QByteArray &labels, double value, const QByteArray &stamp)
{
    out->append(name);
    out->append(labels);
    out->append(' ');
    out->append(PromSchema::number(value));
    out->append(stamp);
    out->append('\n');
}

} // namespace

QByteArray PromEncoder::bucketPrefix(const Series &series)
{
    return series.name + "_bucket{" + series.labels + (series.labels.isEmpty() ? "" : ",") + "vmrange=\"";
}

const QByteArray &PromEncoder::range(double gamma, int index, bool negative) const
{
    if (gamma != m_rangeGamma) {
        m_ranges.clear();
        m_rangeGamma = gamma;
    }
    auto it = m_ranges.find(bucketId(index, negative));
    if (it == m_ranges.end())
        it = m_ranges.insert(bucketId(index, negative), PromSchema::bucketRange(index, negative, gamma));
    return *it;
}

PromEncoder::PromEncoder(PromSchema::Labels extra)
    : m_extra(std::move(extra))
{ }

void PromEncoder::add(const LiveFrame &frame)
{
    if (frame.provisional)
        return;
    m_newest = std::max(m_newest, frame.second);
    if (m_intervalStart < 0)
        m_intervalStart = frame.second;
    for (const SeriesStats &s : frame.series) {
        auto it = m_series.find(s.key);
        if (it == m_series.end()) {
            Series fresh;
            fresh.kind = s.kind;
            const QByteArray labels = PromSchema::labelBlock(PromSchema::seriesLabels(s.key, s.kind, m_extra));
            fresh.labels = labels.mid(1, labels.size() - 2);
            fresh.name = PromSchema::metricName(QStringView(s.key).left(s.key.indexOf(u'|')));
            it = m_series.insert(s.key, std::move(fresh));
        }
        Series &series = *it;
        if (series.kind != s.kind)
            continue; // the collector keeps one kind per key; a stray frame cannot change it
        const bool first = !series.changed;
        switch (s.kind) {
        case MetricKind::Counter:
            series.total += s.sum;
            break;
        case MetricKind::Gauge:
        case MetricKind::Set:
            series.total += double(s.kind == MetricKind::Set ? std::max<qint64>(1, s.count) : s.count);
            series.last = s.kind == MetricKind::Set ? double(s.uniqueCount) : s.last;
            series.min = first ? s.min : std::min(series.min, s.min);
            series.max = first ? s.max : std::max(series.max, s.max);
            break;
        case MetricKind::Timer:
        case MetricKind::Distribution: {
            if (s.count <= 0)
                break;
            auto sketch = QuantileSketch::deserialize(s.sketch);
            if (!sketch)
                break; // a frame without its sketch (never the collector's final frames): no buckets to add
            if (!series.cumulative)
                series.cumulative = QuantileSketch(sketch->relativeAccuracy(), sketch->maxBuckets());
            if (first || !series.interval)
                series.interval = QuantileSketch(sketch->relativeAccuracy(), sketch->maxBuckets());
            if (!series.cumulative->merge(*sketch))
                break;
            series.interval->merge(*sketch);
            series.total += double(s.count);
            series.sum += s.sum;
            series.min = first ? s.min : std::min(series.min, s.min);
            series.max = first ? s.max : std::max(series.max, s.max);
            break;
        }
        }
        series.changed = true;
    }
}

void PromEncoder::writeCumulative(
    QByteArray *out, const Series &series, const QByteArray &stamp, std::map<int, quint64> *sent, bool all) const
{
    // Whether to write a bucket: its count differs from what was last sent (or all are due); records what is sent.
    const auto moved = [sent, all](int id, quint64 count) {
        if (!sent)
            return true;
        const auto [it, fresh] = sent->try_emplace(id, count);
        if (!fresh && !all && it->second == count)
            return false;
        it->second = count;
        return true;
    };
    const QByteArray labels = block(series.labels);
    switch (series.kind) {
    case MetricKind::Counter:
        line(out, series.name + "_total", labels, series.total, stamp);
        break;
    case MetricKind::Gauge:
    case MetricKind::Set:
        line(out, series.name, labels, series.last, stamp);
        line(out, series.name + "_samples_total", labels, series.total, stamp);
        break;
    case MetricKind::Timer:
    case MetricKind::Distribution:
        if (!series.cumulative)
            break;
        line(out, series.name + "_count", labels, series.total, stamp);
        line(out, series.name + "_sum", labels, series.sum, stamp);
        if (series.cumulative->zeroCount() > 0 && moved(kZeroBucketId, series.cumulative->zeroCount()))
            line(out, series.name + "_bucket", block(series.labels, ",vmrange=\"" + PromSchema::zeroRange() + '"'),
                double(series.cumulative->zeroCount()), stamp);
        {
            // The hot loop of a push (about 50 lines a timer): one prefix per series, each range formatted once.
            const QByteArray prefix = bucketPrefix(series);
            const double gamma = series.cumulative->gamma();
            series.cumulative->forEachBucket([&](int index, bool negative, quint64 count) {
                if (!moved(bucketId(index, negative), count))
                    return;
                out->append(prefix);
                out->append(range(gamma, index, negative));
                // Digits straight into the output: a QByteArray per number was a third of this loop.
                char digits[24] = { '"', '}', ' ' };
                const auto end = std::to_chars(digits + 3, digits + sizeof digits, count).ptr;
                out->append(digits, qsizetype(end - digits));
                out->append(stamp);
                out->append('\n');
            });
        }
        break;
    }
}

void PromEncoder::writeSeries(
    QByteArray *out, Series &series, qint64 timestampMs, const QByteArray &stamp, const QByteArray &zeroStamp) const
{
    // Zeros first, one step before: a bucket (or series) increase() has never seen starts from nothing.
    if (series.kind == MetricKind::Timer || series.kind == MetricKind::Distribution) {
        if (!series.cumulative)
            return;
        const auto zero = [&](const QByteArray &name, const QByteArray &labels, int id) {
            if (series.sent.try_emplace(id, 0).second)
                line(out, name, labels, 0, zeroStamp);
        };
        zero(series.name + "_count", block(series.labels), kCountId);
        zero(series.name + "_sum", block(series.labels), kCountId + 1);
        if (series.cumulative->zeroCount() > 0)
            zero(series.name + "_bucket", block(series.labels, ",vmrange=\"" + PromSchema::zeroRange() + '"'),
                kZeroBucketId);
        QByteArray prefix; // built only when a bucket is new: most pushes have none
        const double gamma = series.cumulative->gamma();
        series.cumulative->forEachBucket([&](int index, bool negative, quint64) {
            if (!series.sent.try_emplace(bucketId(index, negative), 0).second)
                return;
            if (prefix.isEmpty())
                prefix = bucketPrefix(series);
            out->append(prefix);
            out->append(range(gamma, index, negative));
            out->append("\"} 0");
            out->append(zeroStamp);
            out->append('\n');
        });
    } else if (!series.pushedOnce) {
        line(out, series.name + (series.kind == MetricKind::Counter ? "_total" : "_samples_total"),
            block(series.labels), 0, zeroStamp);
    }
    series.pushedOnce = true;
    const bool refresh = series.lastPushMs >= 0 && timestampMs - series.lastPushMs >= kRefreshMs;
    writeCumulative(out, series, stamp, &series.sent, refresh);
    series.lastPushMs = timestampMs;
    if (series.kind == MetricKind::Counter || !series.changed)
        return; // a refresh has no interval of its own
    line(out, series.name + "_min", block(series.labels), series.min, stamp);
    line(out, series.name + "_max", block(series.labels), series.max, stamp);
    if (series.interval) {
        for (const auto &[q, text] : { std::pair { 0.5, "0.5" }, { 0.95, "0.95" }, { 0.99, "0.99" } }) {
            if (series.interval->isMeaningful(q))
                line(out, series.name, block(series.labels, QByteArray(",quantile=\"") + text + '"'),
                    series.interval->quantile(q), stamp);
        }
        series.interval.reset();
    }
}

QByteArray PromEncoder::takePush(qint64 timestampMs)
{
    QByteArray out;
    const QByteArray stamp = ' ' + QByteArray::number(timestampMs);
    const qint64 zeroMs = m_lastPushMs >= 0 ? m_lastPushMs : std::min(timestampMs - 1, m_intervalStart * 1000);
    const QByteArray zeroStamp = ' ' + QByteArray::number(zeroMs);
    for (Series &series : m_series) {
        const bool due = series.lastPushMs >= 0 && timestampMs - series.lastPushMs >= kRefreshMs;
        if (!series.changed && !due)
            continue;
        writeSeries(&out, series, timestampMs, stamp, zeroStamp);
        series.changed = false;
    }
    m_lastPushMs = timestampMs;
    m_intervalStart = -1;
    return out;
}

QByteArray PromEncoder::renderScrape(const std::set<QByteArray> &taken) const
{
    // The text format wants each metric's lines together under one HELP and TYPE: group them by name.
    std::map<QByteArray, QByteArray> families;
    QByteArray lines;
    for (const Series &series : m_series) {
        lines.clear();
        writeCumulative(&lines, series, {});
        const QList<QByteArray> split = lines.split('\n');
        const auto nameOf = [](const QByteArray &l) { return l.left(l.indexOf('{')); };
        if (std::any_of(split.begin(), split.end(), [&](const QByteArray &l) { return taken.count(nameOf(l)) > 0; }))
            continue;
        for (const QByteArray &l : split) {
            if (!l.isEmpty())
                families[nameOf(l)] += l + '\n';
        }
    }
    QByteArray out;
    for (const auto &[name, samples] : families) {
        // Counters end in _total (promtool's rule); _count, _sum and vmrange buckets are a histogram Prometheus does
        // not know (its histograms use `le`), so untyped.
        const bool counter = name.endsWith("_total");
        const bool histogram = name.endsWith("_bucket") || name.endsWith("_count") || name.endsWith("_sum");
        out += "# HELP " + name + " A perfdash series (docs/fleet.md), "
            + (counter || histogram ? "since the collector "
                                      "started"
                                    : "its last value")
            + ".\n# TYPE " + name
            + (counter          ? " counter"
                    : histogram ? " untyped"
                                : " gauge")
            + '\n' + samples;
    }
    return out;
}

} // namespace perfdash
