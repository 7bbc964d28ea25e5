// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace perfdash {

// std::optional's interface for a value kept on the heap: an empty one takes one pointer instead of the value's
// size. For members most instances leave empty, such as the 184-byte QuantileSketch of a summary or a rollup, which
// only timers and distributions fill: 100,000 counters in three open seconds left 55 MB of empty sketches.
// Copies are deep, as std::optional's are.
template <typename T>
class HeapOptional {
public:
    HeapOptional() = default;
    HeapOptional(const HeapOptional &other)
        : m_value(other.m_value ? std::make_unique<T>(*other.m_value) : nullptr)
    { }
    HeapOptional(HeapOptional &&) noexcept = default;
    HeapOptional &operator=(const HeapOptional &other)
    {
        if (this != &other)
            m_value = other.m_value ? std::make_unique<T>(*other.m_value) : nullptr;
        return *this;
    }
    HeapOptional &operator=(HeapOptional &&) noexcept = default;
    HeapOptional &operator=(T value)
    {
        m_value = std::make_unique<T>(std::move(value));
        return *this;
    }

    HeapOptional &operator=(std::optional<T> value)
    {
        m_value = value ? std::make_unique<T>(std::move(*value)) : nullptr;
        return *this;
    }

    template <typename... Args>
    T &emplace(Args &&...args)
    {
        m_value = std::make_unique<T>(std::forward<Args>(args)...);
        return *m_value;
    }
    void reset() { m_value.reset(); }

    bool has_value() const { return m_value != nullptr; }
    explicit operator bool() const { return has_value(); }
    T &operator*() { return *m_value; }
    const T &operator*() const { return *m_value; }
    T *operator->() { return m_value.get(); }
    const T *operator->() const { return m_value.get(); }

private:
    std::unique_ptr<T> m_value;
};

} // namespace perfdash
