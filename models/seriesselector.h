// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace perfdash {

// A series selector as users type it: `name` or `name{tag=value,...}` (tag order irrelevant, values may be
// double-quoted). It matches every series of that name whose tags include all the listed ones. Plain value type.
struct SeriesSelector {
    QString name;
    QStringList tags; // "tag:value", sorted, as in series keys

    // nullopt with a message naming the problem for bad input.
    static std::optional<SeriesSelector> parse(const QString &text, QString *error);
    bool matches(const QString &seriesKey) const;
    // A canonical series key written back in selector form: "api.latency{model=m1,status=ok}".
    static QString displayName(const QString &seriesKey);
};

} // namespace perfdash
