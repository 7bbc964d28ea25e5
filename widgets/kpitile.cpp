// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/kpitile.h"

#include "widgets/theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
// The tile's text lines give way to a narrow window: shown elided, whole in the tooltip and to the accessors.
const char *const kFullText = "perfdashFullText";

void setLine(QLabel *label, const QString &text)
{
    label->setProperty(kFullText, text);
    const int width = label->contentsRect().width();
    label->setText(width > 20 ? label->fontMetrics().elidedText(text, Qt::ElideRight, width) : text);
}

QString fullText(const QLabel *label)
{
    return label->property(kFullText).toString();
}
} // namespace

KpiTile::KpiTile(const QString &caption, QWidget *parent)
    : QFrame(parent)
    , m_caption(new QLabel(caption, this))
    , m_value(new QLabel(QStringLiteral("–"), this))
    , m_detail(new QLabel(this))
    , m_delta(new QLabel(this))
    , m_baseline(new QLabel(this))
    , m_status(new QLabel(this))
    , m_alert(new QLabel(this))
{
    setFrameShape(QFrame::StyledPanel);
    // Preferred, not Fixed, vertically: tiles in a row share its height when one shows an alert line.
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
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
    m_baseline->setTextFormat(Qt::PlainText);
    m_baseline->setForegroundRole(QPalette::PlaceholderText);
    m_baseline->hide();
    m_status->setTextFormat(Qt::PlainText);
    m_status->setAlignment(Qt::AlignCenter);
    m_status->hide();
    // The chip sits next to the value, which is short, rather than on a line of its own: tiles keep their height.
    auto *valueRow = new QHBoxLayout;
    valueRow->setSpacing(6);
    valueRow->addWidget(m_value);
    valueRow->addStretch(1);
    valueRow->addWidget(m_status, 0, Qt::AlignVCenter);
    layout->addWidget(m_caption);
    layout->addLayout(valueRow);
    layout->addWidget(m_detail);
    layout->addWidget(m_delta);
    layout->addWidget(m_baseline);
    m_alert->setTextFormat(Qt::PlainText); // not bold: the frame and the colour carry the weight, the words need room
    m_alert->hide();
    layout->addWidget(m_alert);
    layout->addStretch(1); // a tile stretched to its row's height keeps its lines at the top
    for (QLabel *line : { m_detail, m_delta, m_baseline, m_alert }) {
        line->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        line->setMinimumWidth(60);
    }
}

void KpiTile::resizeEvent(QResizeEvent *event)
{
    QFrame::resizeEvent(event);
    for (QLabel *line : { m_detail, m_delta, m_baseline, m_alert })
        setLine(line, fullText(line));
}

void KpiTile::setValue(const QString &value, const QString &detail, bool muted)
{
    m_value->setText(value);
    setLine(m_detail, detail);
    m_detail->setToolTip(detail);
    m_muted = muted;
    m_value->setForegroundRole(muted ? QPalette::PlaceholderText : QPalette::WindowText);
}

void KpiTile::setDelta(const QString &text, Tone tone, const QString &toolTip)
{
    setLine(m_delta, text.isEmpty() ? QStringLiteral(" ") : text); // keeps the tile's height steady
    m_delta->setToolTip(toolTip.isEmpty() ? text : text % u"\n"_s % toolTip);
    m_tone = tone;
    applyColors();
}

void KpiTile::setBaseline(const QString &baselineText, const QString &deltaText, Status status, const QString &toolTip)
{
    const bool shown = !baselineText.isEmpty();
    const QString line = !shown || deltaText.isEmpty() ? baselineText : baselineText % u" · "_s % deltaText;
    setLine(m_baseline, line);
    m_baseline->setToolTip(toolTip.isEmpty() ? line : line % u"\n"_s % toolTip);
    m_baseline->setVisible(shown);
    m_statusValue = shown ? status : Status::None;
    m_status->setText(statusText());
    m_status->setToolTip(toolTip);
    m_status->setVisible(m_statusValue != Status::None);
    applyColors();
}

QString KpiTile::baselineText() const
{
    return m_baseline->isVisibleTo(this) ? fullText(m_baseline) : QString();
}

QString KpiTile::statusText() const
{
    switch (m_statusValue) {
    case Status::None:
        return {};
    case Status::Ok:
        return tr("ok");
    case Status::Degraded:
        return tr("degraded");
    case Status::Breached:
        return tr("breached");
    }
    return {};
}

QColor KpiTile::statusColor() const
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    switch (m_statusValue) {
    case Status::None:
        return palette().color(QPalette::PlaceholderText);
    case Status::Ok:
        return themeColor(ThemeColor::Good, dark);
    case Status::Degraded:
        return themeColor(ThemeColor::Warning, dark);
    case Status::Breached:
        return themeColor(ThemeColor::Bad, dark);
    }
    return {};
}

void KpiTile::setAlert(const QString &text, AlertRule::Severity severity, const QString &toolTip)
{
    const bool shown = !text.isEmpty();
    if (shown == m_hasAlert && severity == m_alertSeverity && fullText(m_alert) == text)
        return;
    m_hasAlert = shown;
    m_alertSeverity = severity;
    setLine(m_alert, text);
    m_alert->setToolTip(toolTip.isEmpty() ? text : text % u"\n"_s % toolTip);
    m_alert->setVisible(shown);
    applyColors();
    update();
}

QString KpiTile::alertText() const
{
    return m_hasAlert ? fullText(m_alert) : QString();
}

QColor KpiTile::alertColor() const
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    switch (m_alertSeverity) {
    case AlertRule::Severity::Critical:
        return themeColor(ThemeColor::Bad, dark);
    case AlertRule::Severity::Warning:
        return themeColor(ThemeColor::Warning, dark);
    case AlertRule::Severity::Info:
        break;
    }
    return palette().color(QPalette::Highlight);
}

void KpiTile::paintEvent(QPaintEvent *event)
{
    QFrame::paintEvent(event);
    if (!m_hasAlert)
        return;
    // Over the styled panel's own frame: two pixels, so it reads at a glance across the room.
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(QPen(alertColor(), 2.0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRoundedRect(QRectF(rect()).adjusted(1, 1, -1, -1), 3, 3);
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
        color = themeColor(ThemeColor::Good, dark);
    else if (m_tone == Tone::Bad)
        color = themeColor(ThemeColor::Bad, dark);
    p.setColor(QPalette::WindowText, color);
    m_delta->setPalette(p);
    QPalette alert = m_alert->palette();
    alert.setColor(QPalette::WindowText, alertColor());
    m_alert->setPalette(alert);
    // The chip: its colour on a faint wash of itself, with a border, so it reads on either theme.
    const QColor chip = statusColor();
    QColor wash = chip;
    wash.setAlphaF(dark ? 0.22 : 0.12);
    m_status->setStyleSheet(
        u"QLabel { color: %1; background-color: %2; border: 1px solid %1; border-radius: 3px; "
        "padding: 0px 4px; font-weight: bold; }"_s.arg(chip.name(QColor::HexRgb),
            u"rgba(%1, %2, %3, %4)"_s.arg(wash.red()).arg(wash.green()).arg(wash.blue()).arg(wash.alpha())));
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
    return fullText(m_detail);
}

QString KpiTile::deltaText() const
{
    return fullText(m_delta).trimmed();
}

} // namespace perfdash
