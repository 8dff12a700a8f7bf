-- A correction of stored rows made outside a run (an objection's 更正) is recorded as a run of its
-- own: the rows it changed carry its id in `_run_id`, so what reads "rows changed since run N"
-- (incremental pushes) sees corrections too, and the run history shows them.
ALTER TABLE ingest.run DROP CONSTRAINT run_mode_check;
ALTER TABLE ingest.run ADD CONSTRAINT run_mode_check CHECK (mode IN ('full', 'upsert', 'correction'));
