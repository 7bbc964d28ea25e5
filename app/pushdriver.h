// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/promencoder.h"
#include "fleet/prompusher.h"

#include <QJsonObject>
#include <QTimer>

#include <memory>

namespace perfdash {

// `perfdashd --push` on the collector thread (docs/fleet.md): folds the final seconds into a PromEncoder and, every
// interval, hands what changed to the PromPusher, stamped at the end of the newest closed second (not wall time, so a
// late push does not move samples). Nothing here waits for the network; stop() does, for at most 2 s.
class PushDriver {
public:
    struct Options {
        QUrl url; // PromPusher::importUrl
        qint64 intervalMs = 10000;
        PromSchema::Labels labels; // host and every --push-label
        qint64 bufferBytes = PushQueue::kDefaultCapacity;
    };
    static constexpr qint64 kShutdownFlushMs = 2000;
    // A push larger than this goes as several POSTs, split between lines: one request stays small for the server, and
    // a full buffer drops a part of a push, not all of it (10,000 timers make about 90 MB a push; bench_push).
    static constexpr qsizetype kMaxBatchBytes = 4LL * 1024 * 1024;

    // The batches of one push, each at most maxBytes unless a single line is longer. Pure.
    static QVector<QByteArray> split(const QByteArray &text, qsizetype maxBytes = kMaxBatchBytes);

    explicit PushDriver(Options options);
    ~PushDriver();
    PushDriver(const PushDriver &) = delete;
    PushDriver &operator=(const PushDriver &) = delete;

    void start();
    // Final frames (CollectorService::framesClosed); provisional ones are skipped.
    void ingest(const QVector<LiveFrame> &frames);
    QJsonObject status() const { return m_pusher->status(); }
    // The last push, a flush bounded by kShutdownFlushMs, and one line on stderr for what it could not send.
    void stop();

private:
    void pushDue();

    Options m_options;
    PromEncoder m_encoder;
    QTimer m_timer;
    std::unique_ptr<PromPusher> m_pusher;
    bool m_stopped = false;
};

} // namespace perfdash
