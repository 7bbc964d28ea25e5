// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/alertpreviewchart.h"

#include "models/kpicatalog.h"
#include "models/seriesselector.h"
#include "widgets/theme.h"
#include "widgets/timeserieschart.h"

#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

AlertPreviewChart::AlertPreviewChart(QWidget *parent)
    : QWidget(parent)
    , m_chart(new TimeSeriesChart(tr("Preview"), this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart);
    // A mid blue that reads on the light and the dark theme alike: line colours are fixed when added.
    m_chart->addLine(tr("value"), QColor(0x34, 0x98, 0xdb), 1.5);
    m_chart->addLine(tr("threshold"), themeColor(ThemeColor::Threshold, false), 1.0, true);
    m_chart->addLine(tr("recovery"), themeColor(ThemeColor::Good, false), 1.0, true);
    m_chart->setMinimumValueRange(0);
    m_chart->setMinimumSize(360, 220);
    // Neither zoom nor pan: the preview's range is the toggle's.
    m_chart->setFocusPolicy(Qt::NoFocus);
    setDarkTheme(palette().color(QPalette::Window).lightness() < 128);
}

void AlertPreviewChart::showPreview(const AlertPreview &preview)
{
    const QString instance = preview.mainInstance();
    const QVector<AlertReplay::Sample> samples = preview.result.samples.value(instance);
    QVector<QPointF> metric, threshold, recovery;
    metric.reserve(samples.size());
    threshold.reserve(samples.size());
    for (const AlertReplay::Sample &s : samples) {
        const double x = double(s.time) * 1000.0;
        metric.append({ x, s.reading.metric });
        threshold.append({ x, s.reading.thresholdLine });
        recovery.append({ x, s.reading.recoveryLine });
    }
    // A recovery line equal to the threshold everywhere says nothing: it is drawn only where it differs.
    for (qsizetype i = 0; i < recovery.size(); ++i) {
        if (recovery[i].y() == threshold[i].y())
            recovery[i].setY(std::nan(""));
    }
    // A recovery line only when the rule has one: its legend entry would promise a line that is not there.
    const bool hasRecovery
        = std::any_of(recovery.cbegin(), recovery.cend(), [](const QPointF &p) { return std::isfinite(p.y()); });
    m_chart->setLineVisible(LineRecovery, hasRecovery);
    m_chart->setLineData(LineMetric, std::move(metric));
    m_chart->setLineData(LineThreshold, std::move(threshold));
    m_chart->setLineData(LineRecovery, std::move(recovery));
    QVector<ShadedSpan> spans;
    for (const auto &[start, end] : preview.firingSpans(instance))
        spans.append({ start * 1000, end * 1000, false, tr("would fire"), ThemeColor::Bad });
    m_chart->setShadedSpans(std::move(spans));
    const QString unit = preview.rule.metricUnit();
    // Instances are "model:NAME" for a KPI rule, a series key for a series rule.
    QString title;
    if (preview.rule.isKpi()) {
        const QString model = instance.startsWith(u"model:") ? instance.mid(6) : instance;
        title = model.isEmpty() ? preview.rule.metric : preview.rule.metric % u" · "_s % model;
    } else {
        title = AlertRules::aggregationName(preview.rule.aggregation) % u" of "_s
            % SeriesSelector::displayName(instance.isEmpty() ? preview.rule.metric : instance);
    }
    m_chart->setTitle(title);
    m_chart->setValueLabel(unit);
    m_chart->setGapMs(3 * preview.interval * 1000);
    m_chart->setEmptyText(tr("No stored values in this range."));
    // A young database fills only the end of the range: the axis starts a little before its first value, so the
    // values and the firings are not a sliver at the right edge.
    qint64 start = preview.from;
    const auto firstValue = std::find_if(
        samples.cbegin(), samples.cend(), [](const AlertReplay::Sample &s) { return std::isfinite(s.reading.metric); });
    if (firstValue != samples.cend())
        start = std::max(preview.from, firstValue->time - std::max<qint64>(10 * preview.interval, 600));
    m_chart->setTimeRange(start * 1000, preview.to * 1000);
    m_chart->redraw();
}

void AlertPreviewChart::showMessage(const QString &text, qint64 from, qint64 to)
{
    m_chart->setTimeRange(from * 1000, to * 1000);
    for (int line : { LineMetric, LineThreshold, LineRecovery })
        m_chart->setLineData(line, {});
    m_chart->setShadedSpans({});
    m_chart->setEmptyText(text);
    m_chart->redraw();
}

void AlertPreviewChart::showPending(const QString &text)
{
    m_chart->setEmptyText(text);
    m_chart->redraw();
}

void AlertPreviewChart::setDarkTheme(bool dark)
{
    m_chart->setDarkTheme(dark);
}

} // namespace perfdash
