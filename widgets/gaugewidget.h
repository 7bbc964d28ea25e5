// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace perfdash {

// A resource gauge: an arc filled to value / maximum, the value in its middle, what the maximum is under the value
// ("of 8 cores", "of 24 GB": the scope) and a caption under the arc. Painted with
// QPainter in logical coordinates, so it stays sharp at any device pixel ratio. GUI thread only.
class GaugeWidget : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GaugeWidget)
public:
    explicit GaugeWidget(const QString &caption, QWidget *parent = nullptr);

    // fraction in [0, 1] fills the arc; text is what the middle says. NaN fraction: no value ("–").
    void setValue(double fraction, const QString &text, const QString &detail = {});
    double fraction() const { return m_fraction; }
    QString valueText() const { return m_text; }
    QString detailText() const { return m_detail; }
    void setScope(const QString &scope);
    QString scopeText() const { return m_scope; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_caption;
    QString m_text;
    QString m_detail;
    QString m_scope;
    double m_fraction;
};

} // namespace perfdash
