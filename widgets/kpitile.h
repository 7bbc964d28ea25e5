// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;

namespace perfdash {

// A small panel with a caption, a big value, a line of evidence (such as the sample count) and a delta against a
// reference. GUI thread only.
class KpiTile : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KpiTile)
public:
    enum class Tone { Neutral, Good, Bad };

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
    bool isMuted() const { return m_muted; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyColors();

    QLabel *m_caption;
    QLabel *m_value;
    QLabel *m_detail;
    QLabel *m_delta;
    bool m_muted = false;
    Tone m_tone = Tone::Neutral;
};

} // namespace perfdash
