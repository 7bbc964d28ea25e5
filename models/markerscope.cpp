// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/markerscope.h"

#include "models/serieskey.h"

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr QStringView workflowPrefix = u"workflow:";
}

MarkerScope MarkerScope::of(const SourceRef &source, const QStringList &seriesKeys)
{
    MarkerScope scope;
    scope.m_source = source;
    for (const QString &key : seriesKeys) {
        if (const QString w = SeriesKey::fromString(key).tagValue(u"workflow"); !w.isEmpty())
            scope.m_workflows << w;
    }
    scope.m_workflows.sort();
    scope.m_workflows.removeDuplicates();
    return scope;
}

bool MarkerScope::contains(const TimeMarker &marker) const
{
    if (!m_source.isValid())
        return true;
    bool tagged = false;
    for (const QString &tag : marker.tags) {
        if (tag.startsWith(workflowPrefix)) {
            tagged = true;
            if (std::binary_search(m_workflows.cbegin(), m_workflows.cend(), tag.mid(workflowPrefix.size())))
                return true;
        }
    }
    // The marker's tags read as a series' would be: the same sources, by the same rule.
    SeriesKey key { u"marker"_s, marker.tags };
    normalizeTags(key.tags);
    for (const SourceRef &owner : sourcesOf(key.toString())) {
        if (owner.kind == SourceRef::Kind::Other)
            continue;
        tagged = true;
        if (owner == m_source)
            return true;
    }
    return !tagged;
}

QVector<TimeMarker> MarkerScope::filter(const QVector<TimeMarker> &markers) const
{
    QVector<TimeMarker> out;
    std::copy_if(
        markers.cbegin(), markers.cend(), std::back_inserter(out), [this](const TimeMarker &m) { return contains(m); });
    return out;
}

} // namespace perfdash
