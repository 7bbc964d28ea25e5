-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 8: a run keeps its record's tags (sorted "key:value" joined by ",", as in a series key; NULL when it
-- had none), so the GUI's Runs view can show the runs of one source (model:, service:, …) as the run.* series do.
-- Runs stored before keep NULL: their tags were never kept.
ALTER TABLE runs ADD COLUMN tags TEXT;
