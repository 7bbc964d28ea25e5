// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace perfdash {

// The start of the bucket of `step` seconds that holds t (Unix seconds), for negative t too: buckets are aligned to
// the clock (UTC multiples of the step). The one definition; storage and the KPI layer both use it.
inline qint64 floorTo(qint64 t, qint64 step)
{
    const qint64 q = t / step;
    return (q - (t % step < 0 ? 1 : 0)) * step;
}

} // namespace perfdash
