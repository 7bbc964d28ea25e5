// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesstats.h"

#include <QObject>
#include <QStringList>

namespace perfdash {

// Where stored history comes from, as the GUI sees it. storage/ implements it off the GUI thread.
// Every answer carries the generation of its request, so the caller can drop answers it no longer wants.
class HistorySource : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistorySource)
public:
    using QObject::QObject;
    ~HistorySource() override = default;

    // Asks for the one-second statistics in [fromSecond, toSecond] of the series in `keys` (empty: every series).
    // Thread-safe; answers asynchronously.
    virtual void requestRange(qint64 fromSecond, qint64 toSecond, quint64 generation, const QStringList &keys = {}) = 0;

Q_SIGNALS:
    void rangeReady(quint64 generation, const QVector<perfdash::LiveFrame> &frames);
    void failed(quint64 generation, const QString &message);
};

} // namespace perfdash
