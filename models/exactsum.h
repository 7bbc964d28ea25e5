// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <cmath>
#include <limits>
#include <vector>

namespace perfdash {

// An exact, order-independent sum of doubles: two error-free TwoSum levels, spilling into Shewchuk's non-overlapping
// partials (as in Python's math.fsum) in the rare case the second level cannot hold the error exactly.
//
// Contract:
// - A plain value type, not thread-safe. It holds the exact sum of everything added, as two doubles plus a usually
//   empty list; value() rounds that exact sum once, correctly (half to even). So add() and merge() in any order
//   and any grouping give the same value(), bit for bit, which a running double or a compensated sum cannot promise.
// - NaN or an infinity added, or an intermediate that overflows, makes value() NaN or the infinity, as IEEE would.
// - canonical() returns the unique greedy expansion of the exact sum (each term the correctly rounded rest), so two
//   sums of the same exact value serialize to the same bytes whatever order built them.
class ExactSum {
public:
    void add(double x)
    {
        // Two TwoSums: m_hi + x = s + e, then m_lo + e = t + e2, each exactly. e2 is almost always 0 (it needs
        // m_lo and e to be too far apart to add exactly), so the usual cost is a dozen flops and no unpredictable
        // branch; a non-zero e2 goes to the partials, which stay exact too.
        const double s = m_hi + x;
        const double bv = s - m_hi;
        const double e = (m_hi - (s - bv)) + (x - bv);
        const double t = m_lo + e;
        const double bv2 = t - m_lo;
        const double e2 = (m_lo - (t - bv2)) + (e - bv2);
        if (Q_UNLIKELY(!std::isfinite(s) || !std::isfinite(t))) {
            addSlow(x); // NaN, an infinity, or an overflow: undo nothing, since m_hi and m_lo are not yet written
            return;
        }
        m_hi = s;
        m_lo = t;
        if (Q_UNLIKELY(e2 != 0.0))
            spill(e2);
    }

    void merge(const ExactSum &other)
    {
        if (&other == this) {
            const ExactSum copy = other;
            merge(copy);
            return;
        }
        m_special += other.m_special;
        add(other.m_hi);
        add(other.m_lo);
        for (double p : other.m_partials)
            add(p);
    }

    // The exact sum, correctly rounded (half to even).
    double value() const
    {
        if (m_special != 0.0) // NaN compares unequal too
            return m_special;
        std::vector<double> all = m_partials;
        addPartial(all, m_lo);
        addPartial(all, m_hi);
        return roundedSum(all);
    }

    // The greedy expansion of the exact sum, largest term first; empty for an exact zero. Not for special sums.
    std::vector<double> canonical() const
    {
        std::vector<double> terms;
        if (isSpecial())
            return terms;
        std::vector<double> rest = m_partials;
        addPartial(rest, m_lo);
        addPartial(rest, m_hi);
        for (double v = roundedSum(rest); v != 0.0; v = roundedSum(rest)) {
            terms.push_back(v);
            addPartial(rest, -v);
        }
        return terms;
    }

    bool isSpecial() const { return m_special != 0.0; }

private:
    // Out of line, so the hot add() keeps m_hi and m_lo in registers across a caller's loop.
    Q_NEVER_INLINE void spill(double e2) { addPartial(m_partials, e2); }
    Q_NEVER_INLINE void addSlow(double x)
    {
        if (!std::isfinite(x)) {
            m_special += x; // inf + -inf = NaN, as IEEE
            return;
        }
        // x is finite but m_hi + x or m_lo + e overflowed: the exact sum leaves the double range, as IEEE reports it.
        const double total = m_hi + x;
        m_special += std::isfinite(total) ? std::copysign(std::numeric_limits<double>::infinity(), m_lo + x) : total;
    }

    // Shewchuk's non-overlapping partials, as in Python's math.fsum: adds x exactly, keeping increasing magnitude.
    static void addPartial(std::vector<double> &partials, double x)
    {
        size_t i = 0;
        for (double y : partials) {
            if (std::fabs(x) < std::fabs(y))
                std::swap(x, y);
            const double hi = x + y;
            const double lo = y - (hi - x);
            if (lo != 0.0)
                partials[i++] = lo;
            x = hi;
        }
        partials.resize(i);
        if (x != 0.0)
            partials.push_back(x);
    }

    static double roundedSum(const std::vector<double> &partials)
    {
        auto n = partials.size();
        if (n == 0)
            return 0.0;
        double hi = partials[--n];
        double lo = 0.0;
        while (n > 0) {
            const double x = hi;
            const double y = partials[--n];
            hi = x + y;
            lo = y - (hi - x);
            if (lo != 0.0)
                break;
        }
        // Round half to even across the partials below: the rest pushes a tie to the right side.
        if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
            const double y = lo * 2.0;
            const double x = hi + y;
            if (y == x - hi)
                hi = x;
        }
        return hi;
    }

    // The exact sum is m_hi + m_lo + the partials, with nothing rounded away.
    double m_hi = 0.0;
    double m_lo = 0.0;
    std::vector<double> m_partials; // non-overlapping, increasing magnitude; usually empty
    double m_special = 0.0; // NaN or an infinity once one was added, or the sum overflowed
};

} // namespace perfdash
