-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 9: the 1 s tier's newest seconds go to one append-only row per flush (recent_1s, a block of every
-- series whose open row that flush did not rewrite), and a series' open row is rewritten every few seconds instead
-- of every second. open_chunks.logged is the newest block an open row holds already (NULL: none); readers apply a
-- series' entries in later blocks. AUTOINCREMENT keeps block ids growing after the table is emptied, which the
-- `logged` marks rely on. docs/storage.md, "Recent seconds".
CREATE TABLE recent_1s (id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL);
ALTER TABLE open_chunks ADD COLUMN logged INTEGER;
