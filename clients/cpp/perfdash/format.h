// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: text helpers shared by the SDK. Pure functions, no allocation beyond their result, no
// locale: numbers go through std::to_chars. Safe from any thread.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace perfdash::client {

// The protocol's limits (docs/protocol.md, ingest.sock).
constexpr size_t kMaxErrorChars = 5000; // code points, marker included
constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxTextBytes = 4096;
constexpr size_t kMaxLineBytes = 1 << 20; // one record, its '\n' excluded
constexpr std::string_view kTruncatedMarker = "\xE2\x80\xA6[truncated]"; // "…[truncated]", 12 code points

// A fixed-point number with `decimals` digits after the point: "2.34". Non-finite values give "nan"/"inf".
inline std::string formatFixed(double value, int decimals)
{
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed, decimals);
    if (ec != std::errc())
        return value != value ? "nan" : "inf";
    return std::string(buf, end);
}

// The shortest text that reads back as the same double ("0.1", "1715000000.25").
inline std::string formatNumber(double value)
{
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

// "2.34 seconds": the execution_time_formatted of a performance record.
inline std::string formatSeconds(double seconds)
{
    return formatFixed(seconds, 2) + " seconds";
}

namespace detail {
// Unix seconds as ISO 8601 with milliseconds, in UTC ("Z") or in the local time zone with its offset ("+01:00").
inline std::string isoTime(double unixSeconds, bool local)
{
    if (!(unixSeconds >= 0) || unixSeconds > 253402300799.0) // year 9999
        return "";
    auto whole = static_cast<std::time_t>(unixSeconds);
    auto millis = static_cast<int>(std::lround((unixSeconds - double(whole)) * 1000.0));
    if (millis >= 1000) {
        ++whole;
        millis -= 1000;
    }
    std::tm tm {};
    if (local)
        localtime_r(&whole, &tm);
    else
        gmtime_r(&whole, &tm);
    char buf[40];
    const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out(buf, n);
    out.push_back('.');
    out.push_back(char('0' + millis / 100));
    out.push_back(char('0' + millis / 10 % 10));
    out.push_back(char('0' + millis % 10));
    if (!local) {
        out.push_back('Z');
        return out;
    }
    // ISO 8601 offsets have minutes at most: the seconds of a historical offset (LMT) are dropped.
    const long offset = tm.tm_gmtoff;
    const long minutes = (offset < 0 ? -offset : offset) / 60;
    out.push_back(offset < 0 ? '-' : '+');
    out.push_back(char('0' + minutes / 600));
    out.push_back(char('0' + minutes / 60 % 10));
    out.push_back(':');
    out.push_back(char('0' + minutes % 60 / 10));
    out.push_back(char('0' + minutes % 10));
    return out;
}
} // namespace detail

// Unix seconds as ISO 8601 UTC with milliseconds: "2024-05-01T12:00:00.123Z".
inline std::string isoUtc(double unixSeconds)
{
    return detail::isoTime(unixSeconds, false);
}

// Unix seconds as ISO 8601 local time with milliseconds and the local UTC offset: "2026-12-06T10:00:00.250+01:00"
// (a sample's `timestamp`). Reads the time zone as localtime_r does: a changed TZ counts after tzset().
inline std::string isoLocal(double unixSeconds)
{
    return detail::isoTime(unixSeconds, true);
}

namespace detail {
// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one (overlong, surrogate, above U+10FFFF).
inline size_t utf8SequenceLength(std::string_view s, size_t i)
{
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    if (c < 0x80)
        return 1;
    const size_t left = s.size() - i;
    const auto cont = [&](size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF)
        return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2))
            return 0;
        if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3))
            return 0;
        if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}
} // namespace detail

// Valid UTF-8: every invalid byte becomes U+FFFD, so one bad byte in an exception's text cannot get a whole record
// rejected as invalid_utf8.
inline std::string validUtf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    size_t run = 0; // start of the valid bytes not yet copied
    for (size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const size_t n = detail::utf8SequenceLength(s, i);
        if (n == 0) {
            out.append(s.substr(run, i - run)).append("\xEF\xBF\xBD");
            run = ++i;
        } else {
            i += n;
        }
    }
    out.append(s.substr(run));
    return out;
}

// Number of code points in valid UTF-8.
inline size_t codePoints(std::string_view utf8)
{
    size_t n = 0;
    for (unsigned char c : utf8)
        n += (c & 0xC0) != 0x80;
    return n;
}

// An error message as the protocol wants it: valid UTF-8 and at most maxChars code points. A longer one keeps its
// first maxChars - 12 code points and ends with "…[truncated]", so the marker always shows and the collector and
// the operations table never cut it again.
inline std::string truncateError(std::string_view message, size_t maxChars = kMaxErrorChars)
{
    // A code point takes at most 4 bytes: what lies beyond can never be kept, so it is not even looked at.
    const size_t most = (maxChars + 1) * 4;
    std::string text = validUtf8(message.size() > most ? message.substr(0, most) : message);
    if (codePoints(text) <= maxChars)
        return text;
    const size_t keep = maxChars > codePoints(kTruncatedMarker) ? maxChars - codePoints(kTruncatedMarker) : 0;
    size_t chars = 0, i = 0;
    for (; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == keep)
            break;
    }
    text.resize(i);
    text.append(kTruncatedMarker);
    return text;
}

// A name the collector accepts (docs/protocol.md, Names): '|', ',' and control characters become '_', at most
// 200 bytes cut on a character boundary, "unnamed" when empty.
inline std::string sanitizeName(std::string_view name)
{
    // The common case, a short printable ASCII name, is returned as it is.
    if (!name.empty() && name.size() <= kMaxNameBytes) {
        bool plain = true;
        for (char c : name) {
            const auto u = static_cast<unsigned char>(c);
            plain = plain && u >= 0x20 && u < 0x7F && c != '|' && c != ',';
        }
        if (plain)
            return std::string(name);
    }
    std::string out = validUtf8(name);
    for (char &c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '|' || c == ',' || u < 0x20 || u == 0x7F)
            c = '_';
    }
    if (out.size() > kMaxNameBytes) {
        size_t cut = kMaxNameBytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
            --cut;
        out.resize(cut);
    }
    return out.empty() ? std::string("unnamed") : out;
}

// ASCII letters in upper case, other bytes as they are: no locale, unlike std::toupper.
inline std::string asciiUpper(std::string_view s)
{
    std::string out(s);
    for (char &c : out) {
        if (c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
    }
    return out;
}

// Free text such as an op's target: valid UTF-8, at most maxBytes, cut on a character boundary.
inline std::string sanitizeText(std::string_view text, size_t maxBytes = kMaxTextBytes)
{
    std::string out = validUtf8(text);
    if (out.size() > maxBytes) {
        size_t cut = maxBytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
            --cut;
        out.resize(cut);
    }
    return out;
}

} // namespace perfdash::client
