// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/alertspanel.h"

#include "widgets/theme.h"

#include <QAction>
#include <QButtonGroup>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// Colours the severity and the firing state with the theme's colours; their words stay, so colour is a second cue.
// Resolved alerts are greyed: they are the past.
class AlertRowDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const bool dark = option->palette.color(QPalette::Base).lightness() < 128;
        const QString state = index.data(AlertListModel::StateRole).toString();
        const int severity = AlertListModel::severityRank(index.data(AlertListModel::SeverityRole).toString());
        const bool past = state == u"resolved"_s;
        if (past)
            option->palette.setColor(QPalette::Text, option->palette.color(QPalette::PlaceholderText));
        if (index.column() == AlertListModel::SeverityColumn) {
            if (severity > 0 && !past)
                option->palette.setColor(
                    QPalette::Text, themeColor(severity == 2 ? ThemeColor::Bad : ThemeColor::Warning, dark));
            option->font.setBold(severity == 2 && !past);
            // A shape per severity, for a glance that does not depend on hue.
            option->text = (severity == 2 ? u"▲ "_s : severity == 1 ? u"◆ "_s : u"● "_s) % option->text;
        } else if (past) {
            return;
        } else if (index.column() == AlertListModel::StateColumn && state == u"firing"_s) {
            option->font.setBold(!index.data(AlertListModel::AcknowledgedRole).toBool());
        }
    }
};

} // namespace

AlertsPanel::AlertsPanel(AlertListModel *model, QWidget *parent)
    : QDockWidget(tr("Alerts"), parent)
    , m_model(model)
    , m_expiry(this)
{
    setObjectName(u"alertsDock"_s);
    m_clock = []() { return QDateTime::currentSecsSinceEpoch(); };
    auto *body = new QWidget(this);
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 2, 4, 4);
    layout->setSpacing(2);

    auto *bar = new QHBoxLayout;
    bar->setSpacing(2);
    auto *filters = new QButtonGroup(this);
    const auto filterButton = [&](const QString &text, const QString &tip) {
        auto *button = new QToolButton(body);
        button->setText(text);
        button->setToolTip(tip);
        button->setCheckable(true);
        button->setAutoRaise(true);
        filters->addButton(button);
        bar->addWidget(button);
        return button;
    };
    m_firingButton = filterButton(tr("&Firing"), tr("Only the alerts that fire now"));
    m_allButton = filterButton(tr("A&ll"), tr("Every alert known: active ones first, the resolved ones below"));
    connect(m_firingButton, &QAbstractButton::clicked, this, [this]() { setFilter(Filter::Firing); });
    connect(m_allButton, &QAbstractButton::clicked, this, [this]() { setFilter(Filter::All); });
    bar->addSpacing(12);

    // Keys work while the focus is anywhere in the panel.
    const auto action = [&](const QString &text, const QKeySequence &key, const QString &tip) {
        auto *a = new QAction(text, body);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        a->setToolTip(tip % u" ("_s % key.toString(QKeySequence::NativeText) % u')');
        body->addAction(a);
        auto *button = new QToolButton(body);
        button->setDefaultAction(a);
        button->setAutoRaise(true);
        bar->addWidget(button);
        return a;
    };
    m_acknowledge = action(tr("Acknowledge"), QKeySequence(Qt::Key_A),
        tr("Mark the firing alert as seen: it stays listed and is not notified again while it fires"));
    m_silence1h = action(tr("Silence 1 h"), QKeySequence(Qt::Key_S), tr("No notifications of this alert for an hour"));
    m_silence4h = action(
        tr("Silence 4 h"), QKeySequence(Qt::SHIFT | Qt::Key_S), tr("No notifications of this alert for four hours"));
    m_silenceResolved = action(
        tr("Silence until resolved"), QKeySequence(Qt::Key_R), tr("No notifications of this alert until it resolves"));
    m_open = action(tr("Open"), QKeySequence(Qt::CTRL | Qt::Key_Return), tr("Show the alert's model on the dashboard"));
    m_open->setShortcuts({ QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter) });
    bar->addStretch(1);
    layout->addLayout(bar);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(AlertListModel::StateRole);
    m_proxy->setFilterKeyColumn(AlertListModel::StateColumn);
    m_view = new QTableView(body);
    m_view->setObjectName(u"alertsView"_s);
    m_view->setModel(m_proxy);
    m_view->setItemDelegate(new AlertRowDelegate(m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTabKeyNavigation(false); // Tab leaves the table for the buttons
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addActions({ m_acknowledge, m_silence1h, m_silence4h, m_silenceResolved, m_open });
    const QFontMetrics fm(m_view->font());
    m_view->setColumnWidth(AlertListModel::StateColumn, fm.horizontalAdvance(u"firing · silenced until 00:00"_s) + 16);
    m_view->setColumnWidth(AlertListModel::SeverityColumn, fm.horizontalAdvance(u"▲ critical"_s) + 24);
    m_view->setColumnWidth(AlertListModel::RuleColumn, fm.horizontalAdvance(u"latency-high-99"_s) + 16);
    m_view->setColumnWidth(AlertListModel::ModelColumn, fm.horizontalAdvance(u"model-name-12"_s) + 16);
    m_view->setColumnWidth(AlertListModel::ValueColumn, fm.horizontalAdvance(u"1,234.5 ms"_s) + 16);
    m_view->setColumnWidth(AlertListModel::SinceColumn, fm.horizontalAdvance(u"2026-12-31 23:59:59"_s) + 16);
    layout->addWidget(m_view, 1);
    setWidget(body);
    setFocusProxy(m_view);

    connect(m_acknowledge, &QAction::triggered, this, [this]() {
        if (m_model->acknowledge(selectedKey()))
            updateActions();
    });
    connect(m_silence1h, &QAction::triggered, this, [this]() { silenceSelected(AlertListModel::SilenceFor::OneHour); });
    connect(
        m_silence4h, &QAction::triggered, this, [this]() { silenceSelected(AlertListModel::SilenceFor::FourHours); });
    connect(m_silenceResolved, &QAction::triggered, this,
        [this]() { silenceSelected(AlertListModel::SilenceFor::UntilResolved); });
    connect(m_open, &QAction::triggered, this, &AlertsPanel::openSelected);
    connect(m_view, &QAbstractItemView::activated, this, &AlertsPanel::openSelected); // Enter, double-click
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &AlertsPanel::updateActions);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AlertsPanel::updateActions);
    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
        connect(m_proxy, signal, this, [this]() {
            updateTitle();
            updateActions();
        });
    // A reset (new history with other alerts) keeps the selected alert selected.
    connect(m_proxy, &QAbstractItemModel::modelAboutToBeReset, this, [this]() { m_keptKey = selectedKey(); });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this]() {
        if (!m_keptKey.isEmpty())
            selectKey(std::exchange(m_keptKey, QString()));
        updateTitle();
        updateActions();
    });
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, [this]() {
        updateTitle();
        updateActions();
    });
    connect(m_proxy, &QAbstractItemModel::rowsMoved, this, &AlertsPanel::updateActions);

    m_show = new QAction(tr("Alerts &panel"), this);
    m_show->setCheckable(true);
    m_show->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    m_show->setToolTip(tr("Show the alerts and move the keyboard to them (%1)")
                           .arg(m_show->shortcut().toString(QKeySequence::NativeText)));
    connect(m_show, &QAction::triggered, this, [this]() {
        if (isVisible() && m_view->hasFocus()) {
            hide();
            return;
        }
        show();
        raise();
        m_view->setFocus(Qt::ShortcutFocusReason);
        if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
            m_view->setCurrentIndex(m_proxy->index(0, 0));
        m_show->setChecked(true);
    });
    connect(this, &QDockWidget::visibilityChanged, m_show, &QAction::setChecked);

    m_expiry.setInterval(30 * 1000);
    connect(&m_expiry, &QTimer::timeout, this, [this]() { m_model->expireSilences(m_clock()); });
    m_expiry.start();

    setFilter(Filter::All);
    updateTitle();
}

AlertsPanel::~AlertsPanel() = default;

void AlertsPanel::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

void AlertsPanel::setFilter(Filter filter)
{
    m_filter = filter;
    m_firingButton->setChecked(filter == Filter::Firing);
    m_allButton->setChecked(filter == Filter::All);
    m_proxy->setFilterRegularExpression(filter == Filter::Firing ? u"^firing$"_s : QString());
    updateActions();
}

QString AlertsPanel::selectedKey() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const QModelIndex index = rows.isEmpty() ? m_view->currentIndex() : rows.constFirst();
    return index.isValid() ? index.data(AlertListModel::KeyRole).toString() : QString();
}

void AlertsPanel::selectKey(const QString &key)
{
    const int row = m_model->rowOf(key);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return;
    m_view->setCurrentIndex(index);
    m_view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
}

QAction *AlertsPanel::silenceAction(AlertListModel::SilenceFor duration) const
{
    switch (duration) {
    case AlertListModel::SilenceFor::OneHour:
        return m_silence1h;
    case AlertListModel::SilenceFor::FourHours:
        return m_silence4h;
    case AlertListModel::SilenceFor::UntilResolved:
        return m_silenceResolved;
    }
    return nullptr;
}

void AlertsPanel::silenceSelected(AlertListModel::SilenceFor duration)
{
    if (m_model->silence(selectedKey(), duration, m_clock()))
        updateActions();
}

void AlertsPanel::openSelected()
{
    const AlertListModel::Alert *a = m_model->alert(selectedKey());
    if (a && !a->model().isEmpty())
        Q_EMIT openRequested(a->model());
}

void AlertsPanel::updateActions()
{
    const AlertListModel::Alert *a = m_model->alert(selectedKey());
    m_acknowledge->setEnabled(a && a->state == u"firing"_s && !a->acknowledged);
    m_silence1h->setEnabled(a);
    m_silence4h->setEnabled(a);
    m_silenceResolved->setEnabled(a && a->isActive());
    m_open->setEnabled(a && !a->model().isEmpty());
}

void AlertsPanel::updateTitle()
{
    const int firing = m_model->firingCount();
    setWindowTitle(firing > 0 ? tr("Alerts · %n firing", nullptr, firing) : tr("Alerts"));
}

} // namespace perfdash
