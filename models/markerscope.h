// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rangesource.h"
#include "models/sourcecatalog.h"

#include <QStringList>

namespace perfdash {

// Which timeline markers belong on a source's charts: events tagged with the source (model:, service:, pid: or
// source:, as sourcesOf() reads series), runs of a workflow that one of the source's series names (workflow:), and
// events tagged with no source at all (a deploy, a machine-wide check), which belong everywhere. One model's failed
// runs never land on another's charts. A default scope (no source) takes every marker. Pure value; any thread.
class MarkerScope {
public:
    MarkerScope() = default;
    // seriesKeys: the source's series, whose workflow: tags name its runs.
    static MarkerScope of(const SourceRef &source, const QStringList &seriesKeys);

    bool contains(const TimeMarker &marker) const;
    QVector<TimeMarker> filter(const QVector<TimeMarker> &markers) const;
    const SourceRef &source() const { return m_source; }

private:
    SourceRef m_source; // invalid: every marker
    QStringList m_workflows; // sorted
};

} // namespace perfdash
