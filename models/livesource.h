// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevent.h"
#include "models/seriesstats.h"

#include <QObject>
#include <QStringList>

namespace perfdash {

// Where live frames come from, as the GUI sees it. The live-socket client implements it; app/ wires it.
// Signals are emitted on the thread the source lives in; receivers in the GUI get them queued.
class LiveSource : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveSource)
public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    using QObject::QObject;
    ~LiveSource() override = default;

    // Asks for the mergeable QuantileSketch of these series (timers and distributions) in every frame from now on,
    // in SeriesStats::sketch, so a window's quantiles can be merged (SeriesSummary::fromStats). Replaces the previous
    // list; an empty list stops it. A source that cannot deliver sketches ignores it. Call on the source's thread.
    virtual void followSketches(const QStringList &keys) { Q_UNUSED(keys) }
    // Asks for these series in full from now on, and for every other series its count alone (SeriesStats::count and
    // rate; the other statistics NaN): what a view that shows a few series and lists the rest needs. Replaces the
    // previous list. A source that cannot ignores it and keeps sending every series whole. Call on its thread.
    virtual void subscribe(const QStringList &keys) { Q_UNUSED(keys) }

Q_SIGNALS:
    void frameReceived(const perfdash::LiveFrame &frame);
    void stateChanged(perfdash::LiveSource::State state, const QString &detail);
    // Transitions of the collector's alerts, as they happen (docs/protocol.md, "alert").
    void alertEvents(const QVector<perfdash::AlertEvent> &events);
};

} // namespace perfdash
