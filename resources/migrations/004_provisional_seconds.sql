-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 4: provisional seconds are stored, and rollup rows say how far they have folded the 1 s tier.
-- tail: 1 s tier only. The seconds published provisionally after the last final one (ChunkCodec blob, times relative
--       to start like data; they may reach into the next chunk span). The final frame of a second replaces its row.
-- through: rollup tiers only. The last second folded into this row; the writer writes rollup rows every few seconds
--          and, after a crash, folds the 1 s tier's seconds after `through` in again. NULL: current (versions 2 and 3).
ALTER TABLE open_chunks ADD COLUMN tail BLOB;
ALTER TABLE open_chunks ADD COLUMN through INTEGER;
