-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema version 6: alert events carry their rule's labels (JSON object, NULL when none), and the newest event of
-- each alert is found by (rule_id, series_key, time): a restarted collector resumes from it (docs/alerts.md).
-- series_key holds the alert's instance: "model:NAME" for a KPI rule, the series key for a series rule.
ALTER TABLE alert_events ADD COLUMN labels TEXT;
CREATE INDEX alert_events_alert ON alert_events(rule_id, series_key, time);
