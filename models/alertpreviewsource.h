// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevaluator.h"

#include <QMetaType>
#include <QObject>

namespace perfdash {

// One rule replayed over stored history for the rule editor's preview: what the collector's own evaluator would have
// done over (from, to]. Plain value type; crosses from the replay's thread to the GUI's.
struct AlertPreview {
    AlertRule rule;
    qint64 from = 0, to = 0; // unix seconds
    qint64 interval = 60; // the evaluation interval the replay used
    AlertReplay::RuleResult result;

    // The instance a chart shows: the one that fired most (the first in name order on a tie), else the first that has
    // samples; empty when the rule applied to nothing in the range.
    QString mainInstance() const;
    // The firings of that instance as [start, end] in unix seconds; a firing still open at `to` ends there.
    QVector<QPair<qint64, qint64>> firingSpans(const QString &instance) const;
};

// Replays rules for the preview, off the GUI thread. Answers carry the generation of their request: the caller keeps
// the newest and drops the rest (STYLE 8). An implementation runs at most one replay at a time; a request made while
// one runs replaces any request still waiting, so only the newest runs next. app/ implements it over storage
// (AlertPreviewWorker). Created and called on the GUI thread; its signals arrive there.
class AlertPreviewSource : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertPreviewSource)
public:
    using QObject::QObject;
    ~AlertPreviewSource() override = default;

    virtual void requestPreview(const AlertRule &rule, qint64 from, qint64 to, quint64 generation) = 0;

Q_SIGNALS:
    void previewReady(quint64 generation, const perfdash::AlertPreview &preview);
    void previewFailed(quint64 generation, const QString &message);
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::AlertPreview)
