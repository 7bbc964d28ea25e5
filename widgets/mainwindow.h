// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/livesource.h"

#include <QMainWindow>
#include <QTimer>

class QComboBox;
class QLabel;
class QListView;
class QLineEdit;
class QSortFilterProxyModel;
class QAction;

namespace perfdash {

class KpiTile;
class SeriesListModel;
class SeriesStore;
class TimeSeriesChart;

// The dashboard window: series list on the left; tiles and charts for the selected series on the right.
// GUI thread only. It reads from the SeriesStore and redraws on a coalescing timer, never per sample.
class MainWindow : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    MainWindow(SeriesStore *store, SeriesListModel *seriesModel, QWidget *parent = nullptr);
    ~MainWindow() override;

    void selectSeries(const QString &key);
    QString selectedKey() const { return m_selectedKey; }
    void setLiveWindowSeconds(qint64 seconds);
    void setDarkTheme(bool dark);

    // Status shown in the status bar.
    void onConnectionStateChanged(perfdash::LiveSource::State state, const QString &detail);
    void onCollectorStats(double linesPerSecond, qint64 rejected, qint64 seriesCount);
    void showNotice(const QString &text);

    // For tests and the screenshot: the widgets as the user sees them.
    TimeSeriesChart *latencyChart() const { return m_latencyChart; }
    TimeSeriesChart *throughputChart() const { return m_throughputChart; }
    KpiTile *tile(int index) const;
    QString connectionText() const;
    // Redraws now instead of waiting for the coalescing timer.
    void refreshNow();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void onStoreChanged();
    void onSeriesAdded(const QString &key);
    void onCurrentRowChanged();
    void refresh();
    void updateTiles();
    void restoreSettings();

    SeriesStore *m_store;
    SeriesListModel *m_seriesModel;
    QSortFilterProxyModel *m_filterModel = nullptr;
    QListView *m_seriesView = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_header = nullptr;
    QComboBox *m_range = nullptr;
    QAction *m_pause = nullptr;
    QVector<KpiTile *> m_tiles;
    TimeSeriesChart *m_latencyChart = nullptr;
    TimeSeriesChart *m_throughputChart = nullptr;
    QLabel *m_connection = nullptr;
    QLabel *m_ingest = nullptr;
    QTimer m_refreshTimer;
    QString m_selectedKey;
    QString m_autoCandidate; // the best series seen since the last automatic selection
    bool m_userChoseSeries = false;
    qint64 m_windowSeconds = 300;
};

} // namespace perfdash
