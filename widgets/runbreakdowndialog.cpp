// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/runbreakdowndialog.h"

#include "models/runlistmodel.h"
#include "models/runtelemetry.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr int BarStartRole = Qt::UserRole + 1; // fraction of the run, 0 … 1
constexpr int BarLengthRole = Qt::UserRole + 2;

// A step's span on the run's time line: a bar from its offset, as long as its share.
class StepBarDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::paint(painter, option, index);
        const double start = std::clamp(index.data(BarStartRole).toDouble(), 0.0, 1.0);
        const double length = std::clamp(index.data(BarLengthRole).toDouble(), 0.0, 1.0 - start);
        const QRectF area = QRectF(option.rect).adjusted(4, 4, -4, -4);
        QRectF bar(area.left() + start * area.width(), area.top(), std::max(1.0, length * area.width()), area.height());
        painter->fillRect(bar, option.palette.color(QPalette::Highlight));
    }
    QSize sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const override { return { 200, 20 }; }
};

} // namespace

RunBreakdownDialog::RunBreakdownDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Run breakdown"));
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_details = new QLabel(this);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setWordWrap(true);
    layout->addWidget(m_details);
    m_tabs = new QTabWidget(this);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels({ tr("Step"), tr("Start offset"), tr("Duration"), tr("Share"), tr("Timeline") });
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(BarColumn, QHeaderView::Stretch);
    m_table->setItemDelegateForColumn(BarColumn, new StepBarDelegate(m_table));
    m_tabs->addTab(m_table, tr("&Steps"));
    auto *samplesPage = new QWidget(this);
    auto *samplesLayout = new QVBoxLayout(samplesPage);
    samplesLayout->setContentsMargins(0, 0, 0, 0);
    m_samplesNote = new QLabel(samplesPage);
    samplesLayout->addWidget(m_samplesNote);
    m_samples = new QTableWidget(0, 0, samplesPage);
    m_samples->verticalHeader()->hide();
    m_samples->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_samples->setSelectionBehavior(QAbstractItemView::SelectRows);
    samplesLayout->addWidget(m_samples, 1);
    m_tabs->addTab(samplesPage, tr("S&amples"));
    layout->addWidget(m_tabs, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(680, 380);
}

void RunBreakdownDialog::setRun(const RunRecord &run)
{
    const QString when
        = QDateTime::fromMSecsSinceEpoch(qint64(std::llround(run.start * 1000))).toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
    m_summary->setText(tr("%1 at %2: %3, %4")
                           .arg(run.workflow, when, RunListModel::formatSeconds(run.executionS),
                               run.success ? tr("ok") : tr("failed")));
    QStringList details;
    if (!run.tenant.isEmpty())
        details << tr("tenant %1").arg(run.tenant);
    if (!run.executionMode.isEmpty())
        details << tr("%1 mode").arg(run.executionMode);
    if (run.retries)
        details << tr("%n retries", nullptr, int(*run.retries));
    if (run.stepsFailed > 0)
        details << tr("%n steps failed", nullptr, int(run.stepsFailed));
    if (std::isfinite(run.memoryMb))
        details << tr("memory %1 MB").arg(run.memoryMb, 0, 'f', 1);
    if (!run.tags.isEmpty())
        details << run.tags.join(u", "_s);
    QString text = details.join(u" · "_s);
    if (!run.error.isEmpty()) {
        const QString error = run.errorCategory.isEmpty() ? run.error : u"%1 (%2)"_s.arg(run.error, run.errorCategory);
        text += (text.isEmpty() ? QString() : u"\n"_s) + tr("Error: %1").arg(error);
    }
    m_details->setText(text);
    m_details->setVisible(!text.isEmpty());
    showSteps(run);
    showSamples(run);
}

void RunBreakdownDialog::showSteps(const RunRecord &run)
{
    const QVector<RunStepShare> steps = runBreakdown(run);
    const double total = run.executionS > 0 ? run.executionS : 0;
    m_table->setRowCount(int(steps.size()));
    for (int row = 0; row < int(steps.size()); ++row) {
        const RunStepShare &s = steps[row];
        const auto cell = [&](int column, const QString &text, bool right) {
            auto *item = new QTableWidgetItem(text);
            if (right)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, column, item);
            return item;
        };
        cell(StepColumn, s.success ? s.name : tr("%1 (failed)").arg(s.name), false);
        cell(OffsetColumn, RunListModel::formatSeconds(s.offsetS), true);
        cell(DurationColumn, RunListModel::formatSeconds(s.elapsedS), true);
        cell(ShareColumn, QString::number(100.0 * s.share, 'f', 1) + u" %"_s, true);
        QTableWidgetItem *bar = cell(BarColumn, QString(), false);
        bar->setData(BarStartRole, total > 0 ? s.offsetS / total : 0.0);
        bar->setData(BarLengthRole, s.share);
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setSectionResizeMode(BarColumn, QHeaderView::Stretch);
}

void RunBreakdownDialog::showSamples(const RunRecord &run)
{
    const RunTelemetry telemetry = RunTelemetry::fromJson(run.telemetry, run.telemetryDropped);
    const bool leftOut = telemetry.isEmpty() && run.telemetryBytes > 0;
    m_tabs->setTabText(1, telemetry.isEmpty() ? tr("S&amples") : tr("S&amples (%1)").arg(telemetry.samples.size()));
    m_tabs->setTabEnabled(1, !telemetry.isEmpty() || leftOut);
    if (leftOut) {
        m_samplesNote->setText(tr("This run stored %1 KiB of samples, not loaded: the runs of this range hold more "
                                  "samples than the view reads at once. Narrow the range to see them.")
                                   .arg((run.telemetryBytes + 1023) / 1024));
        m_samples->clear();
        m_samples->setRowCount(0);
        m_samples->setColumnCount(0);
        return;
    }
    m_samplesNote->setText(telemetry.dropped > 0
            ? tr("%n samples taken while it ran; the producer kept these and dropped %1 more to stay within its bound.",
                nullptr, int(telemetry.samples.size()))
                  .arg(telemetry.dropped)
            : tr("%n samples taken while it ran.", nullptr, int(telemetry.samples.size())));
    m_samples->clear();
    m_samples->setColumnCount(int(telemetry.columns.size()) + 1);
    m_samples->setHorizontalHeaderLabels(QStringList { tr("Time") } + telemetry.columns);
    m_samples->setRowCount(int(telemetry.samples.size()));
    for (int row = 0; row < int(telemetry.samples.size()); ++row) {
        const RunTelemetry::Sample &sample = telemetry.samples[row];
        auto *time = new QTableWidgetItem(
            QDateTime::fromMSecsSinceEpoch(qint64(std::llround(sample.ts * 1000))).toString(u"HH:mm:ss.zzz"_s));
        time->setToolTip(sample.timestamp);
        m_samples->setItem(row, 0, time);
        for (int c = 0; c < int(sample.values.size()); ++c) {
            const QVariant &v = sample.values[c];
            const bool number = v.typeId() == QMetaType::Double || v.typeId() == QMetaType::LongLong;
            auto *item = new QTableWidgetItem(number ? QString::number(v.toDouble(), 'g', 6) : v.toString());
            if (number)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_samples->setItem(row, c + 1, item);
        }
    }
    m_samples->resizeColumnsToContents();
}

QString RunBreakdownDialog::summary() const
{
    return m_summary->text();
}

QString RunBreakdownDialog::details() const
{
    return m_details->text();
}

QString RunBreakdownDialog::samplesNote() const
{
    return m_samplesNote->text();
}

} // namespace perfdash
