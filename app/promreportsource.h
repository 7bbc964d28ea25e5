// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/reportsource.h"
#include "fleet/promreader.h"

#include <QJsonObject>

namespace perfdash {

// A summary's and a bucketed report's inputs from a Prometheus-compatible server (fleet/promreader.h), read
// synchronously (fleet/promsync.h) for the command line. Merged: every host's series as one; `host` set: only that
// host's series, under their keys without the host tag, with that host's covered seconds. Baselines and trends are
// ReportSource's own (readModelHistory over this source: automatic baselines from the first day the server holds);
// prediction quality is not in the schema: none. One thread, the caller's, which runs the reader's event loop while
// it waits.
class PromReportSource : public ReportSource {
public:
    explicit PromReportSource(const QUrl &server, const QString &host = {}, int timeoutMs = 60000);

    QString where() const override;
    bool seriesList(qint64 from, qint64 to, QVector<SeriesInfo> *out, QString *error) override;
    bool windows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
        QHash<QString, QVector<SeriesPoint>> *out, QString *error) override;
    bool seriesWindows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step, bool withSketches,
        QVector<SeriesWindow> *out, QString *error) override;
    bool coverage(qint64 from, qint64 to, qint64 step, qint64 now, Coverage *out, QString *error) override;

    // The hosts seen by the last seriesList (every host that has a series; sorted).
    QStringList hosts() const { return m_hosts; }
    // The hosts of the series of the last windows() call: the ones a summary's figures came from.
    QStringList hostsRead() const { return m_hostsRead; }
    // The summary's "source" field: {"url": …, "hosts": […], "merged": bool}.
    QJsonObject describe() const;

private:
    QString keyOnServer(const QString &key) const;
    // The buckets of these series, in their order, under their keys here; the heartbeat read along.
    bool read(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step, QVector<RangeSeries> *out,
        QString *error);

    PromReader m_reader;
    QString m_host;
    int m_timeoutMs;
    QStringList m_hosts, m_hostsRead;
    QHash<QString, QStringList> m_hostsOf; // key -> hosts that have it
    // The heartbeat read along with the last windows(), for coverage() over the same buckets.
    qint64 m_heartbeatFrom = 0, m_heartbeatTo = 0, m_heartbeatStep = 0;
    QVector<SeriesPoint> m_heartbeat;
    bool m_heartbeatRead = false;
};

} // namespace perfdash
