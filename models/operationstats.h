// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/workrecords.h"

#include <QVector>

namespace perfdash {

// Seed 003's session statistics over a set of operations: the very definitions the SDKs' ModuleMetrics keep in memory
// (clients/cpp/perfdash/modulemetrics.h SessionStats, clients/python/perfdash/metrics.py), computed here over stored
// `op` records so the GUI's figures match what a producer prints. Items of an operation without a count are 0; a
// negative count is 0. Pure value type; any thread.
struct OperationStats {
    qint64 operations = 0;
    qint64 items = 0;
    double totalTime = 0; // s, summed over operations
    qint64 errors = 0; // operations that did not succeed

    void add(const OperationRecord &op);
    static OperationStats of(const QVector<OperationRecord> &operations);

    double averageRate() const { return totalTime > 0 ? double(items) / totalTime : 0; } // items/s; 0 without time
    double errorRate() const { return operations ? double(errors) / double(operations) : 0; } // 0..1
};

} // namespace perfdash
