// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/statsdparser.h"

#include "collector/utf8.h"
#include "models/serieskey.h"

#include <QStringDecoder>

#include <algorithm>
#include <utility>
#include <charconv>
#include <cmath>
#include <cstring>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

using Reason = StatsdParser::Reason;
using Limits = StatsdParser::Limits;

// Tags are collected as views into the line (TagViews), so a line costs no allocation until it is known to be valid.

constexpr bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// memchr inline: QByteArrayView::indexOf goes through an out-of-line call per search, and lines are short.
inline qsizetype findByte(QByteArrayView v, char c)
{
    if (v.isEmpty())
        return -1;
    const void *hit = std::memchr(v.data(), c, size_t(v.size()));
    return hit ? static_cast<const char *>(hit) - v.data() : -1;
}

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p < end) {
        // Eight ASCII bytes at a time: most names and tags are plain ASCII.
        while (end - p >= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);
            if (word & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p == end)
            break;
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        const int length = utf8SequenceLength(p, end);
        if (length == 0)
            return false;
        p += length;
    }
    return true;
}

// A finite decimal with an optional sign, fraction and exponent. The sign is taken off before std::from_chars, and
// a digit or '.' must follow it, so "+-1", "inf", "nan" and " 1" fail; "0x10" and "1e" fail on their trailing bytes.
std::optional<double> parseDecimal(QByteArrayView text)
{
    const char *p = text.data();
    const char *end = p + text.size();
    bool negative = false;
    if (p != end && (*p == '+' || *p == '-')) {
        negative = *p == '-';
        ++p;
    }
    if (p == end || !(isDigit(*p) || *p == '.'))
        return std::nullopt;
    // Clinger's fast path: up to 15 significant digits and no exponent make an exact integer and an exact power of
    // ten, so one IEEE division gives the correctly rounded value, the same double from_chars returns.
    if (end - p <= 16) {
        quint64 mantissa = 0;
        int digits = 0;
        int fractionDigits = -1;
        const char *q = p;
        for (; q != end; ++q) {
            if (isDigit(*q)) {
                mantissa = mantissa * 10 + quint64(*q - '0');
                ++digits;
                if (fractionDigits >= 0)
                    ++fractionDigits;
            } else if (*q == '.' && fractionDigits < 0) {
                fractionDigits = 0;
            } else {
                break;
            }
        }
        if (q == end && digits > 0 && digits <= 15) {
            static constexpr double powersOf10[]
                = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
            double value = double(mantissa);
            if (fractionDigits > 0)
                value /= powersOf10[fractionDigits];
            return negative ? -value : value;
        }
    }
    double value = 0;
    const auto [ptr, ec] = std::from_chars(p, end, value, std::chars_format::general);
    // from_chars reports underflow as out of range too, which the dialect wants rejected like overflow.
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return std::nullopt;
    return negative ? -value : value;
}

// Unix seconds: digits only, not 0, within int64.
std::optional<qint64> parseUnixSeconds(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    for (const char c : text) {
        if (!isDigit(c))
            return std::nullopt;
    }
    qint64 value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value == 0)
        return std::nullopt;
    return value;
}

std::optional<MetricKind> kindOf(QByteArrayView type)
{
    if (type.size() == 1) {
        switch (type.front()) {
        case 'c':
            return MetricKind::Counter;
        case 'g':
            return MetricKind::Gauge;
        case 'h':
        case 'd':
            return MetricKind::Distribution;
        case 's':
            return MetricKind::Set;
        default:
            return std::nullopt;
        }
    }
    if (type == "ms")
        return MetricKind::Timer;
    return std::nullopt;
}

// Splits the next '|'-separated field off `fields`.
QByteArrayView nextField(QByteArrayView &fields)
{
    const qsizetype bar = findByte(fields, '|');
    if (bar < 0) {
        const QByteArrayView field = fields;
        fields = QByteArrayView();
        return field;
    }
    const QByteArrayView field = fields.first(bar);
    fields = fields.sliced(bar + 1);
    return field;
}

// Collects the tags of one `#` field; empty entries are skipped. Limits per tag are checked here, the count later.
std::optional<Reason> collectTags(QByteArrayView text, TagViews &tags, const Limits &limits)
{
    while (!text.isEmpty()) {
        const qsizetype comma = findByte(text, ',');
        const QByteArrayView tag = comma < 0 ? text : text.first(comma);
        text = comma < 0 ? QByteArrayView() : text.sliced(comma + 1);
        if (tag.isEmpty())
            continue;
        if (tag.size() > limits.maxTagBytes)
            return Reason::TagTooLong;
        if (!isValidUtf8(tag))
            return Reason::InvalidUtf8;
        tags.push_back(tag);
    }
    return std::nullopt;
}

bool isAscii(QByteArrayView bytes)
{
    const char *p = bytes.data();
    const char *end = p + bytes.size();
    for (; end - p >= 8; p += 8) {
        quint64 word;
        std::memcpy(&word, p, 8);
        if (word & 0x8080808080808080ULL)
            return false;
    }
    for (; p != end; ++p) {
        if (static_cast<unsigned char>(*p) >= 0x80)
            return false;
    }
    return true;
}

// Decodes validated UTF-8 into a reused QString. ASCII is widened in place, so a string whose buffer is not shared
// costs no allocation (QString::append(QLatin1StringView) measured slower for these short strings); anything else
// goes through the full decoder.
void assignText(QString &out, QByteArrayView utf8)
{
    if (!isAscii(utf8)) {
        out = fromUtf8Verbatim(utf8);
        return;
    }
    out.resize(utf8.size());
    char16_t *dst = reinterpret_cast<char16_t *>(out.data());
    const auto *src = reinterpret_cast<const unsigned char *>(utf8.data());
    for (qsizetype i = 0; i < utf8.size(); ++i)
        dst[i] = src[i];
}

// Sorts bytewise, merges duplicates, applies the distinct-tag limit and writes the result.
std::optional<Reason> finishTags(TagViews &tags, QStringList &out, const Limits &limits, bool decode = true)
{
    normalizeTags(tags);
    if (tags.size() > limits.maxTags)
        return Reason::TooManyTags;
    if (!decode)
        return std::nullopt; // the caller only wants the key
    // resize keeps the list's capacity when the list is not shared, so steady state costs only the strings.
    out.resize(tags.size());
    for (qsizetype i = 0; i < tags.size(); ++i)
        assignText(out[i], tags[i]);
    return std::nullopt;
}

// Copies bytes into a reused QByteArray; assigning a fresh one would allocate on every line.
void assignBytes(QByteArray &out, QByteArrayView bytes)
{
    out.resize(bytes.size());
    if (!bytes.isEmpty())
        std::memcpy(out.data(), bytes.data(), size_t(bytes.size()));
}

// Turns the two characters `\n` into a newline, as DogStatsD clients escape them in event titles and texts.
QString unescapeNewlines(QByteArrayView utf8)
{
    QString text = fromUtf8Verbatim(utf8);
    if (utf8.contains("\\n"))
        text.replace(u"\\n"_s, u"\n"_s);
    return text;
}

std::optional<Reason> parseMetric(QByteArrayView line, StatsdParser::Line &out, StatsdParser::Warnings &warnings,
    const Limits &limits, qint64 nowSeconds)
{
    // One pass finds the first ':' and the first '|'; the head of a line is short, so a loop beats two memchr calls.
    qsizetype colon = -1;
    qsizetype bar = -1;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '|') {
            bar = i;
            break;
        }
        if (c == ':' && colon < 0)
            colon = i;
    }
    if (bar < 0 || colon < 0)
        return Reason::BadFormat;
    const QByteArrayView name = line.first(colon);
    if (name.isEmpty())
        return Reason::EmptyName;
    if (name.size() > limits.maxNameBytes)
        return Reason::NameTooLong;
    if (!isValidUtf8(name))
        return Reason::InvalidUtf8;

    QByteArrayView fields = line.sliced(bar + 1);
    const auto kind = kindOf(nextField(fields));
    if (!kind)
        return Reason::BadType;

    const QByteArrayView valueText = line.sliced(colon + 1, bar - colon - 1);
    // removeLast is inline for a trivial type; clear() goes through an out-of-line reallocate.
    while (!out.values.isEmpty())
        out.values.removeLast();
    if (*kind == MetricKind::Set) {
        // A set member is opaque: never split on ':', never UTF-8-checked.
        if (valueText.isEmpty())
            return Reason::BadValue;
        assignBytes(out.setMember, valueText);
    } else {
        // Packed values: empty entries are skipped, but at least one value must remain.
        const bool gauge = *kind == MetricKind::Gauge;
        QByteArrayView rest = valueText;
        bool more = true;
        while (more) {
            const qsizetype next = findByte(rest, ':');
            more = next >= 0;
            const QByteArrayView one = more ? rest.first(next) : rest;
            if (more)
                rest = rest.sliced(next + 1);
            if (one.isEmpty())
                continue;
            const auto value = parseDecimal(one);
            if (!value)
                return Reason::BadValue;
            out.values.push_back({ *value, gauge && (one.front() == '+' || one.front() == '-') });
        }
        if (out.values.isEmpty())
            return Reason::BadValue;
        if (*kind == MetricKind::Timer) {
            for (const auto &v : std::as_const(out.values)) {
                if (v.value < 0)
                    return Reason::NegativeTimer;
            }
        }
    }

    double rate = 1.0;
    bool clamped = false;
    qint64 timestamp = 0;
    TagViews tags;
    while (!fields.isEmpty()) {
        const QByteArrayView field = nextField(fields);
        if (field.isEmpty())
            continue;
        switch (field.front()) {
        case '@': {
            const auto parsed = parseDecimal(field.sliced(1));
            if (!parsed || *parsed < 1e-6)
                return Reason::BadRate;
            clamped = *parsed > 1.0; // the last @ wins, and so does its warning
            rate = clamped ? 1.0 : *parsed;
            break;
        }
        case '#':
            if (const auto reason = collectTags(field.sliced(1), tags, limits))
                return reason;
            break;
        case 'T': {
            const auto ts = parseUnixSeconds(field.sliced(1));
            if (!ts)
                return Reason::BadTimestamp;
            if (*ts > nowSeconds + limits.maxFutureSeconds)
                return Reason::TimestampOutOfRange;
            timestamp = *ts;
            break;
        }
        default:
            break; // unknown fields (c:, e:, card:, ...) are ignored
        }
    }
    if (const auto reason = finishTags(tags, out.tags, limits, limits.decodeText))
        return reason;

    if (limits.decodeText)
        assignText(out.name, name);
    assignKeyBytes(out.key, name, tags);
    out.kind = *kind;
    out.sampleRate = rate;
    out.timestamp = timestamp;
    if (clamped)
        warnings |= StatsdParser::Warning::RateClamped;
    return std::nullopt;
}

// Reads the digits of one event length up to `terminator`. Lengths above the line size cannot fit and are refused
// here, so later sums cannot overflow.
std::optional<qsizetype> readEventLength(QByteArrayView line, qsizetype &pos, char terminator)
{
    const qsizetype start = pos;
    while (pos < line.size() && isDigit(line[pos]))
        ++pos;
    if (pos == start || pos >= line.size() || line[pos] != terminator)
        return std::nullopt;
    quint64 value = 0;
    const auto [ptr, ec] = std::from_chars(line.data() + start, line.data() + pos, value);
    if (ec != std::errc() || ptr != line.data() + pos || value > quint64(line.size()))
        return std::nullopt;
    ++pos;
    return qsizetype(value);
}

std::optional<Reason> parseEvent(QByteArrayView line, StatsdEvent &out, const Limits &limits, qint64 nowSeconds)
{
    qsizetype pos = 3; // after "_e{"
    const auto titleLength = readEventLength(line, pos, ',');
    if (!titleLength)
        return Reason::BadEvent;
    const auto textLength = readEventLength(line, pos, '}');
    if (!textLength)
        return Reason::BadEvent;
    if (pos >= line.size() || line[pos] != ':')
        return Reason::BadEvent;
    ++pos;
    // The title needs a byte and a '|' after it; the text ends the line or is followed by '|'.
    if (*titleLength == 0 || *titleLength >= line.size() - pos || line[pos + *titleLength] != '|')
        return Reason::BadEvent;
    const QByteArrayView title = line.sliced(pos, *titleLength);
    pos += *titleLength + 1;
    if (*textLength > line.size() - pos)
        return Reason::BadEvent;
    const QByteArrayView text = line.sliced(pos, *textLength);
    pos += *textLength;
    if (pos < line.size() && line[pos] != '|')
        return Reason::BadEvent;
    if (!isValidUtf8(title) || !isValidUtf8(text))
        return Reason::InvalidUtf8;

    QByteArrayView fields = pos < line.size() ? line.sliced(pos + 1) : QByteArrayView();
    StatsdEvent::Priority priority = StatsdEvent::Priority::Normal;
    StatsdEvent::AlertType alertType = StatsdEvent::AlertType::Info;
    qint64 timestamp = 0;
    QByteArrayView host, aggregationKey, sourceType;
    TagViews tags;
    while (!fields.isEmpty()) {
        const QByteArrayView field = nextField(fields);
        if (field.startsWith('#')) {
            if (const auto reason = collectTags(field.sliced(1), tags, limits))
                return reason;
            continue;
        }
        if (field.size() < 2 || field[1] != ':')
            continue; // empty and unknown fields are ignored
        const QByteArrayView value = field.sliced(2);
        switch (field.front()) {
        case 'd':
            // An unusable or too-far-future date is ignored and the arrival time applies.
            if (const auto ts = parseUnixSeconds(value); ts && *ts <= nowSeconds + limits.maxFutureSeconds)
                timestamp = *ts;
            break;
        case 'h':
            host = value;
            break;
        case 'k':
            aggregationKey = value;
            break;
        case 's':
            sourceType = value;
            break;
        case 'p':
            if (value == "low")
                priority = StatsdEvent::Priority::Low;
            else if (value == "normal")
                priority = StatsdEvent::Priority::Normal;
            break;
        case 't':
            if (value == "info")
                alertType = StatsdEvent::AlertType::Info;
            else if (value == "error")
                alertType = StatsdEvent::AlertType::Error;
            else if (value == "warning")
                alertType = StatsdEvent::AlertType::Warning;
            else if (value == "success")
                alertType = StatsdEvent::AlertType::Success;
            break;
        default:
            break;
        }
    }
    if (const auto reason = finishTags(tags, out.tags, limits))
        return reason;

    out.title = unescapeNewlines(title);
    out.text = unescapeNewlines(text);
    out.host = fromUtf8Verbatim(host);
    out.aggregationKey = fromUtf8Verbatim(aggregationKey);
    out.sourceType = fromUtf8Verbatim(sourceType);
    out.timestamp = timestamp;
    out.priority = priority;
    out.alertType = alertType;
    return std::nullopt;
}

std::optional<Reason> parseServiceCheck(
    QByteArrayView line, StatsdServiceCheck &out, const Limits &limits, qint64 nowSeconds)
{
    QByteArrayView rest = line.sliced(4); // after "_sc|"
    const qsizetype bar = rest.indexOf('|');
    if (bar < 0)
        return Reason::BadServiceCheck; // no status
    const QByteArrayView name = rest.first(bar);
    if (name.isEmpty())
        return Reason::BadServiceCheck;
    if (!isValidUtf8(name))
        return Reason::InvalidUtf8;
    rest = rest.sliced(bar + 1);
    const QByteArrayView status = nextField(rest);
    if (status.size() != 1 || status.front() < '0' || status.front() > '3')
        return Reason::BadServiceCheck;

    qint64 timestamp = 0;
    QByteArrayView host, message;
    TagViews tags;
    while (!rest.isEmpty()) {
        if (rest.startsWith("m:")) {
            // The message comes last in the spec, so it takes the rest of the line, '|' included.
            message = rest.sliced(2);
            if (!isValidUtf8(message))
                return Reason::InvalidUtf8;
            break;
        }
        const QByteArrayView field = nextField(rest);
        if (field.startsWith('#')) {
            if (const auto reason = collectTags(field.sliced(1), tags, limits))
                return reason;
        } else if (field.startsWith("d:")) {
            if (const auto ts = parseUnixSeconds(field.sliced(2)); ts && *ts <= nowSeconds + limits.maxFutureSeconds)
                timestamp = *ts;
        } else if (field.startsWith("h:")) {
            host = field.sliced(2);
        }
    }
    if (const auto reason = finishTags(tags, out.tags, limits))
        return reason;

    out.name = fromUtf8Verbatim(name);
    out.status = StatsdServiceCheck::Status(status.front() - '0');
    out.host = fromUtf8Verbatim(host);
    out.message = fromUtf8Verbatim(message);
    out.timestamp = timestamp;
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
    case Reason::BadEvent:
        return "bad_event";
    case Reason::BadServiceCheck:
        return "bad_service_check";
    case Reason::Count_:
        break;
    }
    return "unknown";
}

const char *StatsdParser::warningCode(Warning warning)
{
    switch (warning) {
    case Warning::RateClamped:
        return "rate_clamped";
    }
    return "unknown";
}

std::optional<StatsdParser::Reason> StatsdParser::parseLine(
    QByteArrayView line, Message &out, const Limits &limits, qint64 nowSeconds)
{
    out.warnings = {};
    if (line.size() > limits.maxLineBytes)
        return Reason::LineTooLong;
    // Events and service checks both start with '_'; one byte test keeps the metric path off startsWith calls.
    if (!line.isEmpty() && line.front() == '_' && line.startsWith("_e{")) {
        out.kind = Message::Kind::Event;
        return parseEvent(line, out.event, limits, nowSeconds);
    }
    if (!line.isEmpty() && line.front() == '_' && line.startsWith("_sc|")) {
        out.kind = Message::Kind::ServiceCheck;
        return parseServiceCheck(line, out.serviceCheck, limits, nowSeconds);
    }
    out.kind = Message::Kind::Metric;
    return parseMetric(line, out.metric, out.warnings, limits, nowSeconds);
}

} // namespace perfdash
