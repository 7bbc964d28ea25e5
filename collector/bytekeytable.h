// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QHashFunctions>

#include <cstring>
#include <limits>
#include <vector>

namespace perfdash {

// Series keys (UTF-8 bytes) to a small value, for the ingest hot path: one lookup per line at tens of thousands of
// series, where every lookup misses the cache. QHash<QByteArray, V> costs three misses (its span, the entry, the key's
// heap bytes) and compares the key bytes of every entry it probes; here a slot holds the key's full hash next to the
// value and the key sits in one arena, so a lookup costs the slot and, on a hash match, the key bytes: two misses.
// Open addressing with linear probing, at most half full. Entries are removed only all at once, by keepIf().
template <typename Value>
class ByteKeyTable {
public:
    static size_t hashOf(QByteArrayView key) { return qHash(key, kSeed); }

    qsizetype size() const { return m_size; }

    Value *find(QByteArrayView key, size_t hash)
    {
        if (m_slots.empty())
            return nullptr;
        const size_t mask = m_slots.size() - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
            Slot &s = m_slots[i];
            if (s.length == kEmpty)
                return nullptr;
            if (s.hash == hash && qsizetype(s.length) == key.size()
                && std::memcmp(m_arena.data() + s.offset, key.data(), size_t(key.size())) == 0)
                return &s.value;
        }
    }

    // Adds a key that find() did not find.
    Value &insert(QByteArrayView key, size_t hash, Value value)
    {
        if (size_t(m_size + 1) * 2 > m_slots.size())
            rehash(std::max<size_t>(64, m_slots.size() * 2));
        const auto offset = quint32(m_arena.size());
        m_arena.insert(m_arena.end(), key.data(), key.data() + key.size());
        ++m_size;
        return place(Slot { hash, offset, quint32(key.size()), std::move(value) });
    }

    // Keeps the entries for which keep(key, value) is true (called once per entry), and gives the rest's memory back.
    // When every entry stays, nothing is rebuilt (the common case of a once-a-minute expiry).
    template <typename Keep>
    void keepIf(Keep &&keep)
    {
        std::vector<bool> keeps(m_slots.size(), false);
        qsizetype dropped = 0;
        for (size_t i = 0; i < m_slots.size(); ++i) {
            Slot &s = m_slots[i];
            if (s.length == kEmpty)
                continue;
            keeps[i] = keep(QByteArrayView(m_arena.data() + s.offset, s.length), s.value);
            dropped += keeps[i] ? 0 : 1;
        }
        if (dropped == 0)
            return;
        std::vector<Slot> kept;
        std::vector<char> arena;
        for (size_t i = 0; i < m_slots.size(); ++i) {
            Slot &s = m_slots[i];
            if (!keeps[i])
                continue;
            const auto offset = quint32(arena.size());
            arena.insert(arena.end(), m_arena.data() + s.offset, m_arena.data() + s.offset + s.length);
            s.offset = offset;
            kept.push_back(std::move(s));
        }
        size_t capacity = 64;
        while (kept.size() * 2 > capacity)
            capacity *= 2;
        m_arena.swap(arena);
        m_slots.assign(capacity, Slot {});
        m_size = qsizetype(kept.size());
        for (Slot &s : kept)
            place(std::move(s));
    }

private:
    static constexpr size_t kSeed = 0x9e3779b97f4a7c15ULL; // fixed: the table is private to one process
    static constexpr quint32 kEmpty = std::numeric_limits<quint32>::max();
    struct Slot {
        size_t hash = 0;
        quint32 offset = 0;
        quint32 length = kEmpty;
        Value value {};
    };

    Value &place(Slot slot)
    {
        const size_t mask = m_slots.size() - 1;
        size_t i = slot.hash & mask;
        while (m_slots[i].length != kEmpty)
            i = (i + 1) & mask;
        m_slots[i] = std::move(slot);
        return m_slots[i].value;
    }

    void rehash(size_t capacity)
    {
        std::vector<Slot> old(capacity);
        old.swap(m_slots);
        for (Slot &s : old) {
            if (s.length != kEmpty)
                place(std::move(s));
        }
    }

    std::vector<Slot> m_slots;
    std::vector<char> m_arena;
    qsizetype m_size = 0;
};

} // namespace perfdash
