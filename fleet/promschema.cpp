// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/promschema.h"

#include "models/serieskey.h"

#include <algorithm>
#include <charconv>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::PromSchema {

namespace {

// Label names a tag cannot take: the schema's own and those a scrape adds. A tag of that name gets "tag_".
bool isReservedLabel(QByteArrayView name)
{
    static const QByteArray reserved[]
        = { kSeriesLabel, kKindLabel, kRangeLabel, kQuantileLabel, "le", "job", "instance" };
    return name.startsWith("__") || std::find(std::begin(reserved), std::end(reserved), name) != std::end(reserved);
}

QByteArray sanitized(QStringView text, bool colonAllowed)
{
    QByteArray out = text.toUtf8();
    for (qsizetype i = 0; i < out.size(); ++i) {
        const char c = out[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colonAllowed && c == ':')
            || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            out[i] = '_';
    }
    return out.isEmpty() ? QByteArray("_") : out;
}

std::optional<double> parseNumber(QStringView text)
{
    const QByteArray bytes = text.toLatin1();
    double value = 0;
    const auto [end, error] = std::from_chars(bytes.constData(), bytes.constData() + bytes.size(), value);
    if (error != std::errc() || end != bytes.constData() + bytes.size())
        return std::nullopt;
    return value;
}

QByteArray scientific(double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific, 9);
    return QByteArray(buffer, int(result.ptr - buffer));
}

} // namespace

QByteArray metricName(QStringView seriesName)
{
    return sanitized(seriesName, true);
}

QByteArray labelName(QStringView tagKey)
{
    QByteArray name = sanitized(tagKey, false);
    return isReservedLabel(name) ? "tag_" + name : name;
}

QByteArray quoted(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return '"' + out + '"';
}

QByteArray number(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, int(result.ptr - buffer));
}

Labels seriesLabels(const QString &seriesKey, MetricKind kind, const Labels &extra)
{
    const SeriesKey key = SeriesKey::fromString(seriesKey);
    Labels labels;
    labels.reserve(key.tags.size() + 2 + extra.size());
    const auto set = [&labels](const QByteArray &name, const QString &value) {
        const auto it = std::find_if(labels.begin(), labels.end(), [&](const auto &l) { return l.first == name; });
        if (it != labels.end())
            it->second = value;
        else
            labels.push_back({ name, value });
    };
    for (const QString &tag : key.tags) {
        const qsizetype colon = tag.indexOf(u':');
        if (colon < 0)
            set(labelName(tag), QString::fromLatin1(kNoValue));
        else
            set(labelName(QStringView(tag).left(colon)), tag.mid(colon + 1));
    }
    for (const auto &[name, value] : extra)
        set(name, value);
    set(kSeriesLabel, key.name);
    set(kKindLabel, metricKindName(kind));
    std::sort(labels.begin(), labels.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    return labels;
}

QByteArray labelBlock(const Labels &labels, const QByteArray &more)
{
    QByteArray out = "{";
    for (const auto &[name, value] : labels) {
        if (out.size() > 1)
            out += ',';
        out += name + '=' + quoted(value);
    }
    if (!more.isEmpty())
        out += out.size() > 1 ? more : more.mid(1);
    out += '}';
    return out;
}

QByteArray bucketRange(int index, bool negative, double gamma)
{
    // Computed as exp of a multiple of ln(gamma): pow() of a gamma near 1 loses digits the reader needs back.
    const double lnGamma = std::log(gamma);
    const double low = std::exp(double(index - 1) * lnGamma), high = std::exp(double(index) * lnGamma);
    if (negative)
        return '-' + scientific(high) + "...-" + scientific(low);
    return scientific(low) + "..." + scientific(high);
}

QByteArray zeroRange()
{
    return "0...1e-09";
}

std::optional<BucketRange> parseRange(QStringView vmrange)
{
    const qsizetype dots = vmrange.indexOf(u"...");
    if (dots <= 0)
        return std::nullopt;
    const auto low = parseNumber(vmrange.left(dots)), high = parseNumber(vmrange.mid(dots + 3));
    if (!low || !high || !(*low < *high))
        return std::nullopt;
    BucketRange range;
    if (*low == 0 && *high <= 1.5e-9)
        return range; // the zero bucket
    double lo = *low, hi = *high;
    if (hi <= 0) {
        range.sign = BucketRange::Sign::Negative;
        std::swap(lo, hi);
        lo = -lo;
        hi = -hi;
    } else if (lo <= 0) {
        return std::nullopt; // a bucket across zero is not a sketch's
    } else {
        range.sign = BucketRange::Sign::Positive;
    }
    // gamma from the two bounds, rounded to the accuracy a sketch was made with (6 digits of a = (g - 1) / (g + 1)),
    // so every bucket of one sketch names the same gamma.
    const double ratio = hi / lo;
    double alpha = (ratio - 1) / (ratio + 1);
    const double scale = std::pow(10.0, 5 - std::floor(std::log10(alpha)));
    alpha = std::round(alpha * scale) / scale;
    range.gamma = (1 + alpha) / (1 - alpha);
    range.index = int(std::lround(std::log(hi) / std::log(range.gamma)));
    return range;
}

QStringList engineLabels()
{
    return { u"__name__"_s, u"job"_s, u"instance"_s, QString::fromLatin1(kRangeLabel),
        QString::fromLatin1(kQuantileLabel), u"le"_s, QString::fromLatin1(kSeriesLabel),
        QString::fromLatin1(kKindLabel), QString::fromLatin1(kHostLabel) };
}

std::optional<ParsedSeries> parseSeries(const QHash<QString, QString> &labels, bool hostTag)
{
    const QString name = labels.value(QString::fromLatin1(kSeriesLabel));
    const auto kind = metricKindFromName(labels.value(QString::fromLatin1(kKindLabel)));
    if (name.isEmpty() || !kind)
        return std::nullopt;
    ParsedSeries parsed;
    parsed.kind = *kind;
    parsed.host = labels.value(QString::fromLatin1(kHostLabel), labels.value(u"instance"_s));
    static const QStringList dropped = engineLabels();
    SeriesKey key;
    key.name = name;
    for (auto it = labels.constBegin(); it != labels.constEnd(); ++it) {
        if (dropped.contains(it.key()))
            continue;
        QString tag = it.key();
        if (tag.startsWith(u"tag_") && isReservedLabel(QStringView(tag).mid(4).toLatin1()))
            tag = tag.mid(4);
        key.tags.append(tag + u':' + it.value());
    }
    if (hostTag && !parsed.host.isEmpty())
        key.tags.append(u"host:"_s + parsed.host);
    normalizeTags(key.tags);
    parsed.key = key.toString();
    return parsed;
}

} // namespace perfdash::PromSchema
