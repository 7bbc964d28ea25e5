// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: a real VictoriaMetrics single node (Debian's victoria-metrics) on 127.0.0.1 with a temporary data
// folder, and blocking calls of its HTTP API for the checks. The tests skip when the binary is not installed.

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrlQuery>

#include <memory>

namespace perfdash::test {

class VictoriaMetricsProcess {
public:
    static QString program() { return QStandardPaths::findExecutable(QStringLiteral("victoria-metrics")); }

    ~VictoriaMetricsProcess() { stop(); }

    // Starts it on a free port of 127.0.0.1 (a port picked by binding 0, retried if taken meanwhile), keeping the
    // data folder across stop() and start() so a restart finds what was stored. True once /health answers.
    bool start()
    {
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (m_port == 0 || attempt > 0) {
                QTcpServer probe;
                if (!probe.listen(QHostAddress::LocalHost, 0))
                    return false;
                m_port = probe.serverPort();
            }
            m_process.setProcessChannelMode(QProcess::MergedChannels);
            m_process.start(program(),
                { QStringLiteral("-httpListenAddr=127.0.0.1:%1").arg(m_port),
                    QStringLiteral("-storageDataPath=%1").arg(m_data.path()),
                    QStringLiteral("-search.latencyOffset=0s"), QStringLiteral("-loggerLevel=ERROR") });
            if (!m_process.waitForStarted(5000))
                return false;
            const QDeadlineTimer deadline(10000);
            while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
                if (get(QStringLiteral("/health")).first == 200)
                    return true;
                m_process.waitForFinished(50); // returns at once when it exits (a taken port)
            }
            stop();
        }
        return false;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(2000);
        }
    }

    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    QString output() { return QString::fromUtf8(m_process.readAll()); }

    // Makes what was imported searchable at once.
    bool flush() { return get(QStringLiteral("/internal/force_flush")).first == 200; }

    // GET path?query: (HTTP status, body); status 0 when no answer came within timeoutMs.
    std::pair<int, QByteArray> get(const QString &path, const QUrlQuery &query = {}, int timeoutMs = 5000)
    {
        QUrl url(this->url() + path);
        url.setQuery(query);
        return wait(m_network.get(QNetworkRequest(url)), timeoutMs);
    }
    std::pair<int, QByteArray> post(const QString &path, const QByteArray &body, int timeoutMs = 5000)
    {
        QNetworkRequest request(QUrl(url() + path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("text/plain"));
        return wait(m_network.post(request, body), timeoutMs);
    }
    // An instant PromQL query's result array (empty on any failure).
    QJsonArray query(const QString &promql, qint64 timeSeconds)
    {
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), promql);
        q.addQueryItem(QStringLiteral("time"), QString::number(timeSeconds));
        const auto [status, body] = get(QStringLiteral("/api/v1/query"), q);
        if (status != 200)
            return {};
        return QJsonDocument::fromJson(body)
            .object()
            .value(QStringLiteral("data"))
            .toObject()
            .value(QStringLiteral("result"))
            .toArray();
    }

private:
    std::pair<int, QByteArray> wait(QNetworkReply *reply, int timeoutMs)
    {
        reply->setParent(nullptr);
        std::unique_ptr<QNetworkReply> owner(reply);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        if (!reply->isFinished())
            return { 0, {} };
        return { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll() };
    }

    QTemporaryDir m_data;
    QProcess m_process;
    quint16 m_port = 0;
    QNetworkAccessManager m_network;
};

} // namespace perfdash::test
