// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractListModel>
#include <QUrl>
#include <QVector>

class QSettings;

namespace perfdash {

// Where the window's data comes from: the local collector (live.sock and its database), or a Prometheus-compatible
// server (VictoriaMetrics, Prometheus) that collectors push to, its hosts grouped or merged.
struct DataSourceChoice {
    QUrl server; // empty: the local collector
    bool mergeHosts = false;
    bool isLocal() const { return server.isEmpty(); }
    bool operator==(const DataSourceChoice &o) const { return server == o.server && mergeHosts == o.mergeHosts; }
};

// The Sources dialog's list: row 0 is the local collector (never edited or removed), then the remembered servers in
// the order they were added, each a name and an http(s) URL. Every row also holds the text of its last Test.
// Remembered in QSettings (load/save). GUI thread.
class DataSourceListModel : public QAbstractListModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DataSourceListModel)
public:
    enum Role {
        UrlRole = Qt::UserRole + 1, // QString; empty on the local row
        NameRole, // QString
        IsLocalRole, // bool
        TestResultRole, // QString: the last Test's answer, empty before one
    };
    struct Server {
        QString name;
        QUrl url;
        QString testResult = {};
    };

    explicit DataSourceListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Why a URL cannot be a server ("the URL needs http:// or https://"), or an empty string when it can.
    static QString urlProblem(const QUrl &url);
    // "name — url", as the list and a window's title show a server.
    static QString describe(const QString &name, const QUrl &url);

    // The row added, or -1 when the URL is not usable (urlProblem) or already listed. An empty name becomes the host.
    int addServer(const QString &name, const QUrl &url);
    // Renames and re-points a server's row; false on the local row, a bad URL, or a URL another row has.
    bool setServer(int row, const QString &name, const QUrl &url);
    bool removeServer(int row); // false on the local row
    void setTestResult(int row, const QString &text);
    // The row of a server URL (0 for an empty URL: the local collector), -1 when not listed.
    int rowOf(const QUrl &url) const;
    QUrl urlAt(int row) const; // empty for the local row and rows out of range
    QString nameAt(int row) const;
    bool isLocal(int row) const { return row == 0; }

    // The remembered servers, under sources/servers (an array of name and url).
    void load(QSettings &settings);
    void save(QSettings &settings) const;

private:
    QVector<Server> m_servers; // row r > 0 is m_servers[r - 1]
    QString m_localTest;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::DataSourceChoice)
