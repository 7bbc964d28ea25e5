// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/datasourcelistmodel.h"
#include "models/historyloader.h"
#include "models/livesource.h"
#include "models/rangesource.h"
#include "models/sourcecatalog.h"
#include "models/sourcecharts.h"
#include "models/viewrange.h"
#include "widgets/collectorstatusbar.h"
#include "widgets/sourcedashboard.h"
#include "widgets/theme.h"

#include <QDateTime>
#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <functional>

class QAction;
class QActionGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QTabWidget;
class QToolButton;
class QTreeView;

namespace perfdash {

class AlertListModel;
class AlertsController;
class AlertController;
class ExportReportDialog;
class SeriesChartsPage;
class ServerProbe;
struct SeriesSelector;
class ReportRunner;
class RunsView;
class BaselineController;
class ComparisonPanel;
class KpiTile;
class OperationsView;
class SeriesFilterModel;
class SeriesListModel;
class SeriesStore;
class SourceDashboard;
class SourceTreeModel;
class TimeSeriesChart;

// The dashboard window: sources (and a flat, filterable series list) on the left; the selected source's dashboard on
// the right; the time range, pause and theme in the toolbar and menus; the collector's state in the status bar.
// GUI thread only. Live data comes from the SeriesStore and is redrawn on a coalescing timer, never per sample;
// history comes from a RangeSource, off the GUI thread, and late answers (an older zoom) are dropped by generation.
class MainWindow : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    // Ranges: live ones follow the newest second; history ones are read from storage.
    struct RangeChoice {
        qint64 seconds = 300;
        bool history = false;
    };

    MainWindow(SeriesStore *store, SeriesListModel *seriesModel, SourceTreeModel *sources, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Storage's history; without one the history ranges say so. Not owned.
    void setRangeSource(RangeSource *source);
    // Alerts: the panel's dock and its entry in the Alerts menu, the selected model's alerts on its tiles and charts,
    // past alerts of the view's range from the range source. Not owned; call once.
    void setAlertModel(AlertListModel *model);
    AlertsController *alerts() const { return m_alerts; }
    QMenu *alertsMenu() const { return m_alertsMenu; }

    // File → Export report… writes through this runner (not owned); without one the dialog says reports need the
    // database.
    void setReportRunner(ReportRunner *runner);
    // Opens (or raises) the export dialog for the source on screen and the view's range.
    ExportReportDialog *openExportDialog();
    ExportReportDialog *exportDialog() const;

    void selectSource(const SourceRef &source);
    SourceRef selectedSource() const;
    void selectSeries(const QString &key); // selects the (first) source the series belongs to
    void setLiveWindowSeconds(qint64 seconds);
    // A history range [from, to] in ms; read from the storage tier its span calls for.
    void showHistory(qint64 fromMs, qint64 toMs);
    void backToLive();
    bool isLive() const { return m_view.isLive(); }
    bool isFollowing() const { return m_view.isFollowing(); }
    qint64 viewFromMs() const;
    qint64 viewToMs() const;
    // The bucket length and tier the history view is served from (seconds; RangeSource::tierFor).
    qint64 historyStep() const { return m_view.historyStep(); }
    static qint64 stepFor(qint64 fromSecond, qint64 toSecond, qint64 nowSecond);
    void setPaused(bool paused);
    bool isPaused() const;
    void setTheme(Theme theme);
    void setDarkTheme(bool dark);

    // File → Sources… and View → Merge hosts: the remembered servers (not owned), the probe behind the dialog's Test
    // (not owned, may be null), and the source the window shows now. The user's choice comes back as sourceChosen.
    void setDataSources(DataSourceListModel *servers, ServerProbe *probe, const DataSourceChoice &current);
    DataSourceChoice dataSource() const { return m_dataSource; }
    // A Prometheus-compatible server as the source: how it is named ("VictoriaMetrics at http://…"; empty: the local
    // collector), the hosts it holds, and the length of its live buckets (its push interval, one point per bucket).
    // The status bar, the range note and the tiles' tooltips say where the figures came from.
    void setFleetSource(const QString &serverText, int hosts, int seriesCount, qint64 liveStepSeconds);
    // "VictoriaMetrics at http://…, 2 hosts merged" or "…, host a" for the selected source; empty for the local one.
    QString provenance() const;

    // Status shown in the status bar.
    void onConnectionStateChanged(perfdash::LiveSource::State state, const QString &detail);
    void onCollectorStatus(const CollectorStatus &status);
    void showNotice(const QString &text);

    // For tests and the screenshot: the widgets as the user sees them.
    SourceDashboard *dashboard() const { return m_dashboard; }
    ComparisonPanel *comparisonPanel() const { return m_comparison; }
    BaselineController *baselines() const { return m_baselines; }
    OperationsView *operationsView() const { return m_operations; }
    // The Alerts menu and "Alert on this…"; its rules store and preview source are set by the owner.
    AlertController *alertRules() const { return m_alertRules; }
    QTabWidget *pages() const { return m_pages; }
    SeriesChartsPage *chartsPage() const { return m_charts; }
    // Charts every known series the selector matches on the Charts tab (overlaid, at most 8) and shows it; the
    // number charted (0: none known yet).
    int chartSeries(const SeriesSelector &selector);
    RunsView *runsView() const { return m_runsView; }
    TimeSeriesChart *latencyChart() const;
    TimeSeriesChart *throughputChart() const;
    KpiTile *tile(int index) const;
    QTreeView *sourceView() const { return m_sourceView; }
    QString connectionText() const;
    QString statusText() const; // ingest, drops, series, database size
    int historyRequests() const { return m_loader.historyRequests(); }
    int staleAnswersDropped() const { return m_loader.staleAnswersDropped(); }
    // The collector-stopped banner, for tests and the screenshot.
    bool isOfflineBannerShown() const;
    QString offlineBannerText() const;
    // Unix seconds; the wall clock unless a test sets another.
    void setClock(std::function<qint64()> clock);
    // Whether the banner offers to start a collector (the GUI started this one and can start another).
    void setCanStartCollector(bool can);
    // Redraws now instead of waiting for the coalescing timer.
    void refreshNow();

Q_SIGNALS:
    void themeChanged(bool dark);
    void startCollectorRequested();
    // The series whose sketches the dashboard wants in live frames (the selected source's latency timer).
    void followedSeriesChanged(const QStringList &keys);
    // Every series the dashboard, the charts and the gauges draw (sorted): what the live store keeps an hour of.
    void shownSeriesChanged(const QStringList &keys);
    // Baselines the user made (pinned range, re-baseline, expected throughput), for the collector to store.
    void baselinesSubmitted(const QVector<perfdash::Baseline::Stored> &rows);
    // File → Sources… Open, or View → Merge hosts: show this source instead (the owner rebuilds the data path).
    void sourceChosen(const perfdash::DataSourceChoice &choice);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void buildMenus();
    void restoreSettings();
    void saveSettings();
    void onStoreChanged();
    void updateShownSeries();
    void onSourcesInserted();
    void onSourceCurrentChanged();
    void onSeriesCurrentChanged();
    void onRangeIndexChanged(int index);
    void onRangeRequested(qint64 fromMs, qint64 toMs);
    void onResetRequested();
    void zoomBy(double factor);
    void panBy(double fraction);
    void requestHistory();
    void requestMarkers();
    void requestReference();
    void onHistoryReady(const QHash<QString, QVector<perfdash::SeriesPoint>> &points, qint64 step);
    void onMarkersReady(const QVector<perfdash::TimeMarker> &markers);
    void onHistoryFailed(const QString &message);
    void setOffline(bool offline);
    void chooseCustomRange();
    void showShortcuts();
    void refresh();
    void updateRangeNote();
    void updateSourceRoles();
    void updateSourceCharts(bool newSource);
    void updateMachineKeys();
    void openSourcesDialog();
    void updateProvenance();

    SeriesStore *m_store;
    SeriesListModel *m_seriesModel;
    SourceTreeModel *m_sources;
    HistoryLoader m_loader;
    std::function<qint64()> m_clock;
    QWidget *m_banner = nullptr;
    QLabel *m_bannerText = nullptr;
    QAction *m_startCollector = nullptr;
    QToolButton *m_startButton = nullptr;
    QTabWidget *m_leftTabs = nullptr;
    QTreeView *m_sourceView = nullptr;
    SeriesFilterModel *m_filterModel = nullptr;
    QListView *m_seriesView = nullptr;
    QLineEdit *m_filter = nullptr;
    SourceDashboard *m_dashboard = nullptr;
    QTabWidget *m_pages = nullptr;
    ComparisonPanel *m_comparison = nullptr;
    RunsView *m_runsView = nullptr;
    BaselineController *m_baselines = nullptr;
    AlertsController *m_alerts = nullptr;
    QMenu *m_alertsMenu = nullptr;
    AlertController *m_alertRules = nullptr;
    OperationsView *m_operations = nullptr;
    QPointer<ReportRunner> m_reportRunner;
    QPointer<ExportReportDialog> m_exportDialog;
    SeriesChartsPage *m_charts = nullptr;
    bool m_chartsForSource = false; // the Charts tab is current because the source has no dashboard
    QVector<ChartSpec> m_sourceCharts; // the selected source's own charts (models/sourcecharts.h)
    int m_chartedKeyCount = -1; // its series when they were made
    QComboBox *m_range = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_live = nullptr;
    QActionGroup *m_themeGroup = nullptr;
    CollectorStatusBar *m_status = nullptr;
    QTimer m_refreshTimer;
    QTimer m_historyDebounce;
    QTimer m_markerTimer;
    QTimer m_referenceTimer;
    SourceRef m_selected;
    QString m_wantedSourceId; // restored from the settings; selected when it appears
    bool m_userChoseSource = false;
    bool m_autoScheduled = false;
    ViewRange m_view;
    QHash<QString, QVector<SeriesPoint>> m_historyPoints;
    qint64 m_historyPointsStep = 60; // the bucket length of m_historyPoints
    QString m_historyError;
    QVector<TimeMarker> m_markers;
    qsizetype m_keysScanned = 0; // series looked at for machine-wide gauges
    MachineKeys m_machine;
    QStringList m_shownKeys;
    QDateTime m_disconnectedSince;
    QPointer<DataSourceListModel> m_servers;
    QPointer<ServerProbe> m_probe;
    DataSourceChoice m_dataSource;
    QString m_fleetServer; // "VictoriaMetrics at http://…"; empty: the local collector
    int m_fleetHosts = 0;
    qint64 m_liveStep = 1; // seconds per live point
    QAction *m_mergeHosts = nullptr;
};

} // namespace perfdash
