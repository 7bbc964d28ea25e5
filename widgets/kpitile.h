// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;

namespace perfdash {

// A small panel with a caption, a big value and a line of evidence (such as the sample count).
class KpiTile : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KpiTile)
public:
    explicit KpiTile(const QString &caption, QWidget *parent = nullptr);

    // muted greys the value out: shown, but not to be trusted (too few samples).
    void setValue(const QString &value, const QString &detail, bool muted = false);
    QString valueText() const;
    QString detailText() const;
    bool isMuted() const { return m_muted; }

private:
    QLabel *m_caption;
    QLabel *m_value;
    QLabel *m_detail;
    bool m_muted = false;
};

} // namespace perfdash
