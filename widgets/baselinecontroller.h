// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/historyloader.h"
#include "models/modeloutlook.h"

#include <QObject>
#include <QTimer>

#include <functional>

class QWidget;

namespace perfdash {

class ComparisonPanel;
class SourceDashboard;

// Keeps the selected model's baselines and trends on screen: asks the history loader for its outlook (on selection,
// every minute, and after the user made a baseline), hands it to the dashboard and the comparison panel, and turns
// the panel's actions into baseline rows for the collector to store (it is the only writer of the database).
// GUI thread only.
class BaselineController : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BaselineController)
public:
    // What the charts show now, for "use this range as the baseline".
    struct View {
        Kpi::PointLookup lookup;
        qint64 from = 0, to = 0; // Unix seconds
        qint64 step = 1; // bucket length of the points
        qint64 now = 0;
        QString window; // "14:00–15:00" for the confirmation
    };
    using ViewProvider = std::function<View()>;

    BaselineController(
        HistoryLoader *loader, SourceDashboard *dashboard, ComparisonPanel *panel, QWidget *dialogParent);

    void setViewProvider(ViewProvider provider) { m_view = std::move(provider); }
    // The selected source; baselines exist for models only.
    void setSource(const SourceRef &source);
    void refreshOutlook();
    // Redraws the panel's current values (after the dashboard's tiles changed).
    void updatePanel();
    // A source whose baselines cannot be changed from here (a fleet server: each collector keeps its own): the actions
    // are disabled and, from a menu, say why. Empty: they work.
    void setReadOnly(const QString &why);
    // Without confirmation dialogs (tests).
    void setConfirm(bool confirm) { m_confirm = confirm; }
    int outlooksReceived() const { return m_received; }

    // The actions; each asks first (unless setConfirm(false)) and emits baselinesSubmitted.
    void pinView();
    void rebaseline();
    void setExpectedThroughput(double perSecond = Baseline::nan); // NaN: ask for it

Q_SIGNALS:
    // Rows for the collector to append (the GUI sends them as `baseline` records, docs/protocol.md).
    void baselinesSubmitted(const QVector<perfdash::Baseline::Stored> &rows);

private:
    void onOutlook(const ModelOutlook &outlook);
    void submit(const QVector<Baseline::Stored> &rows);
    bool ask(const QString &title, const QString &text);
    bool refusedAsReadOnly(const QString &title); // true (after saying why) when setReadOnly gave a reason

    HistoryLoader *m_loader;
    SourceDashboard *m_dashboard;
    ComparisonPanel *m_panel;
    QWidget *m_dialogParent;
    ViewProvider m_view;
    SourceRef m_source;
    QString m_readOnly;
    QTimer m_timer;
    QTimer m_afterSubmit;
    bool m_confirm = true;
    int m_received = 0;
};

} // namespace perfdash
