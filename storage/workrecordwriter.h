// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/workrecords.h"
#include "storage/storagetiers.h"

#include <QSqlDatabase>

namespace perfdash::WorkRecordWriter {

// Inserts work records into their tables (docs/storage.md), runs with their steps, inside the caller's transaction.
// Times are stored as the read API takes them (operations, API calls, notifications: Unix seconds; runs: Unix seconds
// with fractions plus ISO 8601 UTC text); a run's execution time also as text ("2.34 seconds"). A record without a
// guid gets a random one; one whose guid is already stored in its table is skipped, a run with its steps. False with
// *error on an SQL failure.
bool write(QSqlDatabase &db, const WorkRecordBatch &work, QString *error);

// Deletes work records older than their retention, at most `batch` rows per table (oldest first; a run once its
// steps are gone, at most `batch` steps a call), inside the caller's transaction. Returns how many rows went (steps
// included), or -1 on failure.
int deleteExpired(QSqlDatabase &db, const WorkRetention &retention, qint64 nowSeconds, int batch);

// "2.34 seconds", as the SDKs format an execution time.
QString formatSeconds(double seconds);

} // namespace perfdash::WorkRecordWriter
