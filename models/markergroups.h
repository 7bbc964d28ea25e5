// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rangesource.h"

#include <QVector>

namespace perfdash {

// Markers too close together to tell apart on screen (a run every 5 s over an hour), drawn as one summary marker
// ("12 runs") whose hover text lists them. Pure; any thread.
struct MarkerGroup {
    qint64 timeMs = 0; // the first member's time: where the group is drawn
    qint64 lastMs = 0; // the last member's time
    QVector<int> members; // indices into the markers grouped, in time order
    int failures = 0;
};

// Groups the markers that overlap [fromMs, toMs] (a run by its span) so that each group starts at least minGapMs
// after the previous one started: a marker joins the open group while it is within minGapMs of the group's first.
// markers need not be sorted.
QVector<MarkerGroup> groupMarkers(const QVector<TimeMarker> &markers, qint64 fromMs, qint64 toMs, qint64 minGapMs);

} // namespace perfdash
