// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/promreader.h"

#include "fleet/promclient.h"
#include "fleet/promschema.h"
#include "models/coverage.h"
#include "models/quantilesketch.h"
#include "models/serieskey.h"
#include "models/seriessummary.h"
#include "models/timebucket.h"

#include <QDateTime>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// A query's two alternations (metric names, series names) stay under this many characters together. A counted figure
// names its selector three times (the exact increase, see increaseOf), so a query stays under ~7,000 characters:
// VictoriaMetrics refuses queries over 16,384 (-search.maxQueryLen), and a URL of at most ~16 KiB percent-encoded is
// what Go's HTTP servers and any proxy in front take; 30 series of 30-character names fit one query.
constexpr qsizetype kMaxRegexChars = 2000;

// What one query answers, per series: which figure of a bucket it fills.
enum class Figure { Count, Sum, Buckets, Min, Max, Total, Samples, Last, GaugeSum, Heartbeat };

bool isSketchKind(MetricKind kind)
{
    return kind == MetricKind::Timer || kind == MetricKind::Distribution;
}
bool isGaugeKind(MetricKind kind)
{
    return kind == MetricKind::Gauge || kind == MetricKind::Set;
}

// Whether a series of this kind has the metric a figure reads: the name regexes are a cross product, so a gauge named
// `x_count` matches the timer query for `x`'s _count too; its kind label tells them apart.
bool figureOf(Figure figure, MetricKind kind)
{
    switch (figure) {
    case Figure::Count:
    case Figure::Sum:
    case Figure::Buckets:
        return isSketchKind(kind);
    case Figure::Min:
    case Figure::Max:
        return kind != MetricKind::Counter;
    case Figure::Total:
        return kind == MetricKind::Counter;
    case Figure::Samples:
    case Figure::Last:
    case Figure::GaugeSum:
    case Figure::Heartbeat:
        return isGaugeKind(kind);
    }
    return false;
}

// A perfdash series name as a literal inside a PromQL string that holds a regex: regex metacharacters escaped, then
// backslashes and quotes escaped for the string.
QString regexLiteral(const QString &name)
{
    static const QString special = u"\\.+*?()|[]{}^$"_s;
    QString out;
    out.reserve(name.size() + 8);
    for (const QChar c : name) {
        if (special.contains(c))
            out += u"\\\\"_s;
        if (c == u'"')
            out += u'\\';
        out += c;
    }
    return out;
}

struct Accum {
    double count = 0, sum = 0, total = 0, samples = 0, gaugeSum = 0;
    double min = std::numeric_limits<double>::quiet_NaN(), max = std::numeric_limits<double>::quiet_NaN();
    double last = std::numeric_limits<double>::quiet_NaN();
    bool hasCount = false, hasSamples = false, hasGaugeSum = false;
    std::vector<std::pair<PromSchema::BucketRange, double>> ranges;
};

} // namespace

struct PromReader::BucketJob {
    quint64 id = 0;
    QStringList keys; // as asked
    QHash<QString, int> index; // normalized key -> position in keys
    QHash<QString, MetricKind> kinds; // normalized key -> kind, from the answers
    qint64 from = 0, to = 0, step = 1;
    int pending = 0;
    bool failed = false;
    // Per key asked: bucket start -> its figures. Hashed: a day at 60 s of 100 timers is ~3 M bucket samples.
    std::vector<std::unordered_map<qint64, Accum>> buckets;
    std::map<QString, std::map<qint64, double>> heartbeat; // host -> bucket start -> seconds sampled
};

PromReader::PromReader(const QUrl &server, Hosts hosts, QObject *parent)
    : QObject(parent)
    , m_client(new PromClient(server, this))
    , m_hosts(hosts)
    , m_now([] { return QDateTime::currentSecsSinceEpoch(); })
{
    qRegisterMetaType<PromSeriesInfo>();
    qRegisterMetaType<QVector<PromSeriesInfo>>();
    qRegisterMetaType<RangeSeries>();
    qRegisterMetaType<QVector<RangeSeries>>();
}

PromReader::~PromReader() = default;

QUrl PromReader::server() const
{
    return m_client->base();
}

PromReader::Hosts PromReader::hosts() const
{
    return m_hosts;
}

void PromReader::setTimeoutMs(int ms)
{
    m_client->setTimeoutMs(ms);
}

void PromReader::setClock(std::function<qint64()> nowSeconds)
{
    m_now = std::move(nowSeconds);
}

void PromReader::requestSeries(qint64 fromSecond, qint64 toSecond, quint64 id)
{
    // Label sets without the bucket and quantile series: one per metric of a series, a handful per series.
    const QString matcher = u"{%1=~\".+\",%2=\"\",%3=\"\"}"_s.arg(QLatin1String(PromSchema::kSeriesLabel),
        QLatin1String(PromSchema::kRangeLabel), QLatin1String(PromSchema::kQuantileLabel));
    const bool grouped = m_hosts == Hosts::Grouped;
    m_client->series(
        { matcher }, fromSecond, std::max(fromSecond, toSecond - 1), [this, id, grouped](const PromAnswer &answer) {
            if (!answer.ok) {
                Q_EMIT failed(id, answer.error);
                return;
            }
            std::map<QString, std::pair<MetricKind, QSet<QString>>> found;
            for (const PromSeries &s : answer.series) {
                const auto parsed = PromSchema::parseSeries(s.labels, grouped);
                if (!parsed)
                    continue;
                auto &entry = found[parsed->key];
                entry.first = parsed->kind;
                if (!parsed->host.isEmpty())
                    entry.second.insert(parsed->host);
                m_kinds.insert(SeriesKey::fromString(parsed->key).name, parsed->kind);
            }
            QVector<PromSeriesInfo> out;
            out.reserve(int(found.size()));
            for (const auto &[key, entry] : found) {
                QStringList hosts(entry.second.begin(), entry.second.end());
                hosts.sort();
                out.push_back({ key, entry.first, hosts.join(u',') }); // merged: every host that has it
            }
            Q_EMIT seriesListed(id, out);
        });
}

void PromReader::requestBuckets(const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 id)
{
    if (step <= 0) {
        Q_EMIT failed(id, tr("a step of %1 s").arg(step));
        return;
    }
    auto job = std::make_shared<BucketJob>();
    job->id = id;
    job->keys = keys;
    job->buckets.resize(size_t(keys.size()));
    job->step = step;
    job->from = floorTo(fromSecond, step);
    job->to = toSecond;
    QStringList names;
    QSet<QString> named;
    bool allKnown = true;
    QSet<MetricKind> kinds;
    for (int i = 0; i < keys.size(); ++i) {
        const SeriesKey key = SeriesKey::fromString(keys[i]);
        job->index.insert(key.toString(), i);
        if (Coverage::isHeartbeat(key.toString()))
            continue; // answered from the heartbeat query: the fleet's, or a host's
        if (!named.contains(key.name)) {
            named.insert(key.name);
            names << key.name;
        }
        const auto kind = m_kinds.constFind(key.name);
        if (kind == m_kinds.constEnd())
            allKnown = false;
        else
            kinds.insert(*kind);
    }
    const qint64 lastBucket = floorTo(toSecond - 1, step);
    if (toSecond <= job->from) {
        finishBuckets(job);
        return;
    }
    // A value at T covers (T - step, T]: the bucket that starts at T - step.
    const qint64 start = job->from + step, end = lastBucket + step;
    const QString window = u"[%1s]"_s.arg(step);
    const QString drop = u"host,instance,job"_s;
    const bool merged = m_hosts == Hosts::Merged;
    const auto needs = [&](Figure f) {
        if (!allKnown)
            return true;
        for (MetricKind k : std::as_const(kinds)) {
            if (figureOf(f, k))
                return true;
        }
        return false;
    };

    struct Query {
        Figure figure;
        QString promql;
    };
    QVector<Query> queries;
    // A bucket's increase is the rise from the series' last sample at or before the bucket's start to its last
    // sample at or before its end: exact, and every rise falls in exactly one bucket. Prometheus' increase() only
    // sees the samples inside its window, so a rise between the last sample of one bucket and the first of the next
    // is lost (a burst whose scrapes straddle a minute boundary read as 0), and it extrapolates to the window's edges
    // (about 10 % too much per bucket for a 20 s old series). increase() remains for a series without a sample before
    // the bucket (new, or back after Prometheus' 5 minute lookback) and after a reset (a negative difference).
    // VictoriaMetrics' increase() already takes the sample before the window as its base: the same figure there.
    const auto increaseOf = [&](const QString &selector) -> QString {
        return u"(("_s % selector % u" - "_s % selector % u" offset "_s % QString::number(step)
            % u"s) >= 0 or increase("_s % selector % window % u"))"_s;
    };
    // The heartbeat per host, always: every rate is per covered second.
    queries.push_back({ Figure::Heartbeat,
        increaseOf(u"{__name__=\"%1_samples_total\",%2=\"%3\"}"_s.arg(
            QString::fromLatin1(PromSchema::metricName(Coverage::heartbeatKey())),
            QLatin1String(PromSchema::kSeriesLabel), Coverage::heartbeatKey())) });
    for (qsizetype first = 0; first < names.size();) {
        QStringList metrics, literals;
        qsizetype length = 0;
        qsizetype i = first;
        for (; i < names.size() && (i == first || length < kMaxRegexChars); ++i) {
            metrics << QString::fromLatin1(PromSchema::metricName(names[i]));
            literals << regexLiteral(names[i]);
            length += metrics.constLast().size() + literals.constLast().size() + 2;
        }
        first = i;
        const QString seriesMatch = u"%1=~\"%2\""_s.arg(QLatin1String(PromSchema::kSeriesLabel), literals.join(u'|'));
        const QString metricAlt = metrics.join(u'|');
        const auto select = [&](const QString &suffix, bool plain = false) -> QString {
            return u"{__name__=~\"(?:%1)%2\",%3%4}"_s.arg(metricAlt, suffix, seriesMatch,
                plain ? u",%1=\"\""_s.arg(QLatin1String(PromSchema::kQuantileLabel)) : QString());
        };
        // Merged: the hosts' figures combine exactly (sums add, extremes stay extremes); grouped: one series each.
        const auto over = [&](const QString &op, const QString &inner) -> QString {
            return merged ? QString(op % u" without ("_s % drop % u") ("_s % inner % u')') : inner;
        };
        const auto increase = [&](const QString &suffix) -> QString { return increaseOf(select(suffix)); };
        if (needs(Figure::Count))
            queries.push_back({ Figure::Count, over(u"sum"_s, increase(u"_count"_s)) });
        if (needs(Figure::Sum))
            queries.push_back({ Figure::Sum, over(u"sum"_s, increase(u"_sum"_s)) });
        if (needs(Figure::Buckets)) // only the buckets that took values: most of a sketch's are empty in a bucket
            queries.push_back({ Figure::Buckets, over(u"sum"_s, increase(u"_bucket"_s)) % u" > 0"_s });
        if (needs(Figure::Min))
            queries.push_back({ Figure::Min, over(u"min"_s, u"min_over_time("_s % select(u"_min"_s) % window % u')') });
        if (needs(Figure::Max))
            queries.push_back({ Figure::Max, over(u"max"_s, u"max_over_time("_s % select(u"_max"_s) % window % u')') });
        if (needs(Figure::Total))
            queries.push_back({ Figure::Total, over(u"sum"_s, increase(u"_total"_s)) });
        if (needs(Figure::Samples))
            queries.push_back({ Figure::Samples, over(u"sum"_s, increase(u"_samples_total"_s)) });
        if (needs(Figure::Last)) // merged: the hosts' mean, as a gauge's figures are means
            queries.push_back(
                { Figure::Last, over(u"avg"_s, u"last_over_time("_s % select(QString(), true) % window % u')') });
        if (needs(Figure::GaugeSum)) // the schema has no gauge sum: the mean pushed value times the seconds sampled
            queries.push_back({ Figure::GaugeSum,
                over(u"sum"_s,
                    u"avg_over_time("_s % select(QString(), true) % window % u") * "_s
                        % increase(u"_samples_total"_s)) });
    }

    job->pending = int(queries.size());
    const bool grouped = !merged;
    for (const Query &q : std::as_const(queries)) {
        const Figure figure = q.figure;
        ++m_queriesInFlight;
        m_client->queryRange(q.promql, start, end, step, [this, job, figure, grouped](const PromAnswer &answer) {
            --m_queriesInFlight;
            if (job->failed)
                return;
            if (!answer.ok) {
                job->failed = true;
                Q_EMIT failed(job->id, answer.error);
                return;
            }
            for (const PromSeries &s : answer.series) {
                if (figure == Figure::Heartbeat) {
                    const QString host
                        = s.labels.value(QString::fromLatin1(PromSchema::kHostLabel), s.labels.value(u"instance"_s));
                    for (const auto &[ms, value] : s.samples) {
                        if (std::isfinite(value))
                            job->heartbeat[host][floorTo(ms / 1000 - job->step, job->step)] += value;
                    }
                    continue;
                }
                const auto parsed = PromSchema::parseSeries(s.labels, grouped);
                if (!parsed || !figureOf(figure, parsed->kind))
                    continue;
                const auto at = job->index.constFind(parsed->key);
                if (at == job->index.constEnd())
                    continue; // another series of the same name (other tags)
                job->kinds.insert(parsed->key, parsed->kind);
                std::optional<PromSchema::BucketRange> range;
                if (figure == Figure::Buckets) {
                    range = PromSchema::parseRange(s.labels.value(QString::fromLatin1(PromSchema::kRangeLabel)));
                    if (!range)
                        continue;
                }
                for (const auto &[ms, value] : s.samples) {
                    if (std::isnan(value))
                        continue;
                    Accum &a = job->buckets[size_t(*at)][floorTo(ms / 1000 - job->step, job->step)];
                    switch (figure) {
                    case Figure::Count:
                        a.count += value;
                        a.hasCount = true;
                        break;
                    case Figure::Sum:
                        a.sum += value;
                        break;
                    case Figure::Buckets:
                        a.ranges.push_back({ *range, value });
                        break;
                    case Figure::Min:
                        a.min = std::isnan(a.min) ? value : std::min(a.min, value);
                        break;
                    case Figure::Max:
                        a.max = std::isnan(a.max) ? value : std::max(a.max, value);
                        break;
                    case Figure::Total:
                        a.total += value;
                        break;
                    case Figure::Samples:
                        a.samples += value;
                        a.hasSamples = true;
                        break;
                    case Figure::Last:
                        a.last = value;
                        break;
                    case Figure::GaugeSum:
                        a.gaugeSum += value;
                        a.hasGaugeSum = true;
                        break;
                    case Figure::Heartbeat:
                        break;
                    }
                }
            }
            if (--job->pending == 0)
                finishBuckets(job);
        });
    }
}

void PromReader::finishBuckets(const std::shared_ptr<BucketJob> &job)
{
    const qint64 now = m_now();
    const qint64 step = job->step;
    for (auto it = job->kinds.constBegin(); it != job->kinds.constEnd(); ++it)
        m_kinds.insert(SeriesKey::fromString(it.key()).name, it.value());
    // Covered seconds per host and over the fleet (a bucket is covered when any host was up: the max).
    const auto pointsOf = [&](const std::map<qint64, double> &seconds, const QString &key = Coverage::heartbeatKey()) {
        QVector<SeriesPoint> points;
        for (const auto &[start, value] : seconds) {
            SeriesPoint p;
            p.second = start;
            p.stats.key = key;
            p.stats.kind = MetricKind::Gauge;
            p.stats.count = std::llround(value);
            points.push_back(p);
        }
        return points;
    };
    std::map<qint64, double> fleetSeconds;
    QHash<QString, Coverage> hostCoverage;
    for (const auto &[host, seconds] : job->heartbeat) {
        for (const auto &[start, value] : seconds)
            fleetSeconds[start] = std::max(fleetSeconds[start], value);
        hostCoverage.insert(host, Coverage::fromHeartbeat(pointsOf(seconds), job->from, job->to, step, now));
    }
    const QVector<SeriesPoint> fleetPoints = pointsOf(fleetSeconds);
    const Coverage fleet = Coverage::fromHeartbeat(fleetPoints, job->from, job->to, step, now);

    QVector<RangeSeries> out(job->keys.size());
    for (int i = 0; i < job->keys.size(); ++i) {
        out[i].key = job->keys[i];
        out[i].step = step;
        out[i].tier = RangeSource::tierFor(step);
    }
    // The heartbeats asked for: the fleet's (any host up), and each host's own under its host tag.
    for (auto hb = job->index.constBegin(); hb != job->index.constEnd(); ++hb) {
        if (!Coverage::isHeartbeat(hb.key()))
            continue;
        const QString host = SeriesKey::fromString(hb.key()).tagValue(u"host");
        const auto seconds = job->heartbeat.find(host);
        if (!host.isEmpty() && seconds == job->heartbeat.end())
            continue;
        for (const SeriesPoint &p : host.isEmpty() ? fleetPoints : pointsOf(seconds->second, hb.key())) {
            if (p.second >= job->from && p.second < job->to && p.stats.count > 0)
                out[*hb].points.push_back(p);
        }
    }
    for (int i = 0; i < int(job->buckets.size()); ++i) {
        std::vector<std::pair<qint64, const Accum *>> starts;
        starts.reserve(job->buckets[size_t(i)].size());
        for (const auto &[start, a] : job->buckets[size_t(i)])
            starts.push_back({ start, &a });
        std::sort(starts.begin(), starts.end(), [](const auto &x, const auto &y) { return x.first < y.first; });
        const QString key = SeriesKey::fromString(job->keys[i]).toString();
        const MetricKind kind = job->kinds.value(key, MetricKind::Gauge);
        const QString host = SeriesKey::fromString(key).tagValue(u"host");
        const auto hc = hostCoverage.constFind(host);
        const Coverage &coverage = host.isEmpty() || hc == hostCoverage.constEnd() ? fleet : *hc;
        for (const auto &[start, accum] : starts) {
            const Accum &a = *accum;
            if (start < job->from || start >= job->to)
                continue;
            SeriesPoint p;
            p.second = start;
            SeriesStats &s = p.stats;
            s.key = job->keys[i];
            s.kind = kind;
            s.min = a.min;
            s.max = a.max;
            if (kind == MetricKind::Counter) {
                s.count = std::llround(a.total);
                s.sum = a.total;
            } else if (isGaugeKind(kind)) {
                s.count = std::llround(a.samples);
                s.sum = a.hasGaugeSum ? a.gaugeSum : std::numeric_limits<double>::quiet_NaN();
                s.last = a.last;
                if (kind == MetricKind::Set && std::isfinite(a.last))
                    s.uniqueCount = std::llround(a.last);
            } else {
                s.sum = a.sum;
                // The sketch rebuilt from the window's merged buckets: each bucket's count at its representative value
                // lands in the same bucket index, so its quantiles are the merged sketch's own (relative error a).
                std::optional<QuantileSketch> sketch;
                for (const auto &[range, value] : a.ranges) {
                    const quint64 n = quint64(std::llround(value));
                    if (n == 0)
                        continue;
                    if (!sketch) {
                        const double gamma = range.gamma > 1 ? range.gamma : 0;
                        const double alpha
                            = gamma > 1 ? (gamma - 1) / (gamma + 1) : QuantileSketch::kDefaultRelativeAccuracy;
                        sketch.emplace(std::clamp(
                            alpha, QuantileSketch::kMinRelativeAccuracy, QuantileSketch::kMaxRelativeAccuracy));
                    }
                    switch (range.sign) {
                    case PromSchema::BucketRange::Sign::Zero:
                        sketch->add(0.0, n);
                        break;
                    case PromSchema::BucketRange::Sign::Positive:
                        sketch->add(sketch->bucketValue(range.index), n);
                        break;
                    case PromSchema::BucketRange::Sign::Negative:
                        sketch->add(-sketch->bucketValue(range.index), n);
                        break;
                    }
                }
                s.count = a.hasCount ? std::llround(a.count) : sketch ? qint64(sketch->count()) : 0;
                if (sketch && !sketch->isEmpty())
                    SeriesSummary::setQuantiles(&s, *sketch, true);
            }
            if (s.count <= 0)
                continue; // nothing arrived in this bucket: storage holds no row for it either
            const qint64 covered = coverage.bucket(start);
            s.rate = covered > 0 ? double(s.count) / double(covered) : 0.0;
            out[i].points.push_back(std::move(p));
        }
    }
    Q_EMIT bucketsReady(job->id, out);
}

} // namespace perfdash
