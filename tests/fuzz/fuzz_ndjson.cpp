// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the native-record parser (collector/ndjsonrecord.h). The input is parsed whole as one line,
// then split on '\n' as ingest.sock splits a stream, into one reused record. Accepted records are checked against
// the parser's promises; a broken promise traps, so the fuzzer reports it like a crash.
#include "collector/ndjsonrecord.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QString>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace perfdash;

namespace {

constexpr qint64 kNowMs = 1657100600000;

void check(bool promise)
{
    if (!promise)
        __builtin_trap();
}

bool isUtf8(const std::string &s)
{
    const QByteArray bytes(s.data(), qsizetype(s.size()));
    return QString::fromUtf8(bytes).toUtf8() == bytes;
}

bool isName(const std::string &s, const NdjsonRecord::Limits &limits)
{
    if (s.empty() || qsizetype(s.size()) > limits.maxNameBytes || !isUtf8(s))
        return false;
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == '|' || c == ',')
            return false;
    }
    return true;
}

// What every work record promises: names where names belong, a canonical guid, an error cut to its limit.
void checkOutcome(const NativeRecord::Outcome &o, const NdjsonRecord::Limits &limits)
{
    check(o.opCode.empty() || isName(o.opCode, limits));
    check(o.tenant.empty() || isName(o.tenant, limits));
    check(o.guid.empty() || o.guid.size() == 36);
    check(isUtf8(o.error));
    const QString error = QString::fromUtf8(o.error.data(), qsizetype(o.error.size()));
    const qsizetype markerChars = QString::fromUtf8(NdjsonRecord::truncationMarker).toUcs4().size();
    check(error.toUcs4().size() <= limits.maxErrorChars + (o.errorTruncated ? markerChars : 0));
}

void checkAccepted(const NativeRecord &r, const NdjsonRecord::Limits &limits)
{
    check(r.tags.size() <= size_t(limits.maxTags));
    for (const auto &tag : r.tags) {
        check(!tag.key.empty() && isUtf8(tag.key) && isUtf8(tag.value));
        check(qsizetype(tag.key.size() + 1 + tag.value.size()) <= limits.maxTagBytes);
    }
    check(r.timestampMs <= kNowMs + limits.maxFutureSeconds * 1000);
    switch (r.type) {
    case NativeRecord::Type::Metric:
        check(isName(r.metric.name, limits) && std::isfinite(r.metric.value));
        check(r.metric.rate > 0 && r.metric.rate <= 1);
        break;
    case NativeRecord::Type::Op:
        check(isName(r.op.name, limits) && r.op.elapsedS >= 0);
        checkOutcome(r.op, limits);
        break;
    case NativeRecord::Type::Run: {
        check(isName(r.run.workflow, limits) && r.run.end >= r.run.start);
        check(r.run.steps.size() <= size_t(limits.maxSteps) && r.run.stepsFailed >= 0);
        for (const auto &step : r.run.steps)
            check(isName(step.name, limits) && step.elapsedS >= 0);
        checkOutcome(r.run, limits);
        check(r.run.telemetryCount <= limits.maxSamples);
        // The samples are kept as sent: valid JSON, an array of as many objects as counted.
        if (!r.run.telemetry.empty()) {
            const QJsonDocument doc
                = QJsonDocument::fromJson(QByteArray(r.run.telemetry.data(), qsizetype(r.run.telemetry.size())));
            check(doc.isArray() && doc.array().size() == r.run.telemetryCount);
        } else {
            check(r.run.telemetryCount == 0);
        }
        break;
    }
    case NativeRecord::Type::ApiCall:
        check(isName(r.apiCall.endpoint, limits) && r.apiCall.elapsedS >= 0);
        check(!r.apiCall.status || (*r.apiCall.status >= 0 && *r.apiCall.status <= 999));
        checkOutcome(r.apiCall, limits);
        break;
    case NativeRecord::Type::Notification:
        check(isName(r.notification.channel, limits) && r.notification.elapsedS >= 0);
        checkOutcome(r.notification, limits);
        break;
    case NativeRecord::Type::Sample:
        check(r.sample.pid > 0 && r.sample.threads >= 0);
        break;
    case NativeRecord::Type::Prediction:
        check(isName(r.prediction.model, limits) && isUtf8(r.prediction.label) && isUtf8(r.prediction.truthLabel));
        check(std::isnan(r.prediction.score) || (r.prediction.score >= 0 && r.prediction.score <= 1));
        break;
    case NativeRecord::Type::Quality:
    case NativeRecord::Type::Baseline:
        check(isName(r.score.model, limits) && isName(r.score.metric, limits) && std::isfinite(r.score.value));
        break;
    }
}

void parseOne(QByteArrayView line, NativeRecord &record, const NdjsonRecord::Limits &limits)
{
    const auto reason = NdjsonRecord::parse(line, record, limits, kNowMs);
    if (reason)
        check(*reason < NdjsonRecord::Reason::Count_);
    else
        checkAccepted(record, limits);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static NativeRecord record; // reused across inputs, as the ingest reuses it across lines
    static const NdjsonRecord::Limits limits;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    parseOne(input, record, limits);
    qsizetype start = 0;
    while (start < input.size()) {
        const auto *newline
            = static_cast<const char *>(std::memchr(input.data() + start, '\n', size_t(input.size() - start)));
        const qsizetype end = newline ? newline - input.data() : input.size();
        QByteArrayView line = input.sliced(start, end - start);
        if (line.endsWith('\r'))
            line.chop(1);
        if (!line.isEmpty())
            parseOne(line, record, limits);
        start = end + 1;
    }
    return 0;
}
