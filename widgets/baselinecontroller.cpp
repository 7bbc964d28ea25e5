// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/baselinecontroller.h"

#include "widgets/comparisonpanel.h"
#include "widgets/sourcedashboard.h"

#include <QDateTime>
#include <QInputDialog>
#include <QLocale>
#include <QMessageBox>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

BaselineController::BaselineController(
    HistoryLoader *loader, SourceDashboard *dashboard, ComparisonPanel *panel, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_loader(loader)
    , m_dashboard(dashboard)
    , m_panel(panel)
    , m_dialogParent(dialogParent)
{
    m_timer.setInterval(60 * 1000);
    connect(&m_timer, &QTimer::timeout, this, &BaselineController::refreshOutlook);
    // The collector stores what it is sent within a second or two; then the outlook is read again.
    m_afterSubmit.setSingleShot(true);
    m_afterSubmit.setInterval(2000);
    connect(&m_afterSubmit, &QTimer::timeout, this, &BaselineController::refreshOutlook);
    connect(loader, &HistoryLoader::outlookReady, this, &BaselineController::onOutlook);
    connect(loader, &HistoryLoader::outlookFailed, this,
        [this](const QString &message) { m_panel->setMessage(tr("Baselines could not be read: %1").arg(message)); });
    connect(panel, &ComparisonPanel::pinRangeRequested, this, &BaselineController::pinView);
    connect(panel, &ComparisonPanel::rebaselineRequested, this, &BaselineController::rebaseline);
    connect(panel, &ComparisonPanel::expectedThroughputRequested, this, [this]() { setExpectedThroughput(); });
    panel->setActionsEnabled(false);
}

void BaselineController::setSource(const SourceRef &source)
{
    if (source == m_source)
        return;
    m_source = source;
    const bool model = source.kind == SourceRef::Kind::Model && source.isValid();
    m_panel->setActionsEnabled(model && m_readOnly.isEmpty(),
        !m_readOnly.isEmpty() ? m_readOnly
            : model           ? QString()
                              : tr("Baselines are kept per model"));
    m_dashboard->setOutlook({});
    m_panel->setOutlook({}, {}, {});
    if (!model) {
        m_timer.stop();
        return;
    }
    m_panel->setMessage(tr("Reading the baselines and trends of %1…").arg(source.name));
    refreshOutlook();
    m_timer.start();
}

void BaselineController::setReadOnly(const QString &why)
{
    m_readOnly = why;
    const bool model = m_source.kind == SourceRef::Kind::Model && m_source.isValid();
    m_panel->setActionsEnabled(model && why.isEmpty(), why);
}

bool BaselineController::refusedAsReadOnly(const QString &title)
{
    if (m_readOnly.isEmpty())
        return false;
    if (m_confirm)
        QMessageBox::information(m_dialogParent, title, m_readOnly);
    return true;
}

void BaselineController::refreshOutlook()
{
    if (m_source.kind == SourceRef::Kind::Model && m_source.isValid())
        m_loader->requestOutlook(m_source.name);
}

void BaselineController::onOutlook(const ModelOutlook &outlook)
{
    if (outlook.model != m_source.name || m_source.kind != SourceRef::Kind::Model)
        return; // an answer for a model the user has left
    ++m_received;
    m_dashboard->setOutlook(outlook);
    updatePanel();
}

void BaselineController::updatePanel()
{
    const ModelOutlook &outlook = m_dashboard->outlook();
    if (!outlook.isValid())
        return;
    QHash<QString, double> currents;
    for (const KpiOutlook &k : outlook.kpis) {
        // The tiles' window where the dashboard has the figure; the quality metrics other than its accuracy come
        // from stored outcomes: their newest hour.
        const double tiles = KpiCatalog::valueOf(k.kpi, m_dashboard->figures());
        currents.insert(k.kpi, std::isfinite(tiles) ? tiles : k.latest);
    }
    const Kpi::Figures &f = m_dashboard->figures();
    const QString window = QLocale().toString(QDateTime::fromSecsSinceEpoch(f.from), QLocale::ShortFormat) % u" – "_s
        % QDateTime::fromSecsSinceEpoch(f.to).time().toString(u"HH:mm:ss"_s);
    m_panel->setOutlook(outlook, currents, window);
}

bool BaselineController::ask(const QString &title, const QString &text)
{
    return !m_confirm
        || QMessageBox::question(m_dialogParent, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes)
        == QMessageBox::Yes;
}

void BaselineController::submit(const QVector<Baseline::Stored> &rows)
{
    if (rows.isEmpty())
        return;
    Q_EMIT baselinesSubmitted(rows);
    m_afterSubmit.start();
}

void BaselineController::pinView()
{
    if (!m_view || m_source.kind != SourceRef::Kind::Model || refusedAsReadOnly(tr("Use the view's range as baseline")))
        return;
    const View v = m_view();
    const Coverage coverage = Coverage::fromHeartbeat(v.lookup(Coverage::heartbeatKey()), v.from, v.to, v.step, v.now);
    // Chunks for the spread: the view's buckets, at least a minute (so live seconds make chunks worth the name).
    const qint64 chunk = std::max<qint64>(v.step, std::max<qint64>(60, (v.to - v.from) / 24 / 60 * 60));
    const QVector<Baseline::Stored> rows
        = Outlook::pinnedRows(m_source.name, v.lookup, m_dashboard->roles(), coverage, v.from, v.to, chunk, v.now);
    if (rows.isEmpty()) {
        QMessageBox::information(m_dialogParent, tr("Use this range as the baseline"),
            tr("%1 has no figure in %2 to make a baseline of.").arg(m_source.name, v.window));
        return;
    }
    QStringList lines;
    for (const Baseline::Stored &r : rows)
        lines << u"  "_s % KpiCatalog::find(r.kpi)->caption % u": "_s % KpiCatalog::format(r.kpi, r.value);
    if (!ask(tr("Use this range as the baseline"),
            tr("Make %1 the baseline of %2?\n\n%3\n\nThe previous baselines are kept as older versions.")
                .arg(v.window, m_source.name, lines.join(u'\n'))))
        return;
    submit(rows);
}

void BaselineController::rebaseline()
{
    if (m_source.kind != SourceRef::Kind::Model || !m_view || refusedAsReadOnly(tr("Re-baseline")))
        return;
    if (!ask(tr("Re-baseline %1").arg(m_source.name),
            tr("Start new baselines for %1 now (a new deploy)?\n\nLatency and error rate form again from the next "
               "24 h in production; until then they show as forming. The previous versions are kept.")
                .arg(m_source.name)))
        return;
    submit({ Outlook::deployMark(m_source.name, m_view().now) });
}

void BaselineController::setExpectedThroughput(double perSecond)
{
    if (m_source.kind != SourceRef::Kind::Model || !m_view || refusedAsReadOnly(tr("Set expected throughput")))
        return;
    if (!std::isfinite(perSecond)) {
        const KpiOutlook *k = m_dashboard->outlook().find(u"throughput"_s);
        const double current = k && k->baseline.exists ? k->baseline.value : m_dashboard->figures().throughput.value;
        bool ok = false;
        perSecond = QInputDialog::getDouble(m_dialogParent, tr("Expected throughput"),
            tr("Requests per second %1 is expected to serve (seed 001: a throughput "
               "20 % below it is a breach):")
                .arg(m_source.name),
            std::isfinite(current) ? current : 0, 0, 1e9, 2, &ok);
        if (!ok)
            return;
    }
    if (!(perSecond > 0))
        return;
    submit({ Outlook::expected(m_source.name, u"throughput"_s, perSecond, m_view().now) });
}

} // namespace perfdash
