// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/sourcedashboard.h"

#include "models/resourceshare.h"
#include "models/serieskey.h"
#include "models/sourcetreemodel.h"
#include "widgets/gaugewidget.h"
#include "widgets/kpitile.h"
#include "widgets/timeserieschart.h"

#include <QGridLayout>
#include <QMenu>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QDateTime>
#include <QMap>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

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

QString formatMb(double mb)
{
    if (!std::isfinite(mb))
        return u"–"_s;
    if (mb >= 1024)
        return QLocale().toString(mb / 1024, 'f', mb >= 10 * 1024 ? 0 : 1) % u" GB"_s;
    return QLocale().toString(mb, 'f', 0) % u" MB"_s;
}

QString describeStep(qint64 step)
{
    if (step % 3600 == 0)
        return step == 3600 ? QObject::tr("1 h bucket") : QObject::tr("%1 h bucket").arg(step / 3600);
    if (step % 60 == 0)
        return step == 60 ? QObject::tr("1 min bucket") : QObject::tr("%1 min bucket").arg(step / 60);
    return step == 1 ? QObject::tr("last second") : QObject::tr("%1 s bucket").arg(step);
}

// The tiles' KPIs (KpiCatalog names): baselines, limits and alerts find their tile here.
constexpr std::array<std::pair<int, const char16_t *>, 5> tileKpis { {
    { SourceDashboard::TileP95, u"latency_p95" },
    { SourceDashboard::TileThroughput, u"throughput" },
    { SourceDashboard::TileErrors, u"error_rate" },
    { SourceDashboard::TileQueue, u"queue_depth" },
    { SourceDashboard::TileAccuracy, u"accuracy" },
} };

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
    // A quantile short of n (20 for p95, 100 for p99) is merged with the seconds before it (Kpi::rollingQuantile),
    // which the crosshair says. Short names: the legend has one row, and the chart is about 500 px wide at 1024 px.
    m_latency->addLine(u"p95"_s, QColor(0xf3, 0x9c, 0x12), 1.5);
    m_latency->addLine(u"p99"_s, QColor(0xe7, 0x4c, 0x3c), 2.0);
    // Both short quantiles are drawn alike, under one legend entry (two grey swatches read as a duplicate).
    m_latency->addLine(tr("n too small"), QColor(0x9a, 0x9a, 0x9a), 1.0, true);
    m_latency->addLine(tr("p99, too few in 10 s"), QColor(0x9a, 0x9a, 0x9a), 1.0, true);
    m_latency->setLineInLegend(LineP99Few, false);
    m_latency->addLine(tr("p95 a week ago"), QColor(0x7f, 0x8c, 0x8d, 0xb0), 1.0, true);
    m_latency->setValueLabel(tr("ms"));
    m_latency->setHoverTextProvider([this](qint64 t) { return latencyHover(t); });
    m_throughput = new TimeSeriesChart(tr("Throughput"), this);
    m_throughput->addLine(tr("requests/s"), QColor(0x27, 0xae, 0x60), 1.5);
    m_throughput->addLine(tr("bucket so far"), QColor(0x27, 0xae, 0x60, 0x70), 1.5, true);
    m_errors = new TimeSeriesChart(tr("Error rate"), this);
    m_errors->addLine(tr("errors %"), QColor(0xc0, 0x39, 0x2b), 1.5);
    m_errors->addLine(tr("bucket so far"), QColor(0xc0, 0x39, 0x2b, 0x70), 1.5, true);
    m_errors->setValueFormat(u"%.2g"_s);
    m_errors->setMinimumValueRange(1);
    m_queue = new TimeSeriesChart(tr("Queue depth"), this);
    m_queue->addLine(tr("queue depth"), QColor(0x8e, 0x44, 0xad), 1.5);
    m_queue->setMinimumValueRange(1);
    for (auto *chart : charts()) {
        connect(chart, &TimeSeriesChart::rangeRequested, this, &SourceDashboard::rangeRequested);
        connect(chart, &TimeSeriesChart::resetRequested, this, &SourceDashboard::resetRequested);
        connect(chart, &TimeSeriesChart::markersClicked, this, [this](const QVector<TimeMarker> &markers) {
            for (const TimeMarker &m : markers) {
                if (m.kind == TimeMarker::Kind::Run) { // the first run of a group
                    Q_EMIT runClicked(m);
                    return;
                }
            }
        });
        chart->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(chart, &TimeSeriesChart::customContextMenuRequested, this, [this, chart](const QPoint &pos) {
            std::unique_ptr<QMenu> menu = contextMenuFor(chart);
            menu->exec(chart->mapToGlobal(pos));
        });
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

void SourceDashboard::setProvenance(const QString &text)
{
    m_provenance = text;
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

void SourceDashboard::setAlerts(const QVector<FiringAlert> &firing, const QVector<AlertSpan> &spans)
{
    // The latency tile and chart show p50, p95 and p99: a rule on any of them belongs there.
    const auto tileOf = [](const QString &metric) {
        if (metric.startsWith(u"latency_"_s))
            return int(TileP95);
        for (const auto &[index, name] : tileKpis) {
            if (metric == QStringView(name))
                return index;
        }
        return -1;
    };
    QVector<const FiringAlert *> shown(m_tiles.size(), nullptr);
    for (const FiringAlert &f : firing) { // most severe first: each tile names its first
        const int index = tileOf(f.metric);
        if (index >= 0 && !shown[index])
            shown[index] = &f;
    }
    for (int i = 0; i < m_tiles.size(); ++i) {
        const FiringAlert *f = shown[i];
        if (!f) {
            m_tiles[i]->setAlert({}, AlertRule::Severity::Info);
            continue;
        }
        // On the latency tile "p95" says which latency; the tile is narrow.
        QString condition = f->condition;
        if (i == TileP95 && condition.startsWith(u"latency_"_s))
            condition.remove(0, 8);
        QString text = u"⚠ "_s % condition % u" ("_s % f->ruleName % u')';
        if (f->acknowledged)
            text += tr(" · acknowledged");
        m_tiles[i]->setAlert(text, AlertListModel::severityOf(f->severity),
            tr("%1 alert since %2: %3\n%4")
                .arg(f->severity, QDateTime::fromSecsSinceEpoch(f->since).toString(u"yyyy-MM-dd HH:mm:ss"_s),
                    f->description, f->message));
    }
    QHash<TimeSeriesChart *, QVector<ShadedSpan>> byChart;
    for (const AlertSpan &span : spans) {
        TimeSeriesChart *chart = span.metric == u"throughput"_s ? m_throughput
            : span.metric == u"error_rate"_s                    ? m_errors
            : span.metric == u"queue_depth"_s                   ? m_queue
                                                                : m_latency;
        const AlertRule::Severity severity = AlertListModel::severityOf(span.severity);
        ShadedSpan shade;
        shade.fromMs = span.from * 1000;
        shade.toMs = span.to * 1000;
        shade.open = span.open;
        shade.color = severity == AlertRule::Severity::Critical ? ThemeColor::Bad
            : severity == AlertRule::Severity::Warning          ? ThemeColor::Warning
                                                                : ThemeColor::Projection;
        const QString from = QDateTime::fromSecsSinceEpoch(span.from).toString(u"HH:mm"_s);
        shade.label = span.open
            ? tr("%1 (%2) firing since %3").arg(span.ruleName, span.severity, from)
            : tr("%1 (%2) fired %3–%4")
                  .arg(span.ruleName, span.severity, from, QDateTime::fromSecsSinceEpoch(span.to).toString(u"HH:mm"_s));
        byChart[chart].push_back(shade);
    }
    for (auto *chart : charts())
        chart->setShadedSpans(byChart.value(chart));
}

void SourceDashboard::setMarkers(const QVector<TimeMarker> &markers)
{
    for (auto *chart : charts())
        chart->setMarkers(markers);
}

void SourceDashboard::setSource(const SourceRef &source, const SourceRoles &roles, const QStringList &seriesKeys)
{
    setSource(source, roles, int(seriesKeys.size()));
    const MarkerScope scope = MarkerScope::of(source, seriesKeys);
    for (auto *chart : charts())
        chart->setMarkerScope(scope);
}

void SourceDashboard::setSource(const SourceRef &source, const SourceRoles &roles, int seriesCount)
{
    const MarkerScope scope = MarkerScope::of(source, roles.allKeys());
    for (auto *chart : charts())
        chart->setMarkerScope(scope);
    const bool changed = source != m_source;
    m_source = source;
    m_roles = roles;
    if (!source.isValid()) {
        m_header->setText(tr("Waiting for metrics…"));
    } else {
        m_header->setText(SourceTreeModel::kindSingular(source.kind) % u" · "_s % source.displayName());
        m_header->setToolTip(
            tr("%1 series; latency from %2; requests from %3")
                .arg(seriesCount)
                .arg(roles.latency.isEmpty() ? tr("no timer") : roles.latency, requestKindName(roles.requestKind)));
    }
    if (changed) {
        m_reference = {};
        m_outlook = {};
        m_weekAgo.clear();
    }
    m_latency->setTitle(
        roles.latency.isEmpty() ? tr("Latency") : tr("Latency · %1").arg(SeriesKey::fromString(roles.latency).name));
    m_latency->setEmptyText(roles.latency.isEmpty() ? tr("No timer in this source.") : tr("No data in this range."));
    m_throughput->setEmptyText(roles.requests.isEmpty() && roles.latency.isEmpty()
            ? tr("No request counter or timer in this source.")
            : tr("No data in this range."));
    m_errors->setEmptyText(!roles.failuresCounted ? tr("No error counts: send a *.requests counter with status:error, "
                                                       "or an *error* counter.")
                                                  : tr("No requests in this range."));
    m_queue->setEmptyText(roles.queue.isEmpty() ? tr("No queue gauge in this source.") : tr("No data in this range."));
    m_tiles[TileAccuracy]->setVisible(!roles.accuracy.isEmpty());
    m_gpu->setVisible(!roles.gpu.isEmpty() || !m_machine.gpu.isEmpty());
}

void SourceDashboard::showData(
    const PointLookup &points, qint64 fromMs, qint64 toMs, qint64 stepSeconds, bool live, qint64 nowSecond)
{
    m_stepSeconds = std::max<qint64>(1, stepSeconds);
    const qint64 fromS = fromMs / 1000 - m_stepSeconds;
    const qint64 toS = toMs / 1000 + 1;
    const Coverage coverage = Coverage::fromHeartbeat(
        points(Coverage::heartbeatKeyFor(m_roles.allKeys())), fromS, toS, m_stepSeconds, nowSecond);
    const auto x = [](qint64 second) { return double(second * 1000); }; // buckets are drawn at their start
    // Latency: p50 per bucket; p95 and p99 merged backwards over the seconds before until n is enough (when the points
    // carry sketches), so the lines stay solid; a quantile that is still short of n goes to its grey line.
    QVector<QPointF> p50, p95, p99, p95few, p99few;
    m_latencySamples.clear();
    if (!m_roles.latency.isEmpty()) {
        const auto &pts = points(m_roles.latency);
        const auto line95 = Kpi::rollingQuantile(pts, 0.95, fromS, toS, Kpi::kRecentSeconds);
        const auto line99 = Kpi::rollingQuantile(pts, 0.99, fromS, toS, Kpi::kRecentSeconds);
        qsizetype i = 0;
        for (auto it = std::lower_bound(
                 pts.cbegin(), pts.cend(), fromS, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
             it != pts.cend() && it->second < toS; ++it) {
            if (it->stats.count <= 0)
                continue;
            const SeriesStats &s = it->stats;
            const Kpi::RollingQuantile &r95 = line95[i];
            const Kpi::RollingQuantile &r99 = line99[i];
            ++i;
            const double px = x(it->second);
            p50.push_back({ px, s.isMeaningful(0.5) ? s.p50 : nan });
            p95.push_back({ px, r95.estimate.meaningful ? r95.estimate.value : nan });
            p99.push_back({ px, r99.estimate.meaningful ? r99.estimate.value : nan });
            p95few.push_back({ px, r95.estimate.meaningful ? nan : r95.estimate.value });
            p99few.push_back({ px, r99.estimate.meaningful ? nan : r99.estimate.value });
            m_latencySamples.push_back({ px, s.p50, r95.estimate.value, r99.estimate.value, s.quantileError, s.count,
                std::max(r95.buckets, r99.buckets), r95.estimate.meaningful, r99.estimate.meaningful });
        }
    }
    m_latency->setLineData(LineP50, std::move(p50));
    m_latency->setLineData(LineP95, std::move(p95));
    m_latency->setLineData(LineP99, std::move(p99));
    m_latency->setLineData(LineP95Few, std::move(p95few));
    m_latency->setLineData(LineP99Few, std::move(p99few));
    QVector<QPointF> weekAgo;
    for (const SeriesPoint &p : std::as_const(m_weekAgo)) {
        if (p.second >= fromS && p.second < toS && p.stats.count > 0)
            weekAgo.push_back({ x(p.second), p.stats.isMeaningful(0.95) ? p.stats.p95 : nan });
    }
    m_latency->setLineVisible(LineP95WeekAgo, !weekAgo.isEmpty());
    m_latency->setLineData(LineP95WeekAgo, std::move(weekAgo));

    // Throughput and error rate per bucket: counts of the one request kind over the bucket's covered seconds.
    QVector<QPointF> throughput, errorRate;
    if (!m_roles.requests.isEmpty()) {
        QMap<qint64, bool> buckets;
        for (const QString &key : std::as_const(m_roles.requests)) {
            const auto &pts = points(key);
            for (auto it = std::lower_bound(
                     pts.cbegin(), pts.cend(), fromS, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
                 it != pts.cend() && it->second < toS; ++it)
                buckets.insert(it->second, true);
        }
        for (auto it = buckets.cbegin(); it != buckets.cend(); ++it) {
            const qint64 b = it.key();
            const Kpi::Rate rate = Kpi::throughput(points, m_roles, coverage, b, b + m_stepSeconds);
            throughput.push_back({ x(b), rate.value });
            if (m_roles.failuresCounted) {
                const Kpi::Ratio errors = Kpi::errorRate(points, m_roles, b, b + m_stepSeconds);
                errorRate.push_back({ x(b), 100.0 * errors.value });
            }
        }
    }
    // A history bucket that has not ended yet is drawn lighter and dashed, from the last complete one: its rate is
    // over the seconds so far, and it may still change.
    QVector<QPointF> throughputSoFar, errorRateSoFar;
    const auto splitPartial = [&](QVector<QPointF> &line, QVector<QPointF> &soFar) {
        if (m_stepSeconds <= 1)
            return;
        for (qsizetype i = 0; i < line.size(); ++i) {
            if (coverage.isComplete(qint64(line[i].x()) / 1000) || !std::isfinite(line[i].y()))
                continue;
            if (i > 0 && std::isfinite(line[i - 1].y()) && soFar.isEmpty())
                soFar.push_back(line[i - 1]);
            soFar.push_back(line[i]);
            line[i].setY(nan);
        }
    };
    splitPartial(throughput, throughputSoFar);
    splitPartial(errorRate, errorRateSoFar);
    // Live seconds are never partial: the "so far" line and its legend entry belong to history buckets only.
    // A server's live buckets are read once complete: no "so far" line either.
    m_throughput->setLineVisible(1, m_stepSeconds > 1 && !live);
    m_errors->setLineVisible(1, m_stepSeconds > 1 && !live);
    m_throughput->setLineData(0, std::move(throughput));
    m_throughput->setLineData(1, std::move(throughputSoFar));
    m_errors->setLineData(0, std::move(errorRate));
    m_errors->setLineData(1, std::move(errorRateSoFar));
    QVector<QPointF> queue;
    if (!m_roles.queue.isEmpty()) {
        const auto &pts = points(m_roles.queue);
        for (auto it = std::lower_bound(
                 pts.cbegin(), pts.cend(), fromS, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
             it != pts.cend() && it->second < toS; ++it)
            queue.push_back({ x(it->second), Kpi::gauge(pts, it->second, it->second + 1).value });
    }
    m_queue->setLineData(0, std::move(queue));
    m_throughput->setValueLabel(m_stepSeconds > 1 ? tr("per covered s") : tr("per s"));
    m_shownFromMs = fromMs;
    m_shownToMs = toMs;
    m_shownLive = live;
    const qint64 axisEndMs = applyOutlook(fromMs, toMs, live);
    for (auto *chart : charts()) {
        // A missing bucket is a hole, not a straight line across it.
        chart->setGapMs(qint64(2.5 * double(m_stepSeconds * 1000)));
        chart->setTimeRange(fromMs, axisEndMs);
        chart->redraw();
    }
    updateTiles(points, coverage, toMs, m_stepSeconds, live, nowSecond);
}

QString SourceDashboard::noDataText(const PointLookup &points, const QStringList &keys) const
{
    if (!m_offline.isEmpty())
        return tr("stopped at %1").arg(m_offline);
    const qint64 newest = Kpi::newestSecond(points, keys);
    if (newest < 0)
        return tr("no data");
    const QDateTime when = QDateTime::fromSecsSinceEpoch(newest + 1);
    const bool today = when.date() == QDate::currentDate();
    return tr("no data since %1").arg(when.toString(today ? u"HH:mm:ss"_s : u"yyyy-MM-dd HH:mm:ss"_s));
}

void SourceDashboard::setOffline(const QString &since)
{
    m_offline = since;
    for (auto *tile : std::as_const(m_tiles))
        tile->setEnabled(since.isEmpty());
    for (auto *gauge : { m_cpu, m_memory, m_gpu, m_cache })
        gauge->setEnabled(since.isEmpty());
}

void SourceDashboard::updateTiles(
    const PointLookup &points, const Coverage &chartCoverage, qint64 toMs, qint64 step, bool live, qint64 nowSecond)
{
    // The window every tile describes: live, the last 10 s (from the source's start when younger); in history, the
    // last bucket of the range, marked when it has not ended yet.
    Kpi::Window window;
    QString windowText;
    Coverage coverage = chartCoverage;
    if (live && step > 1) {
        // A server's live points are buckets of its push interval: the newest pushed bucket, whole.
        window = Kpi::newestBucketWindow(points, m_roles.allKeys(), step, nowSecond);
        coverage = Coverage::fromHeartbeat(
            points(Coverage::heartbeatKeyFor(m_roles.allKeys())), window.from, window.to, step, nowSecond);
        windowText = tr("%1 s to %2").arg(step).arg(QDateTime::fromSecsSinceEpoch(window.to).toString(u"HH:mm:ss"_s));
    } else if (live) {
        window = Kpi::recentWindow(points, m_roles.allKeys(), nowSecond);
        coverage = Coverage::fromHeartbeat(
            points(Coverage::heartbeatKeyFor(m_roles.allKeys())), window.from, window.to, 1, nowSecond);
        windowText = tr("last %1 s").arg(window.seconds());
    } else {
        const qint64 last = std::min((toMs - 1) / 1000, nowSecond - 1); // the range ends before toMs
        window.from = last / step * step;
        window.to = window.from + step;
        windowText = describeStep(step);
        if (!coverage.isComplete(window.from))
            windowText = tr("%1, %2 s so far").arg(windowText).arg(std::max<qint64>(0, nowSecond - window.from));
    }
    m_current = Kpi::figures(points, m_roles, coverage, window.from, window.to);
    Kpi::Figures &f = m_current;
    const QStringList allKeys = m_roles.allKeys();

    // p95 with its evidence: live from the last 10 s merged, widened until n is enough.
    if (m_roles.latency.isEmpty()) {
        m_tiles[TileP95]->setValue(u"–"_s, tr("no timer in this source"), true);
    } else {
        if (live)
            f.latency = Kpi::headlineLatency(points(m_roles.latency), window.to);
        const Kpi::Latency &l = f.latency;
        if (!l.hasData()) {
            m_tiles[TileP95]->setValue(u"–"_s, noDataText(points, { m_roles.latency }), true);
        } else {
            const QString span = live ? (l.merged   ? tr("last %1 s").arg(l.to - l.from)
                                         : step > 1 ? windowText
                                                    : tr("last second"))
                                      : windowText;
            QString evidence = tr("%1 · n = %2").arg(span, QLocale().toString(qulonglong(l.n)));
            if (std::isfinite(l.p95.relativeError))
                evidence += tr(" · ±%1%").arg(QLocale().toString(l.p95.relativeError * 100, 'g', 2));
            if (!l.p95.meaningful)
                evidence = tr("n = %1: too few for p95").arg(l.n);
            m_tiles[TileP95]->setValue(formatMs(l.p95.value), evidence, !l.p95.meaningful);
        }
    }
    // Throughput: the one request kind over the covered seconds.
    const QString kind = requestKindName(m_roles.requestKind);
    if (m_roles.requests.isEmpty()) {
        m_tiles[TileThroughput]->setValue(u"–"_s, tr("no request counter or timer"), true);
    } else if (!std::isfinite(f.throughput.value) || f.throughput.count <= 0) {
        m_tiles[TileThroughput]->setValue(
            std::isfinite(f.throughput.value) ? formatRate(0) : u"–"_s, noDataText(points, m_roles.requests), true);
    } else {
        m_tiles[TileThroughput]->setValue(formatRate(f.throughput.value), windowText);
    }
    m_tiles[TileThroughput]->setToolTip(tr("Requests counted from %1 (%2 series), over %3 covered seconds")
                                            .arg(kind)
                                            .arg(m_roles.requests.size())
                                            .arg(f.throughput.seconds));
    if (!m_roles.failuresCounted) {
        m_tiles[TileErrors]->setValue(u"–"_s,
            m_roles.requestKind == RequestKind::Predictions ? tr("predictions carry no failures")
                                                            : tr("no error counter"),
            true);
    } else if (!std::isfinite(f.errorRate.value)) {
        m_tiles[TileErrors]->setValue(u"–"_s, noDataText(points, m_roles.requests), true);
    } else {
        m_tiles[TileErrors]->setValue(formatPercent(f.errorRate.value),
            tr("%1 of %2 requests, %3")
                .arg(QLocale().toString(f.errorRate.part, 'f', 0), QLocale().toString(f.errorRate.whole, 'f', 0),
                    windowText),
            !f.errorRate.enough);
    }
    m_tiles[TileErrors]->setToolTip(tr("Failed requests of %1, as a share of all of them").arg(kind));
    if (m_roles.queue.isEmpty())
        m_tiles[TileQueue]->setValue(u"–"_s, tr("no queue gauge"), true);
    else if (!std::isfinite(f.queue.value))
        m_tiles[TileQueue]->setValue(u"–"_s, noDataText(points, { m_roles.queue }), true);
    else
        m_tiles[TileQueue]->setValue(formatNumber(f.queue.value), tr("mean, %1").arg(windowText));
    if (!std::isfinite(f.accuracy.value))
        m_tiles[TileAccuracy]->setValue(u"–"_s, noDataText(points, { m_roles.accuracy }), true);
    else
        m_tiles[TileAccuracy]->setValue(formatPercent(f.accuracy.value, 1),
            SeriesKey::fromString(m_roles.accuracy).name == u"prediction.accuracy"_s
                ? tr("%1 of %2 predictions, %3")
                      .arg(QLocale().toString(f.accuracy.part, 'f', 0), QLocale().toString(f.accuracy.whole, 'f', 0),
                          windowText)
                : tr("producer's figure, %1").arg(windowText),
            !f.accuracy.enough);
    if (!m_offline.isEmpty()) {
        for (auto *tile : std::as_const(m_tiles)) {
            if (tile->valueText() != u"–"_s)
                tile->setValue(tile->valueText(), tr("stopped at %1").arg(m_offline), true);
        }
    }
    Q_UNUSED(allKeys)
    if (!m_provenance.isEmpty()) {
        const QString from = tr("From %1").arg(m_provenance);
        for (int i = 0; i < m_tiles.size(); ++i) {
            const bool ownTip = i == TileThroughput || i == TileErrors; // set above, each time
            m_tiles[i]->setToolTip(ownTip ? QString(m_tiles[i]->toolTip() % u'\n' % from) : from);
        }
    }
    updateDeltas();
    updateBaselines();
    updateGauges(points, window.from, window.to, windowText);
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
    if (!r.isValid()) {
        const QString none = tr("no reference yet");
        const QString why = tr("Deltas compare with the previous hour, once storage holds one.");
        for (auto *tile : std::as_const(m_tiles))
            tile->setDelta(none, KpiTile::Tone::Neutral, why);
        return;
    }
    const Kpi::Figures &ref = r.figures;
    const Kpi::Figures &cur = m_current;
    const auto relative = [&](KpiTile *tile, double now, double then, bool higherIsBad, const QString &refText) {
        if (!std::isfinite(now) || !std::isfinite(then) || then == 0) {
            tile->setDelta(std::isfinite(then) ? tr("%1: %2").arg(r.label, refText) : tr("%1: no data").arg(r.label),
                KpiTile::Tone::Neutral, r.label);
            return;
        }
        const double change = (now - then) / then;
        tile->setDelta(arrow(change) % QLocale().toString(std::abs(change) * 100, 'f', 0) % tr("% vs %1").arg(r.label),
            toneFor(change, higherIsBad, 0.05), tr("%1: %2").arg(r.label, refText));
    };
    // Quantiles compare only when both sides meet the same n rule.
    const bool p95Comparable = cur.latency.p95.meaningful && ref.latency.p95.meaningful;
    relative(m_tiles[TileP95], p95Comparable ? cur.latency.p95.value : nan,
        ref.latency.p95.meaningful ? ref.latency.p95.value : nan, true,
        tr("%1 (n = %2)").arg(formatMs(ref.latency.p95.value)).arg(ref.latency.n));
    relative(
        m_tiles[TileThroughput], cur.throughput.value, ref.throughput.value, false, formatRate(ref.throughput.value));
    relative(m_tiles[TileQueue], cur.queue.value, ref.queue.value, true, formatNumber(ref.queue.value));
    // Rates of rare things compare in percentage points: 0.1% -> 0.2% is not "+100%".
    const auto points = [&](KpiTile *tile, double now, double then, bool higherIsBad) {
        if (!std::isfinite(now) || !std::isfinite(then)) {
            tile->setDelta(tr("%1: %2").arg(r.label, formatPercent(then)), KpiTile::Tone::Neutral, r.label);
            return;
        }
        const double change = now - then;
        tile->setDelta(
            arrow(change) % QLocale().toString(std::abs(change) * 100, 'f', 2) % tr(" pp vs %1").arg(r.label),
            toneFor(change, higherIsBad, 0.005), tr("%1: %2").arg(r.label, formatPercent(then)));
    };
    points(m_tiles[TileErrors], cur.errorRate.value, ref.errorRate.value, true);
    points(m_tiles[TileAccuracy], cur.accuracy.value, ref.accuracy.value, false);
}

void SourceDashboard::setWeekAgo(const QVector<SeriesPoint> &latency)
{
    m_weekAgo = latency;
}

void SourceDashboard::setOutlook(const ModelOutlook &outlook)
{
    m_outlook = outlook;
    updateBaselines();
    if (m_shownToMs <= m_shownFromMs)
        return; // nothing drawn yet: showData will draw the overlays
    // The charts' overlays now, also in a paused view that showData does not redraw.
    const qint64 axisEndMs = applyOutlook(m_shownFromMs, m_shownToMs, m_shownLive);
    for (auto *chart : charts()) {
        chart->setTimeRange(m_shownFromMs, axisEndMs);
        chart->redraw();
    }
}

Baseline::Comparison SourceDashboard::comparison(const QString &kpi) const
{
    const KpiOutlook *k = m_outlook.find(kpi);
    if (!k)
        return {};
    return Baseline::compare(kpi, KpiCatalog::valueOf(kpi, m_current), k->baseline, m_limits);
}

void SourceDashboard::updateBaselines()
{
    for (const auto &[index, name] : tileKpis) {
        const QString kpi = QString::fromUtf16(name);
        const KpiOutlook *k = m_outlook.find(kpi);
        KpiTile *tile = m_tiles[index];
        if (!k || !k->baseline.exists) {
            const bool limitOnly = k && std::isfinite(k->limit);
            const Baseline::Comparison c = comparison(kpi);
            tile->setBaseline(
                limitOnly ? tr("no baseline · limit %1").arg(KpiCatalog::format(kpi, k->limit)) : QString(), QString(),
                limitOnly ? KpiTile::Status(int(c.status)) : KpiTile::Status::None,
                k ? k->baseline.describe() : QString());
            continue;
        }
        const Baseline::Comparison c = comparison(kpi);
        const Baseline::Resolved &b = k->baseline;
        QString text = tr("baseline %1").arg(KpiCatalog::format(kpi, b.value));
        if (b.forming)
            text += tr(" (forming)");
        QStringList tip { tr("Baseline: %1, %2").arg(KpiCatalog::format(kpi, b.value), b.describe()) };
        if (b.spreadTrusted())
            tip << tr("Spread: ± %1 (1 σ of %2 chunks); changes within 3 σ are noise")
                       .arg(KpiCatalog::format(kpi, b.spread))
                       .arg(b.n);
        if (std::isfinite(k->limit))
            tip << tr("Limit: %1").arg(KpiCatalog::format(kpi, k->limit));
        tip << tr("Trend (7 days): %1").arg(k->fit.sufficient ? k->fit.label : k->fit.insufficient);
        if (!k->projection.isEmpty())
            tip << tr("Projection: %1").arg(k->projection);
        tile->setBaseline(text, Baseline::describeDelta(kpi, c, true), KpiTile::Status(int(c.status)), tip.join(u'\n'));
    }
}

qint64 SourceDashboard::applyOutlook(qint64 fromMs, qint64 toMs, bool live)
{
    // Chart values: latency in ms, throughput per s, error rate in percent.
    const auto apply = [&](TimeSeriesChart *chart, const QString &kpi, double scale) {
        chart->clearBand();
        chart->clearThreshold();
        chart->clearProjection();
        const KpiOutlook *k = m_outlook.find(kpi);
        if (!k)
            return;
        const Baseline::Resolved &b = k->baseline;
        const QString caption = KpiCatalog::find(kpi)->caption;
        if (b.exists && std::isfinite(b.value)) {
            const double band = Baseline::bandOf(kpi, b);
            const double half = std::isfinite(band) ? band : 0;
            const QString label = half > 0
                ? tr("baseline %1 ± %2").arg(KpiCatalog::format(kpi, b.value), KpiCatalog::format(kpi, half))
                : tr("baseline %1").arg(KpiCatalog::format(kpi, b.value));
            chart->setBand(
                (b.value - half) * scale, (b.value + half) * scale, b.forming ? tr("%1 (forming)").arg(label) : label);
            chart->setBandCentre(b.value * scale);
        }
        if (std::isfinite(k->limit))
            chart->setThreshold(k->limit * scale, tr("%1 limit %2").arg(caption, KpiCatalog::format(kpi, k->limit)));
        // The projection belongs on long history views that reach the present.
        const qint64 span = toMs - fromMs;
        if (!live && span >= 6 * 3600 * 1000LL && toMs >= m_outlook.now * 1000 - span / 10 && !k->cone.isEmpty()) {
            QVector<ProjectionPoint> cone;
            for (const Trend::ConePoint &p : k->cone)
                cone.push_back({ p.t * 1000, p.value * scale, p.low * scale, p.high * scale });
            // Past the limit already, the limit line and the tile say so: no caption over the data (the hover and
            // the Baselines & trends page still give the projection's wording).
            chart->setProjection(std::move(cone), k->breach.alreadyBreached ? QString() : k->projection);
        }
    };
    apply(m_latency, u"latency_p95"_s, 1);
    apply(m_throughput, u"throughput"_s, 1);
    apply(m_errors, u"error_rate"_s, 100);
    apply(m_queue, u"queue_depth"_s, 1);
    bool projected = false;
    for (auto *chart : charts())
        projected = projected || chart->projectionPointCount() > 0;
    // Show a third of the range ahead (as far as the cones reach).
    return projected ? toMs + (toMs - fromMs) / 3 : toMs;
}

void SourceDashboard::updateGauges(const PointLookup &points, qint64 from, qint64 to, const QString &window)
{
    const auto mean = [&](const QString &key) { return key.isEmpty() ? nan : Kpi::gauge(points(key), from, to).value; };
    // The source's own process samples when it has them; else the machine's, and the tooltip says which. The arcs
    // end at all the cores and at the machine's memory (or the cgroup's limit): models/resourceshare.h.
    const double cores = mean(m_machine.cpuCount);
    const long coreCount = std::isfinite(cores) ? std::max(1L, std::lround(cores)) : 1;
    const QString ofCores = coreCount == 1 ? tr("of 1 core") : tr("of %1 cores").arg(coreCount);
    const bool ownCpu = !m_roles.cpu.isEmpty() || m_machine.cpu.isEmpty();
    const double cpu = mean(ownCpu ? m_roles.cpu : m_machine.cpu);
    const ResourceShare cpuShare = ownCpu ? ResourceShare::processCpu(cpu, cores) : ResourceShare::machineCpu(cpu);
    const double cpuFraction = cpuShare.fraction();
    m_cpu->setValue(cpuFraction,
        std::isfinite(cpuFraction) ? QLocale().toString(100 * cpuFraction, 'f', 0) % u" %"_s : u"–"_s,
        !ownCpu                     ? tr("machine-wide CPU, %1 (this source sends no process samples)").arg(ofCores)
            : m_roles.cpu.isEmpty() ? tr("no process.cpu_percent in this source")
                                    : tr("process CPU: %1 % of one core busy (%2 of the cores), mean of the %3")
                                          .arg(formatNumber(cpu), formatNumber(cpu / 100), window));
    m_cpu->setScope(ofCores);
    const double limit = mean(m_machine.memoryLimit);
    const double total = mean(m_machine.memoryTotal);
    const bool ownMemory = !m_roles.memory.isEmpty() || m_machine.memoryUsed.isEmpty();
    const double used = mean(ownMemory ? m_roles.memory : m_machine.memoryUsed);
    const ResourceShare memory = ResourceShare::memory(used, total, limit);
    const bool limited = ResourceShare::limitApplies(total, limit);
    const QString ofMemory = !std::isfinite(memory.maximum) ? QString()
        : limited                                           ? tr("of %1 limit").arg(formatMb(memory.maximum))
                                                            : tr("of %1").arg(formatMb(memory.maximum));
    m_memory->setValue(memory.fraction(), formatMb(used),
        ownMemory && m_roles.memory.isEmpty() ? tr("no process.rss_mb in this source")
                                              : (ownMemory ? tr("process resident memory")
                                                           : tr("machine-wide memory in use (this source sends no "
                                                                "process samples)"))
                % u", "_s
                % (!std::isfinite(memory.maximum) ? tr("the machine's total is unknown")
                        : limited ? tr("of the cgroup's limit %1 (memory.max)").arg(formatMb(memory.maximum))
                                  : tr("of the machine's %1").arg(formatMb(memory.maximum))));
    m_memory->setScope(ofMemory);
    const bool ownGpu = !m_roles.gpu.isEmpty();
    const double gpu = mean(ownGpu ? m_roles.gpu : m_machine.gpu);
    m_gpu->setValue(std::isfinite(gpu) ? gpu / 100.0 : nan,
        std::isfinite(gpu) ? QLocale().toString(gpu, 'f', 0) % u" %"_s : u"–"_s,
        ownGpu ? tr("the process's GPU utilisation") : tr("GPU utilisation, whole device"));
    const Kpi::Ratio cache = m_current.cacheHitRate;
    m_cache->setValue(cache.value,
        std::isfinite(cache.value) ? QLocale().toString(cache.value * 100, 'f', 0) % u" %"_s : u"–"_s,
        m_roles.cacheHits.isEmpty()
            ? tr("no op.cache_hits in this source")
            : tr("cache hits ÷ (hits + API calls), %1: %2 of %3")
                  .arg(window, QLocale().toString(cache.part, 'f', 0), QLocale().toString(cache.whole, 'f', 0)));
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
    const auto line = [&](const QString &name, bool ok, double v) -> QString {
        return name % u"  "_s % formatMs(v) % (ok ? QString() : tr("  (too few samples)"));
    };
    QStringList lines { line(u"p50"_s, best->n >= 2, best->p50), line(u"p95"_s, best->ok95, best->p95),
        line(u"p99"_s, best->ok99, best->p99) };
    if (best->merged > 1)
        lines << tr("p95/p99 merged over %n bucket(s) up to here", "", best->merged);
    QString evidence = u"n = "_s % QLocale().toString(best->n);
    if (std::isfinite(best->error))
        evidence += u" · ±"_s % QLocale().toString(best->error * 100, 'g', 2) % u'%';
    lines << evidence;
    return lines.join(u'\n');
}

QString SourceDashboard::kpiOf(const TimeSeriesChart *chart) const
{
    if (chart == m_latency)
        return u"latency_p95"_s;
    if (chart == m_throughput)
        return u"throughput"_s;
    if (chart == m_errors)
        return u"error_rate"_s;
    if (chart == m_queue)
        return u"queue_depth"_s;
    return {};
}

std::unique_ptr<QMenu> SourceDashboard::contextMenuFor(TimeSeriesChart *chart)
{
    auto menu = std::make_unique<QMenu>(chart);
    const QString kpi = kpiOf(chart);
    const QString model = m_source.kind == SourceRef::Kind::Model ? m_source.name : QString();
    auto *alert
        = menu->addAction(tr("&Alert on this…"), this, [this, kpi, model]() { Q_EMIT alertRequested(kpi, model); });
    alert->setEnabled(!kpi.isEmpty());
    // This menu replaces the chart's own: it carries the chart's actions too (save, copy, export).
    menu->addSeparator();
    menu->addActions(chart->contextMenuActions());
    return menu;
}

} // namespace perfdash
