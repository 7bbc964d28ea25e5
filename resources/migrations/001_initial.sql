-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 1: the series registry and one-second statistics.
CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind INTEGER NOT NULL,
    first_seen INTEGER NOT NULL
);

CREATE TABLE stats_1s (
    series_id INTEGER NOT NULL REFERENCES series(id),
    ts INTEGER NOT NULL,
    count INTEGER NOT NULL,
    rate REAL,
    sum REAL,
    min REAL,
    max REAL,
    last REAL,
    p50 REAL,
    p90 REAL,
    p95 REAL,
    p99 REAL,
    PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;

CREATE INDEX stats_1s_ts ON stats_1s(ts);
