// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/httpapi.h"

#include "app/boundedtcpserver.h"
#include "storage/database.h"

#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QThread>
#include <QUrlQuery>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

// The server and its connection, on the HTTP thread.
class HttpWorker : public QObject {
public:
    HttpWorker(QString dbPath, HttpApi::MetricsText metrics)
        : m_dbPath(std::move(dbPath))
        , m_metrics(std::move(metrics))
    { }
    ~HttpWorker() override
    {
        m_server.reset();
        if (m_open)
            QSqlDatabase::removeDatabase(m_connection);
    }

    bool start(const QHostAddress &address, quint16 port, quint16 *bound, QString *error)
    {
        m_server = std::make_unique<QHttpServer>();
        m_server->route(u"/api/v1/monitoring/performance/<arg>"_s,
            [this](const QString &model, const QHttpServerRequest &request) { return summary(model, request); });
        m_server->route(u"/metrics"_s, [this](const QHttpServerRequest &request) {
            if (request.method() != QHttpServerRequest::Method::Get)
                return HttpWorker::error(QHttpServerResponse::StatusCode::MethodNotAllowed, u"GET only"_s);
            return QHttpServerResponse("text/plain; version=0.0.4; charset=utf-8", m_metrics());
        });
        auto *tcp = new BoundedTcpServer(BoundedTcpServer::Limits {}, m_server.get());
        tcp->setMaxPendingConnections(HttpApi::maxPendingConnections);
        if (!tcp->listen(address, port)) {
            *error = tcp->errorString();
            return false;
        }
        m_server->bind(tcp);
        *bound = tcp->serverPort();
        return true;
    }

private:
    static QHttpServerResponse error(QHttpServerResponse::StatusCode status, const QString &message)
    {
        return QHttpServerResponse(QJsonObject { { u"error"_s, message } }, status);
    }

    QHttpServerResponse summary(const QString &model, const QHttpServerRequest &request)
    {
        using Status = QHttpServerResponse::StatusCode;
        if (request.method() != QHttpServerRequest::Method::Get)
            return error(Status::MethodNotAllowed, u"GET only"_s);
        if (!m_open) {
            const auto opened = Database::openReadOnly(m_connection, m_dbPath);
            if (!opened.ok)
                return error(Status::ServiceUnavailable, u"cannot read the database: "_s % opened.error);
            m_open = true;
        }
        QString why;
        const auto r = HttpApi::summaryRequest(model, request.url(), &why);
        if (!r)
            return error(Status::BadRequest, why);
        QJsonObject out;
        switch (summaryReport(m_connection, m_dbPath, *r, QDateTime::currentSecsSinceEpoch(), &out, &why)) {
        case SummaryStatus::Ok:
            return QHttpServerResponse(out);
        case SummaryStatus::BadRequest:
            return error(Status::BadRequest, why);
        case SummaryStatus::UnknownModel:
            return error(Status::NotFound, why);
        case SummaryStatus::Failed:
            break;
        }
        return error(Status::InternalServerError, why);
    }

    QString m_dbPath;
    HttpApi::MetricsText m_metrics;
    QString m_connection = u"perfdashd-http"_s;
    bool m_open = false;
    std::unique_ptr<QHttpServer> m_server;
};

std::optional<SummaryRequest> HttpApi::summaryRequest(const QString &model, const QUrl &url, QString *error)
{
    const QUrlQuery query(url);
    static const QStringList known { u"window"_s, u"granularity"_s, u"end"_s };
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        Q_UNUSED(value);
        if (!known.contains(key)) {
            *error = u"unknown parameter: "_s % key % u" (window, granularity, end)"_s;
            return std::nullopt;
        }
    }
    SummaryRequest r;
    r.model = model;
    if (query.hasQueryItem(u"window"_s))
        r.window = query.queryItemValue(u"window"_s, QUrl::FullyDecoded);
    r.granularity = query.queryItemValue(u"granularity"_s, QUrl::FullyDecoded);
    if (query.hasQueryItem(u"end"_s))
        r.end = query.queryItemValue(u"end"_s, QUrl::FullyDecoded);
    return r;
}

HttpApi::HttpApi(QString dbPath, MetricsText metrics)
    : m_dbPath(std::move(dbPath))
    , m_metrics(std::move(metrics))
{ }

HttpApi::~HttpApi()
{
    if (m_thread) {
        QMetaObject::invokeMethod(
            m_worker, [worker = m_worker]() { delete worker; }, Qt::BlockingQueuedConnection);
        m_thread->quit();
        m_thread->wait();
    }
}

bool HttpApi::start(const QHostAddress &address, quint16 port, QString *error)
{
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(u"perfdash-http"_s);
    m_worker = new HttpWorker(m_dbPath, m_metrics);
    m_worker->moveToThread(m_thread.get());
    m_thread->start();
    bool ok = false;
    quint16 bound = 0;
    QMetaObject::invokeMethod(
        m_worker, [&]() { ok = m_worker->start(address, port, &bound, error); }, Qt::BlockingQueuedConnection);
    if (!ok)
        return false;
    const QString host
        = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' % address.toString() % u']' : address.toString();
    m_address = host % u':' % QString::number(bound);
    return true;
}

} // namespace perfdash
