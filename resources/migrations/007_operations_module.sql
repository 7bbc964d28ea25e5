-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 7: op_code holds the operation's module (a ModuleMetrics sends its name; the collector takes an op
-- record's `module` tag when it has no op_code), and the reports of `perfdashd report` show it and filter by it.
-- Rows stored before keep the op_code they were sent with: their tags were never kept.
-- One module over a window (--module): seed 003's idx_module_recent.
CREATE INDEX operations_module_time ON operations(op_code, time);
-- The memory trend per day and module stays covering.
DROP INDEX operations_time_memory;
CREATE INDEX operations_time_memory ON operations(time, memory_mb, op_code);
-- The error rate per operation and module stays grouped without a sort, and covering.
DROP INDEX operations_name_time_success;
CREATE INDEX operations_name_module_time_success ON operations(operation_name, op_code, time, success);
