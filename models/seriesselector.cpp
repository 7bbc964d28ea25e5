// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/seriesselector.h"

#include "models/serieskey.h"

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

std::optional<SeriesSelector> SeriesSelector::parse(const QString &input, QString *error)
{
    const QString text = input.trimmed();
    const auto fail = [error](const QString &message) -> std::optional<SeriesSelector> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    SeriesSelector out;
    const qsizetype brace = text.indexOf(u'{');
    out.name = (brace < 0 ? text : text.left(brace)).trimmed();
    if (out.name.isEmpty())
        return fail(u"the selector \"%1\" has no series name (expected name{tag=value,...})"_s.arg(input));
    if (out.name.contains(u'}') || out.name.contains(u'|') || out.name.contains(u','))
        return fail(u"the series name \"%1\" contains '}', '|' or ','"_s.arg(out.name));
    if (brace < 0)
        return out;
    if (!text.endsWith(u'}'))
        return fail(u"the selector \"%1\" does not end with '}'"_s.arg(input));
    const QString inner = text.mid(brace + 1, text.size() - brace - 2);
    if (inner.contains(u'{') || inner.contains(u'}'))
        return fail(u"the selector \"%1\" has nested braces"_s.arg(input));
    if (inner.trimmed().isEmpty())
        return out;
    for (const QString &part : inner.split(u',')) {
        const qsizetype eq = part.indexOf(u'=');
        if (eq < 0)
            return fail(u"\"%1\" in the selector is not tag=value"_s.arg(part.trimmed()));
        const QString tag = part.left(eq).trimmed();
        QString value = part.mid(eq + 1).trimmed();
        if (value.size() >= 2 && value.startsWith(u'"') && value.endsWith(u'"'))
            value = value.mid(1, value.size() - 2);
        if (tag.isEmpty())
            return fail(u"\"%1\" in the selector has an empty tag name"_s.arg(part.trimmed()));
        if (tag.contains(u':'))
            return fail(u"the tag name \"%1\" in the selector contains ':' (tags are name=value)"_s.arg(tag));
        out.tags.push_back(value.isEmpty() ? tag : tag % u':' % value);
    }
    normalizeTags(out.tags);
    return out;
}

bool SeriesSelector::matches(const QString &seriesKey) const
{
    const SeriesKey key = SeriesKey::fromString(seriesKey);
    if (key.name != name)
        return false;
    for (const QString &tag : tags) {
        if (!key.tags.contains(tag))
            return false;
    }
    return true;
}

QString SeriesSelector::displayName(const QString &seriesKey)
{
    const SeriesKey key = SeriesKey::fromString(seriesKey);
    if (key.tags.isEmpty())
        return key.name;
    QStringList tags;
    for (const QString &tag : key.tags) {
        const qsizetype colon = tag.indexOf(u':');
        tags.push_back(colon < 0 ? tag : tag.left(colon) % u'=' % tag.mid(colon + 1));
    }
    return key.name % u'{' % tags.join(u',') % u'}';
}

} // namespace perfdash
