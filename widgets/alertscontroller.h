// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertlistmodel.h"
#include "models/rangesource.h"
#include "models/sourcecatalog.h"

#include <QObject>
#include <QPointer>

#include <functional>

class QMainWindow;

namespace perfdash {

class AlertsPanel;
class SourceDashboard;

// Keeps alerts on screen: the panel's dock in the window, the selected model's firing alerts on its tiles and the
// spans in which its alerts fired on its charts, and the past alerts of the view's range from storage (an answer to
// an older request is dropped by its generation). The model is not owned and must outlive this. GUI thread only.
class AlertsController : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertsController)
public:
    AlertsController(AlertListModel *model, SourceDashboard *dashboard, QMainWindow *window);

    AlertsPanel *panel() const { return m_panel; }
    // Unix seconds; the wall clock unless set (tests).
    void setClock(std::function<qint64()> clock);
    // Storage's alert_events; nullptr: none (the panel shows what comes live). Not owned.
    void setRangeSource(RangeSource *source);
    // Asks storage for the alerts of [from, to) (Unix seconds), with those still active at from.
    void requestHistory(qint64 from, qint64 to);
    // The dashboard's source: its tiles and charts show that model's alerts.
    void setSource(const SourceRef &source);
    void updateOverlays();
    // Shows the model on the dashboard (a notification's "open"): openRequested.
    void open(const QString &model);
    int historyRequests() const { return int(m_generation); }

Q_SIGNALS:
    void openRequested(const perfdash::SourceRef &source);
    void historyFailed(const QString &message);

private:
    AlertListModel *m_model;
    SourceDashboard *m_dashboard;
    AlertsPanel *m_panel;
    QPointer<RangeSource> m_source;
    SourceRef m_selected;
    std::function<qint64()> m_clock;
    quint64 m_generation = 0;
};

} // namespace perfdash
