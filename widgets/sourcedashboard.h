// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertlistmodel.h"
#include "models/kpi.h"
#include "models/modeloutlook.h"
#include "models/rangesource.h"
#include "models/referenceperiod.h"
#include "models/sourcecatalog.h"

#include <QWidget>

#include <functional>
#include <memory>
#include <limits>

class QLabel;
class QMenu;

namespace perfdash {

class GaugeWidget;
class KpiTile;
class TimeSeriesChart;

// Machine-wide gauges (the collector's system and GPU samplers), shown when a source has no process samples.
struct MachineKeys {
    QString cpu; // system.cpu_percent: all cores, 0..100
    QString cpuCount; // system.cpu_count: the CPU gauges' maximum is all of them
    QString memoryUsed, memoryTotal; // system.memory_used_mb, system.memory_total_mb
    QString memoryLimit; // system.memory_limit_mb: the cgroup's memory.max, when one is set
    QString gpu; // gpu.utilization_percent of the first GPU
    bool operator==(const MachineKeys &o) const
    {
        return cpu == o.cpu && cpuCount == o.cpuCount && memoryUsed == o.memoryUsed && memoryTotal == o.memoryTotal
            && memoryLimit == o.memoryLimit && gpu == o.gpu;
    }
};

// One source's dashboard: KPI tiles with deltas, latency p50/p95/p99 (greyed where n is too small), throughput,
// error rate and queue depth charts, and resource gauges. It draws what it is given; the owner picks the data
// (live store or history buckets) and the range. GUI thread only.
class SourceDashboard : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourceDashboard)
public:
    enum Tile { TileP95, TileThroughput, TileErrors, TileQueue, TileAccuracy, TileCount };
    enum LatencyLine { LineP50, LineP95, LineP99, LineP95Few, LineP99Few, LineP95WeekAgo };
    using PointLookup = Kpi::PointLookup;

    explicit SourceDashboard(QWidget *parent = nullptr);
    ~SourceDashboard() override;

    void setSource(const SourceRef &source, const SourceRoles &roles, int seriesCount);
    // The same, with all the source's series: their workflow: tags say which runs' markers are its own
    // (models/markerscope.h). The overload above judges by the roles' series alone.
    void setSource(const SourceRef &source, const SourceRoles &roles, const QStringList &seriesKeys);
    SourceRef source() const { return m_source; }
    const SourceRoles &roles() const { return m_roles; }
    // Redraws from `points` over [fromMs, toMs]; stepSeconds is the bucket length (1 live). live: tiles describe the
    // last seconds before nowSecond (the first second that has not passed); otherwise the last bucket of the range.
    // Every figure comes from models/kpi.h; this only formats.
    void showData(
        const PointLookup &points, qint64 fromMs, qint64 toMs, qint64 stepSeconds, bool live, qint64 nowSecond);
    // The collector stopped (or is back: empty): tiles and gauges grey out and say since when.
    void setOffline(const QString &since);
    void setReference(const DashboardReference &reference);
    // A model's baselines and trends: bands and limits behind the charts, the projection's cone on long history
    // views that reach now, and each tile's baseline, delta and status. An invalid outlook clears them.
    void setOutlook(const ModelOutlook &outlook);
    // The latency timer's buckets a week earlier, already moved a week on: drawn as "p95 a week ago".
    void setWeekAgo(const QVector<SeriesPoint> &latency);
    const ModelOutlook &outlook() const { return m_outlook; }
    // The comparison of a tile's KPI with its baseline, as the tile shows it (for the panel and tests).
    Baseline::Comparison comparison(const QString &kpi) const;
    void setMachineKeys(const MachineKeys &keys);
    void setMarkers(const QVector<TimeMarker> &markers); // every source's: each chart shows the source's own
    // The source's firing alerts (AlertListModel::firingOf) on the tiles of their KPIs, and the spans in which its
    // alerts fired (firingSpans) on the charts of their KPIs; alerts on other metrics go to the latency chart.
    void setAlerts(const QVector<FiringAlert> &firing, const QVector<AlertSpan> &spans);
    void setRangeNote(const QString &note); // under the header: the range, the tier, paused/zoomed
    // Where the figures come from when it is not the local collector ("VictoriaMetrics at http://…, host a"): every
    // tile's tooltip says so. Empty: the local collector.
    void setProvenance(const QString &text);
    void setDarkTheme(bool dark);

    KpiTile *tile(int index) const;
    TimeSeriesChart *latencyChart() const { return m_latency; }
    TimeSeriesChart *throughputChart() const { return m_throughput; }
    TimeSeriesChart *errorChart() const { return m_errors; }
    TimeSeriesChart *queueChart() const { return m_queue; }
    QList<TimeSeriesChart *> charts() const { return { m_latency, m_throughput, m_errors, m_queue }; }
    // The KPI a chart shows, as alert rules name it ("latency_p95"); empty for another widget.
    QString kpiOf(const TimeSeriesChart *chart) const;
    // A chart's context menu as a right click opens it: "Alert on this…" (-> alertRequested), then the chart's own
    // actions (TimeSeriesChart::contextMenuActions()).
    std::unique_ptr<QMenu> contextMenuFor(TimeSeriesChart *chart);
    GaugeWidget *cpuGauge() const { return m_cpu; }
    GaugeWidget *memoryGauge() const { return m_memory; }
    GaugeWidget *gpuGauge() const { return m_gpu; }
    GaugeWidget *cacheGauge() const { return m_cache; }
    QString headerText() const;
    // The figures the tiles show now (Kpi::figures over the tiles' window), for tests.
    const Kpi::Figures &figures() const { return m_current; }

Q_SIGNALS:
    void rangeRequested(qint64 fromMs, qint64 toMs);
    void resetRequested();
    // "Alert on this…": a rule on the KPI for the shown model (empty: not a model's dashboard).
    void alertRequested(const QString &kpi, const QString &model);
    // A click on a run's marker: the Runs tab opens its breakdown.
    void runClicked(const perfdash::TimeMarker &run);

private:
    struct LatencySample {
        double x, p50, p95, p99, error;
        qint64 n;
        int merged; // buckets merged for p95/p99 (1: the bucket's own)
        bool ok95, ok99; // n meets the quantile's minimum (merged n where merged)
    };
    void updateTiles(
        const PointLookup &points, const Coverage &coverage, qint64 toMs, qint64 step, bool live, qint64 nowSecond);
    void updateGauges(const PointLookup &points, qint64 from, qint64 to, const QString &window);
    QString noDataText(const PointLookup &points, const QStringList &keys) const;
    QString latencyHover(qint64 timeMs) const;

    SourceRef m_source;
    SourceRoles m_roles;
    DashboardReference m_reference;
    MachineKeys m_machine;
    QLabel *m_header = nullptr;
    QString m_provenance;
    QLabel *m_note = nullptr;
    QVector<KpiTile *> m_tiles;
    TimeSeriesChart *m_latency = nullptr;
    TimeSeriesChart *m_throughput = nullptr;
    TimeSeriesChart *m_errors = nullptr;
    TimeSeriesChart *m_queue = nullptr;
    GaugeWidget *m_cpu = nullptr;
    GaugeWidget *m_memory = nullptr;
    GaugeWidget *m_gpu = nullptr;
    GaugeWidget *m_cache = nullptr;
    QVector<LatencySample> m_latencySamples; // what the latency chart shows, for its crosshair
    qint64 m_stepSeconds = 1;
    QString m_offline; // when the collector stopped; empty while it runs
    // What the tiles show, for the deltas: compared with the reference by the same Kpi functions.
    Kpi::Figures m_current;
    void updateDeltas();
    void updateBaselines();
    // Bands, limits and the projection on the charts; returns the time axis' end (extended for a projection).
    qint64 applyOutlook(qint64 fromMs, qint64 toMs, bool live);
    ModelOutlook m_outlook;
    qint64 m_shownFromMs = 0, m_shownToMs = 0; // the range showData drew last
    bool m_shownLive = true;
    QVector<SeriesPoint> m_weekAgo;
    Baseline::Limits m_limits = Baseline::Limits::fromEnvironment();
};

} // namespace perfdash
