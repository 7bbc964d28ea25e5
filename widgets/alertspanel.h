// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertlistmodel.h"

#include <QDockWidget>
#include <QTimer>

#include <functional>

class QAbstractButton;
class QAction;
class QSortFilterProxyModel;
class QTableView;

namespace perfdash {

// The alerts dock: a table of the AlertListModel (firing only, or all with the resolved ones below), and the user's
// actions on the selected alert as buttons, a context menu and keys (A acknowledge, S silence 1 h, Shift+S 4 h,
// R until resolved, Enter open). Severity is written out and coloured (theme.h), never colour alone. The model is
// not owned and must outlive the panel. GUI thread only.
class AlertsPanel : public QDockWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertsPanel)
public:
    enum class Filter { Firing, All };

    explicit AlertsPanel(AlertListModel *model, QWidget *parent = nullptr);
    ~AlertsPanel() override;

    // Unix seconds for silences; the wall clock unless set (tests).
    void setClock(std::function<qint64()> clock);
    void setFilter(Filter filter);
    Filter filter() const { return m_filter; }
    // The selected alert's key (AlertListModel::keyOf), empty when none.
    QString selectedKey() const;
    void selectKey(const QString &key);

    QTableView *view() const { return m_view; }
    QAction *acknowledgeAction() const { return m_acknowledge; }
    QAction *silenceAction(AlertListModel::SilenceFor duration) const;
    QAction *openAction() const { return m_open; }
    // "Alerts panel" for the Alerts menu (Ctrl+Shift+L): shows the panel and puts the keyboard in its table; hides it
    // when the table has the keyboard already. Checked while the panel is shown.
    QAction *showAction() const { return m_show; }

Q_SIGNALS:
    // The user wants the alert's model on the dashboard.
    void openRequested(const QString &model);

private:
    void updateActions();
    void updateTitle();
    void silenceSelected(AlertListModel::SilenceFor duration);
    void openSelected();

    AlertListModel *m_model;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QAbstractButton *m_firingButton = nullptr;
    QAbstractButton *m_allButton = nullptr;
    QAction *m_acknowledge = nullptr;
    QAction *m_silence1h = nullptr;
    QAction *m_silence4h = nullptr;
    QAction *m_silenceResolved = nullptr;
    QAction *m_open = nullptr;
    QAction *m_show = nullptr;
    QTimer m_expiry; // drops silences that are over
    std::function<qint64()> m_clock;
    QString m_keptKey; // selected across a reset
    Filter m_filter = Filter::All;
};

} // namespace perfdash
