// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/recordrouter.h"

#include "models/aggregator.h"
#include "models/serieskey.h"

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
QString text(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}
} // namespace

RecordRouter::RecordRouter(Aggregator &aggregator)
    : m_aggregator(aggregator)
{
}

void RecordRouter::add(const QString &name, QStringList tags, MetricKind kind, double value, qint64 tsMs, double rate)
{
    if (!std::isfinite(value))
        return;
    normalizeTags(tags);
    m_aggregator.add(SeriesKey { name, tags }.toString(), kind, value, tsMs, rate);
}

void RecordRouter::routeOutcome(const NativeRecord::Prediction &p, QStringList tags, qint64 tsMs)
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
    normalizeTags(tags);
    const Aggregator::SeriesId id = m_aggregator.seriesId(SeriesKey { u"prediction.quality"_s, tags }.toString());
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

void RecordRouter::route(const NativeRecord &r)
{
    const QStringList tags = r.tagList();
    const qint64 ts = r.timestampMs;
    switch (r.type) {
    case NativeRecord::Type::Metric:
        add(text(r.metric.name), tags, r.metric.kind, r.metric.value, ts, r.metric.rate);
        break;
    case NativeRecord::Type::Op: {
        QStringList t = tags;
        t << u"op:"_s + text(r.op.name);
        if (!r.op.tenant.empty())
            t << u"tenant:"_s + text(r.op.tenant);
        add(u"op.elapsed"_s, t, MetricKind::Timer, r.op.elapsedS * 1000.0, ts);
        add(u"op.requests"_s, t + QStringList { r.op.success ? u"status:ok"_s : u"status:error"_s },
            MetricKind::Counter, 1, ts);
        if (r.op.items)
            add(u"op.items"_s, t, MetricKind::Counter, double(*r.op.items), ts);
        add(u"op.memory_mb"_s, t, MetricKind::Gauge, r.op.memoryMb, ts);
        if (r.op.cacheHits)
            add(u"op.cache_hits"_s, t, MetricKind::Counter, double(*r.op.cacheHits), ts);
        if (r.op.apiCalls)
            add(u"op.api_calls"_s, t, MetricKind::Counter, double(*r.op.apiCalls), ts);
        if (!r.op.success && !r.op.errorCategory.empty())
            add(u"op.errors"_s, t + QStringList { u"category:"_s + text(r.op.errorCategory) }, MetricKind::Counter,
                1, ts);
        break;
    }
    case NativeRecord::Type::Run: {
        const QStringList t = tags + QStringList { u"workflow:"_s + text(r.run.workflow) };
        add(u"run.duration"_s, t, MetricKind::Timer, r.run.executionS * 1000.0, ts);
        add(u"run.count"_s, t + QStringList { r.run.success ? u"status:ok"_s : u"status:error"_s },
            MetricKind::Counter, 1, ts);
        for (const auto &step : r.run.steps)
            add(u"run.step.duration"_s, t + QStringList { u"step:"_s + text(step.name) }, MetricKind::Timer,
                step.elapsedS * 1000.0, ts);
        break;
    }
    case NativeRecord::Type::Sample: {
        const QStringList t = tags + QStringList { u"pid:"_s + QString::number(r.sample.pid) };
        add(u"process.cpu_percent"_s, t, MetricKind::Gauge, r.sample.cpuPercent, ts);
        add(u"process.rss_mb"_s, t, MetricKind::Gauge, r.sample.rssMb, ts);
        add(u"process.vms_mb"_s, t, MetricKind::Gauge, r.sample.vmsMb, ts);
        add(u"process.threads"_s, t, MetricKind::Gauge, double(r.sample.threads), ts);
        add(u"process.gpu_percent"_s, t, MetricKind::Gauge, r.sample.gpuPercent, ts);
        add(u"process.gpu_mem_mb"_s, t, MetricKind::Gauge, r.sample.gpuMemMb, ts);
        break;
    }
    case NativeRecord::Type::Prediction: {
        ++m_predictions;
        QStringList t = tags + QStringList { u"model:"_s + text(r.prediction.model) };
        add(u"prediction.count"_s, t, MetricKind::Counter, 1, ts);
        routeOutcome(r.prediction, t, ts);
        break;
    }
    case NativeRecord::Type::Quality:
    case NativeRecord::Type::Baseline: {
        const QString prefix = r.type == NativeRecord::Type::Quality ? u"quality."_s : u"baseline."_s;
        add(prefix + text(r.score.metric), tags + QStringList { u"model:"_s + text(r.score.model) },
            MetricKind::Gauge, r.score.value, ts);
        break;
    }
    }
}

} // namespace perfdash
