// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesstats.h"

#include <QObject>

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

Q_SIGNALS:
    void frameReceived(const perfdash::LiveFrame &frame);
    void stateChanged(perfdash::LiveSource::State state, const QString &detail);
};

} // namespace perfdash
