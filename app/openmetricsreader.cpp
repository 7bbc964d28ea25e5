// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/openmetricsreader.h"

#include "models/serieskey.h"
#include "models/timebucket.h"

#include <QIODevice>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// A count from a sum of increments: whole, never negative, and never past what a count can hold (a text file can
// say 1e300; llround of that is undefined).
qint64 countOf(double v)
{
    if (!(v > 0))
        return 0;
    return v >= 9.0e18 ? qint64(9.0e18) : std::llround(v);
}

struct Sample {
    qint64 line = 0;
    qint64 time = 0; // unix seconds
    QString suffix; // "", "_total", "_count", "_sum", "_bucket"
    double bound = 0; // quantile or le
    double value = 0;
};

struct Instance {
    QString family;
    QStringList tags;
    std::vector<Sample> samples;
};

std::optional<double> parseNumber(QByteArrayView text)
{
    if (text == "+Inf" || text == "Inf" || text == "+inf")
        return std::numeric_limits<double>::infinity();
    if (text == "-Inf" || text == "-inf")
        return -std::numeric_limits<double>::infinity();
    if (text == "NaN")
        return std::nan("");
    double v = 0;
    const char *begin = text.data() + (text.startsWith('+') ? 1 : 0);
    const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), v);
    if (text.isEmpty() || ec != std::errc() || ptr != text.data() + text.size())
        return std::nullopt;
    return v;
}

bool isNameChar(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

// name{labels} value timestamp; nullopt with the reason for a line that is not one.
struct Parsed {
    QString name;
    std::vector<std::pair<QString, QString>> labels;
    double value = 0;
    std::optional<double> timestamp;
};

std::optional<Parsed> parseSample(QByteArrayView line, QString *why)
{
    Parsed out;
    qsizetype i = 0;
    while (i < line.size() && isNameChar(line[i], i == 0))
        ++i;
    if (i == 0) {
        *why = u"no metric name"_s;
        return std::nullopt;
    }
    out.name = QString::fromLatin1(line.first(i));
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
            const qsizetype start = i;
            while (i < line.size() && isNameChar(line[i], i == start))
                ++i;
            if (i == start || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
                *why = u"malformed labels"_s;
                return std::nullopt;
            }
            const QString label = QString::fromLatin1(line.sliced(start, i - start));
            i += 2;
            QByteArray value;
            while (i < line.size() && line[i] != '"') {
                if (line[i] == '\\' && i + 1 < line.size()) {
                    ++i;
                    value += line[i] == 'n' ? '\n' : line[i];
                } else {
                    value += line[i];
                }
                ++i;
            }
            if (i >= line.size()) {
                *why = u"unterminated label value"_s;
                return std::nullopt;
            }
            ++i; // closing quote
            out.labels.emplace_back(label, QString::fromUtf8(value));
            if (i < line.size() && line[i] == ',')
                ++i;
        }
        if (i >= line.size()) {
            *why = u"malformed labels"_s;
            return std::nullopt;
        }
        ++i; // '}'
    }
    const QList<QByteArray> rest = line.sliced(i).toByteArray().simplified().split(' ');
    if (rest.isEmpty() || rest.front().isEmpty()) {
        *why = u"no value"_s;
        return std::nullopt;
    }
    const auto value = parseNumber(rest[0]);
    if (!value) {
        *why = u"value \"%1\" is not a number"_s.arg(QString::fromLatin1(rest[0]));
        return std::nullopt;
    }
    out.value = *value;
    if (rest.size() >= 2) {
        const auto ts = parseNumber(rest[1]);
        if (!ts || !std::isfinite(*ts)) {
            *why = u"timestamp \"%1\" is not a number"_s.arg(QString::fromLatin1(rest[1]));
            return std::nullopt;
        }
        out.timestamp = *ts;
    }
    return out;
}

MetricKind kindOf(const QString &type)
{
    if (type == u"counter"_s)
        return MetricKind::Counter;
    if (type == u"summary"_s || type == u"histogram"_s)
        return MetricKind::Timer;
    return MetricKind::Gauge;
}

// The increment from `previous` to `value` of a cumulative number: a drop is a reset, after which it counts from 0.
double increment(std::optional<double> previous, double value)
{
    if (!previous)
        return 0.0;
    return value >= *previous ? value - *previous : value;
}

void setQuantile(StoredPoint &p, double level, double value)
{
    for (size_t i = 0; i < StoredPoint::kQuantileLevels.size(); ++i) {
        if (std::fabs(StoredPoint::kQuantileLevels[i] - level) < 1e-9)
            p.q[i] = value;
    }
}

// Prometheus' histogram_quantile over one bucket's increments (le ascending, cumulative).
double histogramQuantile(const std::vector<std::pair<double, double>> &cumulative, double q)
{
    const double total = cumulative.back().second;
    const double rank = q * total;
    for (size_t i = 0; i < cumulative.size(); ++i) {
        if (cumulative[i].second < rank || cumulative[i].second <= 0)
            continue;
        const double upper = cumulative[i].first;
        if (std::isinf(upper))
            return i > 0 ? cumulative[i - 1].first : StoredPoint::nan();
        const double lower = i > 0 ? cumulative[i - 1].first : std::min(0.0, upper);
        const double below = i > 0 ? cumulative[i - 1].second : 0.0;
        const double inBucket = cumulative[i].second - below;
        return inBucket > 0 ? lower + (upper - lower) * (rank - below) / inBucket : upper;
    }
    return StoredPoint::nan();
}

using Buckets = std::map<qint64, StoredPoint>;

StoredPoint &bucket(Buckets &b, qint64 time)
{
    auto [it, inserted] = b.try_emplace(time);
    if (inserted)
        it->second.time = time;
    return it->second;
}

Buckets counterBuckets(const Instance &in, qint64 step)
{
    Buckets out;
    std::optional<double> previous;
    for (const Sample &s : in.samples) {
        if (s.suffix != u"_total"_s && !s.suffix.isEmpty())
            continue; // _created
        const double inc = increment(previous, s.value);
        previous = s.value;
        StoredPoint &p = bucket(out, floorTo(s.time, step));
        p.sum += inc;
        p.count = countOf(p.sum);
    }
    return out;
}

Buckets gaugeBuckets(const Instance &in, qint64 step)
{
    Buckets out;
    for (const Sample &s : in.samples) {
        StoredPoint &p = bucket(out, floorTo(s.time, step));
        ++p.count;
        p.sum += s.value;
        p.min = std::isnan(p.min) ? s.value : std::min(p.min, s.value);
        p.max = std::isnan(p.max) ? s.value : std::max(p.max, s.value);
        p.last = s.value;
    }
    return out;
}

// Scrapes of a summary or histogram: the samples of one timestamp together.
struct Scrape {
    qint64 time = 0;
    std::optional<double> count, sum;
    std::map<double, double> bounds; // quantile -> value, or le -> cumulative count
};

std::vector<Scrape> scrapesOf(const Instance &in, const QString &boundSuffix)
{
    std::map<qint64, Scrape> byTime;
    for (const Sample &s : in.samples) {
        Scrape &sc = byTime[s.time];
        sc.time = s.time;
        if (s.suffix == u"_count"_s)
            sc.count = s.value;
        else if (s.suffix == u"_sum"_s)
            sc.sum = s.value;
        else if (s.suffix == boundSuffix)
            sc.bounds[s.bound] = s.value;
    }
    std::vector<Scrape> out;
    for (auto &[t, sc] : byTime)
        out.push_back(std::move(sc));
    return out;
}

Buckets summaryBuckets(const Instance &in, qint64 step)
{
    Buckets out;
    std::optional<double> prevCount, prevSum;
    for (const Scrape &sc : scrapesOf(in, QString())) {
        StoredPoint &p = bucket(out, floorTo(sc.time, step));
        if (sc.count) {
            const bool reset = prevCount && *sc.count < *prevCount;
            p.count = countOf(double(p.count) + increment(prevCount, *sc.count));
            if (sc.sum)
                p.sum += reset ? *sc.sum : increment(prevSum, *sc.sum);
            prevCount = sc.count;
            prevSum = sc.sum;
        }
        if (sc.bounds.empty())
            continue;
        p.q = { StoredPoint::nan(), StoredPoint::nan(), StoredPoint::nan(), StoredPoint::nan(), StoredPoint::nan() };
        for (const auto &[level, value] : sc.bounds)
            setQuantile(p, level, value);
        const auto lowest = sc.bounds.begin(), highest = std::prev(sc.bounds.end());
        p.min = lowest->second;
        p.max = highest->second;
    }
    for (auto &[t, p] : out) {
        if (p.count == 0)
            p.q = { StoredPoint::nan(), StoredPoint::nan(), StoredPoint::nan(), StoredPoint::nan(),
                StoredPoint::nan() };
    }
    return out;
}

Buckets histogramBuckets(const Instance &in, qint64 step)
{
    Buckets out;
    std::map<qint64, std::map<double, double>> increments; // bucket -> le -> increment
    std::optional<double> prevCount, prevSum;
    std::map<double, double> previous;
    for (const Scrape &sc : scrapesOf(in, u"_bucket"_s)) {
        const qint64 b = floorTo(sc.time, step);
        StoredPoint &p = bucket(out, b);
        const bool first = previous.empty() && !prevCount;
        const bool reset = prevCount && sc.count && *sc.count < *prevCount;
        if (sc.count)
            p.count = countOf(double(p.count) + (first ? 0.0 : reset ? *sc.count : increment(prevCount, *sc.count)));
        if (sc.sum && !first)
            p.sum += reset ? *sc.sum : increment(prevSum, *sc.sum);
        auto &inc = increments[b];
        for (const auto &[le, cumulative] : sc.bounds) {
            const auto prev = previous.find(le);
            if (!first)
                inc[le] += reset || prev == previous.end() ? cumulative : increment(prev->second, cumulative);
            previous[le] = cumulative;
        }
        if (sc.count)
            prevCount = sc.count;
        if (sc.sum)
            prevSum = sc.sum;
    }
    for (auto &[b, p] : out) {
        const auto &inc = increments[b];
        if (inc.empty() || p.count <= 0)
            continue;
        std::vector<std::pair<double, double>> cumulative(inc.begin(), inc.end()); // le buckets are cumulative
        if (cumulative.back().second <= 0)
            continue;
        for (size_t i = 0; i < StoredPoint::kQuantileLevels.size(); ++i)
            p.q[i] = histogramQuantile(cumulative, StoredPoint::kQuantileLevels[i]);
        // min and max: the edges of the outermost buckets that gained values.
        for (size_t i = 0; i < cumulative.size(); ++i) {
            if (cumulative[i].second > 0) {
                p.min = i > 0 ? cumulative[i - 1].first : std::min(0.0, cumulative[i].first);
                break;
            }
        }
        double below = 0;
        for (size_t i = 0; i < cumulative.size(); ++i) {
            if (cumulative[i].second > below) {
                p.max
                    = std::isinf(cumulative[i].first) ? (i > 0 ? cumulative[i - 1].first : p.min) : cumulative[i].first;
            }
            below = cumulative[i].second;
        }
    }
    return out;
}

} // namespace

ImportInput OpenMetricsReader::read(QIODevice *device, const ImportReadOptions &options)
{
    ImportInput out;
    const qint64 step = options.step.value_or(60);
    out.step = step;
    QHash<QString, QString> types; // family -> type
    std::vector<Instance> instances;
    QHash<QString, size_t> index;
    qint64 bytes = 0;
    while (!device->atEnd()) {
        const QByteArray raw = device->readLine();
        bytes += raw.size();
        const qint64 lineNo = ++out.lines;
        if (options.progress && lineNo % 4096 == 0)
            options.progress(lineNo, bytes);
        const QByteArray line = raw.trimmed();
        if (line.isEmpty())
            continue;
        const auto bad = [&](const QString &why) { out.bad.push_back({ lineNo, why }); };
        if (line.startsWith('#')) {
            const QList<QByteArray> words = line.simplified().split(' ');
            if (words.size() >= 4 && words[1] == "TYPE") {
                static const QStringList known { u"counter"_s, u"gauge"_s, u"summary"_s, u"histogram"_s, u"unknown"_s,
                    u"untyped"_s };
                const QString type = QString::fromLatin1(words[3]);
                if (!known.contains(type)) {
                    bad(u"type %1 is not imported (counter, gauge, summary, histogram, unknown)"_s.arg(type));
                    types.insert(QString::fromLatin1(words[2]), u"skip"_s);
                    continue;
                }
                types.insert(QString::fromLatin1(words[2]), type);
            }
            continue; // HELP, UNIT, EOF, comments
        }
        QString why;
        const auto sample = parseSample(line, &why);
        if (!sample) {
            bad(why);
            continue;
        }
        if (!sample->timestamp) {
            bad(u"no timestamp (import needs samples with timestamps)"_s);
            continue;
        }
        // The family the sample belongs to: its name, or its name less a known suffix.
        QString family = sample->name;
        QString suffix;
        if (!types.contains(family)) {
            for (const QString &s : { u"_total"_s, u"_count"_s, u"_sum"_s, u"_bucket"_s, u"_created"_s }) {
                if (family.endsWith(s) && types.contains(family.chopped(s.size()))) {
                    suffix = s;
                    family.chop(s.size());
                    break;
                }
            }
        }
        const QString type = types.value(family, u"untyped"_s);
        if (type == u"skip"_s)
            continue;
        if (std::isnan(sample->value))
            continue; // a staleness marker: no sample
        const double ts = *sample->timestamp > 1e11 ? *sample->timestamp / 1000.0 : *sample->timestamp;
        if (ts < 0 || ts >= 1e11) {
            bad(u"timestamp is not between 1970 and the year 5000"_s);
            continue;
        }
        Sample s;
        s.line = lineNo;
        s.time = qint64(std::floor(ts));
        s.suffix = suffix;
        s.value = sample->value;
        QStringList tags;
        bool ok = true;
        for (const auto &[label, value] : sample->labels) {
            const bool isBound = (type == u"summary"_s && label == u"quantile"_s && suffix.isEmpty())
                || (type == u"histogram"_s && label == u"le"_s && suffix == u"_bucket"_s);
            if (isBound) {
                const auto bound = parseNumber(value.toLatin1());
                if (!bound || std::isnan(*bound)) {
                    bad(u"%1=\"%2\" is not a number"_s.arg(label, value));
                    ok = false;
                }
                s.bound = bound.value_or(0);
                continue;
            }
            tags.push_back(label % u':' % value);
        }
        if (!ok)
            continue;
        if (type == u"summary"_s && suffix.isEmpty() && !std::isfinite(s.value)) {
            bad(u"quantile value is not finite"_s);
            continue;
        }
        normalizeTags(tags);
        const QString key = family % u'|' % tags.join(u',');
        auto it = index.constFind(key);
        if (it == index.constEnd()) {
            it = index.insert(key, instances.size());
            instances.push_back({ family, tags, {} });
        }
        instances[*it].samples.push_back(s);
    }

    for (Instance &in : instances) {
        std::stable_sort(
            in.samples.begin(), in.samples.end(), [](const Sample &a, const Sample &b) { return a.time < b.time; });
        const QString type = types.value(in.family, u"untyped"_s);
        const Buckets buckets = type == u"counter"_s ? counterBuckets(in, step)
            : type == u"summary"_s                   ? summaryBuckets(in, step)
            : type == u"histogram"_s                 ? histogramBuckets(in, step)
                                                     : gaugeBuckets(in, step);
        ImportSeries series;
        series.key = SeriesKey { options.renames.value(in.family, in.family), in.tags }.toString();
        series.kind = kindOf(type);
        series.step = step;
        for (const auto &[t, p] : buckets) {
            series.rows.push_back(p);
            out.covered[t] = step;
        }
        if (!series.rows.empty())
            out.series.push_back(std::move(series));
    }
    return out;
}

} // namespace perfdash
