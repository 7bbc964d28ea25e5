// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/operationstats.h"

#include <algorithm>

namespace perfdash {

void OperationStats::add(const OperationRecord &op)
{
    ++operations;
    items += std::max<qint64>(0, op.items.value_or(0));
    totalTime += op.elapsedS;
    errors += op.success ? 0 : 1;
}

OperationStats OperationStats::of(const QVector<OperationRecord> &operations)
{
    OperationStats s;
    for (const OperationRecord &op : operations)
        s.add(op);
    return s;
}

} // namespace perfdash
