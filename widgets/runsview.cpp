// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/runsview.h"

#include "models/duration.h"
#include "models/rangesource.h"
#include "models/runlistmodel.h"
#include "widgets/runbreakdowndialog.h"
#include "widgets/runschart.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

RunsView::RunsView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    m_sourceBox = new QComboBox(this);
    m_sourceBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_sourceBox->setToolTip(tr("The sources the runs' tags name; runs stored before their tags were kept are \"run\""));
    m_workflow = new QComboBox(this);
    m_workflow->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_quantile = new QComboBox(this);
    m_quantile->addItem(tr("p50"));
    m_quantile->addItem(tr("p95"));
    m_quantile->setToolTip(tr("The quantile of each step, and of the run duration, per bucket"));
    m_status = new QLabel(this);
    m_status->setWordWrap(true); // under the combos, whole: beside them it was cut at 1024 px
    auto *sourceLabel = new QLabel(tr("&Source:"), this);
    sourceLabel->setBuddy(m_sourceBox);
    auto *workflowLabel = new QLabel(tr("&Workflow:"), this);
    workflowLabel->setBuddy(m_workflow);
    auto *quantileLabel = new QLabel(tr("&Quantile per step:"), this);
    quantileLabel->setBuddy(m_quantile);
    bar->addWidget(sourceLabel);
    bar->addWidget(m_sourceBox);
    bar->addSpacing(12);
    bar->addWidget(workflowLabel);
    bar->addWidget(m_workflow);
    bar->addSpacing(12);
    bar->addWidget(quantileLabel);
    bar->addWidget(m_quantile);
    bar->addStretch(1);
    layout->addLayout(bar);
    layout->addWidget(m_status);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_chart = new RunsChart(split);
    m_model = new RunListModel(this);
    m_table = new QTableView(split);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(RunListModel::ErrorColumn, QHeaderView::Stretch);
    m_table->setToolTip(tr("Double-click or press Enter on a run for its steps"));
    split->addWidget(m_chart);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_quantile, &QComboBox::currentIndexChanged, this, &RunsView::updateChart);
    connect(m_sourceBox, &QComboBox::currentIndexChanged, this, &RunsView::onFilterChanged);
    // The user's pick holds over reloads until another source is selected in the window.
    connect(m_sourceBox, &QComboBox::activated, this,
        [this]() { m_selected = SourceRef::fromId(m_sourceBox->currentData().toString()); });
    connect(m_workflow, &QComboBox::currentIndexChanged, this, &RunsView::onFilterChanged);
    connect(m_table, &QAbstractItemView::activated, this, qOverload<const QModelIndex &>(&RunsView::openBreakdown));
}

RunsView::~RunsView() = default;

void RunsView::setRangeSource(RangeSource *source)
{
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    m_source = source;
    if (source) {
        connect(source, &RangeSource::runsReady, this, &RunsView::onRunsReady);
        connect(source, &RangeSource::runsFailed, this, &RunsView::onRunsFailed);
    }
    m_stale = true;
    if (isVisible())
        reload();
}

void RunsView::setRange(qint64 fromSecond, qint64 toSecond)
{
    m_from = fromSecond;
    m_to = toSecond;
    m_stale = true;
    if (isVisible())
        reload();
}

void RunsView::setSource(const SourceRef &source)
{
    m_selected = source;
    m_sourceBox->setCurrentIndex(std::max(0, m_sourceBox->findData(source.id())));
}

void RunsView::setDarkTheme(bool dark)
{
    m_chart->setDarkTheme(dark);
}

void RunsView::reload()
{
    if (!m_source || m_to <= m_from) {
        m_status->setText(m_source ? QString() : tr("Runs come from the database, which is not open."));
        return;
    }
    m_stale = false;
    m_source->requestRuns(m_from, m_to, ++m_generation);
}

void RunsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        reload();
}

RunBreakdownDialog *RunsView::breakdown() const
{
    return m_breakdown;
}

QString RunsView::statusText() const
{
    return m_status->text();
}

void RunsView::onRunsReady(quint64 generation, const QVector<RunRecord> &runs)
{
    if (generation != m_generation)
        return; // an older range's
    m_runs = runs;
    // The sources and workflows of the answer; the selected source when it has runs here, else all; the chosen
    // workflow kept.
    QHash<QString, SourceRef> sources;
    QStringList workflows;
    for (const RunRecord &r : runs) {
        for (const SourceRef &s : sourcesOfRun(r))
            sources.insert(s.id(), s);
        workflows.push_back(r.workflow);
    }
    QStringList sourceIds = sources.keys();
    sourceIds.sort();
    workflows.sort();
    workflows.removeDuplicates();
    const QString workflow = m_workflow->currentData().toString();
    {
        const QSignalBlocker blockSources(m_sourceBox);
        const QSignalBlocker blockWorkflows(m_workflow);
        m_sourceBox->clear();
        m_sourceBox->addItem(tr("All sources"), QString());
        for (const QString &id : std::as_const(sourceIds))
            m_sourceBox->addItem(sources.value(id).displayName(), id);
        m_sourceBox->setCurrentIndex(std::max(0, m_sourceBox->findData(m_selected.id())));
        m_workflow->clear();
        m_workflow->addItem(tr("All workflows"), QString());
        for (const QString &w : std::as_const(workflows))
            m_workflow->addItem(w, w);
        m_workflow->setCurrentIndex(std::max(0, m_workflow->findData(workflow)));
    }
    onFilterChanged();
    openPendingRun();
}

void RunsView::onRunsFailed(quint64 generation, const QString &message)
{
    if (generation == m_generation)
        m_status->setText(tr("Runs unavailable: %1").arg(message));
}

void RunsView::onFilterChanged()
{
    const SourceRef source = SourceRef::fromId(m_sourceBox->currentData().toString());
    const QString workflow = m_workflow->currentData().toString();
    QVector<RunRecord> shown;
    for (const RunRecord &r : std::as_const(m_runs)) {
        if ((workflow.isEmpty() || r.workflow == workflow) && (!source.isValid() || sourcesOfRun(r).contains(source)))
            shown.push_back(r);
    }
    const qint64 step = RunStats::bucketSecondsFor(m_to - m_from);
    m_stats = RunStats::compute(shown, m_from, m_to, step);
    const auto failed = std::count_if(shown.cbegin(), shown.cend(), [](const RunRecord &r) { return !r.success; });
    const bool selectedHasNone = m_selected.isValid() && !source.isValid();
    m_status->setText(tr("%n run(s)", nullptr, int(shown.size())) + tr(", %n failed", nullptr, int(failed))
        + tr(" · buckets of %1").arg(Duration::format(step))
        + (selectedHasNone ? tr(" · %1 has no runs here").arg(m_selected.displayName()) : QString()));
    m_model->setRuns(std::move(shown));
    m_table->resizeColumnsToContents();
    updateChart();
}

void RunsView::updateChart()
{
    m_chart->setStats(m_stats, m_quantile->currentIndex() == 1);
}

void RunsView::openBreakdown(const QModelIndex &index)
{
    if (index.isValid())
        openBreakdown(m_model->run(index.row()));
}

void RunsView::openBreakdown(const RunRecord &run)
{
    if (!m_breakdown)
        m_breakdown = new RunBreakdownDialog(this);
    m_breakdown->setRun(run);
    m_breakdown->show();
    m_breakdown->raise();
}

void RunsView::openRunAt(qint64 startMs, const QString &workflow)
{
    m_pendingRun = std::make_pair(startMs, workflow);
    if (!openPendingRun()) {
        m_stale = true;
        if (isVisible())
            reload();
    }
}

bool RunsView::openPendingRun()
{
    if (!m_pendingRun)
        return false;
    const auto [startMs, workflow] = *m_pendingRun;
    for (const RunRecord &r : std::as_const(m_runs)) {
        if (std::abs(r.start * 1000 - double(startMs)) < 1000 && (workflow.isEmpty() || r.workflow == workflow)) {
            m_pendingRun.reset();
            openBreakdown(r);
            return true;
        }
    }
    return false;
}

} // namespace perfdash
