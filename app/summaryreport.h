// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/reportsource.h"

#include <QJsonObject>
#include <QString>

namespace perfdash {

// Seed 001's performance summary of one model: what `perfdashd summary` prints and the HTTP summary route serves,
// from one function over either storage or a Prometheus-compatible server (app/reportsource.h), so every source
// gives its figures by the same definitions (docs/metrics.md).
struct SummaryRequest {
    QString model;
    QString window = QStringLiteral("1h"); // 1h, 6h, 24h, 7d, 30d or a duration (90m)
    QString granularity; // minute, hour or day; empty: minute up to 24h, hour up to 30d, else day
    QString end = QStringLiteral("now"); // now, -1h or ISO 8601
};

enum class SummaryStatus { Ok, BadRequest, UnknownModel, Failed };

// *out: the summary (Ok). *error: a sentence naming the bad parameter (BadRequest: "bad window: 5x (…)"), the known
// models (UnknownModel), or what failed (Failed).
SummaryStatus summaryReport(
    ReportSource &source, const SummaryRequest &request, qint64 nowSeconds, QJsonObject *out, QString *error);
// Over stored history: an open connection's.
SummaryStatus summaryReport(const QString &connectionName, const QString &dbPath, const SummaryRequest &request,
    qint64 nowSeconds, QJsonObject *out, QString *error);

} // namespace perfdash
