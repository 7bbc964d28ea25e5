// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <cmath>
#include <limits>
#include <vector>

namespace perfdash {

// An exact, order-independent sum of doubles: Shewchuk's non-overlapping partials, as in Python's math.fsum.
//
// Contract:
// - A plain value type, not thread-safe. It holds the exact sum of everything added as a short list of doubles
//   (usually 1 to 3); value() rounds that exact sum once, correctly (half to even). So add() and merge() in any order
//   and any grouping give the same value(), bit for bit, which a running double or a compensated sum cannot promise.
// - NaN or an infinity added, or an intermediate that overflows, makes value() NaN or the infinity, as IEEE would.
// - canonical() returns the unique greedy expansion of the exact sum (each term the correctly rounded rest), so two
//   sums of the same exact value serialize to the same bytes whatever order built them.
class ExactSum {
public:
    void add(double x)
    {
        if (Q_UNLIKELY(!std::isfinite(x))) {
            m_special += x; // inf + -inf = NaN, as IEEE
            return;
        }
        size_t i = 0;
        for (double y : m_partials) {
            if (std::fabs(x) < std::fabs(y))
                std::swap(x, y);
            const double hi = x + y;
            const double lo = y - (hi - x);
            if (lo != 0.0)
                m_partials[i++] = lo;
            x = hi;
        }
        if (Q_UNLIKELY(!std::isfinite(x))) {
            m_special += x; // the exact sum left the double range: report the overflow as IEEE would
            m_partials.clear();
            return;
        }
        m_partials.resize(i);
        if (x != 0.0)
            m_partials.push_back(x);
    }

    void merge(const ExactSum &other)
    {
        if (&other == this) {
            const ExactSum copy = other;
            merge(copy);
            return;
        }
        m_special += other.m_special;
        for (double p : other.m_partials)
            add(p);
    }

    double value() const
    {
        if (m_special != 0.0) // NaN compares unequal too
            return m_special;
        auto n = m_partials.size();
        if (n == 0)
            return 0.0;
        double hi = m_partials[--n];
        double lo = 0.0;
        while (n > 0) {
            const double x = hi;
            const double y = m_partials[--n];
            hi = x + y;
            lo = y - (hi - x);
            if (lo != 0.0)
                break;
        }
        // Round half to even across the partials below: the rest pushes a tie to the right side.
        if (n > 0 && ((lo < 0.0 && m_partials[n - 1] < 0.0) || (lo > 0.0 && m_partials[n - 1] > 0.0))) {
            const double y = lo * 2.0;
            const double x = hi + y;
            if (y == x - hi)
                hi = x;
        }
        return hi;
    }

    // The greedy expansion of the exact sum, largest term first; empty for an exact zero. Not for special sums.
    std::vector<double> canonical() const
    {
        std::vector<double> terms;
        ExactSum rest = *this;
        for (double v = rest.value(); v != 0.0 && std::isfinite(v); v = rest.value()) {
            terms.push_back(v);
            rest.add(-v);
        }
        return terms;
    }

    bool isSpecial() const { return m_special != 0.0; }

private:
    std::vector<double> m_partials; // non-overlapping, increasing magnitude
    double m_special = 0.0; // NaN or an infinity once one was added
};

} // namespace perfdash
