// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/pushqueue.h"

#include <QJsonObject>
#include <QMutex>
#include <QThread>
#include <QUrl>

#include <memory>
#include <optional>

namespace perfdash {

class PushWorker;

// `perfdashd --push URL` (docs/fleet.md): sends push batches (PromEncoder::takePush) to a Prometheus-compatible import
// endpoint from a thread of its own, through a PushQueue: one POST in flight at a time, oldest first, 10 s transfer
// timeout; 2xx delivered; 4xx dropped as rejected and logged once per status code; anything else retried with backoff
// and logged once per change (failing, recovered). The owner lives on the collector thread; push() and status() never
// wait for the network, only finish() does, bounded, at shutdown.
class PromPusher {
public:
    struct Options {
        QUrl url; // the import endpoint, as importUrl() gives it
        qint64 bufferBytes = PushQueue::kDefaultCapacity;
        qint64 timeoutMs = 10000; // a server that never answers holds one attempt this long
    };

    // A base URL (http://host:8428) gets /api/v1/import/prometheus; a URL with a path is used as given. An invalid
    // QUrl for anything but an http(s) URL with a host.
    static QUrl importUrl(const QString &text);
    // "64MiB", "512KiB", "1G", "65536" (bytes; K, M and G are powers of 1024) -> bytes, from 1 KiB to 16 GiB.
    static std::optional<qint64> parseSize(const QString &text);

    explicit PromPusher(Options options);
    ~PromPusher();
    PromPusher(const PromPusher &) = delete;
    PromPusher &operator=(const PromPusher &) = delete;

    // Queues a batch (moved to the pusher's thread); any thread, never blocks.
    void push(QByteArray batch);
    // "push" in `perfdashd stats`: url, state (ok|failing|idle), sent_*, queued_*, dropped_batches{buffer_full,
    // rejected, shutdown}, dropped_samples, failures, retries, last_error, last_success. Any thread.
    QJsonObject status() const;
    // Shutdown: tries to send what is queued for at most timeoutMs (no backoff, one failure ends it), then drops the
    // rest as "shutdown". Returns how many batches were dropped so. Blocks the caller up to timeoutMs.
    qint64 finish(qint64 timeoutMs);

    // Shared with the worker: its latest status, published after every change.
    struct Shared {
        mutable QMutex mutex;
        QJsonObject status;
    };

private:
    struct ThreadStopper {
        void operator()(QThread *thread) const;
    };
    std::shared_ptr<Shared> m_shared;
    std::unique_ptr<QThread, ThreadStopper> m_thread;
    PushWorker *m_worker = nullptr; // lives on m_thread, deleted when it finishes
};

} // namespace perfdash
