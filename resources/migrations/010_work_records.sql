-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 10 (issue 19): every work record keeps its tags (sorted "key:value" joined by ",", as in a series
-- key; NULL when it had none or was stored before); runs gain seed 003's workflow fields and the samples taken while
-- they ran (seed 002's telemetry, the JSON array as sent); steps say whether they failed; API calls and notifications
-- get tables of their own (seed 003's def_api_metric and def_notify_metric). A guid is unique in each table, so a
-- resend adds no row. Retention deletes by time: every table has an index that starts with it.
ALTER TABLE operations ADD COLUMN tags TEXT;
ALTER TABLE runs ADD COLUMN tenant TEXT;
ALTER TABLE runs ADD COLUMN steps_failed INTEGER;
ALTER TABLE runs ADD COLUMN memory_mb REAL;
ALTER TABLE runs ADD COLUMN retries INTEGER;
ALTER TABLE runs ADD COLUMN execution_mode TEXT;
ALTER TABLE runs ADD COLUMN error_message TEXT;
ALTER TABLE runs ADD COLUMN error_category TEXT;
ALTER TABLE runs ADD COLUMN telemetry TEXT;
ALTER TABLE runs ADD COLUMN telemetry_dropped INTEGER;
ALTER TABLE steps ADD COLUMN success INTEGER;
CREATE TABLE api_calls (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    op_code TEXT,
    tenant TEXT,
    method TEXT,
    endpoint TEXT NOT NULL,
    status_code INTEGER,
    request_kb REAL,
    response_kb REAL,
    elapsed_s REAL,
    cache_hit INTEGER NOT NULL,
    success INTEGER NOT NULL,
    error_message TEXT,
    error_category TEXT,
    tags TEXT
);
CREATE INDEX api_calls_time ON api_calls(time);
CREATE INDEX api_calls_status_time ON api_calls(status_code, time);
CREATE INDEX api_calls_endpoint_time ON api_calls(endpoint, time);
CREATE INDEX api_calls_module_time ON api_calls(op_code, time);
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    op_code TEXT,
    tenant TEXT,
    channel TEXT NOT NULL,
    recipients INTEGER,
    delivered INTEGER,
    failed INTEGER,
    queue_depth INTEGER,
    elapsed_s REAL,
    success INTEGER NOT NULL,
    error_message TEXT,
    error_category TEXT,
    tags TEXT
);
CREATE INDEX notifications_time ON notifications(time);
CREATE INDEX notifications_channel_time ON notifications(channel, time);
CREATE INDEX notifications_module_time ON notifications(op_code, time);
