// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/kpitile.h"

#include <QEvent>
#include <QLabel>
#include <QVBoxLayout>

namespace perfdash {

KpiTile::KpiTile(const QString &caption, QWidget *parent)
    : QFrame(parent)
    , m_caption(new QLabel(caption, this))
    , m_value(new QLabel(QStringLiteral("–"), this))
    , m_detail(new QLabel(this))
    , m_delta(new QLabel(this))
{
    setFrameShape(QFrame::StyledPanel);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(2);
    QFont valueFont = m_value->font();
    valueFont.setPointSizeF(valueFont.pointSizeF() * 1.6);
    valueFont.setBold(true);
    m_value->setFont(valueFont);
    m_caption->setForegroundRole(QPalette::PlaceholderText);
    m_detail->setForegroundRole(QPalette::PlaceholderText);
    m_detail->setWordWrap(false);
    m_delta->setTextFormat(Qt::PlainText);
    layout->addWidget(m_caption);
    layout->addWidget(m_value);
    layout->addWidget(m_detail);
    layout->addWidget(m_delta);
}

void KpiTile::setValue(const QString &value, const QString &detail, bool muted)
{
    m_value->setText(value);
    m_detail->setText(detail);
    m_detail->setToolTip(detail);
    m_muted = muted;
    m_value->setForegroundRole(muted ? QPalette::PlaceholderText : QPalette::WindowText);
}

void KpiTile::setDelta(const QString &text, Tone tone, const QString &toolTip)
{
    m_delta->setText(text.isEmpty() ? QStringLiteral(" ") : text); // keeps the tile's height steady
    m_delta->setToolTip(toolTip);
    m_tone = tone;
    applyColors();
}

void KpiTile::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyColors();
}

void KpiTile::applyColors()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    QPalette p = m_delta->palette();
    QColor color = palette().color(QPalette::PlaceholderText);
    if (m_tone == Tone::Good)
        color = dark ? QColor(0x58, 0xd6, 0x8d) : QColor(0x1e, 0x84, 0x49);
    else if (m_tone == Tone::Bad)
        color = dark ? QColor(0xff, 0x7b, 0x6b) : QColor(0xc0, 0x39, 0x2b);
    p.setColor(QPalette::WindowText, color);
    m_delta->setPalette(p);
}

QString KpiTile::caption() const
{
    return m_caption->text();
}

QString KpiTile::valueText() const
{
    return m_value->text();
}

QString KpiTile::detailText() const
{
    return m_detail->text();
}

QString KpiTile::deltaText() const
{
    return m_delta->text().trimmed();
}

} // namespace perfdash
