// SPDX-License-Identifier: GPL-3.0-or-later
// Feeds arbitrary bytes as one StatsD datagram through StatsdParser::forEachLine and parseLine, and checks what an
// accepted line promises: limits held, tags sorted and distinct, numbers in range, and no state leaking between
// lines through the reused Message (the result must equal a parse into a fresh one).
#include "collector/statsdparser.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace perfdash;

namespace {

constexpr qint64 Now = 1657100600;

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_statsd: invariant broken: %s\n", what);
        std::abort();
    }
}

void checkTags(const QStringList &tags, const StatsdParser::Limits &limits)
{
    check(tags.size() <= limits.maxTags, "too many tags accepted");
    QByteArray previous;
    for (qsizetype i = 0; i < tags.size(); ++i) {
        const QByteArray tag = tags[i].toUtf8();
        check(!tag.isEmpty(), "empty tag");
        check(tag.size() <= limits.maxTagBytes, "tag over the limit");
        check(i == 0 || previous < tag, "tags not strictly sorted bytewise");
        previous = tag;
    }
}

bool sameLine(const StatsdParser::Line &a, const StatsdParser::Line &b)
{
    if (a.values.size() != b.values.size())
        return false;
    for (qsizetype i = 0; i < a.values.size(); ++i) {
        if (a.values[i].value != b.values[i].value || a.values[i].signedGauge != b.values[i].signedGauge)
            return false;
    }
    return a.name == b.name && a.tags == b.tags && a.kind == b.kind && a.sampleRate == b.sampleRate
        && a.timestamp == b.timestamp && (a.kind != MetricKind::Set || a.setMember == b.setMember);
}

bool sameEvent(const StatsdEvent &a, const StatsdEvent &b)
{
    return a.title == b.title && a.text == b.text && a.host == b.host && a.aggregationKey == b.aggregationKey
        && a.sourceType == b.sourceType && a.tags == b.tags && a.timestamp == b.timestamp && a.priority == b.priority
        && a.alertType == b.alertType;
}

bool sameServiceCheck(const StatsdServiceCheck &a, const StatsdServiceCheck &b)
{
    return a.name == b.name && a.host == b.host && a.message == b.message && a.tags == b.tags
        && a.timestamp == b.timestamp && a.status == b.status;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static StatsdParser::Message reused; // as StatsdIngest keeps one across datagrams
    const StatsdParser::Limits limits;
    const QByteArrayView datagram(reinterpret_cast<const char *>(data), qsizetype(size));
    StatsdParser::forEachLine(datagram, [&](QByteArrayView line) {
        check(!line.isEmpty() && !line.contains('\n'), "forEachLine framing");
        const auto reason = StatsdParser::parseLine(line, reused, limits, Now);
        StatsdParser::Message fresh;
        const auto freshReason = StatsdParser::parseLine(line, fresh, limits, Now);
        check(reason == freshReason, "verdict depends on the previous line");
        if (reason) {
            check(*reason < StatsdParser::Reason::Count_, "reason out of range");
            return;
        }
        check(line.size() <= limits.maxLineBytes, "long line accepted");
        check(reused.kind == fresh.kind && reused.warnings == fresh.warnings, "kind or warnings depend on history");
        switch (reused.kind) {
        case StatsdParser::Message::Kind::Metric: {
            const StatsdParser::Line &m = reused.metric;
            check(sameLine(m, fresh.metric), "metric depends on the previous line");
            const QByteArray name = m.name.toUtf8();
            check(!name.isEmpty() && name.size() <= limits.maxNameBytes, "name length");
            checkTags(m.tags, limits);
            check(m.sampleRate >= 1e-6 && m.sampleRate <= 1.0, "rate out of range");
            check(m.timestamp >= 0 && m.timestamp <= Now + limits.maxFutureSeconds, "timestamp out of range");
            if (m.kind == MetricKind::Set) {
                check(m.values.isEmpty() && !m.setMember.isEmpty(), "set member");
            } else {
                check(!m.values.isEmpty(), "no values");
                for (const auto &v : m.values) {
                    check(std::isfinite(v.value), "value not finite");
                    check(m.kind != MetricKind::Timer || !(v.value < 0), "negative timer accepted");
                    check(m.kind == MetricKind::Gauge || !v.signedGauge, "delta flag on a non-gauge");
                }
            }
            break;
        }
        case StatsdParser::Message::Kind::Event:
            check(sameEvent(reused.event, fresh.event), "event depends on the previous line");
            check(!reused.event.title.isEmpty(), "empty event title");
            check(reused.event.timestamp <= Now + limits.maxFutureSeconds, "event date in the future");
            checkTags(reused.event.tags, limits);
            break;
        case StatsdParser::Message::Kind::ServiceCheck:
            check(sameServiceCheck(reused.serviceCheck, fresh.serviceCheck), "check depends on the previous line");
            check(!reused.serviceCheck.name.isEmpty(), "empty service-check name");
            check(int(reused.serviceCheck.status) <= 3, "status out of range");
            checkTags(reused.serviceCheck.tags, limits);
            break;
        }
    });
    return 0;
}
