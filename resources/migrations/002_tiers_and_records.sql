-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 2: chunked tiers (1 s, 1 min, 1 h), merged sketches, events, operations, runs and steps, alert
-- events and baselines. docs/storage.md describes the chunk blobs byte by byte.
-- Version 1 kept one row per series per second; those rows are renamed here and folded into chunks by the writer
-- (StorageWriter::open) in the same transaction that drops them.
ALTER TABLE stats_1s RENAME TO legacy_stats_1s;
DROP INDEX IF EXISTS stats_1s_ts;

-- Chunk rows: one per series per chunk span (1 s tier: 60 s; 1 min tier: 1 h; 1 h tier: 24 h). Rowid tables, not
-- WITHOUT ROWID: a row of a few hundred bytes to ~1 KB stays on its leaf page without the index-b-tree bloat.
-- n is the number of buckets in the chunk; data is the ChunkCodec blob.
CREATE TABLE chunk_1s (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    start INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX chunk_1s_series_start ON chunk_1s(series_id, start);
CREATE INDEX chunk_1s_start ON chunk_1s(start);

CREATE TABLE chunk_1m (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    start INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX chunk_1m_series_start ON chunk_1m(series_id, start);
CREATE INDEX chunk_1m_start ON chunk_1m(start);

CREATE TABLE chunk_1h (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    start INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX chunk_1h_series_start ON chunk_1h(series_id, start);
CREATE INDEX chunk_1h_start ON chunk_1h(start);

-- The open chunk of every series and tier, rewritten at every flush (undeflated), with the open bucket's merged sketch
-- for the rollup tiers. Closed chunks and sketches move to the tables above once, so those stay append-only and dense.
CREATE TABLE open_chunks (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    tier INTEGER NOT NULL,
    start INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL,
    sketch_start INTEGER,
    sketch BLOB
);
CREATE UNIQUE INDEX open_chunks_series_tier ON open_chunks(series_id, tier);

-- Merged quantile sketches (QuantileSketch::serialize) of timers and distributions, one per series per bucket, for
-- windows coarser than the tier's step. Merged in the writer's memory from the seconds, never re-read to roll up.
CREATE TABLE sketch_1m (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    start INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX sketch_1m_series_start ON sketch_1m(series_id, start);
CREATE INDEX sketch_1m_start ON sketch_1m(start);

CREATE TABLE sketch_1h (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    start INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX sketch_1h_series_start ON sketch_1h(series_id, start);
CREATE INDEX sketch_1h_start ON sketch_1h(start);

-- StatsD events and service checks on the timeline.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'event',
    title TEXT NOT NULL,
    text TEXT,
    priority TEXT,
    alert_type TEXT,
    status INTEGER,
    source TEXT,
    tags TEXT
);
CREATE INDEX events_time ON events(time);

-- One operation record each (native "op" records).
CREATE TABLE operations (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    op_code TEXT,
    tenant TEXT,
    operation_name TEXT NOT NULL,
    target TEXT,
    items_processed INTEGER,
    elapsed_s REAL,
    items_per_s REAL,
    memory_mb REAL,
    file_size_mb REAL,
    cache_hits INTEGER,
    api_calls INTEGER,
    success INTEGER NOT NULL,
    error_message TEXT,
    error_category TEXT
);
-- The slowest operations over the last 7 days.
CREATE INDEX operations_time_elapsed ON operations(time, elapsed_s);
-- The memory trend over 30 days (covering).
CREATE INDEX operations_time_memory ON operations(time, memory_mb);
-- The error rate by operation (grouped without a sort, covering).
CREATE INDEX operations_name_time_success ON operations(operation_name, time, success);
-- Error messages are cut at 5000 characters, marker included, whoever inserts them.
CREATE TRIGGER operations_cut_error AFTER INSERT ON operations WHEN length(NEW.error_message) > 5000 BEGIN UPDATE operations SET error_message = substr(NEW.error_message, 1, 4985) || ' [truncated]' WHERE id = NEW.id; END;

-- Workflow runs and their steps.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    guid TEXT UNIQUE,
    workflow TEXT NOT NULL,
    start_unix REAL NOT NULL,
    end_unix REAL,
    start_iso TEXT NOT NULL,
    end_iso TEXT,
    execution_s REAL,
    execution_text TEXT,
    success INTEGER
);
CREATE INDEX runs_start ON runs(start_unix);
CREATE INDEX runs_workflow_start ON runs(workflow, start_unix);

CREATE TABLE steps (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    start_unix REAL NOT NULL,
    elapsed_s REAL
);
CREATE INDEX steps_run ON steps(run_id);

-- Alert rule transitions (firing, resolved), ready for the alert engine.
CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    rule_name TEXT,
    series_key TEXT,
    severity TEXT,
    state TEXT NOT NULL,
    value REAL,
    threshold REAL,
    message TEXT
);
CREATE INDEX alert_events_time ON alert_events(time);
CREATE INDEX alert_events_rule_time ON alert_events(rule_id, time);

-- Baselines to compare live values with, e.g. test-set accuracy at deploy time or a reference p95.
CREATE TABLE baselines (
    id INTEGER PRIMARY KEY,
    series_key TEXT NOT NULL,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    created INTEGER NOT NULL,
    valid_from INTEGER,
    valid_to INTEGER,
    source TEXT,
    note TEXT
);
CREATE INDEX baselines_series ON baselines(series_key, metric, created);
