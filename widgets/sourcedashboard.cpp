// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/sourcedashboard.h"

#include "models/serieskey.h"
#include "models/sourcetreemodel.h"
#include "widgets/gaugewidget.h"
#include "widgets/kpitile.h"
#include "widgets/timeserieschart.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMap>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr qint64 recentSeconds = 10; // throughput and error rate tiles: the last 10 s, counts add exactly

QString formatMs(double ms)
{
    if (!std::isfinite(ms))
        return u"–"_s;
    if (ms >= 1000)
        return QLocale().toString(ms / 1000, 'f', 2) % u" s"_s;
    return QLocale().toString(ms, 'f', ms < 10 ? 2 : 1) % u" ms"_s;
}

QString formatRate(double perSecond)
{
    if (!std::isfinite(perSecond))
        return u"–"_s;
    return QLocale().toString(perSecond, 'f', perSecond < 10 ? 2 : 0) % u"/s"_s;
}

QString formatPercent(double fraction, int decimals = 2)
{
    if (!std::isfinite(fraction))
        return u"–"_s;
    return QLocale().toString(fraction * 100, 'f', decimals) % u" %"_s;
}

QString formatNumber(double v)
{
    if (!std::isfinite(v))
        return u"–"_s;
    return QLocale().toString(v, 'f', std::abs(v) < 10 ? 1 : 0);
}

QString describeStep(qint64 step)
{
    if (step % 3600 == 0)
        return step == 3600 ? QObject::tr("1 h bucket") : QObject::tr("%1 h bucket").arg(step / 3600);
    if (step % 60 == 0)
        return step == 60 ? QObject::tr("1 min bucket") : QObject::tr("%1 min bucket").arg(step / 60);
    return step == 1 ? QObject::tr("last second") : QObject::tr("%1 s bucket").arg(step);
}

// Sums a rate over several series, per bucket start (ms).
QMap<qint64, double> sumRates(
    const SourceDashboard::PointLookup &points, const QStringList &keys, qint64 fromS, qint64 toS)
{
    QMap<qint64, double> out;
    for (const QString &key : keys) {
        const auto &pts = points(key);
        auto it = std::lower_bound(
            pts.cbegin(), pts.cend(), fromS, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
        for (; it != pts.cend() && it->second <= toS; ++it)
            out[it->second] += it->stats.rate;
    }
    return out;
}

double gaugeValue(const SeriesStats &s, qint64 step)
{
    return step > 1 && s.count > 0 ? s.mean() : std::isfinite(s.last) ? s.last : s.mean();
}

KpiTile::Tone toneFor(double change, bool higherIsBad, double threshold)
{
    if (!std::isfinite(change) || std::abs(change) < threshold)
        return KpiTile::Tone::Neutral;
    return (change > 0) == higherIsBad ? KpiTile::Tone::Bad : KpiTile::Tone::Good;
}

QString arrow(double change)
{
    return change > 0 ? u"▲ "_s : change < 0 ? u"▼ "_s : u"= "_s;
}
} // namespace

SourceDashboard::SourceDashboard(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(6);
    m_header = new QLabel(tr("Waiting for metrics…"), this);
    QFont headerFont = m_header->font();
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.3);
    headerFont.setBold(true);
    m_header->setFont(headerFont);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note = new QLabel(this);
    m_note->setForegroundRole(QPalette::PlaceholderText);
    auto *headerRow = new QHBoxLayout;
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_note, 0, Qt::AlignRight | Qt::AlignVCenter);
    layout->addLayout(headerRow);

    auto *tiles = new QHBoxLayout;
    for (const QString &caption :
        { tr("p95 latency"), tr("Throughput"), tr("Error rate"), tr("Queue depth"), tr("Accuracy") }) {
        auto *tile = new KpiTile(caption, this);
        tile->setDelta({});
        m_tiles.push_back(tile);
        tiles->addWidget(tile);
    }
    m_tiles[TileAccuracy]->hide();
    layout->addLayout(tiles);

    m_latency = new TimeSeriesChart(tr("Latency"), this);
    m_latency->addLine(u"p50"_s, QColor(0x2e, 0x86, 0xde), 1.5);
    m_latency->addLine(u"p95"_s, QColor(0xf3, 0x9c, 0x12), 1.5);
    m_latency->addLine(u"p99"_s, QColor(0xe7, 0x4c, 0x3c), 2.0);
    m_latency->addLine(tr("p95, too few samples"), QColor(0x9a, 0x9a, 0x9a), 1.0, true);
    m_latency->addLine(tr("p99, too few samples"), QColor(0xb0, 0xb0, 0xb0), 1.0, true);
    m_latency->setValueLabel(tr("ms"));
    m_latency->setHoverTextProvider([this](qint64 t) { return latencyHover(t); });
    m_throughput = new TimeSeriesChart(tr("Throughput"), this);
    m_throughput->addLine(tr("requests/s"), QColor(0x27, 0xae, 0x60), 1.5);
    m_errors = new TimeSeriesChart(tr("Error rate"), this);
    m_errors->addLine(tr("errors %"), QColor(0xc0, 0x39, 0x2b), 1.5);
    m_errors->setValueFormat(u"%.2g"_s);
    m_errors->setMinimumValueRange(1);
    m_queue = new TimeSeriesChart(tr("Queue depth"), this);
    m_queue->addLine(tr("queue depth"), QColor(0x8e, 0x44, 0xad), 1.5);
    m_queue->setMinimumValueRange(1);
    for (auto *chart : charts()) {
        connect(chart, &TimeSeriesChart::rangeRequested, this, &SourceDashboard::rangeRequested);
        connect(chart, &TimeSeriesChart::resetRequested, this, &SourceDashboard::resetRequested);
    }

    auto *body = new QHBoxLayout;
    auto *chartGrid = new QGridLayout;
    chartGrid->setSpacing(4);
    chartGrid->addWidget(m_latency, 0, 0, 1, 3);
    chartGrid->addWidget(m_throughput, 1, 0);
    chartGrid->addWidget(m_errors, 1, 1);
    chartGrid->addWidget(m_queue, 1, 2);
    chartGrid->setRowStretch(0, 3);
    chartGrid->setRowStretch(1, 2);
    body->addLayout(chartGrid, 1);
    auto *gauges = new QVBoxLayout;
    gauges->setSpacing(2);
    auto *gaugeTitle = new QLabel(tr("Resources"), this);
    gaugeTitle->setAlignment(Qt::AlignHCenter);
    gaugeTitle->setForegroundRole(QPalette::PlaceholderText);
    gauges->addWidget(gaugeTitle);
    m_cpu = new GaugeWidget(tr("CPU"), this);
    m_memory = new GaugeWidget(tr("Memory"), this);
    m_gpu = new GaugeWidget(tr("GPU"), this);
    m_cache = new GaugeWidget(tr("Cache hits"), this);
    for (auto *g : { m_cpu, m_memory, m_gpu, m_cache })
        gauges->addWidget(g);
    gauges->addStretch(1);
    m_gpu->hide();
    body->addLayout(gauges);
    layout->addLayout(body, 1);
    setSource({}, {}, 0);
}

SourceDashboard::~SourceDashboard() = default;

KpiTile *SourceDashboard::tile(int index) const
{
    return index >= 0 && index < m_tiles.size() ? m_tiles[index] : nullptr;
}

QString SourceDashboard::headerText() const
{
    return m_header->text();
}

void SourceDashboard::setRangeNote(const QString &note)
{
    m_note->setText(note);
}

void SourceDashboard::setDarkTheme(bool dark)
{
    for (auto *chart : charts())
        chart->setDarkTheme(dark);
}

void SourceDashboard::setMarkers(const QVector<TimeMarker> &markers)
{
    for (auto *chart : charts())
        chart->setMarkers(markers);
}

void SourceDashboard::setSource(const SourceRef &source, const SourceRoles &roles, int seriesCount)
{
    const bool changed = source != m_source;
    m_source = source;
    m_roles = roles;
    if (!source.isValid()) {
        m_header->setText(tr("Waiting for metrics…"));
    } else {
        m_header->setText(SourceTreeModel::kindSingular(source.kind) % u" · "_s % source.displayName());
        m_header->setToolTip(tr("%1 series; latency from %2")
                                 .arg(seriesCount)
                                 .arg(roles.latency.isEmpty() ? tr("no timer") : roles.latency));
    }
    if (changed)
        m_reference = {};
    m_latency->setTitle(
        roles.latency.isEmpty() ? tr("Latency") : tr("Latency · %1").arg(SeriesKey::fromString(roles.latency).name));
    m_latency->setEmptyText(roles.latency.isEmpty() ? tr("No timer in this source.") : tr("No data in this range."));
    m_throughput->setEmptyText(roles.requests.isEmpty() && roles.latency.isEmpty()
            ? tr("No request counter or timer in this source.")
            : tr("No data in this range."));
    m_errors->setEmptyText(roles.errors.isEmpty() ? tr("No error counts: send a *.requests counter with status:error, "
                                                       "or an *error* counter.")
                                                  : tr("No requests in this range."));
    m_queue->setEmptyText(roles.queue.isEmpty() ? tr("No queue gauge in this source.") : tr("No data in this range."));
    m_tiles[TileAccuracy]->setVisible(!roles.accuracy.isEmpty());
    m_gpu->setVisible(!roles.gpu.isEmpty() || !m_machine.gpu.isEmpty());
}

void SourceDashboard::showData(const PointLookup &points, qint64 fromMs, qint64 toMs, qint64 stepSeconds, bool live)
{
    m_stepSeconds = std::max<qint64>(1, stepSeconds);
    const qint64 fromS = fromMs / 1000 - m_stepSeconds;
    const qint64 toS = toMs / 1000;
    const double half = 0; // buckets are drawn at their start, as the live seconds are
    // Latency quantiles: a quantile whose n is too small goes to its grey line instead.
    QVector<QPointF> p50, p95, p99, p95few, p99few;
    m_latencySamples.clear();
    if (!m_roles.latency.isEmpty()) {
        const auto &pts = points(m_roles.latency);
        auto it = std::lower_bound(
            pts.cbegin(), pts.cend(), fromS, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
        for (; it != pts.cend() && it->second <= toS; ++it) {
            const SeriesStats &s = it->stats;
            const double x = double(it->second * 1000) + half;
            const bool ok95 = s.isMeaningful(0.95), ok99 = s.isMeaningful(0.99);
            p50.push_back({ x, s.isMeaningful(0.5) ? s.p50 : nan });
            p95.push_back({ x, ok95 ? s.p95 : nan });
            p99.push_back({ x, ok99 ? s.p99 : nan });
            p95few.push_back({ x, ok95 ? nan : s.p95 });
            p99few.push_back({ x, ok99 ? nan : s.p99 });
            m_latencySamples.push_back({ x, s.p50, s.p95, s.p99, s.quantileError, s.count });
        }
    }
    m_latency->setLineData(LineP50, std::move(p50));
    m_latency->setLineData(LineP95, std::move(p95));
    m_latency->setLineData(LineP99, std::move(p99));
    m_latency->setLineData(LineP95Few, std::move(p95few));
    m_latency->setLineData(LineP99Few, std::move(p99few));

    // Throughput: the request counters, or the latency timer's own rate.
    const QStringList requestKeys = !m_roles.requests.isEmpty() ? m_roles.requests
        : !m_roles.latency.isEmpty()                            ? QStringList { m_roles.latency }
                                                                : QStringList();
    const auto requests = sumRates(points, requestKeys, fromS, toS);
    const auto errors = sumRates(points, m_roles.errors, fromS, toS);
    QVector<QPointF> throughput, errorRate;
    throughput.reserve(requests.size());
    for (auto it = requests.cbegin(); it != requests.cend(); ++it) {
        const double x = double(it.key() * 1000) + half;
        throughput.push_back({ x, it.value() });
        if (!m_roles.errors.isEmpty())
            errorRate.push_back({ x, it.value() > 0 ? 100.0 * errors.value(it.key()) / it.value() : nan });
    }
    m_throughput->setLineData(0, std::move(throughput));
    m_errors->setLineData(0, std::move(errorRate));
    QVector<QPointF> queue;
    if (!m_roles.queue.isEmpty()) {
        const auto &pts = points(m_roles.queue);
        auto it = std::lower_bound(
            pts.cbegin(), pts.cend(), fromS, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
        for (; it != pts.cend() && it->second <= toS; ++it)
            queue.push_back({ double(it->second * 1000) + half, gaugeValue(it->stats, m_stepSeconds) });
    }
    m_queue->setLineData(0, std::move(queue));
    m_throughput->setValueLabel(m_stepSeconds > 1 ? tr("per s (mean of a bucket)") : tr("per s"));
    for (auto *chart : charts()) {
        // A missing bucket is a hole, not a straight line across it.
        chart->setGapMs(qint64(2.5 * double(m_stepSeconds * 1000)));
        chart->setTimeRange(fromMs, toMs);
        chart->redraw();
    }
    updateTiles(points, toMs, m_stepSeconds, live);
    updateGauges(points, fromMs, toMs);
}

void SourceDashboard::updateTiles(const PointLookup &points, qint64 toMs, qint64 step, bool live)
{
    const qint64 toS = toMs / 1000;
    // p95: the latest bucket in range, with its evidence.
    m_curP95 = nan;
    if (m_roles.latency.isEmpty()) {
        m_tiles[TileP95]->setValue(u"–"_s, tr("no timer in this source"), true);
    } else {
        const auto &pts = points(m_roles.latency);
        auto it = std::upper_bound(
            pts.cbegin(), pts.cend(), toS, [](qint64 s, const SeriesPoint &p) { return s < p.second; });
        if (it == pts.cbegin()) {
            m_tiles[TileP95]->setValue(u"–"_s, tr("no data"), true);
        } else {
            const SeriesStats &s = std::prev(it)->stats;
            const bool ok = s.isMeaningful(0.95);
            QString evidence = tr("%1 · n = %2").arg(live ? tr("last second") : describeStep(step)).arg(s.count);
            if (std::isfinite(s.quantileError))
                evidence += tr(" · ±%1%").arg(QLocale().toString(s.quantileError * 100, 'g', 2));
            if (!ok)
                evidence = tr("n = %1: too few for p95").arg(s.count);
            m_tiles[TileP95]->setValue(formatMs(s.p95), evidence, !ok);
            if (ok)
                m_curP95 = s.p95;
        }
    }
    // Throughput and error rate over the last few buckets: counts add, so these are exact.
    const qint64 span = live ? recentSeconds : step;
    const QStringList requestKeys = !m_roles.requests.isEmpty() ? m_roles.requests
        : !m_roles.latency.isEmpty()                            ? QStringList { m_roles.latency }
                                                                : QStringList();
    const auto countIn = [&](const QStringList &keys, qint64 *seconds) {
        double total = 0;
        qint64 newest = std::numeric_limits<qint64>::min();
        qint64 oldest = std::numeric_limits<qint64>::max();
        for (const QString &key : keys) {
            const auto &pts = points(key);
            if (!pts.isEmpty()) {
                newest = std::max(newest, std::min(toS, pts.constLast().second));
                oldest = std::min(oldest, pts.constFirst().second);
            }
        }
        if (newest == std::numeric_limits<qint64>::min() || oldest > newest)
            return nan;
        // A source younger than the window is averaged over the seconds it has existed, not over the whole window.
        const qint64 from = live ? std::max(newest - span + 1, oldest) : newest - span + 1;
        for (const QString &key : keys) {
            const auto &pts = points(key);
            auto it = std::lower_bound(
                pts.cbegin(), pts.cend(), from, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
            for (; it != pts.cend() && it->second <= newest; ++it)
                total += it->stats.rate * double(std::min(step, span));
        }
        if (seconds)
            *seconds = live ? newest - from + 1 : span;
        return total;
    };
    qint64 seconds = 0;
    const double requests = countIn(requestKeys, &seconds);
    const QString window = live ? tr("last %1 s").arg(seconds > 0 ? seconds : recentSeconds) : describeStep(step);
    m_curThroughput = std::isfinite(requests) && seconds > 0 ? requests / double(seconds) : nan;
    m_tiles[TileThroughput]->setValue(formatRate(m_curThroughput),
        requestKeys.isEmpty() ? tr("no request counter") : window, !std::isfinite(m_curThroughput));
    m_curErrorRate = nan;
    if (m_roles.errors.isEmpty()) {
        m_tiles[TileErrors]->setValue(u"–"_s, tr("no error counter"), true);
    } else {
        const double errors = countIn(m_roles.errors, nullptr);
        const bool ok = std::isfinite(requests) && requests > 0;
        m_curErrorRate = ok ? (std::isfinite(errors) ? errors : 0) / requests : nan;
        m_tiles[TileErrors]->setValue(formatPercent(m_curErrorRate),
            ok ? tr("%1 of %2 requests, %3")
                     .arg(QLocale().toString(std::isfinite(errors) ? errors : 0, 'f', 0),
                         QLocale().toString(requests, 'f', 0), window)
               : tr("no requests, %1").arg(window),
            !ok || requests < 20);
    }
    const auto lastGauge = [&](const QString &key, QString *when) {
        if (key.isEmpty())
            return nan;
        const auto &pts = points(key);
        auto it = std::upper_bound(
            pts.cbegin(), pts.cend(), toS, [](qint64 s, const SeriesPoint &p) { return s < p.second; });
        if (it == pts.cbegin())
            return nan;
        if (when)
            *when = step > 1 ? tr("mean of the last %1").arg(describeStep(step)) : tr("latest value");
        return gaugeValue(std::prev(it)->stats, step);
    };
    QString when;
    m_curQueue = lastGauge(m_roles.queue, &when);
    if (live && std::isfinite(m_curQueue)) {
        // A queue jumps from second to second; the mean of the last seconds is what compares with a reference.
        const auto &pts = points(m_roles.queue);
        const qint64 newest = std::min(toS, pts.constLast().second);
        double sum = 0;
        int n = 0;
        for (auto it = pts.crbegin(); it != pts.crend() && it->second > newest - recentSeconds; ++it) {
            if (it->second > toS)
                continue;
            const double v = gaugeValue(it->stats, 1);
            if (std::isfinite(v)) {
                sum += v;
                ++n;
            }
        }
        if (n > 0) {
            m_curQueue = sum / n;
            when = tr("mean of the last %1 s").arg(recentSeconds);
        }
    }
    m_tiles[TileQueue]->setValue(
        formatNumber(m_curQueue), m_roles.queue.isEmpty() ? tr("no queue gauge") : when, !std::isfinite(m_curQueue));
    m_curAccuracy = lastGauge(m_roles.accuracy, &when);
    if (std::isfinite(m_curAccuracy) && m_curAccuracy > 1.0)
        m_curAccuracy /= 100.0; // a producer that sends percent
    m_tiles[TileAccuracy]->setValue(formatPercent(m_curAccuracy, 1), when, !std::isfinite(m_curAccuracy));
    updateDeltas();
}

void SourceDashboard::setMachineKeys(const MachineKeys &keys)
{
    m_machine = keys;
    m_gpu->setVisible(!m_roles.gpu.isEmpty() || !m_machine.gpu.isEmpty());
}

void SourceDashboard::setReference(const DashboardReference &reference)
{
    m_reference = reference;
    updateDeltas();
}

void SourceDashboard::updateDeltas()
{
    const DashboardReference &r = m_reference;
    if (r.label.isEmpty()) {
        const QString none = tr("no reference yet");
        const QString why = tr("Deltas compare with the previous hour, once storage holds one.");
        for (auto *tile : std::as_const(m_tiles))
            tile->setDelta(none, KpiTile::Tone::Neutral, why);
        return;
    }
    const auto relative = [&](KpiTile *tile, double cur, double ref, bool higherIsBad, const QString &refText) {
        if (!std::isfinite(cur) || !std::isfinite(ref) || ref == 0) {
            tile->setDelta(std::isfinite(ref) ? tr("%1: %2").arg(r.label, refText) : tr("%1: no data").arg(r.label),
                KpiTile::Tone::Neutral, r.label);
            return;
        }
        const double change = (cur - ref) / ref;
        tile->setDelta(arrow(change) % QLocale().toString(std::abs(change) * 100, 'f', 0) % tr("% vs %1").arg(r.label),
            toneFor(change, higherIsBad, 0.05), tr("%1: %2").arg(r.label, refText));
    };
    relative(m_tiles[TileP95], m_curP95, r.p95, true, tr("%1 (n = %2)").arg(formatMs(r.p95)).arg(r.p95n));
    relative(m_tiles[TileThroughput], m_curThroughput, r.throughput, false, formatRate(r.throughput));
    relative(m_tiles[TileQueue], m_curQueue, r.queue, true, formatNumber(r.queue));
    // Rates of rare things compare in percentage points: 0.1% -> 0.2% is not "+100%".
    const auto points = [&](KpiTile *tile, double cur, double ref, bool higherIsBad) {
        if (!std::isfinite(cur) || !std::isfinite(ref)) {
            tile->setDelta(tr("%1: %2").arg(r.label, formatPercent(ref)), KpiTile::Tone::Neutral, r.label);
            return;
        }
        const double change = cur - ref;
        tile->setDelta(
            arrow(change) % QLocale().toString(std::abs(change) * 100, 'f', 2) % tr(" pp vs %1").arg(r.label),
            toneFor(change, higherIsBad, 0.005), tr("%1: %2").arg(r.label, formatPercent(ref)));
    };
    points(m_tiles[TileErrors], m_curErrorRate, r.errorRate, true);
    points(m_tiles[TileAccuracy], m_curAccuracy, r.accuracy, false);
}

void SourceDashboard::updateGauges(const PointLookup &points, qint64 fromMs, qint64 toMs)
{
    const qint64 fromS = fromMs / 1000, toS = toMs / 1000;
    const auto latest = [&](const QString &key, double *peak) {
        double last = nan;
        if (key.isEmpty())
            return last;
        const auto &pts = points(key);
        auto it = std::lower_bound(
            pts.cbegin(), pts.cend(), fromS, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
        for (; it != pts.cend() && it->second <= toS; ++it) {
            last = gaugeValue(it->stats, m_stepSeconds);
            if (peak && std::isfinite(it->stats.max))
                *peak = std::max(*peak, it->stats.max);
        }
        return last;
    };
    // The source's own process samples when it has them; else the machine's, and the caption says which.
    if (!m_roles.cpu.isEmpty() || m_machine.cpu.isEmpty()) {
        const double cpu = latest(m_roles.cpu, nullptr);
        m_cpu->setValue(std::isfinite(cpu) ? cpu / 100.0 : nan,
            std::isfinite(cpu) ? QLocale().toString(cpu, 'f', 0) % u" %"_s : u"–"_s,
            m_roles.cpu.isEmpty() ? tr("no process.cpu_percent in this source")
                                  : tr("process CPU, %1% of one core (100% = one core busy)").arg(formatNumber(cpu)));
    } else {
        const double cpu = latest(m_machine.cpu, nullptr);
        m_cpu->setValue(std::isfinite(cpu) ? cpu / 100.0 : nan,
            std::isfinite(cpu) ? QLocale().toString(cpu, 'f', 0) % u" %"_s : u"–"_s,
            tr("machine-wide CPU, all cores (this source sends no process samples)"));
    }
    if (!m_roles.memory.isEmpty() || m_machine.memoryUsed.isEmpty()) {
        double peak = 0;
        const double rss = latest(m_roles.memory, &peak);
        m_memory->setValue(std::isfinite(rss) && peak > 0 ? rss / peak : nan,
            std::isfinite(rss) ? (rss >= 1024 ? QLocale().toString(rss / 1024, 'f', 1) % u" GB"_s
                                              : QLocale().toString(rss, 'f', 0) % u" MB"_s)
                               : u"–"_s,
            m_roles.memory.isEmpty() ? tr("no process.rss_mb in this source")
                                     : tr("process resident memory; the arc is relative to the peak in range (%1 MB)")
                                           .arg(QLocale().toString(peak, 'f', 0)));
    } else {
        const double used = latest(m_machine.memoryUsed, nullptr);
        const double total = latest(m_machine.memoryTotal, nullptr);
        m_memory->setValue(std::isfinite(used) && total > 0 ? used / total : nan,
            std::isfinite(used) && total > 0 ? QLocale().toString(100 * used / total, 'f', 0) % u" %"_s : u"–"_s,
            tr("machine-wide memory in use: %1 of %2 MB (this source sends no process samples)")
                .arg(QLocale().toString(used, 'f', 0), QLocale().toString(total, 'f', 0)));
    }
    const bool ownGpu = !m_roles.gpu.isEmpty();
    const double gpu = latest(ownGpu ? m_roles.gpu : m_machine.gpu, nullptr);
    m_gpu->setValue(std::isfinite(gpu) ? gpu / 100.0 : nan,
        std::isfinite(gpu) ? QLocale().toString(gpu, 'f', 0) % u" %"_s : u"–"_s,
        ownGpu ? tr("the process's GPU utilisation") : tr("GPU utilisation, whole device"));
    // Cache hit rate over the range: hits / (hits + API calls); both are counts, so they add.
    double hits = 0, calls = 0;
    for (const auto &[keys, total] :
        { std::pair { &m_roles.cacheHits, &hits }, std::pair { &m_roles.apiCalls, &calls } }) {
        for (const QString &key : *keys) {
            const auto &pts = points(key);
            auto it = std::lower_bound(
                pts.cbegin(), pts.cend(), fromS, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
            for (; it != pts.cend() && it->second <= toS; ++it)
                *total += it->stats.rate * double(m_stepSeconds);
        }
    }
    const double rate = hits + calls > 0 ? hits / (hits + calls) : nan;
    m_cache->setValue(rate, std::isfinite(rate) ? QLocale().toString(rate * 100, 'f', 0) % u" %"_s : u"–"_s,
        m_roles.cacheHits.isEmpty()
            ? tr("no op.cache_hits in this source")
            : tr("cache hits ÷ (hits + API calls) over the range: %1 of %2")
                  .arg(QLocale().toString(hits, 'f', 0), QLocale().toString(hits + calls, 'f', 0)));
}

QString SourceDashboard::latencyHover(qint64 timeMs) const
{
    if (m_latencySamples.isEmpty())
        return tr("no latency data");
    auto it = std::lower_bound(m_latencySamples.cbegin(), m_latencySamples.cend(), double(timeMs),
        [](const LatencySample &s, double t) { return s.x < t; });
    const LatencySample *best = nullptr;
    for (auto c : { it, it == m_latencySamples.cbegin() ? it : it - 1 }) {
        if (c != m_latencySamples.cend()
            && (!best || std::abs(c->x - double(timeMs)) < std::abs(best->x - double(timeMs))))
            best = &*c;
    }
    if (!best || std::abs(best->x - double(timeMs)) > 2.0 * double(m_stepSeconds * 1000) + 1000)
        return tr("no data here");
    SeriesStats s;
    s.kind = MetricKind::Timer;
    s.count = best->n;
    const auto line = [&](const QString &name, double q, double v) -> QString {
        return name % u"  "_s % formatMs(v) % (s.isMeaningful(q) ? QString() : tr("  (too few samples)"));
    };
    QStringList lines { line(u"p50"_s, 0.5, best->p50), line(u"p95"_s, 0.95, best->p95),
        line(u"p99"_s, 0.99, best->p99) };
    QString evidence = u"n = "_s % QLocale().toString(best->n);
    if (std::isfinite(best->error))
        evidence += u" · ±"_s % QLocale().toString(best->error * 100, 'g', 2) % u'%';
    lines << evidence;
    return lines.join(u'\n');
}

} // namespace perfdash
