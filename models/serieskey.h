// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace perfdash {

// A series is a name plus a sorted, de-duplicated tag set. Its canonical key is "name" or "name|t1,t2".
struct SeriesKey {
    QString name;
    QStringList tags; // sorted bytewise, distinct

    QString toString() const;
    static SeriesKey fromString(const QString &key);
    // The value of tag "k:v" for k, or an empty string.
    QString tagValue(QStringView tagName) const;
};

// Sorts tags bytewise on their UTF-8 (code point order, as the StatsD parser does) and removes duplicates, in place.
void normalizeTags(QStringList &tags);

} // namespace perfdash
