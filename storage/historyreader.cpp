// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/historyreader.h"

#include "storage/database.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

class HistoryWorker : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryWorker)
public:
    explicit HistoryWorker(QString path)
        : m_path(std::move(path))
        , m_connectionName(u"perfdash-reader-"_s % QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
    }
    ~HistoryWorker() override { Database::close(m_connectionName); }

    void query(qint64 fromSecond, qint64 toSecond, quint64 generation)
    {
        if (!m_open) {
            // The collector may not have created the file yet; try again on every request.
            Database::close(m_connectionName);
            const auto opened = Database::openReadOnly(m_connectionName, m_path);
            if (!opened.ok) {
                Q_EMIT failed(generation, opened.error);
                return;
            }
            m_open = true;
        }
        auto db = QSqlDatabase::database(m_connectionName, false);
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.prepare(u"SELECT t.ts, s.key, s.kind, t.count, t.rate, t.sum, t.min, t.max, t.last, t.p50, t.p90, t.p95, t.p99"
                  " FROM stats_1s t JOIN series s ON s.id = t.series_id"
                  " WHERE t.ts BETWEEN ? AND ? ORDER BY t.ts"_s);
        q.addBindValue(fromSecond);
        q.addBindValue(toSecond);
        if (!q.exec()) {
            m_open = false;
            Q_EMIT failed(generation, q.lastError().text());
            return;
        }
        const auto real = [&q](int column) {
            const QVariant v = q.value(column);
            return v.isNull() ? std::numeric_limits<double>::quiet_NaN() : v.toDouble();
        };
        QVector<LiveFrame> frames;
        while (q.next()) {
            const qint64 second = q.value(0).toLongLong();
            if (frames.isEmpty() || frames.constLast().second != second)
                frames.push_back(LiveFrame { second, {} });
            SeriesStats s;
            s.key = q.value(1).toString();
            s.kind = MetricKind(q.value(2).toInt());
            s.count = q.value(3).toLongLong();
            s.rate = real(4);
            s.sum = real(5);
            s.min = real(6);
            s.max = real(7);
            s.last = real(8);
            s.p50 = real(9);
            s.p90 = real(10);
            s.p95 = real(11);
            s.p99 = real(12);
            frames.last().series.push_back(std::move(s));
        }
        Q_EMIT rangeReady(generation, frames);
    }

Q_SIGNALS:
    void rangeReady(quint64 generation, const QVector<perfdash::LiveFrame> &frames);
    void failed(quint64 generation, const QString &message);

private:
    QString m_path;
    QString m_connectionName;
    bool m_open = false;
};

HistoryReader::HistoryReader(const QString &path, QObject *parent)
    : HistorySource(parent)
    , m_thread(std::make_unique<QThread>())
    , m_worker(new HistoryWorker(path))
{
    qRegisterMetaType<QVector<LiveFrame>>();
    m_thread->setObjectName(u"perfdash-history"_s);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &HistoryWorker::rangeReady, this, &HistorySource::rangeReady);
    connect(m_worker, &HistoryWorker::failed, this, &HistorySource::failed);
    m_thread->start();
}

HistoryReader::~HistoryReader()
{
    m_thread->quit();
    m_thread->wait();
}

void HistoryReader::requestRange(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    QMetaObject::invokeMethod(
            m_worker, [worker = m_worker, fromSecond, toSecond, generation]() {
                worker->query(fromSecond, toSecond, generation);
            },
            Qt::QueuedConnection);
}

} // namespace perfdash

#include "historyreader.moc"
