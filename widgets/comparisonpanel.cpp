// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/comparisonpanel.h"

#include "widgets/theme.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStringBuilder>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

ComparisonPanel::ComparisonPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels(
        { tr("KPI"), tr("Current"), tr("Baseline"), tr("Δ"), tr("Status"), tr("Trend (7 d)"), tr("Projection") });
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);
    auto *buttons = new QHBoxLayout;
    m_pin = new QPushButton(tr("Use the &view's range as baseline"), this);
    m_pin->setToolTip(tr("Every KPI's figure over the range the charts show becomes the model's baseline"));
    m_rebaseline = new QPushButton(tr("&Re-baseline (new deploy)"), this);
    m_rebaseline->setToolTip(
        tr("Latency and error-rate baselines form again from the next 24 h; the old versions are kept"));
    m_expected = new QPushButton(tr("Set &expected throughput…"), this);
    buttons->addWidget(m_pin);
    buttons->addWidget(m_rebaseline);
    buttons->addWidget(m_expected);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(m_pin, &QPushButton::clicked, this, &ComparisonPanel::pinRangeRequested);
    connect(m_rebaseline, &QPushButton::clicked, this, &ComparisonPanel::rebaselineRequested);
    connect(m_expected, &QPushButton::clicked, this, &ComparisonPanel::expectedThroughputRequested);
    setMessage(tr("Baselines and trends are kept per model: pick a model in the Sources list."));
}

void ComparisonPanel::setMessage(const QString &text)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

QString ComparisonPanel::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void ComparisonPanel::setActionsEnabled(bool enabled, const QString &why)
{
    for (auto *b : { m_pin, m_rebaseline, m_expected }) {
        b->setEnabled(enabled);
        if (!why.isEmpty())
            b->setStatusTip(why);
    }
}

void ComparisonPanel::setOutlook(
    const ModelOutlook &outlook, const QHash<QString, double> &currents, const QString &window)
{
    m_table->setRowCount(0);
    if (!outlook.isValid()) {
        setMessage(tr("Baselines and trends are kept per model: pick a model in the Sources list."));
        return;
    }
    QString text = tr("%1 · current: %2 · trends over the last 7 days of hourly figures · limits from seed 001 "
                      "(PERF_* variables)")
                       .arg(outlook.model, window);
    if (!outlook.origin.isEmpty())
        text += tr(" · read from %1").arg(outlook.origin);
    setMessage(text);
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    for (const KpiOutlook &k : outlook.kpis) {
        const double current = currents.value(k.kpi, Baseline::nan);
        const Baseline::Comparison c = Baseline::compare(k.kpi, current, k.baseline, m_limits);
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const auto set = [&](Column col, const QString &text, const QString &tip = {}) {
            auto *item = new QTableWidgetItem(text);
            item->setToolTip(tip.isEmpty() ? text : tip);
            m_table->setItem(row, col, item);
            return item;
        };
        const KpiCatalog::Definition *def = KpiCatalog::find(k.kpi);
        set(ColKpi, def ? def->caption : k.kpi, k.kpi);
        set(ColCurrent, KpiCatalog::format(k.kpi, current));
        const Baseline::Resolved &b = k.baseline;
        QString baselineText = b.exists ? KpiCatalog::format(k.kpi, b.value) : u"–"_s;
        if (const double band = Baseline::bandOf(k.kpi, b); std::isfinite(band) && band > 0)
            baselineText += u" ± "_s + KpiCatalog::format(k.kpi, band);
        if (b.exists)
            baselineText += u" · "_s + b.describeShort();
        QString baselineTip = b.exists ? KpiCatalog::format(k.kpi, b.value) % u" · "_s % b.describe() : baselineText;
        if (std::isfinite(k.limit))
            baselineTip += tr("\nlimit %1").arg(KpiCatalog::format(k.kpi, k.limit));
        set(ColBaseline, baselineText, baselineTip);
        set(ColDelta, Baseline::describeDelta(k.kpi, c));
        QTableWidgetItem *status = set(ColStatus, Baseline::statusName(c.status));
        if (c.status == Baseline::Status::Breached)
            status->setForeground(themeColor(ThemeColor::Bad, dark));
        else if (c.status == Baseline::Status::Degraded)
            status->setForeground(themeColor(ThemeColor::Warning, dark));
        else if (c.status == Baseline::Status::Ok)
            status->setForeground(themeColor(ThemeColor::Good, dark));
        QString trend = k.fit.sufficient ? k.fit.label : tr("–");
        QString trendTip = k.fit.sufficient
            ? tr("%1 per day (95 %: %2 to %3), %4 points since %5, confidence %6")
                  .arg(KpiCatalog::format(k.kpi, k.fit.slopePerDay), KpiCatalog::format(k.kpi, k.fit.slopeLowPerDay),
                      KpiCatalog::format(k.kpi, k.fit.slopeHighPerDay))
                  .arg(k.fit.n)
                  .arg(QDateTime::fromSecsSinceEpoch(k.fit.since).toString(u"d MMM HH:mm"_s))
                  .arg(QLocale().toString(k.fit.confidence, 'f', 2))
            : k.fit.insufficient;
        if (k.fit.levelShift)
            trendTip += tr("\nlevel shift at %1: only the data after it is used")
                            .arg(QDateTime::fromSecsSinceEpoch(k.fit.shiftAt).toString(u"d MMM HH:mm"_s));
        set(ColTrend, trend, trendTip);
        set(ColProjection, k.projection);
    }
}

int ComparisonPanel::rowOf(const QString &kpi) const
{
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (m_table->item(r, ColKpi)->toolTip() == kpi)
            return r;
    }
    return -1;
}

QString ComparisonPanel::cellText(const QString &kpi, Column column) const
{
    const int r = rowOf(kpi);
    return r < 0 || !m_table->item(r, column) ? QString() : m_table->item(r, column)->text();
}

} // namespace perfdash
