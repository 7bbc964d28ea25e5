// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/workrecords.h"

#include <QSqlDatabase>

namespace perfdash::WorkRecordWriter {

// Inserts operations into `operations` and runs with their steps into `runs` and `steps`, inside the caller's
// transaction. Times are stored as the read API takes them (operations: Unix seconds; runs: Unix seconds with
// fractions plus ISO 8601 UTC text); a run's execution time also as text ("2.34 seconds"). An operation without a
// guid gets a random one; one whose guid is already stored is skipped. False with *error on an SQL failure.
bool write(
    QSqlDatabase &db, const QVector<OperationRecord> &operations, const QVector<RunRecord> &runs, QString *error);

// "2.34 seconds", as the SDKs format an execution time.
QString formatSeconds(double seconds);

} // namespace perfdash::WorkRecordWriter
