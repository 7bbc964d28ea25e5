// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringDecoder>

namespace perfdash {

// QString::fromUtf8 drops a leading byte-order mark, but names, tags and texts are kept verbatim: two different keys
// must never become one string.
inline QString fromUtf8Verbatim(QByteArrayView utf8)
{
    if (!utf8.startsWith("\xef\xbb\xbf"))
        return QString::fromUtf8(utf8);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    return decoder.decode(utf8);
}

// Length of the strict UTF-8 (RFC 3629) sequence starting at p, a byte >= 0x80: 2 to 4, or 0 when it is invalid
// (overlong, a surrogate, above U+10FFFF, or cut short by end). Shared by every parser that takes text from outside.
inline int utf8SequenceLength(const uchar *p, const uchar *end)
{
    const uchar c = p[0];
    int extra = 0;
    uchar lo = 0x80, hi = 0xBF;
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
        return 0;
    }
    if (end - p <= extra || p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i <= extra; ++i) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    }
    return extra + 1;
}

} // namespace perfdash
