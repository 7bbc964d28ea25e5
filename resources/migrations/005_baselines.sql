-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 5: baselines are versioned per model and KPI (docs/storage.md, "Baselines").
-- series_key holds the model, metric the KPI (docs/metrics.md names; "*" for a deploy mark), source one of test_set,
-- expected, pinned, first_24h, deploy. A version applies from valid_from until the next version's valid_from.
-- spread: standard deviation of the values of the window's chunks (NULL when unknown, as for a test-set figure);
-- n: how many chunks; window_from/window_to: the data the figure was formed from (NULL for a producer's figure).
ALTER TABLE baselines ADD COLUMN spread REAL;
ALTER TABLE baselines ADD COLUMN n REAL;
ALTER TABLE baselines ADD COLUMN window_from INTEGER;
ALTER TABLE baselines ADD COLUMN window_to INTEGER;
CREATE INDEX baselines_model ON baselines(series_key, valid_from);
