// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/ndjsonrecord.h"

#include "collector/utf8.h"

#include "models/serieskey.h"

#include <QtAlgorithms>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

namespace perfdash {

namespace {

using Reason = NdjsonRecord::Reason;
using Limits = NdjsonRecord::Limits;

enum class Kind : quint8 { None, String, Number, True, False, Null, Object, Array };

// A scanned JSON value: strings without their quotes, objects and arrays with their brackets. Trivial on purpose:
// the decoder's table of one per known field is left uninitialized, and read only where the seen-mask says.
struct Span {
    const char *begin;
    const char *end;
    Kind kind;
    bool escaped; // a string with at least one backslash escape
};

// Every key the record format knows, across all types. Unknown keys are skipped, not stored.
enum Field : quint8 {
    FType,
    FV,
    FTs,
    FTags,
    FName,
    FKind,
    FValue,
    FUnit,
    FRate,
    FOpCode,
    FTenant,
    FGuid,
    FTarget,
    FItems,
    FElapsedS,
    FItemsPerS,
    FMemoryMb,
    FFileSizeMb,
    FCacheHits,
    FApiCalls,
    FSuccess,
    FError,
    FErrorCategory,
    FWorkflow,
    FStart,
    FEnd,
    FExecutionS,
    FSteps,
    FPid,
    FCpuPercent,
    FRssMb,
    FVmsMb,
    FThreads,
    FGpuPercent,
    FGpuMemMb,
    FModel,
    FScore,
    FLabel,
    FTruth,
    FId,
    FMetric,
    FSource,
    FSpread,
    FN,
    FStepsFailed,
    FRetries,
    FExecutionMode,
    FTelemetry,
    FTelemetryDropped,
    FEndpoint,
    FMethod,
    FStatus,
    FRequestKb,
    FResponseKb,
    FCacheHit,
    FChannel,
    FRecipients,
    FDelivered,
    FFailed,
    FQueueDepth,
    FieldCount
};
static_assert(FieldCount <= 64, "the seen-set is one 64-bit mask");

struct FieldName {
    std::string_view name;
    Field field;
};

constexpr FieldName kFieldNames[] = {
    { "type", FType },
    { "v", FV },
    { "ts", FTs },
    { "tags", FTags },
    { "name", FName },
    { "kind", FKind },
    { "value", FValue },
    { "unit", FUnit },
    { "rate", FRate },
    { "op_code", FOpCode },
    { "tenant", FTenant },
    { "guid", FGuid },
    { "target", FTarget },
    { "items", FItems },
    { "elapsed_s", FElapsedS },
    { "items_per_s", FItemsPerS },
    { "memory_mb", FMemoryMb },
    { "file_size_mb", FFileSizeMb },
    { "cache_hits", FCacheHits },
    { "api_calls", FApiCalls },
    { "success", FSuccess },
    { "error", FError },
    { "error_category", FErrorCategory },
    { "workflow", FWorkflow },
    { "start", FStart },
    { "end", FEnd },
    { "execution_s", FExecutionS },
    { "steps", FSteps },
    { "pid", FPid },
    { "cpu_percent", FCpuPercent },
    { "rss_mb", FRssMb },
    { "vms_mb", FVmsMb },
    { "threads", FThreads },
    { "gpu_percent", FGpuPercent },
    { "gpu_mem_mb", FGpuMemMb },
    { "model", FModel },
    { "score", FScore },
    { "label", FLabel },
    { "truth", FTruth },
    { "id", FId },
    { "metric", FMetric },
    { "source", FSource },
    { "spread", FSpread },
    { "n", FN },
    { "steps_failed", FStepsFailed },
    { "retries", FRetries },
    { "execution_mode", FExecutionMode },
    { "telemetry", FTelemetry },
    { "telemetry_dropped", FTelemetryDropped },
    { "endpoint", FEndpoint },
    { "method", FMethod },
    { "status", FStatus },
    { "request_kb", FRequestKb },
    { "response_kb", FResponseKb },
    { "cache_hit", FCacheHit },
    { "channel", FChannel },
    { "recipients", FRecipients },
    { "delivered", FDelivered },
    { "failed", FFailed },
    { "queue_depth", FQueueDepth },
};

constexpr size_t kMaxFieldName = 18;

// Field names bucketed by length, so a lookup compares a handful of candidates at most.
struct FieldTable {
    std::array<std::array<FieldName, 12>, kMaxFieldName> byLength {};
    std::array<quint8, kMaxFieldName> count {};
    FieldTable()
    {
        for (const FieldName &f : kFieldNames)
            byLength[f.name.size()][count[f.name.size()]++] = f;
    }
    int find(std::string_view key) const
    {
        if (key.size() >= kMaxFieldName)
            return -1;
        const auto &bucket = byLength[key.size()];
        for (quint8 i = 0; i < count[key.size()]; ++i) {
            const std::string_view name = bucket[i].name;
            size_t j = 0;
            while (j < name.size() && name[j] == key[j]) // short keys: cheaper than a call to memcmp
                ++j;
            if (j == name.size())
                return bucket[i].field;
        }
        return -1;
    }
};
const FieldTable kFields;

// Bytes a string can contain as themselves: printable ASCII except the quote and the backslash.
constexpr std::array<bool, 256> makePlain()
{
    std::array<bool, 256> t {};
    for (int c = 0x20; c < 0x80; ++c)
        t[size_t(c)] = c != '"' && c != '\\';
    return t;
}
constexpr std::array<bool, 256> kPlain = makePlain();

inline bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// The bytes among 8 that a string cannot hold as themselves ('"', '\\', a control character, a byte >= 0x80), as
// their high bits. The lowest set bit is exact (a borrow only spreads upwards from a byte that is itself flagged), so
// on a little-endian machine it points at the first such byte: strings are most of a record, 8 bytes a step.
inline quint64 specialBytes(const char *p)
{
    quint64 w;
    std::memcpy(&w, p, sizeof(w));
    constexpr quint64 ones = 0x0101010101010101ULL;
    constexpr quint64 high = 0x8080808080808080ULL;
    const quint64 quote = w ^ (ones * '"');
    const quint64 backslash = w ^ (ones * '\\');
    const quint64 zeroQuote = (quote - ones) & ~quote;
    const quint64 zeroBackslash = (backslash - ones) & ~backslash;
    const quint64 control = w - ones * 0x20; // borrows out of bytes < 0x20
    return (zeroQuote | zeroBackslash | control | w) & high;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        const int h = hexValue(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

void appendUtf8(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xC0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xE0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    }
}

// A strict JSON scanner over one line (RFC 8259, UTF-8 per RFC 3629). It validates and records spans; decoding of the
// few values a record needs happens afterwards, so unknown fields cost one pass and no copies.
class Scanner {
public:
    Scanner(const char *begin, const char *end, int maxDepth)
        : p(begin)
        , m_end(end)
        , m_maxDepth(maxDepth)
    { }

    const char *p;
    Reason error = Reason::BadJson;

    bool atEnd() const { return p >= m_end; }
    void skipWs()
    {
        // Most calls land on a token at once: test that first.
        while (p < m_end && uchar(*p) <= ' ' && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            ++p;
    }
    bool fail(Reason reason)
    {
        error = reason;
        return false;
    }
    bool expect(char c)
    {
        if (p >= m_end || *p != c)
            return fail(Reason::BadJson);
        ++p;
        return true;
    }

    bool scanValue(Span &s, int depth)
    {
        if (p >= m_end)
            return fail(Reason::BadJson);
        switch (*p) {
        case '"':
            return scanString(s);
        case '{':
            return scanContainer(s, depth, '}');
        case '[':
            return scanContainer(s, depth, ']');
        case 't':
            return scanLiteral(s, "true", Kind::True);
        case 'f':
            return scanLiteral(s, "false", Kind::False);
        case 'n':
            return scanLiteral(s, "null", Kind::Null);
        default:
            if (*p == '-' || isDigit(*p))
                return scanNumber(s);
            return fail(Reason::BadJson);
        }
    }

    // p is at the opening quote.
    bool scanString(Span &s)
    {
        ++p;
        s.begin = p;
        s.kind = Kind::String;
        s.escaped = false;
        for (;;) {
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
            while (m_end - p >= 8) {
                const quint64 special = specialBytes(p);
                if (special) {
                    p += qCountTrailingZeroBits(special) / 8;
                    break;
                }
                p += 8;
            }
#endif
            while (p < m_end && kPlain[uchar(*p)])
                ++p;
            if (p >= m_end)
                return fail(Reason::BadJson);
            const uchar c = uchar(*p);
            if (c == '"') {
                s.end = p++;
                return true;
            }
            if (c == '\\') {
                s.escaped = true;
                if (!scanEscape())
                    return false;
            } else if (c < 0x20) {
                return fail(Reason::BadJson); // a raw control character
            } else if (!scanUtf8()) {
                return fail(Reason::InvalidUtf8);
            }
        }
    }

    // Iterates the members of an object already scanned: f(keySpan, valueSpan) returns false to stop.
    template <typename F>
    static bool forEachMember(const Span &object, F &&f)
    {
        Scanner s(object.begin + 1, object.end - 1, 1 << 20);
        s.skipWs();
        while (!s.atEnd()) {
            Span key {}, value {};
            s.scanString(key);
            s.skipWs();
            ++s.p; // ':'
            s.skipWs();
            s.scanValue(value, 0);
            if (!f(key, value))
                return false;
            s.skipWs();
            if (!s.atEnd())
                ++s.p; // ','
            s.skipWs();
        }
        return true;
    }

    template <typename F>
    static bool forEachElement(const Span &array, F &&f)
    {
        Scanner s(array.begin + 1, array.end - 1, 1 << 20);
        s.skipWs();
        while (!s.atEnd()) {
            Span value {};
            s.scanValue(value, 0);
            if (!f(value))
                return false;
            s.skipWs();
            if (!s.atEnd())
                ++s.p;
            s.skipWs();
        }
        return true;
    }

private:
    bool scanLiteral(Span &s, std::string_view word, Kind kind)
    {
        if (size_t(m_end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0)
            return fail(Reason::BadJson);
        s.begin = p;
        p += word.size();
        s.end = p;
        s.kind = kind;
        return true;
    }

    bool scanNumber(Span &s)
    {
        s.begin = p;
        s.kind = Kind::Number;
        if (*p == '-')
            ++p;
        if (p >= m_end)
            return fail(Reason::BadJson);
        if (*p == '0') {
            ++p;
        } else if (isDigit(*p)) {
            while (p < m_end && isDigit(*p))
                ++p;
        } else {
            return fail(Reason::BadJson);
        }
        if (p < m_end && *p == '.') {
            ++p;
            if (p >= m_end || !isDigit(*p))
                return fail(Reason::BadJson);
            while (p < m_end && isDigit(*p))
                ++p;
        }
        if (p < m_end && (*p == 'e' || *p == 'E')) {
            ++p;
            if (p < m_end && (*p == '+' || *p == '-'))
                ++p;
            if (p >= m_end || !isDigit(*p))
                return fail(Reason::BadJson);
            while (p < m_end && isDigit(*p))
                ++p;
        }
        s.end = p;
        return true;
    }

    bool scanContainer(Span &s, int depth, char close)
    {
        if (depth + 1 > m_maxDepth)
            return fail(Reason::TooDeep);
        s.begin = p;
        s.kind = close == '}' ? Kind::Object : Kind::Array;
        ++p;
        skipWs();
        if (p < m_end && *p == close) {
            s.end = ++p;
            return true;
        }
        for (;;) {
            Span child {};
            if (close == '}') {
                if (p >= m_end || *p != '"')
                    return fail(Reason::BadJson);
                if (!scanString(child))
                    return false;
                skipWs();
                if (!expect(':'))
                    return false;
                skipWs();
            }
            if (!scanValue(child, depth + 1))
                return false;
            skipWs();
            if (p >= m_end)
                return fail(Reason::BadJson);
            if (*p == ',') {
                ++p;
                skipWs();
                continue;
            }
            if (*p == close) {
                s.end = ++p;
                return true;
            }
            return fail(Reason::BadJson);
        }
    }

    // p is at a backslash.
    bool scanEscape()
    {
        if (m_end - p < 2)
            return fail(Reason::BadJson);
        switch (p[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            p += 2;
            return true;
        case 'u':
            break;
        default:
            return fail(Reason::BadJson);
        }
        if (m_end - p < 6)
            return fail(Reason::BadJson);
        const int cp = hex4(p + 2);
        if (cp < 0)
            return fail(Reason::BadJson);
        p += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail(Reason::InvalidUtf8); // a lone low surrogate
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (m_end - p < 6 || p[0] != '\\' || p[1] != 'u')
                return fail(Reason::InvalidUtf8); // a high surrogate without its pair
            const int low = hex4(p + 2);
            if (low < 0)
                return fail(Reason::BadJson);
            if (low < 0xDC00 || low > 0xDFFF)
                return fail(Reason::InvalidUtf8);
            p += 6;
        }
        return true;
    }

    // Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF. p is at a byte >= 0x80.
    bool scanUtf8()
    {
        const int length
            = utf8SequenceLength(reinterpret_cast<const uchar *>(p), reinterpret_cast<const uchar *>(m_end));
        if (length == 0)
            return false;
        p += length;
        return true;
    }

    const char *m_end;
    int m_maxDepth;
};

// Decodes a scanned (hence valid) string span into out, reusing out's capacity.
void decodeString(const Span &s, std::string &out)
{
    if (!s.escaped) {
        out.assign(s.begin, size_t(s.end - s.begin));
        return;
    }
    out.clear();
    const char *p = s.begin;
    while (p < s.end) {
        const char *run = p;
        while (p < s.end && *p != '\\')
            ++p;
        out.append(run, size_t(p - run));
        if (p >= s.end)
            break;
        const char e = p[1];
        p += 2;
        switch (e) {
        case 'b':
            out.push_back('\b');
            break;
        case 'f':
            out.push_back('\f');
            break;
        case 'n':
            out.push_back('\n');
            break;
        case 'r':
            out.push_back('\r');
            break;
        case 't':
            out.push_back('\t');
            break;
        case 'u': {
            char32_t cp = char32_t(hex4(p));
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                const char32_t low = char32_t(hex4(p + 2));
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            appendUtf8(out, cp);
            break;
        }
        default:
            out.push_back(e);
            break; // " \ /
        }
    }
}

// Cuts UTF-8 text after maxChars code points and appends the marker; returns whether it cut.
bool truncateChars(std::string &text, qsizetype maxChars)
{
    if (qsizetype(text.size()) <= maxChars)
        return false; // fewer bytes than the limit: fewer code points too
    qsizetype chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((uchar(text[i]) & 0xC0) == 0x80)
            continue;
        if (chars == maxChars) {
            text.resize(i);
            text.append(NdjsonRecord::truncationMarker);
            return true;
        }
        ++chars;
    }
    return false;
}

bool isCanonicalGuid(const std::string &s)
{
    if (s.size() != 36)
        return false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (hexValue(s[i]) < 0) {
            return false;
        }
    }
    return true;
}

// The second phase: the fields of the record's type, from the spans the scan recorded.
class Decoder {
public:
    Decoder(const Limits &limits, qint64 nowMs)
        : m_limits(limits)
        , m_nowMs(nowMs)
    { }

    std::array<Span, FieldCount> slots; // uninitialized: see Span
    quint64 seen = 0;
    Reason error = Reason::BadValue;

    enum Got { Absent, Present, Failed };

    bool has(Field f) const { return ((seen >> f) & 1) != 0 && slots[f].kind != Kind::Null; }

    Got fail(Reason r)
    {
        error = r;
        return Failed;
    }

    Got string(Field f, std::string &out, bool required)
    {
        out.clear();
        if (!has(f))
            return required ? fail(Reason::MissingField) : Absent;
        if (slots[f].kind != Kind::String)
            return fail(Reason::BadFieldType);
        decodeString(slots[f], out);
        return Present;
    }

    // A name: non-empty, at most maxNameBytes, no control characters, no '|' or ',' (they frame series keys).
    Got name(Field f, std::string &out, bool required)
    {
        const Got got = string(f, out, required);
        if (got != Present)
            return got;
        return checkName(out) ? Present : Failed;
    }

    bool checkName(const std::string &s)
    {
        if (s.empty()) {
            error = Reason::BadName;
            return false;
        }
        if (qsizetype(s.size()) > m_limits.maxNameBytes) {
            error = Reason::NameTooLong;
            return false;
        }
        for (const char c : s) {
            if (uchar(c) < 0x20 || c == 0x7F || c == '|' || c == ',') {
                error = Reason::BadName;
                return false;
            }
        }
        return true;
    }

    Got text(Field f, std::string &out, bool required)
    {
        const Got got = string(f, out, required);
        if (got == Present && qsizetype(out.size()) > m_limits.maxTextBytes)
            return fail(Reason::BadValue);
        return got;
    }

    static bool toDouble(const Span &s, double &out)
    {
        // Clinger's fast path: up to 15 digits are exact in a double, and so is 10^k for k <= 22, so one division is
        // correctly rounded. Most numbers producers send qualify; the rest go to std::from_chars.
        static constexpr double kPow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
            1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
        const char *p = s.begin;
        const bool negative = *p == '-';
        p += negative;
        quint64 mantissa = 0;
        int digits = 0;
        int fraction = 0;
        for (; p < s.end && isDigit(*p); ++p, ++digits)
            mantissa = mantissa * 10 + quint64(*p - '0');
        if (p < s.end && *p == '.') {
            for (++p; p < s.end && isDigit(*p); ++p, ++digits, ++fraction)
                mantissa = mantissa * 10 + quint64(*p - '0');
        }
        if (p == s.end && digits <= 15) {
            const double v = double(mantissa) / kPow10[fraction];
            out = negative ? -v : v;
            return true;
        }
        const auto [ptr, ec] = std::from_chars(s.begin, s.end, out, std::chars_format::general);
        return ec == std::errc() && ptr == s.end && std::isfinite(out);
    }

    // A finite number in [min, max].
    Got number(Field f, double &out, bool required, double min = -HUGE_VAL, double max = HUGE_VAL)
    {
        if (!has(f))
            return required ? fail(Reason::MissingField) : Absent;
        if (slots[f].kind != Kind::Number)
            return fail(Reason::BadFieldType);
        double v = 0;
        if (!toDouble(slots[f], v) || v < min || v > max)
            return fail(Reason::BadValue);
        out = v;
        return Present;
    }

    // A number with an integral value in [min, max]; 3 and 3.0 and 3e0 alike.
    Got integer(Field f, qint64 &out, bool required, qint64 min, qint64 max)
    {
        double v = 0;
        const Got got = number(f, v, required, double(min), double(max));
        if (got != Present)
            return got;
        if (std::trunc(v) != v)
            return fail(Reason::BadValue);
        out = qint64(v);
        return Present;
    }

    Got optionalInteger(Field f, std::optional<qint64> &out)
    {
        out.reset();
        qint64 v = 0;
        const Got got = integer(f, v, false, 0, qint64(1) << 53);
        if (got == Present)
            out = v;
        return got;
    }

    Got boolean(Field f, bool &out, bool required)
    {
        if (!has(f))
            return required ? fail(Reason::MissingField) : Absent;
        if (slots[f].kind != Kind::True && slots[f].kind != Kind::False)
            return fail(Reason::BadFieldType);
        out = slots[f].kind == Kind::True;
        return Present;
    }

    // Unix seconds, not more than maxFutureSeconds after now.
    Got unixSeconds(Field f, double &out, bool required)
    {
        const Got got = number(f, out, required);
        if (got != Present)
            return got;
        if (!(out > 0) || out * 1000.0 > double(m_nowMs) + double(m_limits.maxFutureSeconds) * 1000.0)
            return fail(Reason::TimestampOutOfRange);
        return Present;
    }

    bool tags(std::vector<NativeRecord::Tag> &out)
    {
        out.clear();
        if (!has(FTags))
            return true;
        if (slots[FTags].kind != Kind::Object) {
            error = Reason::BadFieldType;
            return false;
        }
        return Scanner::forEachMember(slots[FTags], [&](const Span &key, const Span &value) {
            if (qsizetype(out.size()) >= m_limits.maxTags) {
                error = Reason::TooManyTags;
                return false;
            }
            if (value.kind != Kind::String) {
                error = Reason::BadFieldType;
                return false;
            }
            out.emplace_back();
            NativeRecord::Tag &tag = out.back();
            decodeString(key, tag.key);
            decodeString(value, tag.value);
            if (tag.key.empty()) {
                error = Reason::BadTag;
                return false;
            }
            for (const char c : tag.key) {
                if (uchar(c) < 0x20 || c == 0x7F || c == '|' || c == ',' || c == ':') {
                    error = Reason::BadTag;
                    return false;
                }
            }
            for (const char c : tag.value) {
                if (uchar(c) < 0x20 || c == 0x7F || c == '|' || c == ',') {
                    error = Reason::BadTag;
                    return false;
                }
            }
            if (qsizetype(tag.key.size()) + 1 + qsizetype(tag.value.size()) > m_limits.maxTagBytes) {
                error = Reason::TagTooLong;
                return false;
            }
            for (size_t i = 0; i + 1 < out.size(); ++i) {
                if (out[i].key == tag.key) {
                    error = Reason::DuplicateKey;
                    return false;
                }
            }
            return true;
        });
    }

    bool steps(std::vector<NativeRecord::Step> &out)
    {
        out.clear();
        if (!has(FSteps))
            return true;
        if (slots[FSteps].kind != Kind::Array) {
            error = Reason::BadFieldType;
            return false;
        }
        return Scanner::forEachElement(slots[FSteps], [&](const Span &element) {
            if (qsizetype(out.size()) >= m_limits.maxSteps) {
                error = Reason::TooManySteps;
                return false;
            }
            if (element.kind != Kind::Object) {
                error = Reason::BadFieldType;
                return false;
            }
            Decoder step(m_limits, m_nowMs);
            bool ok = Scanner::forEachMember(element, [&](const Span &key, const Span &value) {
                const std::string_view k(key.begin, size_t(key.end - key.begin));
                const Field f = k == "name" ? FName
                    : k == "start"          ? FStart
                    : k == "elapsed_s"      ? FElapsedS
                    : k == "success"        ? FSuccess
                                            : FieldCount;
                if (key.escaped || f == FieldCount)
                    return true; // unknown member, ignored
                if ((step.seen >> f) & 1) {
                    step.error = Reason::DuplicateKey;
                    return false;
                }
                step.seen |= quint64(1) << f;
                step.slots[f] = value;
                return true;
            });
            out.emplace_back();
            NativeRecord::Step &s = out.back();
            s.success = true;
            ok = ok && step.name(FName, s.name, true) == Present && step.unixSeconds(FStart, s.start, true) == Present
                && step.number(FElapsedS, s.elapsedS, true, 0) == Present
                && step.boolean(FSuccess, s.success, false) != Failed;
            if (!ok)
                error = step.error;
            return ok;
        });
    }

    // A run's samples (docs/protocol.md, `run`): an array of at most maxSamples flat objects, each with a `ts`, an
    // optional ISO 8601 `timestamp`, and members that are numbers, short strings, booleans or null. Keeps the array's
    // text as sent: it is valid JSON once the scan accepted the line.
    bool telemetry(std::string &out, qint64 &count)
    {
        out.clear();
        count = 0;
        if (!has(FTelemetry))
            return true;
        const Span &array = slots[FTelemetry];
        if (array.kind != Kind::Array) {
            error = Reason::BadFieldType;
            return false;
        }
        const bool ok = Scanner::forEachElement(array, [&](const Span &element) {
            if (count >= m_limits.maxSamples) {
                error = Reason::TooManySamples;
                return false;
            }
            ++count;
            return sample(element);
        });
        if (ok)
            out.assign(array.begin, size_t(array.end - array.begin));
        return ok;
    }

    bool sample(const Span &element)
    {
        if (element.kind != Kind::Object) {
            error = Reason::BadFieldType;
            return false;
        }
        Decoder one(m_limits, m_nowMs);
        qsizetype members = 0;
        std::string key;
        bool ok = Scanner::forEachMember(element, [&](const Span &k, const Span &value) {
            if (++members > m_limits.maxSampleMembers) {
                one.error = Reason::BadValue;
                return false;
            }
            decodeString(k, key);
            if (key == "ts" || key == "timestamp") {
                const Field f = key == "ts" ? FTs : FName;
                if ((one.seen >> f) & 1) {
                    one.error = Reason::DuplicateKey;
                    return false;
                }
                one.seen |= quint64(1) << f;
                one.slots[f] = value;
                return true;
            }
            if (value.kind == Kind::Object || value.kind == Kind::Array) {
                one.error = Reason::BadFieldType;
                return false;
            }
            double number = 0;
            if (value.kind == Kind::Number && !toDouble(value, number)) {
                one.error = Reason::BadValue; // out of double range, as anywhere else
                return false;
            }
            if (value.kind == Kind::String && value.end - value.begin > m_limits.maxNameBytes) {
                decodeString(value, key); // escapes make the text shorter than its span: measure what it says
                if (qsizetype(key.size()) > m_limits.maxNameBytes) {
                    one.error = Reason::BadValue;
                    return false;
                }
            }
            return true;
        });
        double ts = 0;
        std::string timestamp;
        ok = ok && one.unixSeconds(FTs, ts, true) == Present && one.string(FName, timestamp, false) != Failed;
        if (ok && qsizetype(timestamp.size()) > m_limits.maxTimestampBytes) {
            one.error = Reason::BadValue;
            ok = false;
        }
        if (!ok)
            error = one.error;
        return ok;
    }

    // The fields every work record but `op` shares, after the type's own (`op` keeps its historical order).
    Got outcome(NativeRecord::Outcome &o, bool withOpCode)
    {
        o.opCode.clear();
        if ((withOpCode && name(FOpCode, o.opCode, false) == Failed) || name(FTenant, o.tenant, false) == Failed
            || text(FGuid, o.guid, false) == Failed)
            return Failed;
        if (!o.guid.empty() && !isCanonicalGuid(o.guid))
            return fail(Reason::BadValue);
        if (string(FError, o.error, false) == Failed || name(FErrorCategory, o.errorCategory, false) == Failed)
            return Failed;
        o.errorTruncated = truncateChars(o.error, m_limits.maxErrorChars);
        return Present;
    }

    const Limits &m_limits;
    qint64 m_nowMs;
};

std::optional<NativeRecord::Type> typeFromName(std::string_view name)
{
    using Type = NativeRecord::Type;
    if (name == "metric")
        return Type::Metric;
    if (name == "op")
        return Type::Op;
    if (name == "run")
        return Type::Run;
    if (name == "sample")
        return Type::Sample;
    if (name == "prediction")
        return Type::Prediction;
    if (name == "quality")
        return Type::Quality;
    if (name == "baseline")
        return Type::Baseline;
    if (name == "api_call")
        return Type::ApiCall;
    if (name == "notification")
        return Type::Notification;
    return std::nullopt;
}

std::optional<MetricKind> kindFromName(std::string_view name)
{
    if (name == "counter")
        return MetricKind::Counter;
    if (name == "gauge")
        return MetricKind::Gauge;
    if (name == "timer")
        return MetricKind::Timer;
    if (name == "distribution")
        return MetricKind::Distribution;
    return std::nullopt;
}

constexpr qint64 kMaxInt53 = qint64(1) << 53;

} // namespace

const char *NdjsonRecord::reasonCode(Reason reason)
{
    switch (reason) {
    case Reason::LineTooLong:
        return "line_too_long";
    case Reason::InvalidUtf8:
        return "invalid_utf8";
    case Reason::BadJson:
        return "bad_json";
    case Reason::TooDeep:
        return "too_deep";
    case Reason::NotAnObject:
        return "not_an_object";
    case Reason::DuplicateKey:
        return "duplicate_key";
    case Reason::MissingField:
        return "missing_field";
    case Reason::BadFieldType:
        return "bad_field_type";
    case Reason::UnknownType:
        return "unknown_type";
    case Reason::UnsupportedVersion:
        return "unsupported_version";
    case Reason::BadName:
        return "bad_name";
    case Reason::NameTooLong:
        return "name_too_long";
    case Reason::BadValue:
        return "bad_value";
    case Reason::TimestampOutOfRange:
        return "timestamp_out_of_range";
    case Reason::BadTag:
        return "bad_tag";
    case Reason::TagTooLong:
        return "tag_too_long";
    case Reason::TooManyTags:
        return "too_many_tags";
    case Reason::TooManySteps:
        return "too_many_steps";
    case Reason::TooManySamples:
        return "too_many_samples";
    case Reason::Count_:
        break;
    }
    return "unknown";
}

const char *NativeRecord::typeName(Type type)
{
    switch (type) {
    case Type::Metric:
        return "metric";
    case Type::Op:
        return "op";
    case Type::Run:
        return "run";
    case Type::Sample:
        return "sample";
    case Type::Prediction:
        return "prediction";
    case Type::Quality:
        return "quality";
    case Type::Baseline:
        return "baseline";
    case Type::ApiCall:
        return "api_call";
    case Type::Notification:
        return "notification";
    }
    return "unknown";
}

QStringList NativeRecord::tagList() const
{
    QStringList out;
    out.reserve(qsizetype(tags.size()));
    for (const Tag &tag : tags) {
        QString text = QString::fromUtf8(tag.key.data(), qsizetype(tag.key.size()));
        if (!tag.value.empty())
            text += QLatin1Char(':') + QString::fromUtf8(tag.value.data(), qsizetype(tag.value.size()));
        out.push_back(std::move(text));
    }
    normalizeTags(out);
    return out;
}

std::optional<NdjsonRecord::Reason> NdjsonRecord::parse(
    QByteArrayView line, NativeRecord &out, const Limits &limits, qint64 nowMs)
{
    if (line.size() > limits.maxLineBytes)
        return Reason::LineTooLong;

    Scanner scan(line.data(), line.data() + line.size(), limits.maxDepth);
    Decoder d(limits, nowMs);
    std::string keyScratch;

    // Phase 1: the whole line's syntax, and a span for every known top-level field.
    scan.skipWs();
    if (scan.atEnd())
        return Reason::BadJson;
    if (*scan.p != '{') {
        Span value {};
        if (!scan.scanValue(value, 0))
            return scan.error;
        scan.skipWs();
        return scan.atEnd() ? Reason::NotAnObject : Reason::BadJson;
    }
    ++scan.p;
    scan.skipWs();
    if (!scan.atEnd() && *scan.p == '}') {
        ++scan.p;
    } else {
        for (;;) {
            Span key {}, value {};
            if (scan.atEnd() || *scan.p != '"')
                return Reason::BadJson;
            if (!scan.scanString(key))
                return scan.error;
            scan.skipWs();
            if (!scan.expect(':'))
                return scan.error;
            scan.skipWs();
            if (!scan.scanValue(value, 1))
                return scan.error;
            std::string_view k(key.begin, size_t(key.end - key.begin));
            if (key.escaped) {
                decodeString(key, keyScratch);
                k = keyScratch;
            }
            const int f = kFields.find(k);
            if (f >= 0) {
                if ((d.seen >> f) & 1)
                    return Reason::DuplicateKey;
                d.seen |= quint64(1) << f;
                d.slots[size_t(f)] = value;
            }
            scan.skipWs();
            if (scan.atEnd())
                return Reason::BadJson;
            if (*scan.p == ',') {
                ++scan.p;
                scan.skipWs();
                continue;
            }
            if (*scan.p == '}') {
                ++scan.p;
                break;
            }
            return Reason::BadJson;
        }
    }
    scan.skipWs();
    if (!scan.atEnd())
        return Reason::BadJson;

    // Phase 2: type and version, then the type's fields in document order, then ts and tags.
    using Type = NativeRecord::Type;
    using Got = Decoder::Got;
    if (!d.has(FType))
        return Reason::MissingField;
    if (d.slots[FType].kind != Kind::String)
        return Reason::BadFieldType;
    decodeString(d.slots[FType], keyScratch);
    const auto type = typeFromName(keyScratch);
    if (!type)
        return Reason::UnknownType;
    out.type = *type;
    if (d.has(FV)) {
        qint64 v = 0;
        if (d.integer(FV, v, true, -kMaxInt53, kMaxInt53) == Got::Failed)
            return d.error;
        if (v != version)
            return Reason::UnsupportedVersion;
    }

    switch (*type) {
    case Type::Metric: {
        NativeRecord::Metric &m = out.metric;
        if (d.name(FName, m.name, true) == Got::Failed)
            return d.error;
        if (!d.has(FKind))
            return Reason::MissingField;
        if (d.slots[FKind].kind != Kind::String)
            return Reason::BadFieldType;
        decodeString(d.slots[FKind], keyScratch);
        const auto kind = kindFromName(keyScratch);
        if (!kind)
            return Reason::BadValue;
        m.kind = *kind;
        if (d.number(FValue, m.value, true) == Got::Failed)
            return d.error;
        if (m.kind == MetricKind::Timer && m.value < 0)
            return Reason::BadValue;
        if (d.name(FUnit, m.unit, false) == Got::Failed)
            return d.error;
        m.rate = 1.0;
        if (d.number(FRate, m.rate, false, 1e-6, 1.0) == Got::Failed)
            return d.error;
        break;
    }
    case Type::Op: {
        NativeRecord::Op &o = out.op;
        if (d.name(FName, o.name, true) == Got::Failed || d.name(FOpCode, o.opCode, false) == Got::Failed
            || d.name(FTenant, o.tenant, false) == Got::Failed || d.text(FGuid, o.guid, false) == Got::Failed
            || d.text(FTarget, o.target, false) == Got::Failed || d.optionalInteger(FItems, o.items) == Got::Failed
            || d.number(FElapsedS, o.elapsedS, true, 0) == Got::Failed)
            return d.error;
        if (!o.guid.empty() && !isCanonicalGuid(o.guid))
            return Reason::BadValue;
        o.itemsPerS = NativeRecord::absent;
        o.memoryMb = NativeRecord::absent;
        o.fileSizeMb = NativeRecord::absent;
        if (d.number(FItemsPerS, o.itemsPerS, false, 0) == Got::Failed
            || d.number(FMemoryMb, o.memoryMb, false, 0) == Got::Failed
            || d.number(FFileSizeMb, o.fileSizeMb, false, 0) == Got::Failed
            || d.optionalInteger(FCacheHits, o.cacheHits) == Got::Failed
            || d.optionalInteger(FApiCalls, o.apiCalls) == Got::Failed
            || d.boolean(FSuccess, o.success, true) == Got::Failed || d.string(FError, o.error, false) == Got::Failed
            || d.name(FErrorCategory, o.errorCategory, false) == Got::Failed)
            return d.error;
        if (std::isnan(o.itemsPerS) && o.items && o.elapsedS > 0)
            o.itemsPerS = double(*o.items) / o.elapsedS;
        o.errorTruncated = truncateChars(o.error, limits.maxErrorChars);
        break;
    }
    case Type::Run: {
        NativeRecord::Run &r = out.run;
        if (d.name(FWorkflow, r.workflow, true) == Got::Failed || d.unixSeconds(FStart, r.start, true) == Got::Failed
            || d.unixSeconds(FEnd, r.end, true) == Got::Failed)
            return d.error;
        if (r.end < r.start)
            return Reason::BadValue;
        r.executionS = r.end - r.start;
        if (d.number(FExecutionS, r.executionS, false, 0) == Got::Failed
            || d.boolean(FSuccess, r.success, true) == Got::Failed)
            return d.error;
        if (!d.steps(r.steps))
            return d.error;
        r.stepsFailed = qint64(std::count_if(r.steps.begin(), r.steps.end(), [](const auto &s) { return !s.success; }));
        r.memoryMb = NativeRecord::absent;
        if (d.outcome(r, false) == Got::Failed
            || d.integer(FStepsFailed, r.stepsFailed, false, 0, kMaxInt53) == Got::Failed
            || d.number(FMemoryMb, r.memoryMb, false, 0) == Got::Failed
            || d.optionalInteger(FRetries, r.retries) == Got::Failed
            || d.name(FExecutionMode, r.executionMode, false) == Got::Failed
            || !d.telemetry(r.telemetry, r.telemetryCount)
            || d.optionalInteger(FTelemetryDropped, r.telemetryDropped) == Got::Failed)
            return d.error;
        break;
    }
    case Type::ApiCall: {
        NativeRecord::ApiCall &a = out.apiCall;
        a.status.reset();
        a.requestKb = a.responseKb = NativeRecord::absent;
        a.cacheHit = false;
        qint64 status = 0;
        Got gotStatus = Got::Absent;
        if (d.name(FEndpoint, a.endpoint, true) == Got::Failed || d.name(FMethod, a.method, false) == Got::Failed
            || (gotStatus = d.integer(FStatus, status, false, 0, 999)) == Got::Failed
            || d.number(FRequestKb, a.requestKb, false, 0) == Got::Failed
            || d.number(FResponseKb, a.responseKb, false, 0) == Got::Failed
            || d.number(FElapsedS, a.elapsedS, true, 0) == Got::Failed
            || d.boolean(FCacheHit, a.cacheHit, false) == Got::Failed
            || d.boolean(FSuccess, a.success, true) == Got::Failed || d.outcome(a, true) == Got::Failed)
            return d.error;
        if (gotStatus == Got::Present)
            a.status = status;
        break;
    }
    case Type::Notification: {
        NativeRecord::Notification &n = out.notification;
        if (d.name(FChannel, n.channel, true) == Got::Failed
            || d.optionalInteger(FRecipients, n.recipients) == Got::Failed
            || d.optionalInteger(FDelivered, n.delivered) == Got::Failed
            || d.optionalInteger(FFailed, n.failed) == Got::Failed
            || d.optionalInteger(FQueueDepth, n.queueDepth) == Got::Failed
            || d.number(FElapsedS, n.elapsedS, true, 0) == Got::Failed
            || d.boolean(FSuccess, n.success, true) == Got::Failed || d.outcome(n, true) == Got::Failed)
            return d.error;
        break;
    }
    case Type::Sample: {
        NativeRecord::Sample &s = out.sample;
        s.gpuPercent = NativeRecord::absent;
        s.gpuMemMb = NativeRecord::absent;
        if (d.integer(FPid, s.pid, true, 1, 0x7FFFFFFF) == Got::Failed
            || d.number(FCpuPercent, s.cpuPercent, true, 0) == Got::Failed
            || d.number(FRssMb, s.rssMb, true, 0) == Got::Failed || d.number(FVmsMb, s.vmsMb, true, 0) == Got::Failed
            || d.integer(FThreads, s.threads, true, 0, 0x7FFFFFFF) == Got::Failed
            || d.number(FGpuPercent, s.gpuPercent, false, 0, 100) == Got::Failed
            || d.number(FGpuMemMb, s.gpuMemMb, false, 0) == Got::Failed)
            return d.error;
        break;
    }
    case Type::Prediction: {
        NativeRecord::Prediction &p = out.prediction;
        p.score = NativeRecord::absent;
        p.value = NativeRecord::absent;
        p.truthValue = NativeRecord::absent;
        p.truthLabel.clear();
        if (d.name(FModel, p.model, true) == Got::Failed || d.number(FScore, p.score, false, 0, 1) == Got::Failed
            || d.text(FLabel, p.label, false) == Got::Failed || d.number(FValue, p.value, false) == Got::Failed)
            return d.error;
        if (std::isnan(p.score) && std::isnan(p.value) && !d.has(FLabel))
            return Reason::MissingField;
        if (qsizetype(p.label.size()) > limits.maxNameBytes)
            return Reason::BadValue;
        if (d.has(FTruth)) {
            if (d.slots[FTruth].kind == Kind::String) {
                if (d.text(FTruth, p.truthLabel, false) == Got::Failed)
                    return d.error;
                if (qsizetype(p.truthLabel.size()) > limits.maxNameBytes)
                    return Reason::BadValue;
            } else if (d.number(FTruth, p.truthValue, false) == Got::Failed) {
                return d.error;
            }
        }
        if (d.text(FId, p.id, false) == Got::Failed)
            return d.error;
        if (qsizetype(p.id.size()) > limits.maxNameBytes)
            return Reason::BadValue;
        break;
    }
    case Type::Quality:
    case Type::Baseline: {
        NativeRecord::Score &s = out.score;
        if (d.name(FModel, s.model, true) == Got::Failed || d.name(FMetric, s.metric, true) == Got::Failed
            || d.number(FValue, s.value, true) == Got::Failed)
            return d.error;
        s.source.clear();
        s.spread = s.n = s.start = s.end = NativeRecord::absent;
        if (out.type == Type::Baseline) {
            // Optional: where the figure comes from, its spread and chunk count, and the window it was formed from.
            if (d.name(FSource, s.source, false) == Got::Failed || d.number(FSpread, s.spread, false, 0) == Got::Failed
                || d.number(FN, s.n, false, 0) == Got::Failed || d.unixSeconds(FStart, s.start, false) == Got::Failed
                || d.unixSeconds(FEnd, s.end, false) == Got::Failed)
                return d.error;
            if (s.start == s.start && s.end == s.end && s.end < s.start)
                return Reason::BadValue; // a window that ends before it starts
        }
        break;
    }
    }

    double ts = 0;
    const Got gotTs = d.unixSeconds(FTs, ts, false);
    if (gotTs == Got::Failed)
        return d.error;
    out.hasTimestamp = gotTs == Got::Present;
    out.timestampMs = out.hasTimestamp ? qint64(std::floor(ts * 1000.0)) : nowMs;
    if (!d.tags(out.tags))
        return d.error;
    // Producers that only tag their module (SDKs before op_code, hand-written lines) still tell modules apart in the
    // operations table. A tag value is always a valid name: same bytes allowed, shorter.
    NativeRecord::Outcome *work = out.type == NativeRecord::Type::Op ? &out.op
        : out.type == NativeRecord::Type::ApiCall      ? static_cast<NativeRecord::Outcome *>(&out.apiCall)
        : out.type == NativeRecord::Type::Notification ? &out.notification
                                                       : nullptr;
    if (work && work->opCode.empty()) {
        for (const NativeRecord::Tag &tag : out.tags) {
            if (tag.key == "module") {
                work->opCode = tag.value;
                break;
            }
        }
    }
    return std::nullopt;
}

} // namespace perfdash
