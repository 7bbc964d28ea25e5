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
    while (!m_order.empty() && (m_order.front().first <= nowSeconds - m_windowSeconds || m_set.size() >= m_capacity)) {
        m_set.erase(m_order.front().second);
        m_order.pop_front();
    }
}

bool RecentGuids::seen(const std::string &guid, qint64 nowSeconds)
{
    if (guid.empty())
        return false;
    const QUuid uuid = QUuid::fromString(QByteArrayView(guid.data(), qsizetype(guid.size())));
    if (m_set.count(uuid) != 0)
        return true;
    expire(nowSeconds);
    m_set.insert(uuid);
    m_order.emplace_back(nowSeconds, uuid);
    return false;
}

} // namespace perfdash
