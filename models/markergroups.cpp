// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/markergroups.h"

#include <algorithm>

namespace perfdash {

QVector<MarkerGroup> groupMarkers(const QVector<TimeMarker> &markers, qint64 fromMs, qint64 toMs, qint64 minGapMs)
{
    QVector<int> order;
    for (int i = 0; i < markers.size(); ++i) {
        if (std::max(markers[i].endMs, markers[i].timeMs) >= fromMs && markers[i].timeMs <= toMs)
            order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return markers[a].timeMs < markers[b].timeMs; });
    QVector<MarkerGroup> groups;
    for (int i : std::as_const(order)) {
        const TimeMarker &m = markers[i];
        // A run that began before the range is drawn at the range's start.
        const qint64 at = std::max(m.timeMs, fromMs);
        if (groups.isEmpty() || at - groups.last().timeMs >= minGapMs)
            groups.push_back({ at, at, {}, 0 });
        MarkerGroup &g = groups.last();
        g.lastMs = at;
        g.members.push_back(i);
        g.failures += m.failure ? 1 : 0;
    }
    return groups;
}

} // namespace perfdash
