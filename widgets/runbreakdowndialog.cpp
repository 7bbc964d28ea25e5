// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/runbreakdowndialog.h"

#include "models/runlistmodel.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QStyledItemDelegate>
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
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels({ tr("Step"), tr("Start offset"), tr("Duration"), tr("Share"), tr("Timeline") });
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(BarColumn, QHeaderView::Stretch);
    m_table->setItemDelegateForColumn(BarColumn, new StepBarDelegate(m_table));
    layout->addWidget(m_table, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(640, 300);
}

void RunBreakdownDialog::setRun(const RunRecord &run)
{
    const QString when
        = QDateTime::fromMSecsSinceEpoch(qint64(std::llround(run.start * 1000))).toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
    m_summary->setText(tr("%1 at %2: %3, %4")
                           .arg(run.workflow, when, RunListModel::formatSeconds(run.executionS),
                               run.success ? tr("ok") : tr("failed")));
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
        cell(StepColumn, s.name, false);
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

QString RunBreakdownDialog::summary() const
{
    return m_summary->text();
}

} // namespace perfdash
