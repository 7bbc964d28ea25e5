// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace perfdash {

// A series selector as users type it (docs/series.md): `name` or `name{tag=value,...}` (tag order irrelevant, values
// may be double-quoted). It matches every series of that name whose tags include all the listed ones. In the name and
// in tag values `*` matches any run of characters (possibly none) and `?` one character; there is no escape, so `?`
// is how a literal `*` or `?` is matched. `tag=*` asks for the tag with any value. Tag names take no wildcards.
// Plain value type: matches() reads name and tags as they are, so a selector filled in field by field (as
// AlertEvaluator does with a rule's parts) matches as the parsed one would. Any thread.
struct SeriesSelector {
    QString name;
    QStringList tags; // "tag:value", sorted, as in series keys

    // nullopt with a message naming the problem for bad input.
    static std::optional<SeriesSelector> parse(const QString &text, QString *error);
    bool matches(const QString &seriesKey) const;
    // True when the name or a tag value holds `*` or `?`.
    bool hasWildcards() const;
    // A canonical series key written back in selector form: "api.latency{model=m1,status=ok}".
    static QString displayName(const QString &seriesKey);
};

} // namespace perfdash
