// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertrule.h"

#include <QMetaType>

namespace perfdash {

// The state of one alert (a rule on one model or series) and its transitions: inactive → pending → firing → resolved
// (docs/alerts.md). Driven by readings at evaluation times; no clock of its own, so tests and the replay step it
// with whatever times they like. Plain value type.
class AlertState {
public:
    enum class Phase { Inactive, Pending, Firing };
    // One evaluation, classified against the rule's threshold and recovery threshold: beyond the threshold
    // (Breaching), back on the safe side of the recovery threshold (Recovered), in between (hysteresis: a firing
    // alert keeps firing, a pending one is cancelled), or no value (what happens then is the rule's no-data policy).
    enum class Reading { Breaching, Between, Recovered, NoData };

    // What a step changed: from and to, at `time`. Pending → Inactive is a cancelled pending alert; Firing → Inactive
    // is a resolution.
    struct Change {
        Phase from = Phase::Inactive;
        Phase to = Phase::Inactive;
        qint64 time = 0;
    };

    // The name stored in alert_events.state: "pending", "firing", "resolved", or "inactive" (a pending alert that
    // never fired).
    static QString stateName(const Change &c);
    static QString phaseName(Phase p);

    // Applies one reading at `time` (not earlier than the previous one); returns the change, if any.
    std::optional<Change> step(qint64 time, Reading reading, const AlertRule &rule);
    // The state read back from the newest stored event (a restart): firing stays firing, pending keeps its start.
    void restore(Phase phase, qint64 since);

    Phase phase() const { return m_phase; }
    // When the current phase began (pending or firing), 0 when inactive.
    qint64 since() const { return m_since; }
    // When a firing alert's condition cleared (keep_firing_for counts from here); -1 while it has not.
    qint64 clearedAt() const { return m_clearedAt; }

private:
    Phase m_phase = Phase::Inactive;
    qint64 m_since = 0;
    qint64 m_clearedAt = -1;
};

} // namespace perfdash
