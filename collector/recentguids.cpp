// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/recentguids.h"

#include <QByteArrayView>

namespace perfdash {

RecentGuids::RecentGuids(qint64 windowSeconds, size_t capacity)
    : m_windowSeconds(windowSeconds)
    , m_capacity(capacity)
{ }

void RecentGuids::expire(qint64 nowSeconds)
{
    while (!m_order.empty() && m_order.front().first <= nowSeconds - m_windowSeconds) {
        m_set.erase(m_order.front().second);
        m_order.pop_front();
    }
}

bool RecentGuids::contains(const std::string &guid, qint64 nowSeconds)
{
    if (guid.empty())
        return false;
    expire(nowSeconds);
    return m_set.count(QUuid::fromString(QByteArrayView(guid.data(), qsizetype(guid.size())))) != 0;
}

void RecentGuids::remember(const std::string &guid, qint64 nowSeconds)
{
    if (guid.empty())
        return;
    expire(nowSeconds);
    const QUuid uuid = QUuid::fromString(QByteArrayView(guid.data(), qsizetype(guid.size())));
    if (m_set.count(uuid) != 0)
        return;
    while (!m_order.empty() && m_set.size() >= m_capacity) { // full: the oldest go first
        m_set.erase(m_order.front().second);
        m_order.pop_front();
    }
    m_set.insert(uuid);
    m_order.emplace_back(nowSeconds, uuid);
}

} // namespace perfdash
