// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: builds one native record, a JSON object on one line (docs/protocol.md, ingest.sock).
// Strings are escaped and made valid UTF-8; numbers use std::to_chars. A value object: one per thread.

#include "perfdash/format.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace perfdash::client {

using Tags = std::map<std::string, std::string>;

// The largest integer an integer field takes (docs/protocol.md, Numbers).
constexpr uint64_t kMaxJsonInteger = uint64_t(1) << 53;

// A count as a JSON integer field's value: larger ones are sent as kMaxJsonInteger.
inline int64_t jsonInteger(uint64_t n)
{
    return int64_t(std::min(n, kMaxJsonInteger));
}

class JsonLine {
public:
    explicit JsonLine(std::string_view type)
    {
        m_text.reserve(512);
        m_text.append("{\"type\":");
        appendString(type);
        m_text.append(",\"v\":1");
    }

    JsonLine &field(std::string_view key, std::string_view value)
    {
        appendKey(key);
        appendString(value);
        return *this;
    }
    JsonLine &field(std::string_view key, const char *value) { return field(key, std::string_view(value)); }
    JsonLine &field(std::string_view key, const std::string &value) { return field(key, std::string_view(value)); }
    // A non-finite number is left out: JSON has no NaN, and the field is then simply unknown.
    JsonLine &field(std::string_view key, double value)
    {
        if (!std::isfinite(value))
            return *this;
        appendKey(key);
        appendNumber(value);
        return *this;
    }
    JsonLine &field(std::string_view key, int64_t value)
    {
        appendKey(key);
        char buf[24];
        const auto end = std::to_chars(buf, buf + sizeof(buf), value).ptr;
        m_text.append(buf, end);
        return *this;
    }
    JsonLine &field(std::string_view key, bool value)
    {
        appendKey(key);
        m_text.append(value ? "true" : "false");
        return *this;
    }

    // Tags as the protocol wants them: keys without ':', neither keys nor values with ',', '|' or control
    // characters (each becomes '_'), at most 64, each "key:value" at most 200 bytes (longer ones are left out).
    JsonLine &tags(const Tags &tags)
    {
        if (tags.empty())
            return *this;
        appendKey("tags");
        m_text.push_back('{');
        int n = 0;
        for (const auto &[key, value] : tags) {
            std::string k = sanitizeName(key);
            for (char &c : k) {
                if (c == ':')
                    c = '_';
            }
            std::string v = validUtf8(value);
            for (char &c : v) {
                const auto u = static_cast<unsigned char>(c);
                if (c == '|' || c == ',' || u < 0x20 || u == 0x7F)
                    c = '_';
            }
            if (k.size() + 1 + v.size() > kMaxNameBytes || n == 64)
                continue;
            if (n++ > 0)
                m_text.push_back(',');
            appendString(k);
            m_text.push_back(':');
            appendString(v);
        }
        m_text.push_back('}');
        return *this;
    }

    // Raw JSON (an array built elsewhere); the caller vouches for it.
    JsonLine &raw(std::string_view key, std::string_view json)
    {
        appendKey(key);
        m_text.append(json);
        return *this;
    }

    // The finished line, without its '\n'.
    std::string finish() &&
    {
        m_text.push_back('}');
        return std::move(m_text);
    }

    static void appendEscaped(std::string &out, std::string_view s)
    {
        static constexpr char hex[] = "0123456789abcdef";
        out.push_back('"');
        for (size_t i = 0; i < s.size();) {
            // Copy a run of plain printable ASCII at once: most text is nothing else.
            size_t plain = i;
            while (plain < s.size()) {
                const auto p = static_cast<unsigned char>(s[plain]);
                if (p < 0x20 || p >= 0x7F || p == '"' || p == '\\')
                    break;
                ++plain;
            }
            if (plain > i) {
                out.append(s.substr(i, plain - i));
                i = plain;
                continue;
            }
            const char c = s[i];
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0x80) {
                // Invalid UTF-8 would get the whole record rejected: each bad byte becomes U+FFFD.
                const size_t n = detail::utf8SequenceLength(s, i);
                if (n == 0) {
                    out.append("\xEF\xBF\xBD");
                    ++i;
                } else {
                    out.append(s.substr(i, n));
                    i += n;
                }
                continue;
            }
            ++i;
            if (c == '"' || c == '\\') {
                out.push_back('\\');
                out.push_back(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (u < 0x20 || u == 0x7F) {
                out.append("\\u00");
                out.push_back(hex[u >> 4]);
                out.push_back(hex[u & 15]);
            } else {
                out.push_back(c);
            }
        }
        out.push_back('"');
    }

    static void appendNumber(std::string &out, double value)
    {
        char buf[32];
        const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
        out.append(buf, ec == std::errc() ? end : buf);
    }

private:
    void appendKey(std::string_view key)
    {
        m_text.push_back(',');
        appendString(key);
        m_text.push_back(':');
    }
    void appendString(std::string_view s) { appendEscaped(m_text, s); }
    void appendNumber(double value) { appendNumber(m_text, value); }

    std::string m_text;
};

} // namespace perfdash::client
