// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/pushdriver.h"

#include <QDebug>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

PushDriver::PushDriver(Options options)
    : m_options(std::move(options))
    , m_encoder(m_options.labels)
    , m_pusher(std::make_unique<PromPusher>(PromPusher::Options { m_options.url, m_options.bufferBytes }))
{
    m_timer.setInterval(int(m_options.intervalMs));
    QObject::connect(&m_timer, &QTimer::timeout, [this]() { pushDue(); });
}

PushDriver::~PushDriver()
{
    stop();
}

void PushDriver::start()
{
    m_timer.start();
}

void PushDriver::ingest(const QVector<LiveFrame> &frames)
{
    if (m_stopped)
        return;
    for (const LiveFrame &frame : frames)
        m_encoder.add(frame);
}

void PushDriver::pushDue()
{
    if (m_encoder.newestSecond() < 0)
        return;
    // The end of the newest closed second: the samples' own time, whatever the delay of this timer.
    QByteArray batch = m_encoder.takePush((m_encoder.newestSecond() + 1) * 1000);
    if (!batch.isEmpty())
        m_pusher->push(std::move(batch));
}

void PushDriver::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_timer.stop();
    pushDue();
    const qint64 dropped = m_pusher->finish(kShutdownFlushMs);
    if (dropped > 0) {
        const QJsonObject status = m_pusher->status();
        const QString error = status.value(u"last_error"_s).toString();
        qWarning("perfdashd: push to %s: %lld batches not delivered within %lld s of shutdown were dropped%s",
            qUtf8Printable(status.value(u"url"_s).toString()), dropped, kShutdownFlushMs / 1000,
            qUtf8Printable(error.isEmpty() ? QString() : u" (last error: "_s % error % u')'));
    }
}

} // namespace perfdash
