// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/serieskey.h"

#include <algorithm>
#include <cstring>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

QString SeriesKey::toString() const
{
    if (tags.isEmpty())
        return name;
    return name % u'|' % tags.join(u',');
}

SeriesKey SeriesKey::fromString(const QString &key)
{
    SeriesKey out;
    const auto bar = key.indexOf(u'|');
    if (bar < 0) {
        out.name = key;
        return out;
    }
    out.name = key.left(bar);
    out.tags = key.mid(bar + 1).split(u',', Qt::SkipEmptyParts);
    return out;
}

QString SeriesKey::tagValue(QStringView tagName) const
{
    for (const auto &tag : tags) {
        if (tag.size() > tagName.size() && tag.startsWith(tagName) && tag.at(tagName.size()) == u':')
            return tag.mid(tagName.size() + 1);
    }
    return {};
}

void normalizeTags(QStringList &tags)
{
    // Bytewise on UTF-8, as the StatsD parser sorts: QString's UTF-16 order would differ for characters from U+E000
    // up, and the same series would get two keys depending on where it came from.
    std::sort(tags.begin(), tags.end(), [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
}

void normalizeTags(TagViews &tags)
{
    if (tags.size() < 2)
        return;
    // memcmp compares unsigned bytes, which for UTF-8 is code point order.
    const auto less = [](QByteArrayView a, QByteArrayView b) {
        const int c = std::memcmp(a.data(), b.data(), size_t(std::min(a.size(), b.size())));
        return c < 0 || (c == 0 && a.size() < b.size());
    };
    std::sort(tags.begin(), tags.end(), less);
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
}

void assignKeyBytes(QByteArray &out, QByteArrayView name, const TagViews &tags)
{
    qsizetype size = name.size();
    for (const auto &tag : tags)
        size += tag.size() + 1;
    out.resize(size);
    char *p = out.data();
    if (!name.isEmpty())
        std::memcpy(p, name.data(), size_t(name.size()));
    p += name.size();
    char separator = '|';
    for (const auto &tag : tags) {
        *p++ = separator;
        separator = ',';
        if (!tag.isEmpty())
            std::memcpy(p, tag.data(), size_t(tag.size()));
        p += tag.size();
    }
}

} // namespace perfdash
