-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 3: model quality metrics from `prediction` records, per model key and tier, as mergeable
-- QualityMetrics blobs (models/qualitymetrics.cpp describes the format). Tier 0 holds one row per second, tier 1 per
-- minute and tier 2 per hour; the writer merges each final second into its minute and hour in the same transaction,
-- so a window merges the coarsest rows that fit and never averages a metric. Few models, so plain rows suffice.
CREATE TABLE quality (
    key TEXT NOT NULL,
    tier INTEGER NOT NULL,
    start INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (key, tier, start)
);
CREATE INDEX quality_tier_start ON quality(tier, start);
