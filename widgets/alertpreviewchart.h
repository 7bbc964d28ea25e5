// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertpreviewsource.h"

#include <QWidget>

namespace perfdash {

class TimeSeriesChart;

// The rule editor's preview chart: the rule's metric for one instance (AlertPreview::mainInstance) over the replayed
// range, its threshold and recovery lines as the evaluator placed them, and the spans where it would have fired,
// shaded. Draws what it is given through the chart adapter. GUI thread only.
class AlertPreviewChart : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertPreviewChart)
public:
    enum Line { LineMetric, LineThreshold, LineRecovery };

    explicit AlertPreviewChart(QWidget *parent = nullptr);

    void showPreview(const AlertPreview &preview);
    // No data to draw: the lines are cleared and the text is shown in the plot ("Replaying…", a failure) over the
    // range the preview covers (unix seconds).
    void showMessage(const QString &text, qint64 from, qint64 to);
    // A replay is on its way: the lines drawn stay until its answer (no flicker while typing); an empty plot says so.
    void showPending(const QString &text);
    void setDarkTheme(bool dark);
    TimeSeriesChart *chart() const { return m_chart; }

private:
    TimeSeriesChart *m_chart = nullptr;
};

} // namespace perfdash
