// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QVarLengthArray>

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

// The same on UTF-8 views, for the ingest paths, which build keys without a QString per line.
using TagViews = QVarLengthArray<QByteArrayView, 64>;
void normalizeTags(TagViews &tags);
// The canonical key as UTF-8 from a name and normalized tags: SeriesKey::toString()'s bytes, written into a reused
// buffer so that a series can be looked up without allocating.
void assignKeyBytes(QByteArray &out, QByteArrayView name, const TagViews &tags);

} // namespace perfdash
