// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/alertpreviewchart.h"

#include "models/kpicatalog.h"
#include "widgets/theme.h"
#include "widgets/timeserieschart.h"

#include <QVBoxLayout>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

QColor metricColor(bool dark)
{
    return dark ? QColor(0x5d, 0xad, 0xe2) : QColor(0x21, 0x61, 0x9c);
}

} // namespace

AlertPreviewChart::AlertPreviewChart(QWidget *parent)
    : QWidget(parent)
    , m_chart(new TimeSeriesChart(tr("Preview"), this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart);
    m_chart->addLine(tr("value"), metricColor(false), 1.5);
    m_chart->addLine(tr("threshold"), themeColor(ThemeColor::Threshold, false), 1.0, true);
    m_chart->addLine(tr("recovery"), themeColor(ThemeColor::Good, false), 1.0, true);
    m_chart->setMinimumValueRange(0);
    m_chart->setMinimumSize(360, 220);
    // Neither zoom nor pan: the preview's range is the toggle's.
    m_chart->setFocusPolicy(Qt::NoFocus);
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
    m_chart->setLineData(LineMetric, std::move(metric));
    m_chart->setLineData(LineThreshold, std::move(threshold));
    m_chart->setLineData(LineRecovery, std::move(recovery));
    QVector<QPair<qint64, qint64>> spans;
    for (const auto &[start, end] : preview.firingSpans(instance))
        spans.append({ start * 1000, end * 1000 });
    m_chart->setShadedSpans(std::move(spans), tr("would fire"));
    const QString unit = preview.rule.metricUnit();
    const QString what = preview.rule.isKpi() ? preview.rule.metric
                                              : AlertRules::aggregationName(preview.rule.aggregation) % u" of "_s
            % preview.rule.metric;
    // Instances are "model:NAME" or a series key: the model's name says enough.
    const QString shown = instance.startsWith(u"model:") ? instance.mid(6) : instance;
    m_chart->setTitle(shown.isEmpty() ? what : what % u" · "_s % shown);
    m_chart->setValueLabel(unit);
    m_chart->setGapMs(3 * preview.interval * 1000);
    m_chart->setEmptyText(tr("No stored values in this range."));
    m_chart->setTimeRange(preview.from * 1000, preview.to * 1000);
    m_chart->redraw();
}

void AlertPreviewChart::showMessage(const QString &text)
{
    for (int line : { LineMetric, LineThreshold, LineRecovery })
        m_chart->setLineData(line, {});
    m_chart->setShadedSpans({}, {});
    m_chart->setEmptyText(text);
    m_chart->redraw();
}

void AlertPreviewChart::setDarkTheme(bool dark)
{
    m_chart->setDarkTheme(dark);
}

} // namespace perfdash
