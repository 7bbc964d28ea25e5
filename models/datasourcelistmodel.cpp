// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/datasourcelistmodel.h"

#include <QSettings>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

DataSourceListModel::DataSourceListModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

int DataSourceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_servers.size()) + 1;
}

QString DataSourceListModel::describe(const QString &name, const QUrl &url)
{
    const QString shown = url.toDisplayString();
    return name.isEmpty() || name == shown ? shown : QString(name % u" — "_s % shown);
}

QVariant DataSourceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    if (row == 0) {
        switch (role) {
        case Qt::DisplayRole:
        case NameRole:
            return tr("Local collector");
        case Qt::ToolTipRole:
            return tr("The collector on this machine: live.sock and its database");
        case UrlRole:
            return QString();
        case IsLocalRole:
            return true;
        case TestResultRole:
            return m_localTest;
        default:
            return {};
        }
    }
    const Server &s = m_servers[row - 1];
    switch (role) {
    case Qt::DisplayRole:
        return describe(s.name, s.url);
    case Qt::ToolTipRole:
        return s.testResult.isEmpty() ? s.url.toDisplayString()
                                      : QString(s.url.toDisplayString() % u'\n' % s.testResult);
    case NameRole:
        return s.name;
    case UrlRole:
        return s.url.toString();
    case IsLocalRole:
        return false;
    case TestResultRole:
        return s.testResult;
    default:
        return {};
    }
}

QHash<int, QByteArray> DataSourceListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(UrlRole, "url");
    names.insert(NameRole, "name");
    names.insert(IsLocalRole, "isLocal");
    names.insert(TestResultRole, "testResult");
    return names;
}

QString DataSourceListModel::urlProblem(const QUrl &url)
{
    if (url.isEmpty())
        return tr("no URL");
    if (!url.isValid())
        return tr("not a URL: %1").arg(url.errorString());
    if (url.scheme() != u"http"_s && url.scheme() != u"https"_s)
        return tr("the URL needs http:// or https://");
    if (url.host().isEmpty())
        return tr("the URL names no host");
    if (url.hasQuery() || url.hasFragment())
        return tr("the URL has a query or fragment; give the server's base URL");
    return {};
}

namespace {
// http://host:8428/ and http://host:8428 are one server (StripTrailingSlash keeps a lone "/").
QUrl normalized(const QUrl &url)
{
    QUrl out = url;
    QString path = out.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    out.setPath(path);
    return out;
}
} // namespace

int DataSourceListModel::rowOf(const QUrl &url) const
{
    if (url.isEmpty())
        return 0;
    const QUrl wanted = normalized(url);
    for (qsizetype i = 0; i < m_servers.size(); ++i) {
        if (normalized(m_servers[i].url) == wanted)
            return int(i) + 1;
    }
    return -1;
}

QUrl DataSourceListModel::urlAt(int row) const
{
    return row > 0 && row <= m_servers.size() ? m_servers[row - 1].url : QUrl();
}

QString DataSourceListModel::nameAt(int row) const
{
    if (row == 0)
        return tr("Local collector");
    return row > 0 && row <= m_servers.size() ? m_servers[row - 1].name : QString();
}

int DataSourceListModel::addServer(const QString &name, const QUrl &url)
{
    if (!urlProblem(url).isEmpty() || rowOf(url) >= 0)
        return -1;
    const int row = int(m_servers.size()) + 1;
    beginInsertRows({}, row, row);
    m_servers.push_back({ name.trimmed().isEmpty() ? url.host() : name.trimmed(), url });
    endInsertRows();
    return row;
}

bool DataSourceListModel::setServer(int row, const QString &name, const QUrl &url)
{
    if (row <= 0 || row > m_servers.size() || !urlProblem(url).isEmpty())
        return false;
    const int existing = rowOf(url);
    if (existing >= 0 && existing != row)
        return false;
    Server &s = m_servers[row - 1];
    const QString newName = name.trimmed().isEmpty() ? url.host() : name.trimmed();
    if (s.name == newName && s.url == url)
        return true;
    if (s.url != url)
        s.testResult.clear(); // a test of another address says nothing about this one
    s.name = newName;
    s.url = url;
    const QModelIndex at = index(row);
    Q_EMIT dataChanged(at, at, { Qt::DisplayRole, Qt::ToolTipRole, NameRole, UrlRole, TestResultRole });
    return true;
}

bool DataSourceListModel::removeServer(int row)
{
    if (row <= 0 || row > m_servers.size())
        return false;
    beginRemoveRows({}, row, row);
    m_servers.removeAt(row - 1);
    endRemoveRows();
    return true;
}

void DataSourceListModel::setTestResult(int row, const QString &text)
{
    if (row < 0 || row > m_servers.size())
        return;
    QString &target = row == 0 ? m_localTest : m_servers[row - 1].testResult;
    if (target == text)
        return;
    target = text;
    const QModelIndex at = index(row);
    Q_EMIT dataChanged(at, at, { Qt::ToolTipRole, TestResultRole });
}

void DataSourceListModel::load(QSettings &settings)
{
    QVector<Server> servers;
    const int n = settings.beginReadArray(u"sources/servers"_s);
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        const QUrl url(settings.value(u"url"_s).toString());
        if (!urlProblem(url).isEmpty())
            continue; // a hand-edited entry that cannot be used
        servers.push_back({ settings.value(u"name"_s).toString(), url });
    }
    settings.endArray();
    beginResetModel();
    m_servers = std::move(servers);
    endResetModel();
}

void DataSourceListModel::save(QSettings &settings) const
{
    settings.remove(u"sources/servers"_s);
    settings.beginWriteArray(u"sources/servers"_s, int(m_servers.size()));
    for (qsizetype i = 0; i < m_servers.size(); ++i) {
        settings.setArrayIndex(int(i));
        settings.setValue(u"name"_s, m_servers[i].name);
        settings.setValue(u"url"_s, m_servers[i].url.toString());
    }
    settings.endArray();
}

} // namespace perfdash
