// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/alertscontroller.h"

#include "widgets/alertspanel.h"
#include "widgets/sourcedashboard.h"

#include <QDateTime>
#include <QMainWindow>

#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

AlertsController::AlertsController(AlertListModel *model, SourceDashboard *dashboard, QMainWindow *window)
    : QObject(window)
    , m_model(model)
    , m_dashboard(dashboard)
    , m_panel(new AlertsPanel(model, window))
{
    m_clock = []() { return QDateTime::currentSecsSinceEpoch(); };
    connect(m_model, &AlertListModel::firingChanged, this, &AlertsController::updateOverlays);
    connect(m_panel, &AlertsPanel::openRequested, this, &AlertsController::open);
}

void AlertsController::open(const QString &model)
{
    Q_EMIT openRequested(SourceRef::fromId(u"model:"_s % model));
}

void AlertsController::setClock(std::function<qint64()> clock)
{
    m_clock = clock;
    m_panel->setClock(std::move(clock));
}

void AlertsController::setRangeSource(RangeSource *source)
{
    if (m_source)
        m_source->disconnect(this);
    m_source = source;
    if (!source)
        return;
    connect(source, &RangeSource::alertsReady, this, [this](quint64 generation, const QVector<AlertEvent> &events) {
        if (generation == m_generation) // an older range's answer is no longer wanted
            m_model->setHistory(events);
    });
    connect(source, &RangeSource::alertsFailed, this, [this](quint64 generation, const QString &message) {
        if (generation == m_generation)
            Q_EMIT historyFailed(message);
    });
}

void AlertsController::requestHistory(qint64 from, qint64 to)
{
    if (m_source)
        m_source->requestAlerts(from, to, ++m_generation);
}

void AlertsController::setSource(const SourceRef &source)
{
    m_selected = source;
    updateOverlays();
}

void AlertsController::updateOverlays()
{
    // Alerts belong to models; other sources show none.
    if (!m_selected.isValid() || m_selected.kind != SourceRef::Kind::Model) {
        m_dashboard->setAlerts({}, {});
        return;
    }
    m_dashboard->setAlerts(m_model->firingOf(m_selected.name),
        m_model->firingSpans(m_selected.name, 0, std::numeric_limits<qint64>::max(), m_clock()));
}

} // namespace perfdash
