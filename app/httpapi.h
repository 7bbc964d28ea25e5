// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/summaryreport.h"

#include <QHostAddress>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QThread;

namespace perfdash {

class HttpWorker;

// perfdashd's HTTP routes on loopback (docs/http.md), GET only, served on a thread of their own with their own
// read-only database connection, so a request never holds the collector's receive path:
// - /api/v1/monitoring/performance/<model_id>?window=&granularity=&end=: seed 001's summary, the JSON of `perfdashd
//   summary` (app/summaryreport); 400 with {"error": …} for a bad parameter, 404 for an unknown model.
// - /metrics: the Prometheus text format 0.0.4 (collector/metricsexporter.h).
// Bounded (app/boundedtcpserver.h): 16 open connections (503 beyond), 10 s idle and 30 s in all per connection,
// 64 KiB received per connection; at most maxPendingConnections waiting to be accepted.
class HttpApi {
public:
    static constexpr int maxPendingConnections = 16;

    using MetricsText = std::function<QByteArray()>; // /metrics' body; any thread
    HttpApi(QString dbPath, MetricsText metrics);
    ~HttpApi();
    HttpApi(const HttpApi &) = delete;
    HttpApi &operator=(const HttpApi &) = delete;

    // Listens on address:port (0 picks a free port); false with a sentence when it cannot.
    bool start(const QHostAddress &address, quint16 port, QString *error);
    // "127.0.0.1:8080" once started.
    QString address() const { return m_address; }

    // The summary route's request for `model` (the path's last segment) from its URL's query: window, granularity and
    // end, each optional. nullopt with the 400's sentence in *error for any other parameter; summaryReport judges the
    // values. Pure, any thread.
    static std::optional<SummaryRequest> summaryRequest(const QString &model, const QUrl &url, QString *error);

private:
    QString m_dbPath;
    MetricsText m_metrics;
    QString m_address;
    std::unique_ptr<QThread> m_thread;
    HttpWorker *m_worker = nullptr; // lives on m_thread
};

} // namespace perfdash
