// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/mainwindow.h"

#include "models/serieskey.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/kpitile.h"
#include "widgets/sourcedashboard.h"
#include "widgets/sourcedelegate.h"
#include "widgets/timeserieschart.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFrame>
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
#include <QSortFilterProxyModel>
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
constexpr qint64 secondTierKeptSeconds = 48 * 3600; // storage keeps 1 s buckets this long (storagetiers.h)
constexpr int targetBuckets = 1500; // about two per pixel column of a wide chart

// Sources worth showing first: a model or service with a latency timer.
int preference(const SourceRef &ref, const SourceRoles &roles)
{
    int score = roles.latency.isEmpty() ? 0 : 4;
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

QString formatBytes(qint64 bytes)
{
    if (bytes < 0)
        return u"–"_s;
    if (bytes < 1024 * 1024)
        return QLocale().toString(double(bytes) / 1024, 'f', 0) % u" KB"_s;
    if (bytes < 1024LL * 1024 * 1024)
        return QLocale().toString(double(bytes) / (1024 * 1024), 'f', 1) % u" MB"_s;
    return QLocale().toString(double(bytes) / (1024.0 * 1024 * 1024), 'f', 2) % u" GB"_s;
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
    m_filter->setPlaceholderText(tr("Filter series (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filterModel = new QSortFilterProxyModel(this);
    m_filterModel->setSourceModel(m_seriesModel);
    m_filterModel->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_filter, &QLineEdit::textChanged, m_filterModel, &QSortFilterProxyModel::setFilterFixedString);
    m_seriesView = new QListView(seriesPage);
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
    m_dashboard = new SourceDashboard(right);
    rightLayout->addWidget(m_dashboard, 1);
    connect(m_dashboard, &SourceDashboard::rangeRequested, this, &MainWindow::onRangeRequested);
    connect(m_dashboard, &SourceDashboard::resetRequested, this, &MainWindow::onResetRequested);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 330, 950 });
    setCentralWidget(splitter);

    m_connection = new QLabel(tr("Not connected"), this);
    m_ingest = new QLabel(this);
    m_drops = new QLabel(this);
    m_seriesCount = new QLabel(this);
    m_dbSize = new QLabel(this);
    m_ingest->setToolTip(tr("Lines the collector accepted per second"));
    m_drops->setToolTip(tr("Since the collector started: lines the parsers rejected, and datagrams the kernel dropped "
                           "before the collector could read them"));
    m_dbSize->setToolTip(tr("The database file with its write-ahead log"));
    statusBar()->addWidget(m_connection, 1);
    for (auto *label : { m_ingest, m_drops, m_seriesCount, m_dbSize })
        statusBar()->addPermanentWidget(label);
    resize(1360, 860);
}

void MainWindow::buildMenus()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_startCollector);
    auto *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_pause);
    view->addAction(m_live);
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
        if (m_history)
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
    m_windowSeconds = std::max<qint64>(10, m_range->currentData().toLongLong());
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    if (auto *splitter = findChild<QSplitter *>(u"mainSplitter"_s))
        settings.setValue(u"window/splitter"_s, splitter->saveState());
    settings.setValue(u"view/liveWindow"_s, m_windowSeconds);
    settings.setValue(u"view/leftTab"_s, m_leftTabs->currentIndex());
    if (m_selected.isValid())
        settings.setValue(u"view/source"_s, m_selected.id());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

void MainWindow::setRangeSource(RangeSource *source)
{
    m_loader.setSource(source);
    if (!source)
        return;
    m_markerTimer.start();
    m_referenceTimer.start();
    requestMarkers();
    requestReference();
    if (m_history)
        requestHistory();
}

void MainWindow::setClock(std::function<qint64()> clock)
{
    m_clock = clock;
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
    return m_connection->text();
}

QString MainWindow::statusText() const
{
    return QStringList { m_ingest->text(), m_drops->text(), m_seriesCount->text(), m_dbSize->text() }.join(u" | "_s);
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
            int bestScore = best.isValid() ? preference(best, m_sources->rolesOf(best)) : -100;
            for (int g = 0; g < m_sources->rowCount(); ++g) {
                const QModelIndex group = m_sources->index(g, 0);
                for (int r = 0; r < m_sources->rowCount(group); ++r) {
                    const SourceRef ref = m_sources->sourceAt(m_sources->index(r, 0, group));
                    const int score = preference(ref, m_sources->rolesOf(ref));
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
    if (!key.isEmpty())
        selectSeries(key);
}

void MainWindow::updateSourceRoles()
{
    const SourceRoles roles = m_sources->rolesOf(m_selected);
    const bool changed = m_dashboard->source() != m_selected || !(m_dashboard->roles() == roles);
    if (!changed)
        return;
    const bool newSource = m_dashboard->source() != m_selected;
    m_dashboard->setSource(m_selected, roles, int(m_sources->seriesOf(m_selected).size()));
    if (newSource) {
        requestReference();
        if (m_history)
            requestHistory();
    }
    refresh();
}

// ---- time range

qint64 MainWindow::viewFromMs() const
{
    return m_viewFromMs;
}

qint64 MainWindow::viewToMs() const
{
    return m_viewToMs;
}

qint64 MainWindow::stepFor(qint64 fromSecond, qint64 toSecond, qint64 nowSecond)
{
    const qint64 span = std::max<qint64>(1, toSecond - fromSecond);
    // 1 s buckets for short spans still inside the 1 s tier's retention; then whole minutes (1 min tier), then whole
    // hours (1 h tier). A step that is not a multiple of 60 reads the 1 s tier (RangeSource::tierFor).
    if (span <= 2 * 3600 && fromSecond >= nowSecond - secondTierKeptSeconds) {
        qint64 step = std::max<qint64>(1, (span + targetBuckets - 1) / targetBuckets);
        return step % 60 == 0 ? step - 1 : step;
    }
    if (span <= 3 * 86400) {
        const qint64 minutes = std::max<qint64>(1, (span / 60 + targetBuckets - 1) / targetBuckets);
        return minutes % 60 == 0 ? 60 * (minutes + 1) : 60 * minutes;
    }
    return 3600 * std::max<qint64>(1, (span / 3600 + targetBuckets - 1) / targetBuckets);
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
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Custom range"));
    auto *form = new QFormLayout(&dialog);
    auto *from = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(-3 * 3600), &dialog);
    auto *to = new QDateTimeEdit(QDateTime::currentDateTime(), &dialog);
    for (auto *edit : { from, to }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(u"yyyy-MM-dd HH:mm:ss"_s);
        edit->setMaximumDateTime(QDateTime::currentDateTime().addSecs(60));
    }
    form->addRow(tr("From"), from);
    form->addRow(tr("To"), to);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted || from->dateTime() >= to->dateTime()) {
        // Show what is actually on screen again.
        m_range->setCurrentIndex(m_range->findData(m_history ? customRange : m_windowSeconds));
        return;
    }
    showHistory(from->dateTime().toMSecsSinceEpoch(), to->dateTime().toMSecsSinceEpoch());
    m_range->setCurrentIndex(m_range->findData(customRange));
}

void MainWindow::setLiveWindowSeconds(qint64 seconds)
{
    m_windowSeconds = std::max<qint64>(10, seconds);
    const int index = m_range->findData(m_windowSeconds);
    if (index >= 0)
        m_range->setCurrentIndex(index);
    m_history = false;
    m_zoomed = false;
    m_historyPoints.clear();
    m_loader.cancelHistory(); // whatever is still on its way is no longer wanted
    requestMarkers();
    refresh();
}

void MainWindow::showHistory(qint64 fromMs, qint64 toMs)
{
    const qint64 now = m_clock() * 1000;
    toMs = std::min(toMs, now);
    fromMs = std::min(fromMs, toMs - 5000);
    m_history = true;
    m_zoomed = false;
    m_viewFromMs = fromMs;
    m_viewToMs = toMs;
    // Called from the range box, the box already says which history; from anywhere else, it is a custom range.
    const qint64 preset = m_range->currentData().toLongLong();
    if (preset > 0 || (preset < 0 && preset != customRange && -preset * 1000 != toMs - fromMs))
        m_range->setCurrentIndex(m_range->findData(customRange));
    m_historyDebounce.stop();
    requestHistory();
    requestMarkers();
    refresh();
}

void MainWindow::backToLive()
{
    setLiveWindowSeconds(m_windowSeconds);
}

void MainWindow::onRangeRequested(qint64 fromMs, qint64 toMs)
{
    const qint64 now = m_clock() * 1000;
    const qint64 span = toMs - fromMs;
    if (toMs > now + 2000) { // the future holds nothing yet
        toMs = now;
        fromMs = toMs - span;
    }
    m_viewFromMs = fromMs;
    m_viewToMs = toMs;
    // Live data covers the store's window; wider or older views come from storage.
    const qint64 oldestLive = (m_store->latestSecond() - m_store->windowSeconds()) * 1000;
    if (!m_history && (span > m_store->windowSeconds() * 1000 || fromMs < oldestLive))
        m_history = true;
    if (m_history) {
        m_range->setCurrentIndex(m_range->findData(customRange)); // a preset no longer describes the view
        m_historyDebounce.start();
    } else {
        m_zoomed = true;
    }
    refresh();
}

void MainWindow::onResetRequested()
{
    backToLive();
}

void MainWindow::zoomBy(double factor)
{
    const qint64 from = viewFromMs(), to = viewToMs();
    const double center = (double(from) + double(to)) / 2;
    const double half = std::max(2500.0, double(to - from) * factor / 2);
    onRangeRequested(qint64(center - half), qint64(center + half));
}

void MainWindow::panBy(double fraction)
{
    const qint64 from = viewFromMs(), to = viewToMs();
    const qint64 shift = qint64(double(to - from) * fraction);
    onRangeRequested(from + shift, to + shift);
}

void MainWindow::requestHistory()
{
    if (!m_history)
        return;
    const qint64 fromS = m_viewFromMs / 1000, toS = (m_viewToMs + 999) / 1000;
    m_historyStep = stepFor(fromS, toS, m_clock());
    m_historyError.clear();
    if (!m_loader.source() || !m_selected.isValid()) {
        m_historyError = m_loader.source() ? QString() : tr("no database to read history from yet");
        updateRangeNote();
        return;
    }
    // Fetch a little more on both sides, so a pan shows data at once while the exact answer is on its way.
    m_loader.requestHistory(m_sources->rolesOf(m_selected).allKeys(), fromS - (toS - fromS) / 4,
        toS + (toS - fromS) / 4, m_historyStep);
    updateRangeNote();
}

void MainWindow::onHistoryReady(const QHash<QString, QVector<SeriesPoint>> &points, qint64 step)
{
    Q_UNUSED(step)
    m_historyPoints = points;
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
    const qint64 from = m_history ? m_viewFromMs / 1000 : now - m_store->windowSeconds();
    const qint64 to = m_history ? m_viewToMs / 1000 + 1 : now + 1;
    m_loader.requestMarkers(from - (to - from) / 4, to + (to - from) / 4);
}

void MainWindow::requestReference()
{
    if (m_selected.isValid())
        m_loader.requestReference(m_sources->rolesOf(m_selected));
}

void MainWindow::updateRangeNote()
{
    QString note;
    if (m_history) {
        note = tr("History %1 – %2 · %3 buckets from the %4")
                   .arg(QDateTime::fromMSecsSinceEpoch(m_viewFromMs).toString(u"yyyy-MM-dd HH:mm"_s),
                       QDateTime::fromMSecsSinceEpoch(m_viewToMs).toString(u"yyyy-MM-dd HH:mm"_s),
                       formatStep(m_historyStep), tierName(RangeSource::tierFor(m_historyStep)));
        if (m_loader.isHistoryPending())
            note += tr(" · loading…");
        if (!m_historyError.isEmpty())
            note += tr(" · history unavailable: %1").arg(m_historyError);
    } else if (m_zoomed) {
        note = tr("Zoomed · live data keeps arriving · Esc returns to live");
    } else {
        note = tr("Live · 1 s buckets");
    }
    if (m_pause->isChecked())
        note += tr(" · paused");
    m_dashboard->setRangeNote(note);
    m_live->setEnabled(m_history || m_zoomed);
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
        else if (name == u"gpu.utilization_percent"_s && (machine.gpu.isEmpty() || key < machine.gpu))
            machine.gpu = key;
    }
    m_keysScanned = keys.size();
    if (!(machine == m_machine)) {
        m_machine = machine;
        m_dashboard->setMachineKeys(machine);
    }
}

void MainWindow::onStoreChanged()
{
    updateMachineKeys();
    // New series may change which series plays which part.
    if (m_selected.isValid() && !(m_dashboard->roles() == m_sources->rolesOf(m_selected)))
        updateSourceRoles();
    if (!m_history && !m_refreshTimer.isActive())
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
    if (m_history) {
        const auto lookup = [this](const QString &key) -> const QVector<SeriesPoint> & {
            static const QVector<SeriesPoint> empty;
            const auto it = m_historyPoints.constFind(key);
            return it == m_historyPoints.constEnd() ? empty : *it;
        };
        m_dashboard->showData(lookup, m_viewFromMs, m_viewToMs, m_historyStep, false, m_clock());
        return;
    }
    if (!m_zoomed) {
        const qint64 latest = m_store->latestSecond();
        m_viewToMs = (latest + 1) * 1000;
        m_viewFromMs = m_viewToMs - m_windowSeconds * 1000;
        // While a source is younger than the range, show it from its start (at least a minute), so a fresh dashboard
        // fills its charts instead of drawing a sliver at the right edge; after that the range rolls.
        const QString anchor = m_dashboard->roles().latency.isEmpty() ? m_sources->seriesOf(m_selected).value(0)
                                                                      : m_dashboard->roles().latency;
        const auto &points = m_store->points(anchor);
        if (!points.isEmpty())
            m_viewFromMs
                = std::max(m_viewFromMs, std::min(points.constFirst().second * 1000 - 5000, m_viewToMs - 60000));
    }
    const auto lookup = [this](const QString &key) -> const QVector<SeriesPoint> & { return m_store->points(key); };
    m_dashboard->showData(lookup, m_viewFromMs, m_viewToMs, 1, !m_zoomed, m_clock());
}

// ---- status bar

void MainWindow::onConnectionStateChanged(LiveSource::State state, const QString &detail)
{
    QString color;
    switch (state) {
    case LiveSource::State::Connected:
        m_disconnectedSince = {};
        setOffline(false);
        m_connection->setText(tr("● Connected to collector"));
        color = u"#27ae60"_s;
        break;
    case LiveSource::State::Connecting:
        m_connection->setText(m_disconnectedSince.isValid()
                ? tr("◌ Reconnecting to collector (lost at %1)…").arg(m_disconnectedSince.toString(u"HH:mm:ss"_s))
                : tr("◌ Connecting to collector…"));
        color = u"#f39c12"_s;
        break;
    case LiveSource::State::Disconnected:
        if (!m_disconnectedSince.isValid())
            m_disconnectedSince = QDateTime::fromSecsSinceEpoch(m_clock());
        setOffline(true);
        m_connection->setText(tr("○ Collector unreachable since %1, retrying: %2")
                                  .arg(m_disconnectedSince.toString(u"HH:mm:ss"_s), detail));
        color = u"#e74c3c"_s;
        break;
    }
    m_connection->setToolTip(detail);
    m_connection->setStyleSheet(u"QLabel { color: "_s % color % u"; }"_s);
}

void MainWindow::setOffline(bool offline)
{
    const QString since = offline ? m_disconnectedSince.toString(u"HH:mm:ss"_s) : QString();
    m_bannerText->setText(tr("Collector stopped at %1 — no data is being collected").arg(since));
    m_banner->setVisible(offline);
    m_dashboard->setOffline(since);
    if (auto *delegate = qobject_cast<SourceDelegate *>(m_sourceView->itemDelegate()))
        delegate->setOffline(offline);
    m_sourceView->viewport()->update();
    if (offline) {
        // Rates of a collector that is gone are not current: blank them until it reports again.
        m_ingest->setText(tr("ingest –"));
        m_ingest->setToolTip(tr("The collector is not running"));
    }
    refresh();
}

void MainWindow::onCollectorStatus(const CollectorStatus &status)
{
    if (m_disconnectedSince.isValid())
        return; // a status from before the collector went away
    m_ingest->setText(tr("ingest %1 lines/s").arg(QLocale().toString(status.linesPerSecond, 'f', 0)));
    m_drops->setText(tr("drops: parse %1 · kernel %2")
                         .arg(QLocale().toString(status.parseDrops), QLocale().toString(status.kernelDrops)));
    m_seriesCount->setText(tr("%1 series").arg(QLocale().toString(status.seriesCount)));
    m_dbSize->setText(tr("db %1").arg(formatBytes(status.databaseBytes)));
}

void MainWindow::showNotice(const QString &text)
{
    statusBar()->showMessage(text, 15000);
}

} // namespace perfdash
