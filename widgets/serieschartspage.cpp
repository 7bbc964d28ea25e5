// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/serieschartspage.h"

#include "models/seriesselector.h"
#include "widgets/chartgrid.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

QString pinsKey(const SourceRef &source)
{
    return u"pins/"_s + source.id();
}

} // namespace

SeriesChartsPage::SeriesChartsPage(SourceCharts::KindOf kindOf, QWidget *parent)
    : QWidget(parent)
    , m_kindOf(std::move(kindOf))
    , m_title(new QLabel(this))
    , m_pin(new QToolButton(this))
    , m_unpin(new QToolButton(this))
    , m_clear(new QToolButton(this))
    , m_grid(new ChartGrid(this))
{
    m_title->setTextFormat(Qt::PlainText);
    m_title->setWordWrap(true);
    m_pin->setText(tr("&Pin to this source"));
    m_pin->setToolTip(tr("Keep this chart on the source's Charts tab"));
    m_unpin->setText(tr("&Unpin"));
    m_unpin->setPopupMode(QToolButton::InstantPopup);
    m_unpin->setMenu(new QMenu(m_unpin));
    m_clear->setText(tr("C&lear"));
    m_clear->setToolTip(tr("Remove the picked series' chart"));
    connect(m_pin, &QToolButton::clicked, this, &SeriesChartsPage::pinPicked);
    connect(m_clear, &QToolButton::clicked, this, &SeriesChartsPage::clearPicked);
    connect(m_grid, &ChartGrid::exportRequested, this, &SeriesChartsPage::exportRequested);

    auto *header = new QHBoxLayout;
    header->setContentsMargins(8, 6, 8, 0);
    header->addWidget(m_title, 1);
    header->addWidget(m_pin);
    header->addWidget(m_unpin);
    header->addWidget(m_clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_grid, 1);
    m_grid->setEmptyText(tr("Pick a series in the Series list to chart it (Ctrl+click adds it to the chart)."));
    rebuild();
}

void SeriesChartsPage::setSource(const SourceRef &source, const QVector<ChartSpec> &sourceCharts)
{
    m_source = source;
    m_sourceCharts = sourceCharts;
    rebuild();
}

void SeriesChartsPage::pick(const QString &key, bool overlay)
{
    if (!overlay)
        m_picked.clear();
    if (!m_picked.contains(key))
        m_picked << key;
    rebuild();
}

void SeriesChartsPage::clearPicked()
{
    m_picked.clear();
    rebuild();
}

QList<QStringList> SeriesChartsPage::pins() const
{
    QList<QStringList> out;
    if (!m_source.isValid())
        return out;
    const QStringList stored = QSettings().value(pinsKey(m_source)).toStringList();
    for (const QString &chart : stored)
        out << chart.split(u'\n', Qt::SkipEmptyParts);
    return out;
}

void SeriesChartsPage::savePins(const QList<QStringList> &pins) const
{
    QStringList stored;
    for (const QStringList &keys : pins)
        stored << keys.join(u'\n');
    QSettings settings;
    if (stored.isEmpty())
        settings.remove(pinsKey(m_source));
    else
        settings.setValue(pinsKey(m_source), stored);
}

void SeriesChartsPage::pinPicked()
{
    if (m_picked.isEmpty() || !m_source.isValid())
        return;
    QList<QStringList> all = pins();
    if (!all.contains(m_picked))
        all << m_picked;
    savePins(all);
    m_picked.clear(); // it is on the page as a pinned chart now
    rebuild();
}

void SeriesChartsPage::unpin(int index)
{
    QList<QStringList> all = pins();
    if (index < 0 || index >= all.size())
        return;
    all.removeAt(index);
    savePins(all);
    rebuild();
}

QStringList SeriesChartsPage::keys() const
{
    return SourceCharts::keysOf(m_grid->charts());
}

void SeriesChartsPage::rebuild()
{
    QVector<ChartSpec> specs;
    if (!m_picked.isEmpty())
        specs << SourceCharts::forSeries(m_picked, m_kindOf);
    specs += m_sourceCharts;
    const QList<QStringList> pinned = pins();
    m_unpin->menu()->clear();
    for (int i = 0; i < pinned.size(); ++i) {
        ChartSpec spec = SourceCharts::forSeries(pinned[i], m_kindOf);
        spec.title = tr("Pinned: %1").arg(spec.title);
        specs << spec;
        m_unpin->menu()->addAction(spec.title, this, [this, i]() { unpin(i); });
    }
    m_grid->setCharts(specs);
    m_pin->setEnabled(!m_picked.isEmpty() && m_source.isValid());
    m_unpin->setEnabled(!pinned.isEmpty());
    m_clear->setEnabled(!m_picked.isEmpty());
    QString title = m_source.isValid() ? m_source.displayName() : tr("No source selected");
    if (!m_picked.isEmpty())
        title += u" · "_s
            + tr("picked: %1")
                  .arg(m_picked.size() == 1 ? SeriesSelector::displayName(m_picked.first())
                                            : tr("%n series", nullptr, int(m_picked.size())));
    m_title->setText(title);
    Q_EMIT chartsChanged();
}

void SeriesChartsPage::showData(const Kpi::PointLookup &points, qint64 fromMs, qint64 toMs, qint64 stepSeconds)
{
    m_grid->showData(points, fromMs, toMs, stepSeconds);
}

void SeriesChartsPage::setDarkTheme(bool dark)
{
    m_grid->setDarkTheme(dark);
}

} // namespace perfdash
