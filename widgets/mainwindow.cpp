// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/mainwindow.h"

#include "models/serieskey.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "widgets/kpitile.h"
#include "widgets/timeserieschart.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QStyleHints>
#include <QToolBar>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
enum Tile { TileP50, TileP95, TileP99, TileRate, TileCount };

// p99 of fewer than 100 samples is mostly one sample; show it greyed out.
constexpr qint64 minSamplesForP99 = 100;
constexpr qint64 minSamplesForP95 = 20;

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

// Prefer a latency timer for the first view: it is what people open a dashboard for.
int preference(const QString &key)
{
    const QString name = SeriesKey::fromString(key).name;
    if (name.startsWith(u"perfdash."_s))
        return 0;
    if (name.contains(u"latency"_s) && !name.contains(u"step"_s))
        return 3;
    if (name.contains(u"latency"_s) || name.contains(u"duration"_s) || name.contains(u"time"_s))
        return 2;
    return 1;
}
} // namespace

MainWindow::MainWindow(SeriesStore *store, SeriesListModel *seriesModel, QWidget *parent)
    : QMainWindow(parent)
    , m_store(store)
    , m_seriesModel(seriesModel)
    , m_refreshTimer(this)
{
    setWindowTitle(u"perfdash"_s);
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(30);
    connect(&m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);
    buildUi();
    connect(m_store, &SeriesStore::changed, this, &MainWindow::onStoreChanged);
    connect(m_store, &SeriesStore::seriesAdded, this, &MainWindow::onSeriesAdded);
    for (const auto &key : m_store->keys())
        onSeriesAdded(key);
    restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    auto *toolbar = addToolBar(u"View"_s);
    toolbar->setObjectName(u"viewToolbar"_s);
    toolbar->setMovable(false);
    toolbar->addWidget(new QLabel(tr("Range "), toolbar));
    m_range = new QComboBox(toolbar);
    m_range->addItem(tr("Last 5 min"), 300);
    m_range->addItem(tr("Last 15 min"), 900);
    m_range->addItem(tr("Last 1 h"), 3600);
    toolbar->addWidget(m_range);
    connect(m_range, &QComboBox::currentIndexChanged, this, [this](int index) {
        setLiveWindowSeconds(m_range->itemData(index).toLongLong());
    });
    m_pause = toolbar->addAction(tr("Pause"));
    m_pause->setCheckable(true);
    m_pause->setShortcut(Qt::Key_Space);
    m_pause->setToolTip(tr("Freeze the charts; data keeps arriving (Space)"));
    connect(m_pause, &QAction::toggled, this, [this](bool paused) {
        if (!paused)
            refresh();
    });
    auto *quit = new QAction(tr("Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    addAction(quit);

    auto *splitter = new QSplitter(this);
    splitter->setObjectName(u"mainSplitter"_s);
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(4, 4, 4, 4);
    m_filter = new QLineEdit(left);
    m_filter->setPlaceholderText(tr("Filter series (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    auto *find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_filter, qOverload<>(&QWidget::setFocus));
    addAction(find);
    m_filterModel = new QSortFilterProxyModel(this);
    m_filterModel->setSourceModel(m_seriesModel);
    m_filterModel->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_filter, &QLineEdit::textChanged, m_filterModel, &QSortFilterProxyModel::setFilterFixedString);
    m_seriesView = new QListView(left);
    m_seriesView->setModel(m_filterModel);
    m_seriesView->setUniformItemSizes(true);
    m_seriesView->setTextElideMode(Qt::ElideMiddle);
    connect(m_seriesView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::onCurrentRowChanged);
    // Once the user picks a series, new series no longer steal the selection.
    connect(m_seriesView, &QListView::clicked, this, [this]() { m_userChoseSeries = true; });
    connect(m_seriesView, &QListView::activated, this, [this]() { m_userChoseSeries = true; });
    leftLayout->addWidget(m_filter);
    leftLayout->addWidget(m_seriesView);

    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 4, 4, 4);
    m_header = new QLabel(tr("Waiting for metrics…"), right);
    QFont headerFont = m_header->font();
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.3);
    headerFont.setBold(true);
    m_header->setFont(headerFont);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rightLayout->addWidget(m_header);
    auto *tiles = new QHBoxLayout;
    for (const QString &caption : { tr("p50 latency"), tr("p95 latency"), tr("p99 latency"), tr("Throughput"),
                                    tr("Samples in window") }) {
        auto *tile = new KpiTile(caption, right);
        m_tiles.push_back(tile);
        tiles->addWidget(tile);
    }
    rightLayout->addLayout(tiles);
    m_latencyChart = new TimeSeriesChart(tr("Latency"), right);
    m_latencyChart->addLine(u"p50"_s, QColor(0x2e, 0x86, 0xde), 1.5);
    m_latencyChart->addLine(u"p95"_s, QColor(0xf3, 0x9c, 0x12), 1.5);
    m_latencyChart->addLine(u"p99"_s, QColor(0xe7, 0x4c, 0x3c), 2.0);
    m_latencyChart->setValueLabel(tr("ms"));
    m_throughputChart = new TimeSeriesChart(tr("Throughput"), right);
    m_throughputChart->addLine(tr("per second"), QColor(0x27, 0xae, 0x60), 1.5);
    m_throughputChart->setValueLabel(tr("per s"));
    rightLayout->addWidget(m_latencyChart, 3);
    rightLayout->addWidget(m_throughputChart, 2);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 380, 900 });
    setCentralWidget(splitter);

    m_connection = new QLabel(tr("Not connected"), this);
    m_ingest = new QLabel(this);
    statusBar()->addWidget(m_connection, 1);
    statusBar()->addPermanentWidget(m_ingest);
    resize(1280, 800);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    if (auto *splitter = findChild<QSplitter *>(u"mainSplitter"_s))
        splitter->restoreState(settings.value(u"window/splitter"_s).toByteArray());
    const int rangeIndex = m_range->findData(settings.value(u"view/liveWindow"_s, 300).toLongLong());
    m_range->setCurrentIndex(rangeIndex >= 0 ? rangeIndex : 0);
    setLiveWindowSeconds(m_range->currentData().toLongLong());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    if (auto *splitter = findChild<QSplitter *>(u"mainSplitter"_s))
        settings.setValue(u"window/splitter"_s, splitter->saveState());
    settings.setValue(u"view/liveWindow"_s, m_windowSeconds);
    event->accept();
}

KpiTile *MainWindow::tile(int index) const
{
    return index >= 0 && index < m_tiles.size() ? m_tiles[index] : nullptr;
}

QString MainWindow::connectionText() const
{
    return m_connection->text();
}

void MainWindow::setLiveWindowSeconds(qint64 seconds)
{
    m_windowSeconds = std::max<qint64>(10, seconds);
    refresh();
}

void MainWindow::setDarkTheme(bool dark)
{
    m_latencyChart->setDarkTheme(dark);
    m_throughputChart->setDarkTheme(dark);
}

void MainWindow::selectSeries(const QString &key)
{
    const int row = m_seriesModel->rowOf(key);
    if (row < 0)
        return;
    const QModelIndex index = m_filterModel->mapFromSource(m_seriesModel->index(row));
    if (index.isValid())
        m_seriesView->setCurrentIndex(index);
    m_selectedKey = key;
    refresh();
}

void MainWindow::onSeriesAdded(const QString &key)
{
    if (m_userChoseSeries)
        return;
    const QString &best = m_autoCandidate.isEmpty() ? m_selectedKey : m_autoCandidate;
    if (!best.isEmpty()
        && (preference(key) < preference(best) || (preference(key) == preference(best) && key > best)))
        return;
    const bool scheduled = !m_autoCandidate.isEmpty();
    m_autoCandidate = key;
    if (scheduled)
        return;
    // Queued: the list model inserts its row after this signal, and selecting needs the row.
    QMetaObject::invokeMethod(
            this,
            [this]() {
                const QString key = std::exchange(m_autoCandidate, QString());
                if (!m_userChoseSeries)
                    selectSeries(key);
            },
            Qt::QueuedConnection);
}

void MainWindow::onCurrentRowChanged()
{
    const QModelIndex index = m_filterModel->mapToSource(m_seriesView->currentIndex());
    const QString key = m_seriesModel->keyAt(index.row());
    if (key.isEmpty() || key == m_selectedKey)
        return;
    m_selectedKey = key;
    refresh();
}

void MainWindow::onStoreChanged()
{
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void MainWindow::onConnectionStateChanged(LiveSource::State state, const QString &detail)
{
    switch (state) {
    case LiveSource::State::Connected:
        m_connection->setText(tr("● Connected to collector"));
        m_connection->setToolTip(detail);
        break;
    case LiveSource::State::Connecting:
        m_connection->setText(tr("◌ Connecting to collector…"));
        m_connection->setToolTip(detail);
        break;
    case LiveSource::State::Disconnected:
        m_connection->setText(tr("○ Collector unreachable, retrying: %1").arg(detail));
        m_connection->setToolTip(detail);
        break;
    }
}

void MainWindow::onCollectorStats(double linesPerSecond, qint64 rejected, qint64 seriesCount)
{
    m_ingest->setText(tr("ingest %1 lines/s · rejected %2 · %3 series")
                              .arg(QLocale().toString(linesPerSecond, 'f', 0))
                              .arg(rejected)
                              .arg(seriesCount));
}

void MainWindow::showNotice(const QString &text)
{
    statusBar()->showMessage(text, 15000);
}

void MainWindow::refreshNow()
{
    m_refreshTimer.stop();
    refresh();
}

void MainWindow::refresh()
{
    if (m_pause->isChecked())
        return;
    const qint64 latest = m_store->latestSecond();
    const auto &points = m_store->points(m_selectedKey);
    const qint64 toMs = (latest + 1) * 1000;
    // While a series is younger than the range, show it from its start (at least a minute), so a fresh dashboard
    // fills its charts instead of drawing a sliver at the right edge; after that the range rolls.
    qint64 fromMs = toMs - m_windowSeconds * 1000;
    if (!points.isEmpty())
        fromMs = std::max(fromMs, std::min(points.constFirst().second * 1000 - 5000, toMs - 60000));
    const SeriesKey key = SeriesKey::fromString(m_selectedKey);
    const bool timer = !points.isEmpty() && points.constLast().stats.hasQuantiles();
    const bool gauge = !points.isEmpty() && points.constLast().stats.kind == MetricKind::Gauge;

    QVector<QPointF> p50, p95, p99, rate;
    p50.reserve(points.size());
    p95.reserve(points.size());
    p99.reserve(points.size());
    rate.reserve(points.size());
    for (const auto &p : points) {
        const double x = double(p.second * 1000);
        if (timer) {
            p50.push_back({ x, p.stats.p50 });
            p95.push_back({ x, p.stats.p95 });
            p99.push_back({ x, p.stats.p99 });
        } else if (gauge) {
            p50.push_back({ x, p.stats.last });
        } else {
            p50.push_back({ x, p.stats.rate });
        }
        rate.push_back({ x, gauge ? double(p.stats.count) : p.stats.rate });
    }
    m_header->setText(m_selectedKey.isEmpty() ? tr("Waiting for metrics…")
                                              : key.name % (key.tags.isEmpty() ? QString() : u"   "_s % key.tags.join(u"  "_s)));
    m_latencyChart->setTitle(timer ? tr("Latency quantiles per second") : gauge ? tr("Gauge value") : tr("Count per second"));
    m_latencyChart->setValueLabel(timer ? tr("ms") : QString());
    m_latencyChart->setLineVisible(1, timer);
    m_latencyChart->setLineVisible(2, timer);
    m_latencyChart->setLineData(0, std::move(p50));
    m_latencyChart->setLineData(1, std::move(p95));
    m_latencyChart->setLineData(2, std::move(p99));
    m_throughputChart->setLineData(0, std::move(rate));
    for (auto *chart : { m_latencyChart, m_throughputChart }) {
        chart->setTimeRange(fromMs, toMs);
        chart->redraw();
    }
    updateTiles();
}

void MainWindow::updateTiles()
{
    const auto &points = m_store->points(m_selectedKey);
    if (points.isEmpty()) {
        for (auto *tile : std::as_const(m_tiles))
            tile->setValue(u"–"_s, QString());
        return;
    }
    const SeriesPoint &last = points.constLast();
    const qint64 n = last.stats.count;
    const QString evidence = tr("last second, n = %1").arg(n);
    if (last.stats.hasQuantiles()) {
        m_tiles[TileP50]->setValue(formatMs(last.stats.p50), evidence, n < 1);
        m_tiles[TileP95]->setValue(formatMs(last.stats.p95), evidence, n < minSamplesForP95);
        m_tiles[TileP99]->setValue(formatMs(last.stats.p99),
                                   n < minSamplesForP99 ? tr("n = %1: too few for p99").arg(n) : evidence,
                                   n < minSamplesForP99);
    } else {
        const QString none = tr("not a timer");
        for (int t : { TileP50, TileP95, TileP99 })
            m_tiles[t]->setValue(u"–"_s, none, true);
    }
    m_tiles[TileRate]->setValue(formatRate(last.stats.rate), tr("last second"));
    const qint64 from = last.second - m_windowSeconds;
    qint64 total = 0;
    for (auto it = points.crbegin(); it != points.crend() && it->second > from; ++it)
        total += it->stats.count;
    m_tiles[TileCount]->setValue(QLocale().toString(total), tr("over the shown range"));
}

} // namespace perfdash
