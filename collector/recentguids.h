// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QUuid>
#include <QtGlobal>

#include <deque>
#include <string>
#include <unordered_set>

namespace perfdash {

// The guids of the work records routed in the last `window` seconds, at most `capacity` of them (the oldest go first
// when it is full), so a resend is skipped before it feeds its series twice (docs/protocol.md, "Identity"). Storage
// skips an older resend by its table's unique guid. Collector thread only.
class RecentGuids {
public:
    static constexpr qint64 kWindowSeconds = 600;
    static constexpr size_t kCapacity = 200000;

    explicit RecentGuids(qint64 windowSeconds = kWindowSeconds, size_t capacity = kCapacity);

    // True when `guid` (canonical 8-4-4-4-12 hex, either case) was remembered within the window: a resend. An empty
    // guid is never a resend.
    bool contains(const std::string &guid, qint64 nowSeconds);
    // Remembers `guid`, stamped nowSeconds: once its row is on its way to storage, not before, so the resend of a
    // record that was dropped is taken.
    void remember(const std::string &guid, qint64 nowSeconds);
    size_t size() const { return m_set.size(); }

private:
    struct Hash {
        size_t operator()(const QUuid &u) const noexcept { return qHash(u); }
    };
    void expire(qint64 nowSeconds);

    qint64 m_windowSeconds;
    size_t m_capacity;
    std::unordered_set<QUuid, Hash> m_set;
    std::deque<std::pair<qint64, QUuid>> m_order; // oldest first
};

} // namespace perfdash
