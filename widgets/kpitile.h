// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertrule.h"

#include <QFrame>

class QLabel;

namespace perfdash {

// A small panel with a caption, a big value, a line of evidence (such as the sample count), a delta against a
// reference period and, when given, a comparison with a baseline: a line of text and a status chip next to the value.
// The chip always shows its word ("ok", "degraded", "breached"), so colour is never the only cue. A firing alert on
// the tile's KPI draws a frame in its severity's colour and a line naming it ("⚠ latency_p95 above 100 ms
// (latency-high)"), so again the words say what the colour does. The tile formats what it is given; the owner computes
// the figures and the status. GUI thread only.
class KpiTile : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KpiTile)
public:
    enum class Tone { Neutral, Good, Bad };
    enum class Status { None, Ok, Degraded, Breached };

    explicit KpiTile(const QString &caption, QWidget *parent = nullptr);

    // muted greys the value out: shown, but not to be trusted (too few samples).
    void setValue(const QString &value, const QString &detail, bool muted = false);
    // Empty text hides the delta line.
    void setDelta(const QString &text, Tone tone = Tone::Neutral, const QString &toolTip = {});
    QString caption() const;
    QString valueText() const;
    QString detailText() const;
    QString deltaText() const;
    Tone deltaTone() const { return m_tone; }
    // The baseline line reads "baselineText · deltaText" ("baseline 22.5 ms · +7 %"); Status::None shows no chip.
    // Empty baselineText hides the line and the chip.
    void setBaseline(const QString &baselineText, const QString &deltaText, Status status, const QString &toolTip = {});
    QString baselineText() const; // the whole line as shown; empty when hidden
    Status status() const { return m_statusValue; }
    QString statusText() const; // the chip's word; empty when there is no chip
    QColor statusColor() const; // the chip's text and border colour
    bool isMuted() const { return m_muted; }
    // A firing alert on this KPI: the frame and the line in the severity's colour. Empty text removes it.
    void setAlert(const QString &text, AlertRule::Severity severity, const QString &toolTip = {});
    bool hasAlert() const { return m_hasAlert; }
    QString alertText() const; // the whole line as shown; empty without an alert
    AlertRule::Severity alertSeverity() const { return m_alertSeverity; }
    QColor alertColor() const; // the frame's and the line's colour

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    void applyColors();

    QLabel *m_caption;
    QLabel *m_value;
    QLabel *m_detail;
    QLabel *m_delta;
    QLabel *m_baseline;
    QLabel *m_status;
    QLabel *m_alert;
    bool m_hasAlert = false;
    AlertRule::Severity m_alertSeverity = AlertRule::Severity::Info;
    bool m_muted = false;
    Tone m_tone = Tone::Neutral;
    Status m_statusValue = Status::None;
};

} // namespace perfdash
