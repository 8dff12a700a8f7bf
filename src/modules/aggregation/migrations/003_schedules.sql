-- Per-source schedules (cron, Asia/Shanghai) and the last minute each was dispatched.
ALTER TABLE ingest.source ADD COLUMN schedule text;
ALTER TABLE ingest.source ADD COLUMN last_dispatched timestamptz;
