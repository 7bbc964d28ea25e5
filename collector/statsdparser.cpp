// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/statsdparser.h"

#include "models/serieskey.h"

#include <charconv>
#include <cmath>

namespace perfdash {

namespace {

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        if (p[1] < lo || p[1] > hi)
            return false;
        for (int i = 2; i <= extra; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF)
                return false;
        }
        p += extra + 1;
    }
    return true;
}

// Decimal only: std::from_chars accepts no hex, NaN or Inf in the general format, but does accept "inf"/"nan".
std::optional<double> parseDecimal(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    const char *begin = text.data();
    const char *end = begin + text.size();
    if (*begin == '+')
        ++begin;
    if (begin == end)
        return std::nullopt;
    const char c = (*begin == '-' && begin + 1 < end) ? begin[1] : *begin;
    if (!(c >= '0' && c <= '9') && c != '.')
        return std::nullopt;
    double value = 0;
    const auto [ptr, ec] = std::from_chars(begin, end, value, std::chars_format::general);
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::optional<MetricKind> kindOf(QByteArrayView type)
{
    if (type == "c")
        return MetricKind::Counter;
    if (type == "g")
        return MetricKind::Gauge;
    if (type == "ms")
        return MetricKind::Timer;
    if (type == "h" || type == "d")
        return MetricKind::Distribution;
    if (type == "s")
        return MetricKind::Set;
    return std::nullopt;
}

} // namespace

const char *StatsdParser::reasonCode(Reason reason)
{
    switch (reason) {
    case Reason::BadFormat:
        return "bad_format";
    case Reason::EmptyName:
        return "empty_name";
    case Reason::BadType:
        return "bad_type";
    case Reason::BadValue:
        return "bad_value";
    case Reason::NegativeTimer:
        return "negative_timer";
    case Reason::BadRate:
        return "bad_rate";
    case Reason::BadTimestamp:
        return "bad_timestamp";
    case Reason::TimestampOutOfRange:
        return "timestamp_out_of_range";
    case Reason::InvalidUtf8:
        return "invalid_utf8";
    case Reason::NameTooLong:
        return "name_too_long";
    case Reason::TagTooLong:
        return "tag_too_long";
    case Reason::TooManyTags:
        return "too_many_tags";
    case Reason::LineTooLong:
        return "line_too_long";
    case Reason::UnsupportedType:
        return "unsupported_type";
    case Reason::Count_:
        break;
    }
    return "unknown";
}

std::optional<StatsdParser::Reason> StatsdParser::parseLine(QByteArrayView line, Line &out, const Limits &limits,
                                                             qint64 nowSeconds)
{
    if (line.size() > limits.maxLineBytes)
        return Reason::LineTooLong;
    const qsizetype bar = line.indexOf('|');
    const qsizetype colon = line.indexOf(':');
    if (bar < 0 || colon < 0 || colon > bar)
        return Reason::BadFormat;
    const QByteArrayView name = line.first(colon);
    if (name.isEmpty())
        return Reason::EmptyName;
    if (name.size() > limits.maxNameBytes)
        return Reason::NameTooLong;
    if (!isValidUtf8(name))
        return Reason::InvalidUtf8;

    QByteArrayView rest = line.sliced(bar + 1);
    const qsizetype typeEnd = rest.indexOf('|');
    const QByteArrayView type = typeEnd < 0 ? rest : rest.first(typeEnd);
    const auto kind = kindOf(type);
    if (!kind)
        return Reason::BadType;
    if (*kind == MetricKind::Set)
        return Reason::UnsupportedType; // sets arrive with the full dialect

    out.values.clear();
    QByteArrayView valueText = line.sliced(colon + 1, bar - colon - 1);
    while (true) {
        const qsizetype next = valueText.indexOf(':');
        const QByteArrayView one = next < 0 ? valueText : valueText.first(next);
        if (!one.isEmpty() || next < 0) {
            const auto value = parseDecimal(one);
            if (!value)
                return Reason::BadValue;
            const bool sign = one.front() == '+' || one.front() == '-';
            out.values.push_back(Value { *value, *kind == MetricKind::Gauge && sign });
        }
        if (next < 0)
            break;
        valueText = valueText.sliced(next + 1);
    }
    for (const auto &v : out.values) {
        if (*kind == MetricKind::Timer && v.value < 0)
            return Reason::NegativeTimer;
    }

    out.kind = *kind;
    out.sampleRate = 1.0;
    out.timestamp = 0;
    out.tags.clear();
    QByteArrayView fields = typeEnd < 0 ? QByteArrayView() : rest.sliced(typeEnd + 1);
    while (!fields.isEmpty()) {
        const qsizetype next = fields.indexOf('|');
        const QByteArrayView field = next < 0 ? fields : fields.first(next);
        fields = next < 0 ? QByteArrayView() : fields.sliced(next + 1);
        if (field.startsWith('@')) {
            const auto rate = parseDecimal(field.sliced(1));
            if (!rate || *rate < 1e-6)
                return Reason::BadRate;
            out.sampleRate = std::min(*rate, 1.0);
        } else if (field.startsWith('#')) {
            QByteArrayView tagText = field.sliced(1);
            while (!tagText.isEmpty()) {
                const qsizetype comma = tagText.indexOf(',');
                const QByteArrayView tag = comma < 0 ? tagText : tagText.first(comma);
                tagText = comma < 0 ? QByteArrayView() : tagText.sliced(comma + 1);
                if (tag.isEmpty())
                    continue;
                if (tag.size() > limits.maxTagBytes)
                    return Reason::TagTooLong;
                if (!isValidUtf8(tag))
                    return Reason::InvalidUtf8;
                out.tags.push_back(QString::fromUtf8(tag));
            }
        } else if (field.startsWith('T')) {
            qint64 ts = 0;
            const QByteArrayView digits = field.sliced(1);
            const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ts);
            if (digits.isEmpty() || digits.front() == '-' || ec != std::errc() || ptr != digits.data() + digits.size()
                || ts == 0)
                return Reason::BadTimestamp;
            if (ts > nowSeconds + limits.maxFutureSeconds)
                return Reason::TimestampOutOfRange;
            out.timestamp = ts;
        }
        // Empty and unknown fields are ignored.
    }
    normalizeTags(out.tags);
    if (out.tags.size() > limits.maxTags)
        return Reason::TooManyTags;
    out.name = QString::fromUtf8(name);
    return std::nullopt;
}

} // namespace perfdash
