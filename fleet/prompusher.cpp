// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/prompusher.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QLocale>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSemaphore>
#include <QTimer>

#include <charconv>
#include <set>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

// The network side, on the pusher's thread.
class PushWorker : public QObject {
public:
    PushWorker(PromPusher::Options options, std::shared_ptr<PromPusher::Shared> shared)
        : m_options(std::move(options))
        , m_shared(std::move(shared))
        , m_queue(m_options.bufferBytes, [this]() { return m_clock.elapsed(); })
        , m_retry(this)
        , m_flushDeadline(this)
    {
        m_clock.start();
        m_retry.setSingleShot(true);
        m_flushDeadline.setSingleShot(true);
        QObject::connect(&m_retry, &QTimer::timeout, this, [this]() { sendNext(); });
        QObject::connect(&m_flushDeadline, &QTimer::timeout, this, [this]() { endFlush(); });
        m_url = m_options.url.toString(QUrl::RemoveUserInfo);
        publish();
    }

    void push(QByteArray batch)
    {
        if (m_flushed) {
            m_queue.push(std::move(batch));
            m_queue.dropAll(); // after the shutdown flush: counted, not sent
        } else {
            m_queue.push(std::move(batch));
        }
        sendNext();
        publish();
    }

    void flush(qint64 timeoutMs, std::shared_ptr<QSemaphore> done)
    {
        m_flushDone = std::move(done);
        m_flushing = true;
        m_retry.stop();
        m_flushDeadline.start(int(std::max<qint64>(1, timeoutMs)));
        if (m_queue.queuedBatches() == 0)
            endFlush();
        else
            sendNext();
    }

private:
    void sendNext()
    {
        if (!m_queue.ready(m_flushing)) {
            // Waiting out a backoff: wake when it ends (a push meanwhile must not start it early).
            if (!m_flushing && !m_queue.inFlight() && m_queue.queuedBatches() > 0 && !m_retry.isActive())
                m_retry.start(int(std::max<qint64>(1, m_queue.nextAttemptMs() - m_clock.elapsed())));
            return;
        }
        if (!m_network) {
            // Created here, on this thread, so its sockets belong to it.
            m_network = new QNetworkAccessManager(this);
            m_network->setAutoDeleteReplies(true);
        }
        QNetworkRequest request(m_options.url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"text/plain"_s);
        request.setTransferTimeout(int(m_options.timeoutMs));
        m_reply = m_network->post(request, m_queue.begin());
        QObject::connect(m_reply, &QNetworkReply::finished, this, [this, reply = m_reply]() { onFinished(reply); });
    }

    void onFinished(QNetworkReply *reply)
    {
        if (reply != m_reply)
            return; // aborted at the end of the shutdown flush
        m_reply = nullptr;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        bool failed = false;
        if (status >= 200 && status < 300) {
            m_queue.sent();
            // Wall time for people: the queue's clock is monotonic.
            m_lastSuccess = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
            if (m_reportedFailing) {
                m_reportedFailing = false;
                qInfo("perfdashd: push to %s recovered; %lld batches still queued", qUtf8Printable(m_url),
                    m_queue.queuedBatches());
            }
        } else if (status >= 400 && status < 500) {
            const QByteArray body = reply->readAll();
            const QString firstLine = QString::fromUtf8(body.left(body.indexOf('\n'))).left(300).trimmed();
            const QString error = QString::number(status) % u' ' % firstLine;
            m_queue.rejected(error);
            if (m_loggedStatus.insert(status).second)
                qWarning("perfdashd: push to %s refused: %s", qUtf8Printable(m_url), qUtf8Printable(error));
        } else {
            failed = true;
            QString error;
            if (status != 0)
                error = QString::number(status) % u' '
                    % reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
            else if (reply->error() == QNetworkReply::OperationCanceledError)
                error = u"no answer within %1 s"_s.arg(QLocale::c().toString(double(m_options.timeoutMs) / 1000));
            else
                error = reply->errorString();
            const qint64 delay = m_queue.failed(error);
            if (!m_reportedFailing) {
                m_reportedFailing = true;
                qWarning("perfdashd: push to %s failing: %s; keeping up to %lld KiB and retrying with backoff "
                         "(next in %lld ms)",
                    qUtf8Printable(m_url), qUtf8Printable(error), m_queue.capacity() / 1024, delay);
            }
        }
        publish();
        if (m_flushing) {
            // At shutdown one failure ends the attempt: the server is not coming back within the 2 s.
            if (failed || m_queue.queuedBatches() == 0)
                endFlush();
            else
                sendNext();
            return;
        }
        sendNext();
    }

    void endFlush()
    {
        if (!m_flushing)
            return;
        m_flushing = false;
        m_flushed = true;
        m_flushDeadline.stop();
        m_retry.stop();
        if (QNetworkReply *reply = std::exchange(m_reply, nullptr))
            reply->abort();
        m_queue.dropAll();
        publish();
        if (m_flushDone)
            m_flushDone->release();
    }

    void publish()
    {
        const PushQueue::Counters &c = m_queue.counters();
        const char *state = m_queue.state() == PushQueue::State::Ok ? "ok"
            : m_queue.state() == PushQueue::State::Failing          ? "failing"
                                                                    : "idle";
        QJsonObject status {
            { u"url"_s, m_url },
            { u"state"_s, QString::fromLatin1(state) },
            { u"sent_batches"_s, c.sentBatches },
            { u"sent_bytes"_s, c.sentBytes },
            { u"queued_batches"_s, m_queue.queuedBatches() },
            { u"queued_bytes"_s, m_queue.queuedBytes() },
            { u"buffer_bytes"_s, m_queue.capacity() },
            { u"dropped_batches"_s,
                QJsonObject { { u"buffer_full"_s, c.droppedBufferFull }, { u"rejected"_s, c.droppedRejected },
                    { u"shutdown"_s, c.droppedShutdown } } },
            { u"dropped_samples"_s, c.droppedSamples },
            { u"failures"_s, c.failures },
            { u"retries"_s, c.retries },
            { u"last_error"_s, c.lastError },
            { u"last_success"_s, m_lastSuccess },
        };
        QMutexLocker lock(&m_shared->mutex);
        m_shared->status = std::move(status);
    }

    PromPusher::Options m_options;
    std::shared_ptr<PromPusher::Shared> m_shared;
    QString m_url;
    QElapsedTimer m_clock; // the queue's: monotonic, so a clock step cannot stall or rush a retry
    PushQueue m_queue;
    QTimer m_retry;
    QTimer m_flushDeadline;
    QNetworkAccessManager *m_network = nullptr; // a child, created on this thread
    QNetworkReply *m_reply = nullptr; // the one request in flight
    std::set<int> m_loggedStatus; // 4xx codes already logged
    bool m_reportedFailing = false;
    bool m_flushing = false;
    bool m_flushed = false;
    std::shared_ptr<QSemaphore> m_flushDone;
    QString m_lastSuccess; // ISO 8601 UTC; empty: never
};

void PromPusher::ThreadStopper::operator()(QThread *thread) const
{
    thread->quit();
    thread->wait();
    delete thread;
}

QUrl PromPusher::importUrl(const QString &text)
{
    QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s) || url.host().isEmpty())
        return {};
    if (url.path().isEmpty() || url.path() == u"/"_s)
        url.setPath(u"/api/v1/import/prometheus"_s);
    return url;
}

std::optional<qint64> PromPusher::parseSize(const QString &input)
{
    QString text = input.trimmed();
    qint64 scale = 1;
    for (const auto &[suffix, factor] : { std::pair { u"KiB", 1LL << 10 }, { u"MiB", 1LL << 20 }, { u"GiB", 1LL << 30 },
             { u"KB", 1LL << 10 }, { u"MB", 1LL << 20 }, { u"GB", 1LL << 30 }, { u"K", 1LL << 10 }, { u"M", 1LL << 20 },
             { u"G", 1LL << 30 }, { u"B", 1LL } }) {
        if (text.endsWith(QStringView(suffix), Qt::CaseInsensitive)) {
            text.chop(QStringView(suffix).size());
            scale = factor;
            break;
        }
    }
    const QByteArray latin = text.trimmed().toLatin1();
    qint64 value = 0;
    const auto [ptr, ec] = std::from_chars(latin.constData(), latin.constData() + latin.size(), value);
    if (latin.isEmpty() || ec != std::errc() || ptr != latin.constData() + latin.size() || value <= 0
        || value > (16LL << 30) / scale)
        return std::nullopt;
    const qint64 bytes = value * scale;
    if (bytes < 1024)
        return std::nullopt;
    return bytes;
}

PromPusher::PromPusher(Options options)
    : m_shared(std::make_shared<Shared>())
    , m_thread(new QThread)
{
    m_thread->setObjectName(u"perfdash-push"_s);
    m_worker = new PushWorker(std::move(options), m_shared);
    m_worker->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

PromPusher::~PromPusher() = default;

void PromPusher::push(QByteArray batch)
{
    if (batch.isEmpty())
        return;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, batch = std::move(batch)]() mutable { worker->push(std::move(batch)); },
        Qt::QueuedConnection);
}

QJsonObject PromPusher::status() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->status;
}

qint64 PromPusher::finish(qint64 timeoutMs)
{
    const qint64 before = status().value(u"dropped_batches"_s).toObject().value(u"shutdown"_s).toInteger();
    auto done = std::make_shared<QSemaphore>();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, timeoutMs, done]() { worker->flush(timeoutMs, done); }, Qt::QueuedConnection);
    // A little beyond the worker's own deadline: its timer ends the flush, this only guards a stuck thread.
    done->tryAcquire(1, int(timeoutMs + 500));
    return status().value(u"dropped_batches"_s).toObject().value(u"shutdown"_s).toInteger() - before;
}

} // namespace perfdash
