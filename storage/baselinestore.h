// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/baseline.h"

#include <QSqlDatabase>

namespace perfdash {

// The baselines table (migrations 002 and 005): versions of each model's baseline per KPI, and deploy marks.
// Written by the collector's storage thread only (append; a version is never rewritten), read from any connection.
namespace BaselineStore {

// Appends a version. A row equal to the newest version of the same model, KPI and source (value, spread and window)
// is not appended again: a producer that sends its test-set figure at every start does not make a version each
// time. *appended tells which happened. False with *error on an SQL failure.
bool append(QSqlDatabase &db, const Baseline::Stored &row, bool *appended, QString *error);
// Every row of one model, oldest first.
bool forModel(QSqlDatabase &db, const QString &model, QVector<Baseline::Stored> *out, QString *error);

} // namespace BaselineStore

} // namespace perfdash
