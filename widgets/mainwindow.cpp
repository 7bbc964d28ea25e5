// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/mainwindow.h"

#include "models/coverage.h"
#include "models/seriesfiltermodel.h"
#include "models/serieskey.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/alertscontroller.h"
#include "widgets/alertspanel.h"
#include "widgets/alertcontroller.h"
#include "widgets/baselinecontroller.h"
#include "widgets/collectorstatusbar.h"
#include "widgets/comparisonpanel.h"
#include "widgets/customrangedialog.h"
#include "widgets/exportreportdialog.h"
#include "widgets/chartgrid.h"
#include "widgets/serieschartspage.h"
#include "models/reportrunner.h"
#include "models/seriesselector.h"
#include "models/serverprobe.h"
#include "models/sourcecharts.h"
#include "widgets/kpitile.h"
#include "widgets/operationsview.h"
#include "widgets/runsview.h"
#include "widgets/sourcedashboard.h"
#include "widgets/sourcedelegate.h"
#include "widgets/sourcesdialog.h"
#include "widgets/timeserieschart.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDir>
#include <QFrame>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QSet>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr qint64 customRange = -1; // the combo's "Custom…" entry

// Sources worth showing first: a model or service with a latency timer.
int preference(const SourceRef &ref, const SourceRoles &roles, bool silent)
{
    int score = roles.latency.isEmpty() ? 0 : 4;
    if (silent)
        score -= 8; // a source only storage knows of (or long quiet) after every live one
    if (ref.kind == SourceRef::Kind::Model)
        score += 3; // a model's own page before the service or pipeline around it
    else if (ref.kind == SourceRef::Kind::Service)
        score += 2;
    else if (ref.kind == SourceRef::Kind::Process)
        score += 1;
    if (ref.kind == SourceRef::Kind::Other && ref.name == u"perfdash"_s)
        score -= 10; // the collector's own metrics
    return score;
}

QString tierName(int tier)
{
    return tier == 2 ? QObject::tr("1 h tier") : tier == 1 ? QObject::tr("1 min tier") : QObject::tr("1 s tier");
}

QString formatStep(qint64 step)
{
    if (step % 3600 == 0)
        return QObject::tr("%1 h").arg(step / 3600);
    if (step % 60 == 0)
        return QObject::tr("%1 min").arg(step / 60);
    return QObject::tr("%1 s").arg(step);
}
} // namespace

MainWindow::MainWindow(SeriesStore *store, SeriesListModel *seriesModel, SourceTreeModel *sources, QWidget *parent)
    : QMainWindow(parent)
    , m_store(store)
    , m_seriesModel(seriesModel)
    , m_sources(sources)
    , m_refreshTimer(this)
    , m_historyDebounce(this)
    , m_markerTimer(this)
    , m_referenceTimer(this)
{
    m_clock = []() { return QDateTime::currentSecsSinceEpoch(); };
    connect(&m_loader, &HistoryLoader::historyReady, this, &MainWindow::onHistoryReady);
    connect(&m_loader, &HistoryLoader::historyFailed, this, &MainWindow::onHistoryFailed);
    connect(&m_loader, &HistoryLoader::markersReady, this, &MainWindow::onMarkersReady);
    connect(&m_loader, &HistoryLoader::weekAgoReady, this, [this](const QHash<QString, QVector<SeriesPoint>> &points) {
        m_dashboard->setWeekAgo(points.value(m_dashboard->roles().latency));
        refresh();
    });

    setWindowTitle(u"perfdash"_s);
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(30);
    connect(&m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);
    // Wheel and drag gestures ask for many ranges in a row; storage is asked once they settle.
    m_historyDebounce.setSingleShot(true);
    m_historyDebounce.setInterval(150);
    connect(&m_historyDebounce, &QTimer::timeout, this, &MainWindow::requestHistory);
    m_markerTimer.setInterval(15000);
    connect(&m_markerTimer, &QTimer::timeout, this, &MainWindow::requestMarkers);
    m_referenceTimer.setInterval(5 * 60 * 1000);
    connect(&m_referenceTimer, &QTimer::timeout, this, &MainWindow::requestReference);
    buildUi();
    connect(&m_loader, &HistoryLoader::referenceReady, m_dashboard, &SourceDashboard::setReference);
    buildMenus();
    connect(m_store, &SeriesStore::changed, this, &MainWindow::onStoreChanged);
    connect(m_sources, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent, int first, int last) {
        // A new kind of source starts expanded; what the user collapsed stays collapsed.
        if (!parent.isValid()) {
            for (int row = first; row <= last; ++row)
                m_sourceView->expand(m_sources->index(row, 0));
        }
        onSourcesInserted();
    });
    restoreSettings();
    for (int g = 0; g < m_sources->rowCount(); ++g)
        m_sourceView->expand(m_sources->index(g, 0));
    onSourcesInserted();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    auto *toolbar = addToolBar(tr("View"));
    toolbar->setObjectName(u"viewToolbar"_s);
    toolbar->addWidget(new QLabel(tr("Range "), toolbar));
    m_range = new QComboBox(toolbar);
    m_range->setObjectName(u"rangeCombo"_s);
    m_range->addItem(tr("Live · 5 min"), 300);
    m_range->addItem(tr("Live · 15 min"), 900);
    m_range->addItem(tr("Live · 1 h"), 3600);
    m_range->insertSeparator(m_range->count());
    m_range->addItem(tr("History · 6 h"), -6 * 3600);
    m_range->addItem(tr("History · 24 h"), -24 * 3600);
    m_range->addItem(tr("History · 7 days"), -7 * 86400);
    m_range->addItem(tr("History · 30 days"), -30 * 86400);
    m_range->addItem(tr("Custom range…"), customRange);
    m_range->setToolTip(tr("Live ranges follow the newest second; history ranges are read from storage, each from the "
                           "tier that suits its length"));
    toolbar->addWidget(m_range);
    connect(m_range, &QComboBox::activated, this, &MainWindow::onRangeIndexChanged);
    m_pause = toolbar->addAction(tr("Pause"));
    m_pause->setCheckable(true);
    m_pause->setShortcut(Qt::Key_Space);
    m_pause->setToolTip(tr("Freeze the charts; data keeps arriving (Space)"));
    connect(m_pause, &QAction::toggled, this, [this](bool paused) {
        updateRangeNote();
        if (!paused)
            refresh();
    });
    m_live = toolbar->addAction(tr("Back to live"));
    m_live->setShortcuts({ QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_0) });
    m_live->setToolTip(tr("Leave the zoom or history and follow the newest data again (Esc)"));
    connect(m_live, &QAction::triggered, this, &MainWindow::backToLive);

    auto *splitter = new QSplitter(this);
    splitter->setObjectName(u"mainSplitter"_s);
    m_leftTabs = new QTabWidget(splitter);
    m_leftTabs->setObjectName(u"leftTabs"_s);
    m_leftTabs->setDocumentMode(true);
    m_sourceView = new QTreeView(m_leftTabs);
    m_sourceView->setObjectName(u"sourceView"_s);
    m_sourceView->setModel(m_sources);
    m_sourceView->setItemDelegate(new SourceDelegate(m_sourceView));
    m_sourceView->setHeaderHidden(true);
    m_sourceView->setUniformRowHeights(true);
    m_sourceView->setRootIsDecorated(true);
    m_sourceView->setExpandsOnDoubleClick(true);
    m_sourceView->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_sourceView->selectionModel(), &QItemSelectionModel::currentChanged, this,
        &MainWindow::onSourceCurrentChanged);
    connect(m_sourceView, &QTreeView::clicked, this, [this]() { m_userChoseSource = true; });
    connect(m_sourceView, &QTreeView::activated, this, [this]() { m_userChoseSource = true; });
    m_leftTabs->addTab(m_sourceView, tr("Sources"));

    auto *seriesPage = new QWidget(m_leftTabs);
    auto *seriesLayout = new QVBoxLayout(seriesPage);
    seriesLayout->setContentsMargins(2, 4, 2, 2);
    m_filter = new QLineEdit(seriesPage);
    m_filter->setPlaceholderText(tr("Filter: name or api.*{model=m1} (Ctrl+F)"));
    m_filter->setToolTip(tr("A part of a series name, or a selector as perfdashd export --series takes it: "
                            "* and ? are wildcards (docs/series.md)"));
    m_filter->setClearButtonEnabled(true);
    m_filterModel = new SeriesFilterModel(this);
    m_filterModel->setSourceModel(m_seriesModel);
    connect(m_filter, &QLineEdit::textChanged, m_filterModel, &SeriesFilterModel::setPattern);
    m_seriesView = new QListView(seriesPage);
    m_seriesView->setObjectName(u"seriesList"_s);
    m_seriesView->setModel(m_filterModel);
    m_seriesView->setUniformItemSizes(true);
    m_seriesView->setTextElideMode(Qt::ElideMiddle);
    m_seriesView->setToolTip(tr("Every series; picking one shows the source it belongs to"));
    connect(m_seriesView, &QListView::clicked, this, &MainWindow::onSeriesCurrentChanged);
    connect(m_seriesView, &QListView::activated, this, &MainWindow::onSeriesCurrentChanged);
    seriesLayout->addWidget(m_filter);
    seriesLayout->addWidget(m_seriesView);
    m_leftTabs->addTab(seriesPage, tr("Series"));

    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(0);
    // Over the dashboard while the collector is unreachable: nothing on screen may pass for current.
    m_banner = new QFrame(right);
    m_banner->setObjectName(u"offlineBanner"_s);
    m_banner->setAutoFillBackground(true);
    QPalette bannerPalette = m_banner->palette();
    bannerPalette.setColor(QPalette::Window, QColor(0xc0, 0x39, 0x2b));
    bannerPalette.setColor(QPalette::WindowText, Qt::white);
    bannerPalette.setColor(QPalette::ButtonText, Qt::black);
    m_banner->setPalette(bannerPalette);
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(10, 6, 10, 6);
    m_bannerText = new QLabel(m_banner);
    QFont bannerFont = m_bannerText->font();
    bannerFont.setBold(true);
    m_bannerText->setFont(bannerFont);
    m_bannerText->setWordWrap(true);
    bannerLayout->addWidget(m_bannerText, 1);
    m_startButton = new QToolButton(m_banner);
    auto *startButton = m_startButton;
    m_startCollector = new QAction(tr("&Start collector"), this);
    m_startCollector->setToolTip(tr("Start perfdashd again with the same database and runtime folder"));
    m_startCollector->setVisible(false);
    m_startButton->setVisible(false);
    connect(m_startCollector, &QAction::triggered, this, &MainWindow::startCollectorRequested);
    startButton->setDefaultAction(m_startCollector);
    startButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bannerLayout->addWidget(startButton);
    m_banner->hide();
    rightLayout->addWidget(m_banner);
    m_pages = new QTabWidget(right);
    m_pages->setDocumentMode(true);
    m_dashboard = new SourceDashboard(m_pages);
    m_comparison = new ComparisonPanel(m_pages);
    m_pages->addTab(m_dashboard, tr("&Dashboard"));
    m_pages->addTab(m_comparison, tr("&Baselines && trends"));
    // Any series charted; a process, the machine and the collector have their charts here (models/sourcecharts.h).
    m_charts = new SeriesChartsPage([this](const QString &key) { return m_sources->kindOf(key); }, m_pages);
    m_pages->addTab(m_charts, tr("C&harts"));
    connect(m_charts, &SeriesChartsPage::exportRequested, this, &MainWindow::openExportDialog);
    connect(m_charts, &SeriesChartsPage::chartsChanged, this, [this]() {
        updateShownSeries();
        if (!m_view.isLive())
            requestHistory();
        refresh();
    });
    m_operations = new OperationsView(m_pages);
    m_pages->addTab(m_operations, tr("&Operations"));
    m_runsView = new RunsView(m_pages);
    m_pages->addTab(m_runsView, tr("&Runs"));
    // A run's marker opens its breakdown on the Runs tab.
    connect(m_dashboard, &SourceDashboard::runClicked, this, [this](const TimeMarker &run) {
        QString workflow;
        for (const QString &tag : run.tags) {
            if (tag.startsWith(u"workflow:"))
                workflow = tag.mid(9);
        }
        m_pages->setCurrentWidget(m_runsView);
        m_runsView->openRunAt(run.timeMs, workflow);
    });
    rightLayout->addWidget(m_pages, 1);
    m_baselines = new BaselineController(&m_loader, m_dashboard, m_comparison, this);
    connect(m_baselines, &BaselineController::baselinesSubmitted, this, &MainWindow::baselinesSubmitted);
    connect(m_pages, &QTabWidget::currentChanged, this, [this]() { m_baselines->updatePanel(); });
    m_baselines->setViewProvider([this]() {
        BaselineController::View v;
        if (m_view.isLive())
            v.lookup = [this](const QString &key) -> const QVector<SeriesPoint> & { return m_store->points(key); };
        else
            v.lookup = [this](const QString &key) -> const QVector<SeriesPoint> & {
                static const QVector<SeriesPoint> empty;
                const auto it = m_historyPoints.constFind(key);
                return it == m_historyPoints.constEnd() ? empty : *it;
            };
        v.from = m_view.fromMs() / 1000;
        v.to = std::min(m_clock(), (m_view.toMs() + 999) / 1000);
        v.step = m_view.isLive() ? 1 : m_historyPointsStep;
        v.now = m_clock();
        const QLocale locale;
        v.window = locale.toString(QDateTime::fromSecsSinceEpoch(v.from), QLocale::ShortFormat) % u" – "_s
            % locale.toString(QDateTime::fromSecsSinceEpoch(v.to), QLocale::ShortFormat);
        return v;
    });
    connect(m_dashboard, &SourceDashboard::rangeRequested, this, &MainWindow::onRangeRequested);
    connect(m_dashboard, &SourceDashboard::resetRequested, this, &MainWindow::onResetRequested);
    m_alertRules = new AlertController(m_seriesModel, this);
    for (TimeSeriesChart *chart : m_dashboard->charts()) // a chart's "Export report…"
        connect(chart, &TimeSeriesChart::exportRequested, this, &MainWindow::openExportDialog);
    connect(m_dashboard, &SourceDashboard::alertRequested, m_alertRules, &AlertController::alertOn);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 330, 950 });
    setCentralWidget(splitter);

    m_status = new CollectorStatusBar(this);
    setStatusBar(m_status);
    resize(1360, 860);
}

void MainWindow::buildMenus()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    auto *sources = file->addAction(tr("&Sources…"), this, &MainWindow::openSourcesDialog);
    sources->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    sources->setToolTip(tr("The local collector or a Prometheus-compatible server (VictoriaMetrics, Prometheus)"));
    file->addAction(tr("&Export report…"), this, &MainWindow::openExportDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    file->addAction(m_startCollector);
    auto *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_pause);
    view->addAction(m_live);
    view->addSeparator();
    m_mergeHosts = view->addAction(tr("&Merge hosts"));
    m_mergeHosts->setCheckable(true);
    m_mergeHosts->setEnabled(false); // a server's hosts only; the local collector is one machine
    m_mergeHosts->setToolTip(tr("One entry per model with its figures from every host's buckets, or one per host"));
    connect(m_mergeHosts, &QAction::triggered, this, [this](bool merged) {
        if (m_dataSource.isLocal() || merged == m_dataSource.mergeHosts)
            return;
        Q_EMIT sourceChosen({ m_dataSource.server, merged });
    });
    view->addSeparator();
    auto *zoomIn = view->addAction(tr("Zoom &in"), this, [this]() { zoomBy(0.5); });
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    auto *zoomOut = view->addAction(tr("Zoom &out"), this, [this]() { zoomBy(2.0); });
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    auto *panLeft = view->addAction(tr("Pan &left"), this, [this]() { panBy(-0.25); });
    panLeft->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    auto *panRight = view->addAction(tr("Pan &right"), this, [this]() { panBy(0.25); });
    panRight->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    view->addSeparator();
    auto *find = view->addAction(tr("&Find series…"), this, [this]() {
        m_leftTabs->setCurrentIndex(1);
        m_filter->setFocus();
        m_filter->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    auto *refresh = view->addAction(tr("Re&load history"), this, [this]() {
        if (!m_view.isLive())
            requestHistory();
        requestMarkers();
        requestReference();
    });
    refresh->setShortcut(QKeySequence::Refresh);
    view->addSeparator();
    auto *theme = view->addMenu(tr("&Theme"));
    m_themeGroup = new QActionGroup(this);
    for (const auto &[name, value] : { std::pair { tr("&System"), Theme::System },
             std::pair { tr("&Light"), Theme::Light }, std::pair { tr("&Dark"), Theme::Dark } }) {
        auto *action = theme->addAction(name);
        action->setCheckable(true);
        action->setData(int(value));
        m_themeGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, value = value]() { setTheme(value); });
    }
    auto *fullScreen = view->addAction(tr("F&ull screen"));
    fullScreen->setCheckable(true);
    fullScreen->setShortcut(QKeySequence::FullScreen);
    connect(fullScreen, &QAction::toggled, this, [this](bool on) { on ? showFullScreen() : showNormal(); });

    auto *model = menuBar()->addMenu(tr("&Model"));
    auto *showComparison
        = model->addAction(tr("&Baselines and trends"), this, [this]() { m_pages->setCurrentWidget(m_comparison); });
    showComparison->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    model->addAction(tr("&Dashboard"), this, [this]() { m_pages->setCurrentWidget(m_dashboard); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    model->addSeparator();
    model->addAction(tr("&Use the view's range as baseline…"), m_baselines, &BaselineController::pinView);
    model->addAction(tr("&Re-baseline (new deploy)…"), m_baselines, &BaselineController::rebaseline);
    model->addAction(tr("Set &expected throughput…"), m_baselines, [this]() { m_baselines->setExpectedThroughput(); });

    m_alertsMenu = menuBar()->addMenu(tr("&Alerts")); // the rule dialogs here; setAlertModel adds the panel
    m_alertsMenu->addAction(tr("Alert &rules…"), m_alertRules, &AlertController::openRules)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));

    auto *help = menuBar()->addMenu(tr("&Help"));
    auto *keys = help->addAction(tr("&Keyboard and mouse"), this, &MainWindow::showShortcuts);
    keys->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About perfdash"), this, [this]() {
        QMessageBox::about(this, tr("About perfdash"),
            tr("<b>perfdash</b> %1<br>A live performance dashboard.<br>GPL-3.0-or-later.")
                .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(this, tr("Keyboard and mouse"),
        tr("<table>"
           "<tr><td><b>Wheel</b></td><td>zoom the time axis around the mouse</td></tr>"
           "<tr><td><b>Drag</b></td><td>zoom to the span you drag</td></tr>"
           "<tr><td><b>Ctrl+drag, middle drag</b></td><td>pan</td></tr>"
           "<tr><td><b>Double-click, Esc</b></td><td>back to live</td></tr>"
           "<tr><td><b>Space</b></td><td>pause</td></tr>"
           "<tr><td><b>%1 / %2</b></td><td>zoom in / out</td></tr>"
           "<tr><td><b>Alt+Left / Alt+Right</b></td><td>pan</td></tr>"
           "<tr><td><b>%3</b></td><td>find a series</td></tr>"
           "<tr><td><b>%4</b></td><td>reload history</td></tr>"
           "<tr><td><b>%5</b></td><td>full screen</td></tr>"
           "<tr><td><b>Ctrl+B / Ctrl+D</b></td><td>baselines and trends / dashboard</td></tr>"
           "<tr><td><b>Ctrl+Shift+L</b></td><td>alerts panel; in it A acknowledge, S / Shift+S silence 1 h / 4 h, "
           "R silence until resolved, Enter open</td></tr>"
           "</table>")
            .arg(QKeySequence(QKeySequence::ZoomIn).toString(QKeySequence::NativeText),
                QKeySequence(QKeySequence::ZoomOut).toString(QKeySequence::NativeText),
                QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText),
                QKeySequence(QKeySequence::Refresh).toString(QKeySequence::NativeText),
                QKeySequence(QKeySequence::FullScreen).toString(QKeySequence::NativeText)));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    restoreState(settings.value(u"window/state"_s).toByteArray());
    if (auto *splitter = findChild<QSplitter *>(u"mainSplitter"_s))
        splitter->restoreState(settings.value(u"window/splitter"_s).toByteArray());
    m_leftTabs->setCurrentIndex(settings.value(u"view/leftTab"_s, 0).toInt());
    const Theme theme = themeFromName(settings.value(u"view/theme"_s).toString());
    for (auto *action : m_themeGroup->actions())
        action->setChecked(action->data().toInt() == int(theme));
    m_wantedSourceId = settings.value(u"view/source"_s).toString();
    // History ranges are not restored: a dashboard opens live.
    const int rangeIndex = m_range->findData(settings.value(u"view/liveWindow"_s, 300).toLongLong());
    m_range->setCurrentIndex(rangeIndex >= 0 ? rangeIndex : 0);
    m_view.setLiveWindowSeconds(m_range->currentData().toLongLong());
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    if (auto *splitter = findChild<QSplitter *>(u"mainSplitter"_s))
        settings.setValue(u"window/splitter"_s, splitter->saveState());
    settings.setValue(u"view/liveWindow"_s, m_view.liveWindowSeconds());
    settings.setValue(u"view/leftTab"_s, m_leftTabs->currentIndex());
    if (m_selected.isValid())
        settings.setValue(u"view/source"_s, m_selected.id());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

void MainWindow::setAlertModel(AlertListModel *model)
{
    m_alerts = new AlertsController(model, m_dashboard, this);
    m_alerts->setClock(m_clock);
    AlertsPanel *panel = m_alerts->panel();
    // Shown at the bottom the first time; afterwards where the user left it (window/state).
    if (!restoreDockWidget(panel)) {
        addDockWidget(Qt::BottomDockWidgetArea, panel);
        resizeDocks({ panel }, { 170 }, Qt::Vertical);
    }
    m_alertsMenu->addAction(panel->showAction());
    connect(m_alerts, &AlertsController::openRequested, this, [this](const SourceRef &source) {
        m_userChoseSource = true;
        selectSource(source);
        m_pages->setCurrentWidget(m_dashboard);
        if (isMinimized())
            showNormal(); // a notification's "open" comes while the window may be out of sight
        raise();
        activateWindow();
    });
    connect(m_alerts, &AlertsController::historyFailed, this,
        [this](const QString &message) { showNotice(tr("Past alerts unavailable: %1").arg(message)); });
    m_alerts->setRangeSource(m_loader.source());
    m_alerts->setSource(m_selected);
    requestMarkers(); // and the past alerts with them
}

void MainWindow::setRangeSource(RangeSource *source)
{
    if (m_alerts)
        m_alerts->setRangeSource(source);
    m_loader.setSource(source);
    m_operations->setRangeSource(source);
    m_runsView->setRangeSource(source);
    if (!source)
        return;
    m_markerTimer.start();
    m_referenceTimer.start();
    requestMarkers();
    requestReference();
    if (!m_view.isLive())
        requestHistory();
}

void MainWindow::setClock(std::function<qint64()> clock)
{
    m_clock = clock;
    if (m_alerts)
        m_alerts->setClock(clock);
    m_view.setClock([clock]() { return clock() * 1000; });
    m_loader.setClock(std::move(clock));
}

void MainWindow::setCanStartCollector(bool can)
{
    m_startCollector->setVisible(can);
    m_startButton->setVisible(can);
}

bool MainWindow::isOfflineBannerShown() const
{
    return !m_banner->isHidden();
}

QString MainWindow::offlineBannerText() const
{
    return m_bannerText->text();
}

KpiTile *MainWindow::tile(int index) const
{
    return m_dashboard->tile(index);
}

TimeSeriesChart *MainWindow::latencyChart() const
{
    return m_dashboard->latencyChart();
}

TimeSeriesChart *MainWindow::throughputChart() const
{
    return m_dashboard->throughputChart();
}

QString MainWindow::connectionText() const
{
    return m_status->connectionText();
}

QString MainWindow::statusText() const
{
    return m_status->statusText();
}

SourceRef MainWindow::selectedSource() const
{
    return m_selected;
}

void MainWindow::setTheme(Theme theme)
{
    QSettings().setValue(u"view/theme"_s,
        theme == Theme::Light      ? u"light"_s
            : theme == Theme::Dark ? u"dark"_s
                                   : u"system"_s);
    for (auto *action : m_themeGroup->actions())
        action->setChecked(action->data().toInt() == int(theme));
    const bool dark = applyTheme(theme);
    setDarkTheme(dark);
    Q_EMIT themeChanged(dark);
}

void MainWindow::setDarkTheme(bool dark)
{
    m_dashboard->setDarkTheme(dark);
    m_charts->setDarkTheme(dark);
    m_runsView->setDarkTheme(dark);
    refresh();
}

void MainWindow::setPaused(bool paused)
{
    m_pause->setChecked(paused);
}

bool MainWindow::isPaused() const
{
    return m_pause->isChecked();
}

// ---- sources

void MainWindow::selectSource(const SourceRef &source)
{
    const QModelIndex index = m_sources->indexOf(source);
    if (!index.isValid())
        return;
    m_sourceView->expand(index.parent());
    m_sourceView->setCurrentIndex(index); // -> onSourceCurrentChanged
    if (m_selected != source) {
        m_selected = source;
        updateSourceRoles();
    }
}

void MainWindow::selectSeries(const QString &key)
{
    const auto sources = sourcesOf(key);
    if (sources.isEmpty())
        return;
    // A series of a model served by a service shows the model: that is the finer grain.
    SourceRef best = sources.constFirst();
    for (const auto &s : sources) {
        if (s.kind == SourceRef::Kind::Model)
            best = s;
    }
    m_userChoseSource = true;
    selectSource(best);
}

void MainWindow::onSourcesInserted()
{
    // The best source is selected until the user picks one.
    if (m_userChoseSource || m_autoScheduled)
        return;
    m_autoScheduled = true;
    // Queued: a frame inserts many sources at once; choose once they are all in.
    QMetaObject::invokeMethod(
        this,
        [this]() {
            m_autoScheduled = false;
            if (m_userChoseSource)
                return;
            if (!m_wantedSourceId.isEmpty()) {
                const SourceRef wanted = SourceRef::fromId(m_wantedSourceId);
                if (m_sources->indexOf(wanted).isValid()) {
                    selectSource(wanted);
                    m_userChoseSource = true; // the user's own earlier choice
                    return;
                }
            }
            SourceRef best = m_selected;
            const auto silent = [this](const SourceRef &ref) {
                return m_sources->indexOf(ref).data(SourceTreeModel::StatusRole).toInt() == SourceTreeModel::Silent;
            };
            int bestScore = best.isValid() ? preference(best, m_sources->rolesOf(best), silent(best)) : -100;
            for (int g = 0; g < m_sources->rowCount(); ++g) {
                const QModelIndex group = m_sources->index(g, 0);
                for (int r = 0; r < m_sources->rowCount(group); ++r) {
                    const SourceRef ref = m_sources->sourceAt(m_sources->index(r, 0, group));
                    if (!ref.isValid())
                        continue; // the Exited row
                    const int score = preference(ref, m_sources->rolesOf(ref), silent(ref));
                    if (score > bestScore) {
                        best = ref;
                        bestScore = score;
                    }
                }
            }
            if (best.isValid() && best != m_selected)
                selectSource(best);
        },
        Qt::QueuedConnection);
}

void MainWindow::onSourceCurrentChanged()
{
    const SourceRef ref = m_sources->sourceAt(m_sourceView->currentIndex());
    if (!ref.isValid() || ref == m_selected)
        return;
    m_selected = ref;
    updateSourceRoles();
}

void MainWindow::onSeriesCurrentChanged()
{
    const QModelIndex index = m_filterModel->mapToSource(m_seriesView->currentIndex());
    const QString key = m_seriesModel->keyAt(index.row());
    if (key.isEmpty())
        return;
    selectSeries(key);
    // Picking a series charts it; Ctrl adds it to the chart already there.
    m_charts->pick(key, QGuiApplication::keyboardModifiers().testFlag(Qt::ControlModifier));
    m_pages->setCurrentWidget(m_charts);
    m_chartsForSource = false;
}

void MainWindow::updateSourceCharts(bool newSource)
{
    // A source's own charts follow its series as they arrive (the collector's drop counters appear with the first
    // drop); a source with a dashboard has none.
    const QStringList keys = m_sources->seriesOf(m_selected);
    if (!newSource && keys.size() == m_chartedKeyCount)
        return;
    m_chartedKeyCount = int(keys.size());
    const bool dashboard = SourceCharts::hasDashboard(m_selected, m_sources->rolesOf(m_selected));
    const QVector<ChartSpec> own = dashboard
        ? QVector<ChartSpec>()
        : SourceCharts::forSource(m_selected, keys, [this](const QString &key) { return m_sources->kindOf(key); });
    if (newSource || SourceCharts::keysOf(own) != SourceCharts::keysOf(m_sourceCharts)) {
        m_sourceCharts = own;
        m_charts->setSource(m_selected, own);
    }
}

int MainWindow::chartSeries(const SeriesSelector &selector)
{
    int charted = 0;
    for (int row = 0; row < m_seriesModel->rowCount() && charted < 8; ++row) {
        const QString key = m_seriesModel->keyAt(row);
        if (!selector.matches(key))
            continue;
        if (charted == 0)
            selectSeries(key);
        m_charts->pick(key, charted > 0);
        ++charted;
    }
    if (charted > 0) {
        m_chartsForSource = false;
        m_pages->setCurrentWidget(m_charts);
    }
    return charted;
}

void MainWindow::setDataSources(DataSourceListModel *servers, ServerProbe *probe, const DataSourceChoice &current)
{
    m_servers = servers;
    m_probe = probe;
    m_dataSource = current;
    m_mergeHosts->setEnabled(!current.isLocal());
    m_mergeHosts->setChecked(current.mergeHosts);
}

void MainWindow::openSourcesDialog()
{
    if (!m_servers) {
        showNotice(tr("This window cannot switch sources."));
        return;
    }
    auto *dialog = new SourcesDialog(m_servers, m_probe, m_dataSource, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SourcesDialog::openRequested, this, [this](const DataSourceChoice &choice) {
        if (!(choice == m_dataSource))
            Q_EMIT sourceChosen(choice);
    });
    dialog->open();
}

void MainWindow::setFleetSource(const QString &serverText, int hosts, int seriesCount, qint64 liveStepSeconds)
{
    m_fleetServer = serverText;
    m_fleetHosts = hosts;
    m_liveStep = std::max<qint64>(1, liveStepSeconds);
    m_status->setSourceName(serverText);
    if (!serverText.isEmpty())
        m_status->setFleetCounts(hosts, seriesCount, m_dataSource.mergeHosts);
    m_baselines->setReadOnly(serverText.isEmpty()
            ? QString()
            : tr("%1 keeps no baselines of its own: its baselines form automatically from the first day it holds. "
                 "Pinned, deploy and expected baselines are kept by each collector: open the local collector to set "
                 "them.")
                  .arg(serverText));
    updateProvenance();
    updateRangeNote();
}

QString MainWindow::provenance() const
{
    if (m_fleetServer.isEmpty())
        return {};
    if (m_dataSource.mergeHosts)
        return m_fleetHosts == 1 ? tr("%1, 1 host").arg(m_fleetServer)
                                 : tr("%1, %2 hosts merged").arg(m_fleetServer).arg(m_fleetHosts);
    for (const QString &key : m_sources->seriesOf(m_selected)) {
        if (const QString host = SeriesKey::fromString(key).tagValue(u"host"); !host.isEmpty())
            return tr("%1, host %2").arg(m_fleetServer, host);
    }
    return m_fleetServer;
}

void MainWindow::updateProvenance()
{
    m_dashboard->setProvenance(provenance());
}

void MainWindow::updateSourceRoles()
{
    const SourceRoles roles = m_sources->rolesOf(m_selected);
    const bool changed = m_dashboard->source() != m_selected || !(m_dashboard->roles() == roles);
    if (!changed)
        return;
    const bool newSource = m_dashboard->source() != m_selected;
    m_dashboard->setSource(m_selected, roles, m_sources->seriesOf(m_selected));
    updateProvenance();
    // A process, the machine or the collector has no latency or requests: its charts, not four empty ones.
    const bool dashboard = SourceCharts::hasDashboard(m_selected, roles);
    // Before hiding a tab moves the current one: the KPI pages give way to the charts; Operations or Runs stay.
    const bool onCharts = m_pages->currentWidget() == m_charts;
    const bool onKpiPages = m_pages->currentWidget() == m_dashboard || m_pages->currentWidget() == m_comparison;
    m_pages->setTabVisible(m_pages->indexOf(m_dashboard), dashboard);
    m_pages->setTabVisible(m_pages->indexOf(m_comparison), dashboard);
    updateSourceCharts(newSource);
    // A source without a dashboard shows its charts; the next source with one shows its dashboard again, unless the
    // user went to the charts on purpose (picked a series).
    if (!dashboard && (onKpiPages || onCharts)) {
        m_chartsForSource = !onCharts || m_chartsForSource;
        m_pages->setCurrentWidget(m_charts);
    } else if (dashboard && m_chartsForSource) {
        m_chartsForSource = false;
        m_pages->setCurrentWidget(m_dashboard);
    }
    // The shown latency's per-second sketches, so the tiles and lines can merge seconds (live.sock follow).
    Q_EMIT followedSeriesChanged(roles.latency.isEmpty() ? QStringList() : QStringList { roles.latency });
    updateShownSeries();
    if (m_alerts)
        m_alerts->setSource(m_selected);
    if (newSource) {
        m_baselines->setSource(m_selected);
        m_runsView->setSource(m_selected);
        requestReference();
        requestMarkers(); // and the source's "a week ago" overlay
        if (!m_view.isLive())
            requestHistory();
    }
    refresh();
}

// ---- time range

qint64 MainWindow::viewFromMs() const
{
    return m_view.fromMs();
}

qint64 MainWindow::viewToMs() const
{
    return m_view.toMs();
}

qint64 MainWindow::stepFor(qint64 fromSecond, qint64 toSecond, qint64 nowSecond)
{
    return ViewRange::stepFor(fromSecond, toSecond, nowSecond);
}

void MainWindow::onRangeIndexChanged(int index)
{
    const qint64 value = m_range->itemData(index).toLongLong();
    if (value == customRange) {
        chooseCustomRange();
        return;
    }
    if (value > 0) {
        setLiveWindowSeconds(value);
        return;
    }
    const qint64 now = m_clock() * 1000;
    showHistory(now + value * 1000, now);
}

void MainWindow::chooseCustomRange()
{
    const QDateTime now = QDateTime::fromSecsSinceEpoch(m_clock());
    CustomRangeDialog dialog(now.addSecs(-3 * 3600), now, now.addSecs(60), this);
    if (dialog.exec() != QDialog::Accepted) {
        // Show what is actually on screen again.
        m_range->setCurrentIndex(m_range->findData(m_view.isLive() ? m_view.liveWindowSeconds() : customRange));
        return;
    }
    showHistory(dialog.from().toMSecsSinceEpoch(), dialog.to().toMSecsSinceEpoch());
    m_range->setCurrentIndex(m_range->findData(customRange));
}

void MainWindow::setLiveWindowSeconds(qint64 seconds)
{
    m_view.setLiveWindowSeconds(seconds);
    const int index = m_range->findData(m_view.liveWindowSeconds());
    if (index >= 0)
        m_range->setCurrentIndex(index);
    m_historyPoints.clear();
    m_loader.cancelHistory(); // whatever is still on its way is no longer wanted
    requestMarkers();
    refresh();
}

void MainWindow::showHistory(qint64 fromMs, qint64 toMs)
{
    m_view.showHistory(fromMs, toMs);
    // Called from the range box, the box already says which history; from anywhere else, it is a custom range.
    const qint64 preset = m_range->currentData().toLongLong();
    if (preset > 0 || (preset < 0 && preset != customRange && -preset * 1000 != m_view.toMs() - m_view.fromMs()))
        m_range->setCurrentIndex(m_range->findData(customRange));
    m_historyDebounce.stop();
    requestHistory();
    requestMarkers();
    refresh();
}

void MainWindow::backToLive()
{
    setLiveWindowSeconds(m_view.liveWindowSeconds());
}

void MainWindow::onRangeRequested(qint64 fromMs, qint64 toMs)
{
    // Live data covers the store's window; wider or older views come from storage.
    m_view.requestRange(
        fromMs, toMs, (m_store->latestSecond() - m_store->windowSeconds()) * 1000, m_store->windowSeconds() * 1000);
    if (!m_view.isLive()) {
        m_range->setCurrentIndex(m_range->findData(customRange)); // a preset no longer describes the view
        m_historyDebounce.start();
    }
    refresh();
}

void MainWindow::onResetRequested()
{
    backToLive();
}

void MainWindow::zoomBy(double factor)
{
    const auto [from, to] = m_view.zoomed(factor);
    onRangeRequested(from, to);
}

void MainWindow::panBy(double fraction)
{
    const auto [from, to] = m_view.panned(fraction);
    onRangeRequested(from, to);
}

void MainWindow::requestHistory()
{
    if (m_view.isLive())
        return;
    m_view.updateHistoryStep();
    const qint64 fromS = m_view.fromMs() / 1000, toS = (m_view.toMs() + 999) / 1000;
    m_historyError.clear();
    if (!m_loader.source() || !m_selected.isValid()) {
        m_historyError = m_loader.source() ? QString() : tr("no database to read history from yet");
        updateRangeNote();
        return;
    }
    // Fetch a little more on both sides, so a pan shows data at once while the exact answer is on its way.
    QStringList keys = m_sources->rolesOf(m_selected).allKeys();
    for (const QString &key : m_charts->keys()) {
        if (!keys.contains(key))
            keys << key;
    }
    m_loader.requestHistory(keys, fromS - (toS - fromS) / 4, toS + (toS - fromS) / 4, m_view.historyStep());
    updateRangeNote();
}

void MainWindow::onHistoryReady(const QHash<QString, QVector<SeriesPoint>> &points, qint64 step)
{
    m_historyPoints = points;
    m_historyPointsStep = step; // drawn at their own step until the next answer, whatever the view asks for meanwhile
    refresh();
}

void MainWindow::onMarkersReady(const QVector<TimeMarker> &markers)
{
    m_markers = markers;
    m_dashboard->setMarkers(m_markers);
}

void MainWindow::onHistoryFailed(const QString &message)
{
    m_historyError = message;
    updateRangeNote();
}

void MainWindow::requestMarkers()
{
    const qint64 now = m_clock();
    // The "a week ago" overlay comes with the markers: on every range change and every 15 s.
    const QString latency = m_dashboard->roles().latency;
    if (!latency.isEmpty()) {
        const qint64 weekFrom = m_view.isLive() ? now - m_store->windowSeconds() : m_view.fromMs() / 1000;
        const qint64 weekTo = m_view.isLive() ? now + 60 : (m_view.toMs() + 999) / 1000;
        m_loader.requestWeekAgo({ latency }, weekFrom, weekTo, m_view.isLive() ? 60 : m_view.historyStep());
    }
    const qint64 from = m_view.isLive() ? now - m_store->windowSeconds() : m_view.fromMs() / 1000;
    const qint64 to = m_view.isLive() ? now + 1 : m_view.toMs() / 1000 + 1;
    m_loader.requestMarkers(from - (to - from) / 4, to + (to - from) / 4);
    // The operations of what the charts show; a live view's last N minutes up to now.
    const bool following = m_view.isFollowing();
    m_operations->setRange(following ? now - m_view.liveWindowSeconds() : m_view.fromMs() / 1000,
        following ? now + 1 : m_view.toMs() / 1000 + 1);
    // The Runs tab shows the view's own span (the markers reach back over the whole live buffer); reloads while shown.
    m_runsView->setRange(m_view.isLive() ? now - m_view.liveWindowSeconds() : from, to);
    // Past alerts: the view's range, at least the last day, up to now (their current state).
    if (m_alerts)
        m_alerts->requestHistory(std::min(from, now - 86400), now + 1);
}

void MainWindow::requestReference()
{
    if (m_selected.isValid())
        m_loader.requestReference(m_sources->rolesOf(m_selected));
}

void MainWindow::updateRangeNote()
{
    QString note;
    if (!m_view.isLive()) {
        note = tr("History %1 – %2 · %3 buckets from the %4")
                   .arg(QDateTime::fromMSecsSinceEpoch(m_view.fromMs()).toString(u"yyyy-MM-dd HH:mm"_s),
                       QDateTime::fromMSecsSinceEpoch(m_view.toMs()).toString(u"yyyy-MM-dd HH:mm"_s),
                       formatStep(m_view.historyStep()), tierName(RangeSource::tierFor(m_view.historyStep())));
        if (m_loader.isHistoryPending())
            note += tr(" · loading…");
        if (!m_historyError.isEmpty())
            note += tr(" · history unavailable: %1").arg(m_historyError);
    } else if (m_view.mode() == ViewRange::Mode::Zoomed) {
        note = tr("Zoomed · live data keeps arriving · Esc returns to live");
    } else {
        note = m_fleetServer.isEmpty() ? tr("Live · 1 s buckets")
                                       : tr("Live · %1 s buckets from %2").arg(m_liveStep).arg(provenance());
    }
    if (m_pause->isChecked())
        note += tr(" · paused");
    m_dashboard->setRangeNote(note);
    m_live->setEnabled(!m_view.isFollowing());
}

// ---- drawing

void MainWindow::updateMachineKeys()
{
    // The store only ever appends keys, so only the new ones need a look.
    const QStringList keys = m_store->keys();
    if (keys.size() == m_keysScanned)
        return;
    MachineKeys machine = m_machine;
    for (qsizetype i = m_keysScanned; i < keys.size(); ++i) {
        const QString &key = keys[i];
        if (!key.startsWith(u"system."_s) && !key.startsWith(u"gpu."_s))
            continue;
        const QString name = SeriesKey::fromString(key).name;
        if (name == u"system.cpu_percent"_s && machine.cpu.isEmpty())
            machine.cpu = key;
        else if (name == u"system.memory_used_mb"_s && machine.memoryUsed.isEmpty())
            machine.memoryUsed = key;
        else if (name == u"system.memory_total_mb"_s && machine.memoryTotal.isEmpty())
            machine.memoryTotal = key;
        else if (name == u"system.cpu_count"_s && machine.cpuCount.isEmpty())
            machine.cpuCount = key;
        else if (name == u"system.memory_limit_mb"_s && machine.memoryLimit.isEmpty())
            machine.memoryLimit = key;
        else if (name == u"gpu.utilization_percent"_s && (machine.gpu.isEmpty() || key < machine.gpu))
            machine.gpu = key;
    }
    m_keysScanned = keys.size();
    if (!(machine == m_machine)) {
        m_machine = machine;
        m_dashboard->setMachineKeys(machine);
        updateShownSeries();
    }
}

void MainWindow::updateShownSeries()
{
    QStringList keys = m_selected.isValid() ? m_sources->rolesOf(m_selected).allKeys() : QStringList();
    // refresh() follows the view from the anchor's first point: a source without a latency anchors on its first series.
    if (m_selected.isValid() && m_sources->rolesOf(m_selected).latency.isEmpty()
        && !m_sources->seriesOf(m_selected).isEmpty())
        keys << m_sources->seriesOf(m_selected).constFirst();
    // The covered seconds, every rate's denominator (the fleet's, or the source's host's).
    keys << Coverage::heartbeatKeyFor(keys) << Coverage::heartbeatKey();
    keys += m_charts->keys();
    for (const QString *k : { &m_machine.cpu, &m_machine.cpuCount, &m_machine.memoryUsed, &m_machine.memoryTotal,
             &m_machine.memoryLimit, &m_machine.gpu }) {
        if (!k->isEmpty())
            keys << *k;
    }
    keys.removeDuplicates();
    keys.sort();
    if (keys == m_shownKeys)
        return;
    m_shownKeys = keys;
    Q_EMIT shownSeriesChanged(keys);
}

void MainWindow::onStoreChanged()
{
    updateMachineKeys();
    if (m_selected.isValid())
        updateSourceCharts(false);
    // New series may change which series plays which part.
    if (m_selected.isValid() && !(m_dashboard->roles() == m_sources->rolesOf(m_selected)))
        updateSourceRoles();
    if (m_view.isLive() && !m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void MainWindow::refreshNow()
{
    m_refreshTimer.stop();
    refresh();
}

void MainWindow::refresh()
{
    updateRangeNote();
    if (m_pause->isChecked())
        return;
    if (!m_view.isLive()) {
        const auto lookup = [this](const QString &key) -> const QVector<SeriesPoint> & {
            static const QVector<SeriesPoint> empty;
            const auto it = m_historyPoints.constFind(key);
            return it == m_historyPoints.constEnd() ? empty : *it;
        };
        m_dashboard->showData(lookup, m_view.fromMs(), m_view.toMs(), m_historyPointsStep, false, m_clock());
        m_charts->showData(lookup, m_view.fromMs(), m_view.toMs(), m_historyPointsStep);
        if (m_comparison->isVisible())
            m_baselines->updatePanel();
        return;
    }
    const QString anchor = m_dashboard->roles().latency.isEmpty() ? m_sources->seriesOf(m_selected).value(0)
                                                                  : m_dashboard->roles().latency;
    const auto &anchorPoints = m_store->points(anchor);
    // Before any frame (a fleet server that has not answered yet) the axis ends now, not at 1970.
    const qint64 latest = m_store->latestSecond() > 0 ? m_store->latestSecond() : m_clock() - 1;
    m_view.follow(latest, anchorPoints.isEmpty() ? -1 : anchorPoints.constFirst().second);
    const auto lookup = [this](const QString &key) -> const QVector<SeriesPoint> & { return m_store->points(key); };
    // Zoomed into the live buffer, the tiles describe the 10 s before the view's end, as live ones do before now.
    const qint64 tilesEnd = m_view.isFollowing() ? m_clock() : std::min(m_clock(), (m_view.toMs() + 999) / 1000);
    m_dashboard->showData(lookup, m_view.fromMs(), m_view.toMs(), m_liveStep, true, tilesEnd);
    m_charts->showData(lookup, m_view.fromMs(), m_view.toMs(), m_liveStep);
    if (m_comparison->isVisible())
        m_baselines->updatePanel();
}

// ---- status bar

void MainWindow::onConnectionStateChanged(LiveSource::State state, const QString &detail)
{
    if (state == LiveSource::State::Connected)
        m_disconnectedSince = {};
    else if (state == LiveSource::State::Disconnected && !m_disconnectedSince.isValid())
        m_disconnectedSince = QDateTime::fromSecsSinceEpoch(m_clock());
    m_status->setConnection(state, detail, m_disconnectedSince);
    if (state != LiveSource::State::Connecting)
        setOffline(state == LiveSource::State::Disconnected);
}

void MainWindow::setOffline(bool offline)
{
    const QString since = offline ? m_disconnectedSince.toString(u"HH:mm:ss"_s) : QString();
    m_bannerText->setText(m_fleetServer.isEmpty()
            ? tr("Collector stopped at %1 — no data is being collected").arg(since)
            : tr("%1 unreachable since %2 — retrying; the figures shown are from before").arg(m_fleetServer, since));
    m_banner->setVisible(offline);
    m_dashboard->setOffline(since);
    if (auto *delegate = qobject_cast<SourceDelegate *>(m_sourceView->itemDelegate()))
        delegate->setOffline(offline);
    m_sourceView->viewport()->update();
    refresh();
}

void MainWindow::onCollectorStatus(const CollectorStatus &status)
{
    m_status->setStatus(status);
}

void MainWindow::setReportRunner(ReportRunner *runner)
{
    m_reportRunner = runner;
}

ExportReportDialog *MainWindow::exportDialog() const
{
    return m_exportDialog;
}

ExportReportDialog *MainWindow::openExportDialog()
{
    if (m_exportDialog) {
        m_exportDialog->raise();
        m_exportDialog->activateWindow();
        return m_exportDialog;
    }
    ExportReportDialog::Context context;
    // The models of the source tree: those with stored history too, not only the live ones.
    for (int g = 0; g < m_sources->rowCount(); ++g) {
        const QModelIndex group = m_sources->index(g, 0);
        for (int row = 0; row < m_sources->rowCount(group); ++row) {
            const SourceRef source = m_sources->sourceAt(m_sources->index(row, 0, group));
            if (source.kind == SourceRef::Kind::Model)
                context.models << source.name;
        }
    }
    context.models.sort();
    if (m_selected.kind == SourceRef::Kind::Model) {
        const HostedName hosted = splitHost(m_selected.name); // "m1 · host a" on a fleet grouped by host
        context.model = m_selected.name;
        context.series = u"*{model="_s % hosted.name % u'}';
        context.host = hosted.host;
    }
    context.viewFrom = viewFromMs() / 1000;
    context.viewTo = (viewToMs() + 999) / 1000;
    context.now = QDateTime::currentSecsSinceEpoch();
    m_exportDialog = new ExportReportDialog(m_reportRunner, context, this);
    m_exportDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_exportDialog, &ExportReportDialog::exported, this, [this](const QString &path, qint64 rows) {
        showNotice(tr("Exported %n row(s) to %1", nullptr, int(rows)).arg(QDir::toNativeSeparators(path)));
    });
    m_exportDialog->show();
    return m_exportDialog;
}

void MainWindow::showNotice(const QString &text)
{
    statusBar()->showMessage(text, 15000);
}

} // namespace perfdash
