// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevaluator.h"

#include <QSqlDatabase>

namespace perfdash {

// The alert_events table (migration 002): every transition of every alert, appended by the collector's storage
// thread and read from any connection (the alerts panel, `perfdashd alerts`, the collector's restart).
namespace AlertStore {

// Appends the events in the caller's transaction (or autocommit). False with *error on an SQL failure.
bool append(QSqlDatabase &db, const QVector<AlertEvent> &events, QString *error);
// Events with from <= time < to, oldest first, at most limit (newest kept when there are more); limit <= 0: all.
bool events(QSqlDatabase &db, qint64 from, qint64 to, int limit, QVector<AlertEvent> *out, QString *error);
// The newest event of every (rule, instance) pair: what a restarted collector resumes from.
bool latest(QSqlDatabase &db, QVector<AlertEvent> *out, QString *error);

} // namespace AlertStore

} // namespace perfdash
