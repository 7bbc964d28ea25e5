// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/collectorstatusbar.h"

#include <QLabel>
#include <QLocale>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
QString formatBytes(qint64 bytes)
{
    if (bytes < 0)
        return u"–"_s;
    if (bytes < 1024 * 1024)
        return QLocale().toString(double(bytes) / 1024, 'f', 0) % u" KB"_s;
    if (bytes < 1024LL * 1024 * 1024)
        return QLocale().toString(double(bytes) / (1024 * 1024), 'f', 1) % u" MB"_s;
    return QLocale().toString(double(bytes) / (1024.0 * 1024 * 1024), 'f', 2) % u" GB"_s;
}

QString pushToolTip(const PushStatus &push)
{
    const QLocale locale;
    QString tip = CollectorStatusBar::tr("Push to %1: %2").arg(push.url, push.state);
    tip += u'\n'
        + CollectorStatusBar::tr("sent %1 batches, last at %2")
              .arg(locale.toString(push.sentBatches),
                  push.lastSuccess.isEmpty() ? CollectorStatusBar::tr("never") : push.lastSuccess);
    tip += u'\n'
        + CollectorStatusBar::tr("queued %1 batches (%2)")
              .arg(locale.toString(push.queuedBatches), formatBytes(push.queuedBytes));
    tip += u'\n'
        + CollectorStatusBar::tr("dropped: %1 buffer full, %2 rejected, %3 at shutdown")
              .arg(locale.toString(push.droppedBufferFull), locale.toString(push.droppedRejected),
                  locale.toString(push.droppedShutdown));
    tip += u'\n' + CollectorStatusBar::tr("failed attempts: %1").arg(locale.toString(push.failures));
    if (!push.lastError.isEmpty())
        tip += u'\n' + CollectorStatusBar::tr("last error: %1").arg(push.lastError);
    return tip;
}

QString ingestToolTip()
{
    return CollectorStatusBar::tr("Lines the collector accepted per second");
}
} // namespace

CollectorStatusBar::CollectorStatusBar(QWidget *parent)
    : QStatusBar(parent)
{
    m_connection = new QLabel(tr("Not connected"), this);
    m_ingest = new QLabel(this);
    m_drops = new QLabel(this);
    m_seriesCount = new QLabel(this);
    m_dbSize = new QLabel(this);
    m_push = new QLabel(this);
    m_push->hide();
    m_ingest->setToolTip(ingestToolTip());
    m_drops->setToolTip(tr("Since the collector started: lines the parsers rejected, and datagrams the kernel dropped "
                           "before the collector could read them"));
    m_dbSize->setToolTip(tr("The database file with its write-ahead log"));
    addWidget(m_connection, 1);
    for (auto *label : { m_ingest, m_drops, m_seriesCount, m_dbSize, m_push })
        addPermanentWidget(label);
}

void CollectorStatusBar::setConnection(LiveSource::State state, const QString &detail, const QDateTime &since)
{
    m_state = state;
    m_detail = detail;
    m_since = since;
    QString color;
    switch (state) {
    case LiveSource::State::Connected:
        m_offline = false;
        m_connection->setText(m_sourceName.isEmpty() ? tr("● Connected to collector") : tr("● %1").arg(m_sourceName));
        m_ingest->setToolTip(ingestToolTip());
        color = u"#27ae60"_s;
        break;
    case LiveSource::State::Connecting:
        if (!m_sourceName.isEmpty())
            m_connection->setText(tr("◌ Reading %1…").arg(m_sourceName));
        else
            m_connection->setText(since.isValid()
                    ? tr("◌ Reconnecting to collector (lost at %1)…").arg(since.toString(u"HH:mm:ss"_s))
                    : tr("◌ Connecting to collector…"));
        color = u"#f39c12"_s;
        break;
    case LiveSource::State::Disconnected:
        m_offline = true;
        m_connection->setText(m_sourceName.isEmpty()
                ? tr("○ Collector unreachable since %1, retrying: %2").arg(since.toString(u"HH:mm:ss"_s), detail)
                : tr("○ %1: unreachable (%2), retrying").arg(m_sourceName, detail));
        // Rates of a collector that is gone are not current: blank them until it reports again.
        m_ingest->setText(tr("ingest –"));
        m_ingest->setToolTip(tr("The collector is not running"));
        color = u"#e74c3c"_s;
        break;
    }
    m_connection->setToolTip(detail);
    m_connection->setStyleSheet(u"QLabel { color: "_s % color % u"; }"_s);
}

void CollectorStatusBar::setStatus(const CollectorStatus &status)
{
    if (m_offline)
        return; // a status from before the collector went away
    m_ingest->setText(tr("ingest %1 lines/s").arg(QLocale().toString(status.linesPerSecond, 'f', 0)));
    m_drops->setText(tr("drops: parse %1 · kernel %2")
                         .arg(QLocale().toString(status.parseDrops), QLocale().toString(status.kernelDrops)));
    m_seriesCount->setText(tr("%1 series").arg(QLocale().toString(status.seriesCount)));
    m_dbSize->setText(tr("db %1").arg(formatBytes(status.databaseBytes)));
    const PushStatus &push = status.push;
    m_push->setVisible(push.configured);
    if (!push.configured)
        return;
    QString text;
    if (push.state == u"failing") {
        // The reason, short: the tooltip has all of it.
        const QString why = push.lastError.size() > 40 ? push.lastError.left(39) % u'…' : push.lastError;
        text = tr("push: failing (%1)").arg(why);
    } else if (push.dropped() > 0) {
        text = tr("push: %1 dropped").arg(QLocale().toString(push.dropped()));
    } else {
        text = push.state == u"ok" ? tr("push ok") : tr("push idle");
    }
    m_push->setText(text);
    m_push->setStyleSheet(push.state == u"failing" || push.dropped() > 0 ? u"QLabel { color: #e74c3c; }"_s : QString());
    m_push->setToolTip(pushToolTip(push));
}

QString CollectorStatusBar::pushText() const
{
    return m_push->isHidden() ? QString() : m_push->text();
}

void CollectorStatusBar::setSourceName(const QString &name)
{
    m_sourceName = name;
    if (!name.isEmpty()) {
        // A server's own ingest, drops and storage are not ours to show: blank what a local collector would fill.
        m_ingest->clear();
        m_drops->clear();
        m_dbSize->clear();
    }
    if (m_state)
        setConnection(*m_state, m_detail, m_since);
}

void CollectorStatusBar::setFleetCounts(int hosts, int seriesCount, bool merged)
{
    const QString hostText = hosts == 1 ? tr("1 host")
        : merged                        ? tr("%1 hosts merged").arg(hosts)
                                        : tr("%1 hosts").arg(hosts);
    m_seriesCount->setText(tr("%1 · %2 series").arg(hostText, QLocale().toString(seriesCount)));
    m_seriesCount->setToolTip(tr("Hosts that pushed perfdash series to the server, and their series"));
}

QString CollectorStatusBar::connectionText() const
{
    return m_connection->text();
}

QString CollectorStatusBar::statusText() const
{
    return QStringList { m_ingest->text(), m_drops->text(), m_seriesCount->text(), m_dbSize->text() }.join(u" | "_s);
}

} // namespace perfdash
