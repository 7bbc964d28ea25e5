// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/operationsview.h"

#include "models/operationfiltermodel.h"
#include "models/operationlistmodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

#include <charconv>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
// The SDKs print with std::to_chars (ties to even on the exact binary value: 6.25 -> "6.2"); QLocale rounds ties
// away from zero. Rounding as they do first keeps the tab's figures equal to what the producer printed.
QString asTheSdksPrint(double value, int decimals)
{
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed, decimals);
    if (ec == std::errc())
        std::from_chars(buf, end, value); // leaves value as it was on failure
    return QLocale().toString(value, 'f', decimals);
}
} // namespace

OperationsView::OperationsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new OperationListModel(this))
    , m_proxy(new OperationFilterModel(this))
{
    m_proxy->setSourceModel(m_model);

    m_stats = new QLabel(this);
    m_stats->setObjectName(u"operationStats"_s);
    m_stats->setWordWrap(true);
    m_stats->setTextFormat(Qt::PlainText);
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(u"operationFilter"_s);
    m_filter->setPlaceholderText(tr("Filter by operation, module, category or error"));
    m_filter->setClearButtonEnabled(true);
    m_failuresOnly = new QCheckBox(tr("&Failures only"), this);
    m_failuresOnly->setObjectName(u"operationFailuresOnly"_s);
    m_note = new QLabel(this);
    m_note->setObjectName(u"operationNote"_s);
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);

    m_table = new QTableView(this);
    m_table->setObjectName(u"operationsTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(OperationListModel::TimeColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    // Tight columns, so the error text still shows at 1024 px with the sources pane open; names elide.
    const QFontMetrics fm(m_table->font());
    const auto width = [&](int column, const QString &sample) {
        m_table->setColumnWidth(column, fm.horizontalAdvance(sample) + 14);
    };
    width(OperationListModel::TimeColumn, u"2026-12-31 23:59:59"_s);
    width(OperationListModel::NameColumn, u"load_model"_s);
    width(OperationListModel::ModuleColumn, u"inference-ex"_s);
    width(OperationListModel::ItemsColumn, u"123,456"_s);
    width(OperationListModel::ElapsedColumn, u"12.345 s"_s);
    width(OperationListModel::RateColumn, u"123,456.78"_s);
    width(OperationListModel::MemoryColumn, u"1,234.56 MB"_s);
    width(OperationListModel::SuccessColumn, u"Success"_s);
    width(OperationListModel::CategoryColumn, u"validation"_s);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_failuresOnly);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_stats);
    layout->addLayout(filterRow);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_note);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &OperationFilterModel::setText);
    connect(m_failuresOnly, &QCheckBox::toggled, m_proxy, &OperationFilterModel::setFailuresOnly);
    // Filtering and resets move rows in and out: the statistics follow the rows shown.
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &OperationsView::updateStats);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &OperationsView::updateStats);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &OperationsView::updateStats);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &OperationsView::updateStats);
    updateStats();
}

OperationsView::~OperationsView() = default;

void OperationsView::setRangeSource(RangeSource *source)
{
    if (m_source)
        m_source->disconnect(this);
    m_source = source;
    if (source) {
        connect(source, &RangeSource::operationsReady, this, &OperationsView::onOperationsReady);
        connect(source, &RangeSource::operationsFailed, this, &OperationsView::onOperationsFailed);
    }
    m_stale = true;
    if (isVisible())
        reload();
}

void OperationsView::setRange(qint64 fromSecond, qint64 toSecond)
{
    if (fromSecond == m_from && toSecond == m_to && !m_stale)
        return;
    m_from = fromSecond;
    m_to = toSecond;
    m_stale = true;
    if (isVisible()) // a hidden tab asks when it is shown
        reload();
}

void OperationsView::reload()
{
    if (!m_source || m_to <= m_from)
        return;
    m_stale = false;
    m_note->setText(tr("Loading…"));
    m_source->requestOperations(m_from, m_to, ++m_generation);
}

void OperationsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        reload();
}

void OperationsView::onOperationsReady(quint64 generation, const QVector<OperationRecord> &operations)
{
    if (generation != m_generation) // an older range's answer
        return;
    m_model->setOperations(operations);
    const QLocale locale;
    if (operations.size() >= RangeSource::kOperationLimit)
        m_note->setText(tr("Only the newest %1 operations of the range are listed: older ones are left out. Narrow the "
                           "range to see them.")
                            .arg(locale.toString(RangeSource::kOperationLimit)));
    else if (operations.isEmpty())
        m_note->setText(tr("No operations stored in this range. Producers send them as \"op\" records (ModuleMetrics "
                           "in the C++ and Python clients)."));
    else
        m_note->setText(tr("%1 operations in the range.").arg(locale.toString(qlonglong(operations.size()))));
}

void OperationsView::onOperationsFailed(quint64 generation, const QString &message)
{
    if (generation != m_generation)
        return;
    m_model->setOperations({});
    m_note->setText(tr("Operations unavailable: %1").arg(message));
}

void OperationsView::updateStats()
{
    // Seed 003's session statistics, as the SDKs print them (two decimals; the error rate to one).
    const OperationStats s = m_proxy->shownStats();
    const QLocale locale;
    m_stats->setText(
        tr("Shown: %1 operations · %2 items · total time %3 s · average rate %4 items/s · "
           "%5 errors (%6 %)")
            .arg(locale.toString(s.operations), locale.toString(s.items), asTheSdksPrint(s.totalTime, 2),
                asTheSdksPrint(s.averageRate(), 2), locale.toString(s.errors), asTheSdksPrint(s.errorRate() * 100, 1)));
}

} // namespace perfdash
