// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: Notification records one notification sent (an email, an SMS, a push, a webhook) as a
// `notification` record (docs/protocol.md). A scope of a ModuleMetrics, made by its notification(), like its
// operations (WorkScope): timed on the monotonic clock, sent when end() is called or the scope ends, with a guid,
// the module as op_code and the ModuleMetrics' tags. It succeeded unless setSuccess(false) or fail() says otherwise
// or an exception leaves the scope. Belongs to the thread that made it.
//
//   {
//       auto sent = metrics.notification("email");
//       sent.setRecipients(120);
//       sent.setQueueDepth(mailer.queued());
//       const auto result = mailer.send(batch);
//       sent.setDelivered(result.delivered);
//       sent.setFailed(result.failed);
//   }                                                         // the record is sent here

#include "perfdash/jsonline.h"
#include "perfdash/modulemetrics.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace perfdash::client {

class Notification : public WorkScope {
public:
    Notification(Notification &&other) noexcept
        : WorkScope(std::move(other))
        , m_channel(std::move(other.m_channel))
        , m_recipients(other.m_recipients)
        , m_delivered(other.m_delivered)
        , m_failed(other.m_failed)
        , m_queueDepth(other.m_queueDepth)
    { }
    ~Notification() { end(); }

    void setRecipients(uint64_t n) { m_recipients = n; }
    void setDelivered(uint64_t n) { m_delivered = n; }
    void setFailed(uint64_t n) { m_failed = n; }
    // Messages waiting in the sender's queue when it was sent.
    void setQueueDepth(uint64_t n) { m_queueDepth = n; }
    bool success() const { return m_success.value_or(true); }

    // Ends the notification and sends its record; later calls do nothing. Returns the elapsed seconds.
    double end() noexcept
    {
        double elapsed = 0;
        if (ModuleMetrics *metrics = release(elapsed))
            metrics->sendScope(*this, elapsed);
        return elapsed;
    }

    // The record as it would be sent for the given time; for tests and for callers that send elsewhere.
    std::string toJson(double endUnix, double elapsed, const Tags &tags = {}) const
    {
        JsonLine line("notification");
        line.field("ts", endUnix);
        identityFields(line);
        line.field("channel", sanitizeName(m_channel));
        if (m_recipients)
            line.field("recipients", jsonInteger(*m_recipients));
        if (m_delivered)
            line.field("delivered", jsonInteger(*m_delivered));
        if (m_failed)
            line.field("failed", jsonInteger(*m_failed));
        if (m_queueDepth)
            line.field("queue_depth", jsonInteger(*m_queueDepth));
        line.field("elapsed_s", elapsed);
        outcomeFields(line, success());
        line.tags(tags);
        return std::move(line).finish();
    }

private:
    friend class ModuleMetrics;
    Notification(ModuleMetrics *metrics, std::string channel, std::string opCode, double start)
        : WorkScope(metrics, std::move(opCode), start)
        , m_channel(std::move(channel))
    { }

    std::string m_channel;
    std::optional<uint64_t> m_recipients, m_delivered, m_failed, m_queueDepth;
};

inline Notification ModuleMetrics::notification(std::string channel)
{
    return Notification(this, std::move(channel), m_module, now());
}

} // namespace perfdash::client
