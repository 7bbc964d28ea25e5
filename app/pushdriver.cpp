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
    QByteArray text = m_encoder.takePush((m_encoder.newestSecond() + 1) * 1000);
    if (text.size() <= kMaxBatchBytes) {
        m_pusher->push(std::move(text));
        return;
    }
    for (QByteArray &batch : split(text))
        m_pusher->push(std::move(batch));
}

QVector<QByteArray> PushDriver::split(const QByteArray &text, qsizetype maxBytes)
{
    QVector<QByteArray> batches;
    qsizetype from = 0;
    while (from < text.size()) {
        qsizetype to = std::min(text.size(), from + maxBytes);
        if (to < text.size()) {
            const qsizetype newline = text.lastIndexOf('\n', to - 1);
            // A line longer than maxBytes goes whole: a cut line would be refused.
            to = newline >= from ? newline + 1 : text.indexOf('\n', to);
            if (to < 0)
                to = text.size();
            else if (newline < from)
                to += 1;
        }
        batches.push_back(text.mid(from, to - from));
        from = to;
    }
    return batches;
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
