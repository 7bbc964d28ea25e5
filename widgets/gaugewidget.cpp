// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/gaugewidget.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

GaugeWidget::GaugeWidget(const QString &caption, QWidget *parent)
    : QWidget(parent)
    , m_caption(caption)
    , m_text(u"–"_s)
    , m_fraction(std::numeric_limits<double>::quiet_NaN())
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void GaugeWidget::setValue(double fraction, const QString &text, const QString &detail)
{
    if ((fraction == m_fraction || (std::isnan(fraction) && std::isnan(m_fraction))) && text == m_text
        && detail == m_detail)
        return;
    m_fraction = fraction;
    m_text = text;
    m_detail = detail;
    setToolTip(detail.isEmpty() ? m_caption : m_caption % u": "_s % detail);
    update();
}

void GaugeWidget::setScope(const QString &scope)
{
    if (scope == m_scope)
        return;
    m_scope = scope;
    update();
}

QSize GaugeWidget::sizeHint() const
{
    return { 130, 118 };
}

QSize GaugeWidget::minimumSizeHint() const
{
    return { 96, 92 };
}

void GaugeWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    const QFontMetrics fm(font());
    const int captionHeight = fm.height() + 2;
    const QRectF area = QRectF(rect()).adjusted(6, 6, -6, -6 - captionHeight);
    const double side = std::min(area.width(), area.height() * 1.25);
    const QRectF arcRect(area.center().x() - side / 2, area.top() + 4, side, side);
    const double thickness = std::max(6.0, side / 10);
    const QRectF ring = arcRect.adjusted(thickness / 2, thickness / 2, -thickness / 2, -thickness / 2);
    // 240° of arc from lower left, clockwise.
    QPen track(dark ? QColor(0x44, 0x47, 0x4d) : QColor(0xe3, 0xe5, 0xe8), thickness, Qt::SolidLine, Qt::RoundCap);
    p.setPen(track);
    p.drawArc(ring, 210 * 16, -240 * 16);
    const bool has = std::isfinite(m_fraction);
    if (has) {
        const double f = std::clamp(m_fraction, 0.0, 1.0);
        // Disabled (the collector stopped): a grey arc, so nothing on screen passes for current.
        const QColor color = !isEnabled() ? QColor(0x95, 0xa5, 0xa6)
            : f >= 0.9                    ? QColor(0xe7, 0x4c, 0x3c)
            : f >= 0.7                    ? QColor(0xf3, 0x9c, 0x12)
                                          : QColor(0x2e, 0x86, 0xde);
        QPen fill(color, thickness, Qt::SolidLine, Qt::RoundCap);
        p.setPen(fill);
        if (f > 0)
            p.drawArc(ring, 210 * 16, -int(std::lround(240 * 16 * f)));
    }
    QFont valueFont = font();
    valueFont.setBold(true);
    valueFont.setPointSizeF(valueFont.pointSizeF() * 1.15);
    p.setFont(valueFont);
    p.setPen(has ? pal.color(QPalette::WindowText) : pal.color(QPalette::PlaceholderText));
    const QFontMetricsF valueMetrics(valueFont);
    p.drawText(ring, Qt::AlignCenter, m_text);
    if (!m_scope.isEmpty()) {
        // Under the value, inside the ring: elided to the ring's inner width rather than drawn over the arc.
        QFont scopeFont = font();
        scopeFont.setPointSizeF(scopeFont.pointSizeF() * 0.85);
        p.setFont(scopeFont);
        p.setPen(pal.color(QPalette::PlaceholderText));
        const QFontMetricsF scopeMetrics(scopeFont);
        const double inner = ring.width() - thickness - 4;
        const QRectF line(ring.left() + (ring.width() - inner) / 2, ring.center().y() + valueMetrics.height() / 2,
            inner, scopeMetrics.height());
        p.drawText(line, Qt::AlignHCenter | Qt::AlignTop, scopeMetrics.elidedText(m_scope, Qt::ElideRight, inner));
    }
    p.setFont(font());
    p.setPen(pal.color(QPalette::PlaceholderText));
    p.drawText(
        QRectF(0, height() - captionHeight - 4, width(), captionHeight), Qt::AlignHCenter | Qt::AlignTop, m_caption);
}

} // namespace perfdash
