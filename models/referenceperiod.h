// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/kpi.h"

#include <QString>

namespace perfdash {

// What a source's live figures are compared with until baselines exist: the previous clock hour, or, while storage
// holds no previous hour yet, the previous quarter hour. Pure value type; any thread.
struct ReferencePeriod {
    qint64 from = 0; // unix seconds
    qint64 to = 0;
    bool quarter = false;

    qint64 step() const { return to - from; } // asked of storage as one bucket: merged sketches, summed counts
    // The clock hour (or quarter hour) before the one nowSecond is in.
    static ReferencePeriod previousHour(qint64 nowSecond);
    static ReferencePeriod previousQuarter(qint64 nowSecond);
    QString label() const; // "prev. hour", or "13:15–13:30" in local time
};

// A reference's figures, from the same Kpi functions as the tiles (docs/metrics.md, "Deltas").
struct DashboardReference {
    QString label; // empty: no reference yet
    Kpi::Figures figures;
    bool isValid() const { return !label.isEmpty(); }
};

} // namespace perfdash
Q_DECLARE_METATYPE(perfdash::DashboardReference)
