// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: a RangeSource that records what the window asks of storage (alerts, operations); the test answers by
// emitting the source's signals with a request's generation.

#include "models/rangesource.h"

namespace perfdash::test {

class FakeRangeSource : public RangeSource {
public:
    struct Request {
        qint64 from, to;
        quint64 generation;
    };
    void requestBuckets(const QStringList &, qint64, qint64, qint64, quint64) override { }
    void requestMarkers(qint64, qint64, quint64) override { }
    void requestAlerts(qint64 from, qint64 to, quint64 generation) override
    {
        alerts.push_back({ from, to, generation });
    }
    void requestOperations(qint64 from, qint64 to, quint64 generation) override
    {
        operations.push_back({ from, to, generation });
    }
    QVector<Request> alerts;
    QVector<Request> operations;
};

} // namespace perfdash::test
