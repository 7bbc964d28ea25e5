// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/recordrouter.h"

#include "collector/seriesregistry.h"
#include "models/aggregator.h"
#include "models/serieskey.h"

#include <algorithm>
#include <charconv>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
// Whether a kind's waiting rows leave room for one more (RecordRouter::kMaxPending); when not, the record is counted
// as dropped.
template <typename Rows>
bool roomIn(const Rows &pending, quint64 &dropped)
{
    if (pending.size() < RecordRouter::kMaxPending)
        return true;
    ++dropped;
    return false;
}

QString text(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QByteArrayView bytes(const std::string &s)
{
    return QByteArrayView(s.data(), qsizetype(s.size()));
}

// The error as stored: at most WorkOutcome::kMaxErrorChars code points with the marker included, so the table's
// own cut (a trigger for other writers) never applies twice.
QString storedError(const NativeRecord::Outcome &o)
{
    QString error = text(o.error);
    const QString marker = QString::fromUtf8(NdjsonRecord::truncationMarker);
    const bool cut = o.errorTruncated || error.toUcs4().size() > WorkOutcome::kMaxErrorChars;
    if (!cut)
        return error;
    if (o.errorTruncated && error.endsWith(marker))
        error.chop(marker.size());
    QList<uint> codePoints = error.toUcs4();
    codePoints.resize(std::min<qsizetype>(codePoints.size(), WorkOutcome::kMaxErrorChars - marker.size()));
    return QString::fromUcs4(reinterpret_cast<const char32_t *>(codePoints.constData()), codePoints.size()) + marker;
}

void fillOutcome(WorkOutcome &out, const NativeRecord::Outcome &o, const NativeRecord &record)
{
    // Lowercase, as the tables compare guids: a resend in the other case is the same record.
    out.guid = text(o.guid).toLower();
    out.opCode = text(o.opCode);
    out.tenant = text(o.tenant);
    out.success = o.success;
    out.error = storedError(o);
    out.errorCategory = text(o.errorCategory);
    out.tags = record.tagList();
}

const NativeRecord::Outcome *outcomeOf(const NativeRecord &r)
{
    switch (r.type) {
    case NativeRecord::Type::Op:
        return &r.op;
    case NativeRecord::Type::Run:
        return &r.run;
    case NativeRecord::Type::ApiCall:
        return &r.apiCall;
    case NativeRecord::Type::Notification:
        return &r.notification;
    default:
        return nullptr;
    }
}
} // namespace

RecordRouter::RecordRouter(Aggregator &aggregator, SeriesRegistry &registry)
    : m_aggregator(aggregator)
    , m_registry(registry)
{ }

void RecordRouter::setOwnTags(const NativeRecord &record)
{
    m_ownTags.resize(record.tags.size());
    for (size_t i = 0; i < record.tags.size(); ++i) {
        const NativeRecord::Tag &tag = record.tags[i];
        std::string &out = m_ownTags[i];
        out.assign(tag.key);
        if (!tag.value.empty()) {
            out += ':';
            out += tag.value;
        }
    }
}

qint32 RecordRouter::seriesFor(QByteArrayView name, Extra a, Extra b, Extra c)
{
    m_views.clear();
    for (const std::string &tag : m_ownTags)
        m_views.push_back(QByteArrayView(tag.data(), qsizetype(tag.size())));
    int n = 0;
    for (const Extra &extra : { a, b, c }) {
        if (extra.prefix.isEmpty())
            continue;
        std::string &out = m_extra[n++];
        out.assign(extra.prefix.data(), size_t(extra.prefix.size()));
        out.append(extra.value.data(), size_t(extra.value.size()));
        m_views.push_back(QByteArrayView(out.data(), qsizetype(out.size())));
    }
    normalizeTags(m_views);
    assignKeyBytes(m_key, name, m_views);
    return m_registry.admit(m_key, m_nowSeconds, m_source);
}

void RecordRouter::add(qint32 id, MetricKind kind, double value, qint64 tsMs, double rate)
{
    if (id >= 0 && std::isfinite(value))
        m_aggregator.add(id, kind, value, tsMs, rate);
}

void RecordRouter::routeBaseline(const NativeRecord::Score &score, qint64 tsMs)
{
    Baseline::Stored row;
    row.model = text(score.model);
    const QString source = text(score.source);
    if (!source.isEmpty()
        && (!Baseline::sourceFromName(source, &row.source) || row.source == Baseline::Source::FirstDay)) {
        ++m_badBaselines; // first_24h baselines are formed from history, never sent
        return;
    }
    row.kpi = row.source == Baseline::Source::Deploy && !source.isEmpty()
        ? u"*"_s
        : KpiCatalog::canonicalName(text(score.metric));
    if (row.kpi.isEmpty() || m_baselines.size() >= kMaxPending) {
        ++m_badBaselines;
        return;
    }
    // No source: a quality metric's figure is the test set's at deploy time; any other is an expected figure.
    if (source.isEmpty())
        row.source = KpiCatalog::find(row.kpi)->quality ? Baseline::Source::TestSet : Baseline::Source::Expected;
    row.value = score.value;
    row.spread = score.spread;
    row.n = std::isfinite(score.n) ? score.n : 0;
    row.windowFrom = std::isfinite(score.start) ? qint64(score.start) : 0;
    row.windowTo = std::isfinite(score.end) ? qint64(score.end) : 0;
    row.created = tsMs / 1000;
    row.validFrom = row.created;
    m_baselines.append(row);
}

void RecordRouter::routeOutcome(const NativeRecord::Prediction &p, qint64 tsMs)
{
    // One record feeds one kind of outcome, chosen by what it carries (docs/protocol.md, "prediction"):
    // a label with a truth label is multi-class; a score with a numeric truth 0 or 1 is binary; a value with a
    // numeric truth is regression. Without a usable truth the prediction is only counted.
    const bool truthIsLabel = !p.truthLabel.empty();
    const bool truthIsNumber = !std::isnan(p.truthValue);
    enum class Outcome { None, Class, Binary, Regression } outcome = Outcome::None;
    if (!p.label.empty() && truthIsLabel)
        outcome = Outcome::Class;
    else if (!std::isnan(p.score) && truthIsNumber && (p.truthValue == 0.0 || p.truthValue == 1.0))
        outcome = Outcome::Binary;
    else if (!std::isnan(p.value) && truthIsNumber)
        outcome = Outcome::Regression;
    if (outcome == Outcome::None) {
        if (truthIsLabel || truthIsNumber)
            ++m_unmatchedTruths;
        return;
    }
    const Aggregator::SeriesId id = seriesFor("prediction.quality", { "model:", bytes(p.model) });
    if (id < 0)
        return;
    bool accepted = false;
    switch (outcome) {
    case Outcome::Class:
        accepted = m_aggregator.addClassOutcome(id, text(p.label), text(p.truthLabel), tsMs);
        break;
    case Outcome::Binary:
        accepted = m_aggregator.addBinaryOutcome(id, p.score, p.truthValue == 1.0, tsMs);
        break;
    case Outcome::Regression:
        accepted = m_aggregator.addRegressionOutcome(id, p.value, p.truthValue, tsMs);
        break;
    case Outcome::None:
        break;
    }
    if (accepted)
        ++m_outcomes;
}

void RecordRouter::routeApiCall(const NativeRecord &r, qint64 ts)
{
    const NativeRecord::ApiCall &a = r.apiCall;
    const Extra endpoint { "endpoint:", bytes(a.endpoint) };
    const Extra method { a.method.empty() ? QByteArrayView() : "method:", bytes(a.method) };
    add(seriesFor("api_call.requests", endpoint, method, { "status:", a.success ? "ok" : "error" }),
        MetricKind::Counter, 1, ts);
    add(seriesFor("api_call.elapsed", endpoint, method), MetricKind::Timer, a.elapsedS * 1000.0, ts);
    if (a.status) {
        char code[24];
        const auto end = std::to_chars(code, code + sizeof(code), *a.status).ptr;
        add(seriesFor("api_call.status", endpoint, { "code:", QByteArrayView(code, end - code) }), MetricKind::Counter,
            1, ts);
    }
    if (a.cacheHit)
        add(seriesFor("api_call.cache_hits", endpoint), MetricKind::Counter, 1, ts);
    if (std::isfinite(a.requestKb))
        add(seriesFor("api_call.request_kb", endpoint), MetricKind::Distribution, a.requestKb, ts);
    if (std::isfinite(a.responseKb))
        add(seriesFor("api_call.response_kb", endpoint), MetricKind::Distribution, a.responseKb, ts);
    if (!roomIn(m_work.apiCalls, m_droppedRecords))
        return;
    ApiCallRecord call;
    fillOutcome(call, a, r);
    call.timeMs = ts;
    call.method = text(a.method);
    call.endpoint = text(a.endpoint);
    call.status = a.status;
    call.requestKb = a.requestKb;
    call.responseKb = a.responseKb;
    call.elapsedS = a.elapsedS;
    call.cacheHit = a.cacheHit;
    m_work.apiCalls.push_back(std::move(call));
}

void RecordRouter::routeNotification(const NativeRecord &r, qint64 ts)
{
    const NativeRecord::Notification &n = r.notification;
    const Extra channel { "channel:", bytes(n.channel) };
    add(seriesFor("notification.sent", channel, { "status:", n.success ? "ok" : "error" }), MetricKind::Counter, 1, ts);
    add(seriesFor("notification.elapsed", channel), MetricKind::Timer, n.elapsedS * 1000.0, ts);
    const auto count = [&](QByteArrayView name, const std::optional<qint64> &value) {
        if (value)
            add(seriesFor(name, channel), MetricKind::Counter, double(*value), ts);
    };
    count("notification.recipients", n.recipients);
    count("notification.delivered", n.delivered);
    count("notification.failed", n.failed);
    if (n.queueDepth)
        add(seriesFor("notification.queue_depth", channel), MetricKind::Gauge, double(*n.queueDepth), ts);
    if (!roomIn(m_work.notifications, m_droppedRecords))
        return;
    NotificationRecord out;
    fillOutcome(out, n, r);
    out.timeMs = ts;
    out.channel = text(n.channel);
    out.recipients = n.recipients;
    out.delivered = n.delivered;
    out.failed = n.failed;
    out.queueDepth = n.queueDepth;
    out.elapsedS = n.elapsedS;
    m_work.notifications.push_back(std::move(out));
}

void RecordRouter::route(const NativeRecord &r, qint64 nowMs, qint64 source)
{
    m_nowSeconds = nowMs / 1000;
    m_source = source;
    const NativeRecord::Outcome *work = outcomeOf(r);
    if (work && m_recentGuids.contains(work->guid, m_nowSeconds)) {
        ++m_resent;
        return;
    }
    const qsizetype queued = m_work.size();
    setOwnTags(r);
    const qint64 ts = r.timestampMs;
    switch (r.type) {
    case NativeRecord::Type::Metric:
        add(seriesFor(bytes(r.metric.name)), r.metric.kind, r.metric.value, ts, r.metric.rate);
        break;
    case NativeRecord::Type::Op: {
        const Extra opTag { "op:", bytes(r.op.name) };
        const Extra tenant { r.op.tenant.empty() ? QByteArrayView() : "tenant:", bytes(r.op.tenant) };
        add(seriesFor("op.elapsed", opTag, tenant), MetricKind::Timer, r.op.elapsedS * 1000.0, ts);
        add(seriesFor("op.requests", opTag, tenant, { "status:", r.op.success ? "ok" : "error" }), MetricKind::Counter,
            1, ts);
        if (r.op.items)
            add(seriesFor("op.items", opTag, tenant), MetricKind::Counter, double(*r.op.items), ts);
        add(seriesFor("op.memory_mb", opTag, tenant), MetricKind::Gauge, r.op.memoryMb, ts);
        if (r.op.cacheHits)
            add(seriesFor("op.cache_hits", opTag, tenant), MetricKind::Counter, double(*r.op.cacheHits), ts);
        if (r.op.apiCalls)
            add(seriesFor("op.api_calls", opTag, tenant), MetricKind::Counter, double(*r.op.apiCalls), ts);
        if (!r.op.success && !r.op.errorCategory.empty())
            add(seriesFor("op.errors", opTag, tenant, { "category:", bytes(r.op.errorCategory) }), MetricKind::Counter,
                1, ts);
        if (!roomIn(m_work.operations, m_droppedRecords))
            break;
        OperationRecord op;
        fillOutcome(op, r.op, r);
        op.timeMs = ts;
        op.name = text(r.op.name);
        op.target = text(r.op.target);
        op.items = r.op.items;
        op.elapsedS = r.op.elapsedS;
        op.itemsPerS = r.op.itemsPerS;
        op.memoryMb = r.op.memoryMb;
        op.fileSizeMb = r.op.fileSizeMb;
        op.cacheHits = r.op.cacheHits;
        op.apiCalls = r.op.apiCalls;
        m_work.operations.push_back(std::move(op));
        break;
    }
    case NativeRecord::Type::Run: {
        const Extra workflow { "workflow:", bytes(r.run.workflow) };
        add(seriesFor("run.duration", workflow), MetricKind::Timer, r.run.executionS * 1000.0, ts);
        add(seriesFor("run.count", workflow, { "status:", r.run.success ? "ok" : "error" }), MetricKind::Counter, 1,
            ts);
        for (const auto &step : r.run.steps)
            add(seriesFor("run.step.duration", workflow, { "step:", bytes(step.name) }), MetricKind::Timer,
                step.elapsedS * 1000.0, ts);
        if (std::isfinite(r.run.memoryMb))
            add(seriesFor("run.memory_mb", workflow), MetricKind::Gauge, r.run.memoryMb, ts);
        if (r.run.retries)
            add(seriesFor("run.retries", workflow), MetricKind::Counter, double(*r.run.retries), ts);
        if (r.run.stepsFailed > 0)
            add(seriesFor("run.steps_failed", workflow), MetricKind::Counter, double(r.run.stepsFailed), ts);
        if (!roomIn(m_work.runs, m_droppedRecords))
            break;
        RunRecord run;
        fillOutcome(run, r.run, r);
        run.workflow = text(r.run.workflow);
        run.start = r.run.start;
        run.end = r.run.end;
        run.executionS = r.run.executionS;
        for (const auto &step : r.run.steps)
            run.steps.push_back({ text(step.name), step.start, step.elapsedS, step.success });
        run.stepsFailed = r.run.stepsFailed;
        run.memoryMb = r.run.memoryMb;
        run.retries = r.run.retries;
        run.executionMode = text(r.run.executionMode);
        run.telemetry = QByteArray(r.run.telemetry.data(), qsizetype(r.run.telemetry.size()));
        run.telemetryDropped = r.run.telemetryDropped;
        m_work.runs.push_back(std::move(run));
        break;
    }
    case NativeRecord::Type::ApiCall:
        routeApiCall(r, ts);
        break;
    case NativeRecord::Type::Notification:
        routeNotification(r, ts);
        break;
    case NativeRecord::Type::Sample: {
        char pidText[24];
        const auto end = std::to_chars(pidText, pidText + sizeof(pidText), r.sample.pid).ptr;
        const Extra pid { "pid:", QByteArrayView(pidText, end - pidText) };
        add(seriesFor("process.cpu_percent", pid), MetricKind::Gauge, r.sample.cpuPercent, ts);
        add(seriesFor("process.rss_mb", pid), MetricKind::Gauge, r.sample.rssMb, ts);
        add(seriesFor("process.vms_mb", pid), MetricKind::Gauge, r.sample.vmsMb, ts);
        add(seriesFor("process.threads", pid), MetricKind::Gauge, double(r.sample.threads), ts);
        add(seriesFor("process.gpu_percent", pid), MetricKind::Gauge, r.sample.gpuPercent, ts);
        add(seriesFor("process.gpu_mem_mb", pid), MetricKind::Gauge, r.sample.gpuMemMb, ts);
        break;
    }
    case NativeRecord::Type::Prediction:
        ++m_predictions;
        add(seriesFor("prediction.count", { "model:", bytes(r.prediction.model) }), MetricKind::Counter, 1, ts);
        routeOutcome(r.prediction, ts);
        break;
    case NativeRecord::Type::Quality: {
        m_name.assign("quality.");
        m_name.append(r.score.metric);
        add(seriesFor(bytes(m_name), { "model:", bytes(r.score.model) }), MetricKind::Gauge, r.score.value, ts);
        break;
    }
    case NativeRecord::Type::Baseline:
        // A version in the baselines table, not a series: a `baseline.*` gauge would join the model's roles (a
        // pinned queue_depth would become its queue gauge).
        routeBaseline(r.score, ts);
        break;
    }
    if (work && m_work.size() > queued)
        m_recentGuids.remember(work->guid, m_nowSeconds);
}

} // namespace perfdash
